// Online mode in process: pretix (the emulator on loopback) decides first; a slow, failing or
// garbled answer falls back to the local decision with the same nonce, so the check-in reaches
// pretix once whatever happened to the first request.
#include <gtest/gtest.h>

#include "kiosk/app/app.h"
#include "tests/support/pretix_emulator.h"
#include "tests/support/pretix_tickets.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

class AppOnlineTest : public ::testing::Test {
protected:
    void SetUp() override {
        settings.connection = {pretix.url(), pretix.organizer(), {http::ApiToken::Kind::team, pretix.team_token()}};
        settings.events = {"event1"};
        const auto synced = app.sync(settings);
        ASSERT_FALSE(synced.error) << synced.error->message;
        app.go_online(settings.connection, {std::chrono::milliseconds(800), std::chrono::seconds(30), ""});
    }

    std::string fresh_ticket() { return testing::unused_conference_pass(pretix, used_); }

    static ScanRequest scan_of(const std::string& secret) { return testing::emulator_event_scan(secret); }

    int accepted(const std::string& nonce) {
        const json counts = pretix.counters()["accepted_checkins"];
        return counts.contains(nonce) ? counts[nonce].get<int>() : 0;
    }

    testing::PretixEmulator pretix{{.args = {"--positions", "300"}}};
    testing::TempDir dir;
    App app{dir.file("kiosk.db")};
    sync::SyncSettings settings;
    int used_ = 0;
};

TEST_F(AppOnlineTest, PretixAdmitsAndTheAdmissionIsRecordedAsUploaded) {
    const std::string secret = fresh_ticket();
    const auto outcome = app.scan(scan_of(secret));
    ASSERT_TRUE(outcome) << outcome.error();
    EXPECT_TRUE(outcome->decided_by_server);
    ASSERT_EQ(outcome->verdict.status, VerdictStatus::ok);
    ASSERT_TRUE(outcome->checkin);
    EXPECT_EQ(accepted(outcome->checkin->nonce), 1);
    EXPECT_TRUE(app.queue().pending.empty());        // nothing left to upload
    EXPECT_TRUE(app.online_state()->online);
    // The local copy knows it: offline, a second scan is already_redeemed too.
    ScanRequest again = scan_of(secret);
    const auto second = app.scan(again);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->verdict.reason, RejectReason::already_redeemed);
    EXPECT_TRUE(second->verdict.first_checkin);
}

TEST_F(AppOnlineTest, PretixsRefusalIsTheVerdictAndNothingIsQueued) {
    const auto outcome = app.scan(scan_of("no-such-ticket-at-all"));
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->decided_by_server);
    EXPECT_EQ(outcome->verdict.reason, RejectReason::invalid);
    EXPECT_TRUE(app.queue().failed.empty());         // pretix recorded its own refusal
}

TEST_F(AppOnlineTest, ASlowAnswerFallsBackToTheLocalDecisionWithTheSameNonce) {
    // pretix commits the check-in, then answers too late for the deadline.
    pretix.fault({{"path", "/api/v1/organizers/" + pretix.organizer() + "/checkinrpc/redeem/"},
                  {"kind", "slow"}, {"seconds", 3}, {"count", 1}});
    const auto outcome = app.scan(scan_of(fresh_ticket()));
    ASSERT_TRUE(outcome) << outcome.error();
    EXPECT_FALSE(outcome->decided_by_server);
    ASSERT_EQ(outcome->verdict.status, VerdictStatus::ok);
    const std::string nonce = outcome->checkin->nonce;
    ASSERT_EQ(app.queue().pending.size(), 1u);
    EXPECT_EQ(app.queue().pending.front().nonce, nonce);
    const auto state = app.online_state();
    EXPECT_FALSE(state->online);
    EXPECT_FALSE(state->why_offline.empty());
    // The queued upload carries the nonce pretix already saw: one check-in on the server.
    const auto synced = app.sync(settings);
    EXPECT_FALSE(synced.error);
    EXPECT_EQ(synced.upload.sent, 1u);
    EXPECT_EQ(accepted(nonce), 1);
}

TEST_F(AppOnlineTest, GarbageFromTheServerFallsBackToTheLocalDecision) {
    pretix.fault({{"path", "/api/v1/organizers/" + pretix.organizer() + "/checkinrpc/redeem/"},
                  {"kind", "content_type"}, {"count", 1}});
    const auto outcome = app.scan(scan_of(fresh_ticket()));
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->decided_by_server);
    EXPECT_EQ(outcome->verdict.status, VerdictStatus::ok);
    EXPECT_EQ(app.queue().pending.size(), 1u);
    // Offline for a while now: the next scan does not wait on the server at all.
    const auto next = app.scan(scan_of(fresh_ticket()));
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->decided_by_server);
}

} // namespace
} // namespace kiosk
