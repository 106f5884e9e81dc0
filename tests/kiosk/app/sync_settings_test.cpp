// Which backend a store syncs with, and when its connection is saved (kiosk/app/sync_settings.h), on
// real files next to a temporary store: with nothing naming a backend, the connection saved last is
// used and the others are named; --backend, the configuration's kind or a pretix URL win over what
// is saved; equal times are decided by the kinds' order, never by the directory's. A connection is
// worth saving unless the server refused it. "Saved last" is the files' modification time: the tests
// set it, they never wait for a clock.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "kiosk/app/sync_settings.h"
#include "netsync/backend/backend_file.h"
#include "netsync/pretix/device_file.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using Clock = std::filesystem::file_time_type::clock;

class SyncSettingsTest : public ::testing::Test {
protected:
    // A connection of `kind` saved `age` ago, as `kioskctl sync --backend` saves it.
    void save(BackendKind kind, std::chrono::minutes age) {
        sync::SyncSettings settings;
        settings.kind = kind;
        settings.connection.url = "http://127.0.0.1:1/" + std::string(backend_kind_name(kind));
        settings.connection.token = {http::ApiToken::Kind::bearer, "token-" + std::string(backend_kind_name(kind))};
        settings.events = {"event-" + std::string(backend_kind_name(kind))};
        const auto saved = remember_backend(settings, config, db);
        ASSERT_TRUE(saved && *saved);
        std::filesystem::last_write_time(backend::backend_file_path(db, kind), Clock::now() - age);
    }
    // pretix's device file, as `kioskctl setup` saves it, `age` ago.
    void set_up_pretix(std::chrono::minutes age) {
        pretix::DeviceCredentials device;
        device.url = "http://127.0.0.1:1";
        device.organizer = "demo";
        device.device_id = 7;
        device.api_token = "device-token";
        ASSERT_TRUE(pretix::save_device_credentials(device_file_path(config, db), device));
        std::filesystem::last_write_time(device_file_path(config, db), Clock::now() - age);
    }
    BackendChoice choice(const SyncFlags& flags = {}) const { return choose_backend(flags, config, db); }

    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
    KioskConfig config;
};

TEST_F(SyncSettingsTest, BrandNamesForStaff) {
    EXPECT_EQ(backend_display_name(BackendKind::pretix), "pretix");
    EXPECT_EQ(backend_display_name(BackendKind::constantcontact), "Constant Contact");
    EXPECT_EQ(backend_display_name(BackendKind::oveit), "Oveit");
    EXPECT_EQ(backend_display_name(BackendKind::brightstar), "BrightStar");
}

TEST_F(SyncSettingsTest, NothingSavedIsPretixNotConnected) {
    const BackendChoice none = choice();
    EXPECT_EQ(none.kind, BackendKind::pretix);
    EXPECT_EQ(none.source, BackendSource::none);
    EXPECT_TRUE(none.also_saved.empty());
    EXPECT_EQ(also_saved_note(none), "");
    const auto settings = resolve_sync_settings({}, config, db);
    ASSERT_FALSE(settings);
    EXPECT_NE(settings.error().find("not connected to pretix"), std::string::npos) << settings.error();
}

TEST_F(SyncSettingsTest, TheConnectionSavedLastIsUsedAndTheOthersNamed) {
    save(BackendKind::constantcontact, 10min);
    save(BackendKind::oveit, 20min);
    save(BackendKind::brightstar, 30min);
    BackendChoice chosen = choice();
    EXPECT_EQ(chosen.kind, BackendKind::constantcontact);
    EXPECT_EQ(chosen.source, BackendSource::saved);
    EXPECT_EQ(chosen.also_saved, (std::vector{BackendKind::oveit, BackendKind::brightstar}));
    EXPECT_EQ(also_saved_note(chosen), "Using Constant Contact (saved last); also saved next to the store: Oveit, "
                                       "BrightStar. kioskctl sync --backend KIND switches.");
    auto settings = resolve_sync_settings({}, config, db);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->kind, BackendKind::constantcontact);
    EXPECT_EQ(settings->connection.token.secret, "token-constantcontact");
    EXPECT_EQ(settings->events, std::vector<std::string>{"event-constantcontact"});

    std::filesystem::last_write_time(backend::backend_file_path(db, BackendKind::oveit), Clock::now() - 1min);
    chosen = choice();
    EXPECT_EQ(chosen.kind, BackendKind::oveit);
    EXPECT_EQ(chosen.also_saved, (std::vector{BackendKind::constantcontact, BackendKind::brightstar}));
    settings = resolve_sync_settings({}, config, db);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->kind, BackendKind::oveit);
}

