// The kiosk's decision worker and the scan connection the configuration asks for: with pretix in
// online mode (`sync.online = true`) the worker's scans are decided by the server first (the
// emulator on loopback), fall back to the local copy when it does not answer, and the mode in force
// is what staff read from scan_mode(). A device set up while the kiosk runs connects the worker.
#include <gtest/gtest.h>

#include <thread>

#include "kiosk/app/flow_worker.h"
#include "kiosk/app/sync_settings.h"
#include "tests/support/pretix_emulator.h"
#include "tests/support/pretix_tickets.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class FlowWorkerTest : public ::testing::Test {
protected:
    void SetUp() override {
        config.backend.url = pretix.url();
        config.backend.token = pretix.team_token();
        config.backend.organizer = pretix.organizer();
        config.backend.events = {"event1"};
        config.sync.online_timeout_ms = 800;
        const auto settings = resolve_sync_settings({}, config, db);
        ASSERT_TRUE(settings) << settings.error();
        const auto synced = App(db).sync(*settings);
        ASSERT_FALSE(synced.error) << synced.error->message;
    }

    FlowWorkerSettings worker_settings(ScanConnection scans) const {
        FlowWorkerSettings settings;
        settings.db_path = db;
        settings.photo_dir = dir.path() / "photos";
        settings.scan_connection = std::move(scans);
        return settings;
    }

    std::string fresh_ticket() { return testing::unused_conference_pass(pretix, used_); }

    // The ticket checked in at pretix by another device; this kiosk's copy does not know it yet.
    std::string ticket_used_elsewhere() {
        const std::string secret = fresh_ticket();
        const std::string other_db = dir.file("other.db");
        App other(other_db);
        auto settings = resolve_sync_settings({}, config, other_db);
        EXPECT_TRUE(settings);
        EXPECT_FALSE(other.sync(*settings).error);
        other.go_online(settings->connection, {std::chrono::milliseconds(2000), std::chrono::seconds(30), ""});
        const auto admitted = other.scan(scan_of(secret));
        EXPECT_TRUE(admitted && admitted->decided_by_server && admitted->verdict.status == VerdictStatus::ok);
        return secret;
    }

    static ScanRequest scan_of(const std::string& secret) { return testing::emulator_event_scan(secret); }

    // Submits a scan and waits for its answer (the worker answers on its own thread).
    static flow::ScanAnswered scan(FlowWorker& worker, const std::string& secret) {
        static uint64_t request = 0;
        const uint64_t id = ++request;
        worker.submit(flow::RunScan{id, scan_of(secret)});
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            for (flow::Event& event : worker.drain())
                if (auto* answer = std::get_if<flow::ScanAnswered>(&event); answer && answer->request == id) return std::move(*answer);
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "no answer to scan " << id;
        return {id, std::unexpected("no answer"), {}};
    }

    testing::PretixEmulator pretix{{.args = {"--positions", "300"}}};
    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
    KioskConfig config;
    int used_ = 0;
};

TEST_F(FlowWorkerTest, ScanConnectionFollowsTheConfiguration) {
    EXPECT_TRUE(std::holds_alternative<std::monostate>(scan_connection(config, db))) << "offline mode is the default";
    config.sync.online = true;
    const ScanConnection online = scan_connection(config, db);
    ASSERT_TRUE(std::holds_alternative<PretixOnline>(online));
    EXPECT_EQ(std::get<PretixOnline>(online).settings.deadline, 800ms);
    EXPECT_EQ(std::get<PretixOnline>(online).connection.url, pretix.url());
    KioskConfig unconnected;
    unconnected.sync.online = true;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(scan_connection(unconnected, dir.file("none.db"))))
        << "nothing to ask: scans are decided from the store";
}

TEST_F(FlowWorkerTest, OnlineModeLetsPretixDecideAndSaysSo) {
    config.sync.online = true;
    FlowWorker worker(worker_settings(scan_connection(config, db)));
    const std::string used = ticket_used_elsewhere();
    const flow::ScanAnswered answer = scan(worker, used);
    ASSERT_TRUE(answer.outcome) << answer.outcome.error();
    EXPECT_TRUE(answer.outcome->decided_by_server);
    EXPECT_EQ(answer.outcome->verdict.reason, RejectReason::already_redeemed) << "the local copy alone would admit it";
    const auto mode = worker.scan_mode();
    ASSERT_TRUE(mode);
    EXPECT_TRUE(mode->online);
}

TEST_F(FlowWorkerTest, OnlineModeFallsBackWhenPretixIsDownAndStaffSeeWhy) {
    config.sync.online = true;
    FlowWorker worker(worker_settings(scan_connection(config, db)));
    const std::string ticket = fresh_ticket();
    pretix.stop();
    const flow::ScanAnswered answer = scan(worker, ticket);
    ASSERT_TRUE(answer.outcome) << answer.outcome.error();
    EXPECT_FALSE(answer.outcome->decided_by_server);
    EXPECT_EQ(answer.outcome->verdict.status, VerdictStatus::ok) << "admitted from the local copy";
    ASSERT_TRUE(answer.outcome->checkin);
    EXPECT_EQ(App(db).queue().pending.size(), 1u) << "queued for upload once pretix is back";
    const auto mode = worker.scan_mode();
    ASSERT_TRUE(mode);
    EXPECT_FALSE(mode->online);
    EXPECT_FALSE(mode->why_offline.empty());
}

TEST_F(FlowWorkerTest, OfflineModeDecidesLocallyUntilConnected) {
    FlowWorker worker(worker_settings(scan_connection(config, db)));   // sync.online = false
    const std::string used = ticket_used_elsewhere();
    const flow::ScanAnswered local = scan(worker, used);
    ASSERT_TRUE(local.outcome);
    EXPECT_FALSE(local.outcome->decided_by_server);
    EXPECT_EQ(local.outcome->verdict.status, VerdictStatus::ok) << "the copy had not heard of the other check-in";
    EXPECT_FALSE(worker.scan_mode()) << "the store decides: no server state to show";

    // As after a device set-up on the staff panel with online mode configured.
    config.sync.online = true;
    worker.connect(nullptr, scan_connection(config, db));
    const flow::ScanAnswered asked = scan(worker, ticket_used_elsewhere());
    ASSERT_TRUE(asked.outcome);
    EXPECT_TRUE(asked.outcome->decided_by_server);
    EXPECT_EQ(asked.outcome->verdict.reason, RejectReason::already_redeemed);
    ASSERT_TRUE(worker.scan_mode());
    EXPECT_TRUE(worker.scan_mode()->online);
}

} // namespace
} // namespace kiosk
