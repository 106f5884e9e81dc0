// The app layer's sync operations (kiosk/app/backend_sync.h) in process, on a real store file in a
// temporary folder, against the emulators on loopback: what `kioskctl status` reports, one sync
// that saves the connection only when the backend accepted it (pretix: only the device's, never a
// team token), the webhooks' due events delivered after it to a receiver on loopback, and the
// kiosk's background sync started for the backend in use, or not at all.
#include "kiosk/app/backend_sync.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "kiosk/core/time.h"
#include "netsync/backend/backend_file.h"
#include "tests/support/constantcontact_emulator.h"
#include "tests/support/http_test_server.h"
#include "tests/support/oveit_emulator.h"
#include "tests/support/pretix_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCcEvent = "07216444-4e3b-41ea-a3b8-5a418fce41f4";   // the seed's event

class BackendSyncTest : public ::testing::Test {
protected:
    // `kioskctl sync --backend KIND --url URL --token TOKEN --event EVENT`
    Outcome<BackendSyncReport> sync_with(BackendKind kind, const std::string& url, const std::string& token,
                                         const std::string& event) {
        SyncFlags flags;
        flags.url = url;
        flags.token = token;
        flags.events = {event};
        flags.backend_named = true;
        KioskConfig named = config;
        named.backend.kind = kind;
        return sync_backend(app, flags, named, db);
    }
    Outcome<BackendSyncReport> sync_constant_contact() {
        return sync_with(BackendKind::constantcontact, cc.url(), cc.token(), kCcEvent);
    }
    bool saved(BackendKind kind) const { return std::filesystem::exists(backend::backend_file_path(db, kind)); }

    testing::ConstantContactEmulator cc;
    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
    App app{db};
    KioskConfig config;
};

TEST_F(BackendSyncTest, StatusOfAStoreConnectedToNothingSaysWhy) {
    const KioskStatus status = kiosk_status(app, config, db);
    EXPECT_EQ(status.backend.choice.source, BackendSource::none);
    ASSERT_FALSE(status.backend.settings);
    EXPECT_NE(status.backend.settings.error().find("not connected to pretix"), std::string::npos)
        << status.backend.settings.error();
    EXPECT_FALSE(status.webhooks) << "no [webhooks] urls";
    EXPECT_FALSE(status.sync.last_success);
    EXPECT_EQ(status.sync.pending_uploads, 0u);
    EXPECT_FALSE(sync_backend(app, {}, config, db)) << "nothing to sync with: nothing is sent";
}

TEST_F(BackendSyncTest, AnAcceptedConnectionIsSavedAndStatusShowsIt) {
    const auto report = sync_constant_contact();
    ASSERT_TRUE(report) << report.error();
    EXPECT_FALSE(report->sync.error) << report->sync.error->message;
    EXPECT_TRUE(report->saved);
    EXPECT_TRUE(saved(BackendKind::constantcontact));
    EXPECT_EQ(report->choice.source, BackendSource::command_line);
    EXPECT_FALSE(report->webhooks) << "no [webhooks] urls";
    EXPECT_EQ(app.lists().size(), 1u);

    // Later, with nothing on the command line: the saved connection, and the sync's outcome.
    const KioskStatus status = kiosk_status(app, config, db);
    ASSERT_TRUE(status.backend.settings) << status.backend.settings.error();
    EXPECT_EQ(status.backend.settings->kind, BackendKind::constantcontact);
    EXPECT_EQ(status.backend.settings->connection.token.secret, cc.token());
    EXPECT_EQ(status.backend.choice.source, BackendSource::saved);
    EXPECT_TRUE(status.sync.last_success);
    EXPECT_TRUE(status.sync.last_error.empty()) << status.sync.last_error;
}

TEST_F(BackendSyncTest, ARefusedTokenIsNeverSaved) {
    testing::OveitEmulator oveit;
    const auto report = sync_with(BackendKind::oveit, oveit.url(), "wrong-oveit-token", std::string(testing::OveitEmulator::kSeedEvent));
    ASSERT_TRUE(report) << report.error();
    ASSERT_TRUE(report->sync.error) << "the server refused the token";
    EXPECT_FALSE(report->saved);
    EXPECT_FALSE(saved(BackendKind::oveit));
    const KioskStatus status = kiosk_status(app, config, db);
    EXPECT_EQ(status.backend.choice.source, BackendSource::none);
    EXPECT_TRUE(status.sync.stopped) << "the sync stops until staff set it up again";
}