TEST_F(SyncSettingsTest, EqualTimesAreDecidedByTheKindsOrder) {
    save(BackendKind::brightstar, 10min);
    save(BackendKind::oveit, 10min);
    const auto same = Clock::now() - 10min;
    std::filesystem::last_write_time(backend::backend_file_path(db, BackendKind::brightstar), same);
    std::filesystem::last_write_time(backend::backend_file_path(db, BackendKind::oveit), same);
    const BackendChoice chosen = choice();
    EXPECT_EQ(chosen.kind, BackendKind::oveit);
    EXPECT_EQ(chosen.also_saved, std::vector{BackendKind::brightstar});
}

TEST_F(SyncSettingsTest, NamedBackendsWinOverWhatIsSaved) {
    save(BackendKind::constantcontact, 10min);
    save(BackendKind::oveit, 20min);

    // --backend oveit (kioskctl puts it in the configuration's kind).
    KioskConfig named = config;
    named.backend.kind = BackendKind::oveit;
    SyncFlags flags;
    flags.backend_named = true;
    BackendChoice chosen = choose_backend(flags, named, db);
    EXPECT_EQ(chosen.kind, BackendKind::oveit);
    EXPECT_EQ(chosen.source, BackendSource::command_line);
    EXPECT_EQ(chosen.also_saved, std::vector{BackendKind::constantcontact});
    EXPECT_NE(also_saved_note(chosen).find("named on the command line"), std::string::npos);

    // The configuration's kind.
    chosen = choose_backend({}, named, db);
    EXPECT_EQ(chosen.kind, BackendKind::oveit);
    EXPECT_EQ(chosen.source, BackendSource::configuration);

    // A pretix URL, on the command line or in the configuration, means pretix.
    flags = {};
    flags.url = "https://pretix.example";
    chosen = choice(flags);
    EXPECT_EQ(chosen.kind, BackendKind::pretix);
    EXPECT_EQ(chosen.source, BackendSource::command_line);
    EXPECT_EQ(chosen.also_saved, (std::vector{BackendKind::constantcontact, BackendKind::oveit}));
    config.backend.url = "https://pretix.example";
    EXPECT_EQ(choice().kind, BackendKind::pretix);
    EXPECT_EQ(choice().source, BackendSource::configuration);
}

TEST_F(SyncSettingsTest, APretixDeviceTakesPartAndASyncFromItMarksItSavedLast) {
    set_up_pretix(30min);
    save(BackendKind::oveit, 10min);
    EXPECT_EQ(choice().kind, BackendKind::oveit) << "set up for pretix, then synced with Oveit: Oveit";
    EXPECT_EQ(choice().also_saved, std::vector{BackendKind::pretix});

    // kioskctl sync --backend pretix, from the device file: pretix again from now on.
    KioskConfig named = config;
    SyncFlags flags;
    flags.backend_named = true;
    const auto settings = resolve_sync_settings(flags, named, db);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->connection.token.kind, http::ApiToken::Kind::device);
    const auto marked = remember_backend(*settings, config, db);
    ASSERT_TRUE(marked) << marked.error();
    EXPECT_TRUE(*marked) << "the device file is the connection in use";
    EXPECT_EQ(choice().kind, BackendKind::pretix);
    EXPECT_EQ(choice().source, BackendSource::saved);
    EXPECT_EQ(choice().also_saved, std::vector{BackendKind::oveit});

    // A team token on the command line is never saved: the order stays.
    std::filesystem::last_write_time(device_file_path(config, db), Clock::now() - 5min);
    save(BackendKind::oveit, 1min);
    sync::SyncSettings team = *settings;
    team.connection.token = {http::ApiToken::Kind::team, "team-token"};
    const auto team_saved = remember_backend(team, config, db);
    ASSERT_TRUE(team_saved) << team_saved.error();
    EXPECT_FALSE(*team_saved);
    EXPECT_EQ(choice().kind, BackendKind::oveit);
}

TEST_F(SyncSettingsTest, OnlyARefusalKeepsAConnectionFromBeingSaved) {
    EXPECT_TRUE(connection_worth_saving(std::nullopt)) << "accepted";
    for (const auto kind : {backend::ApiErrorKind::unreachable, backend::ApiErrorKind::busy, backend::ApiErrorKind::bad_answer})
        EXPECT_TRUE(connection_worth_saving(backend::make_error(kind, "later"))) << static_cast<int>(kind);
    for (const auto kind : {backend::ApiErrorKind::unauthorized, backend::ApiErrorKind::forbidden,
                            backend::ApiErrorKind::not_found, backend::ApiErrorKind::refused, backend::ApiErrorKind::cancelled})
        EXPECT_FALSE(connection_worth_saving(backend::make_error(kind, "no"))) << static_cast<int>(kind);
}

} // namespace
} // namespace kiosk