TEST_F(BackendSyncTest, PretixSavesTheDevicesConnectionNeverATeamToken) {
    testing::PretixEmulator pretix{{.args = {"--positions", "20"}}};
    const std::string code =
        nlohmann::json{{"handshake_version", 1}, {"url", pretix.url()}, {"token", pretix.init_token()}}.dump();
    const auto device = app.setup_device(code, device_file_path(config, db));
    ASSERT_TRUE(device) << device.error();
    EXPECT_EQ(device->url, pretix.url());
    EXPECT_EQ(device->organizer, pretix.organizer());
    EXPECT_GT(device->device_id, 0);

    const auto from_device = sync_backend(app, {}, config, db);
    ASSERT_TRUE(from_device) << from_device.error();
    EXPECT_FALSE(from_device->sync.error) << from_device->sync.error->message;
    EXPECT_EQ(from_device->settings.connection.token.kind, http::ApiToken::Kind::device);
    EXPECT_TRUE(from_device->saved) << "the device file is the connection in use";

    SyncFlags team;
    team.url = pretix.url();
    team.token = pretix.team_token();
    team.organizer = pretix.organizer();
    const auto with_team_token = sync_backend(app, team, config, db);
    ASSERT_TRUE(with_team_token) << with_team_token.error();
    EXPECT_FALSE(with_team_token->sync.error) << with_team_token->sync.error->message;
    EXPECT_FALSE(with_team_token->saved) << "a team token on the command line is never saved";
}

TEST_F(BackendSyncTest, ASyncDeliversTheWebhooksDueEvents) {
    testing::HttpTestServer receiver;
    receiver.on("/hook", {testing::HttpTestReply::plain(200)});
    config.webhooks.urls = {receiver.url("/hook")};
    config.webhooks.secret = "webhook-secret-5c";
    const auto first = sync_constant_contact();   // registers the URL: events are recorded from now on
    ASSERT_TRUE(first) << first.error();
    ASSERT_TRUE(first->webhooks);
    EXPECT_EQ(first->webhooks->pending, 0u);

    connect_scans(app, scan_connection(config, db));
    ScanRequest request;
    request.raw = "a1b2c3";
    request.lists = {app.lists().front().list.id};
    request.now = *parse_iso8601("2027-03-16T09:30:00Z");
    const auto admitted = app.scan(request);
    ASSERT_TRUE(admitted && admitted->checkin) << (admitted ? admitted->verdict.explanation : admitted.error());
    EXPECT_EQ(kiosk_status(app, config, db).webhooks->pending, 1u);

    const auto second = sync_constant_contact();
    ASSERT_TRUE(second) << second.error();
    ASSERT_TRUE(second->webhooks);
    EXPECT_EQ(second->webhooks->pending, 0u) << second->webhooks->last_error;
    EXPECT_EQ(receiver.count("/hook"), 1);
    const KioskStatus status = kiosk_status(app, config, db);
    ASSERT_TRUE(status.webhooks);
    EXPECT_EQ(status.webhooks->pending, 0u);
    ASSERT_EQ(status.webhooks->targets.size(), 1u);
    EXPECT_EQ(status.webhooks->targets.front().name.find("/hook"), std::string::npos) << "never the path";
}

TEST_F(BackendSyncTest, TheBackgroundSyncRunsForTheBackendInUseOrNotAtAll) {
    const auto nothing = BackgroundSync::start(config, db);
    ASSERT_TRUE(nothing) << nothing.error();
    EXPECT_EQ(*nothing, nullptr) << "nothing configured or saved";

    KioskConfig incomplete = config;
    incomplete.backend.kind = BackendKind::oveit;
    const auto refused = BackgroundSync::start(incomplete, db);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("not connected to oveit"), std::string::npos) << refused.error();

    testing::OveitEmulator oveit;
    ASSERT_TRUE(sync_with(BackendKind::oveit, oveit.url(), oveit.token(), std::string(testing::OveitEmulator::kSeedEvent)));
    const int64_t listed_before = oveit.counters()["list_requests"].get<int64_t>();
    const auto started = BackgroundSync::start(config, db);
    ASSERT_TRUE(started) << started.error();
    ASSERT_NE(*started, nullptr);
    BackgroundSync& background = **started;
    EXPECT_EQ(background.kind(), BackendKind::oveit);
    EXPECT_EQ(background.note(), "") << "only one connection is saved";
    background.request_sync();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && !background.status().last_success)
        std::this_thread::sleep_for(20ms);
    const sync::SyncStatus status = background.status();
    EXPECT_TRUE(status.last_success) << status.last_error;
    EXPECT_TRUE(status.online);
    EXPECT_GT(oveit.counters()["list_requests"].get<int64_t>(), listed_before) << "it synced with the saved backend";
}

} // namespace
} // namespace kiosk
