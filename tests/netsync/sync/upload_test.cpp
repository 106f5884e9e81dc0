// Uploading the kiosk's queue to the pretix emulator: every admission reaches the server exactly
// once through every fault (the emulator counts accepted check-ins by nonce), one row the server
// chokes on never holds up the rest, undo settles locally before the upload and annuls after it,
// and a token that becomes invalid stops sync in words and loses nothing.
#include "tests/netsync/sync/sync_fixture.h"

#include <gmock/gmock.h>

#include "netsync/pretix/device_file.h"
#include "tests/support/db_dump.h"

namespace kiosk::sync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class UploadTest : public SyncTest {};

TEST_F(UploadTest, AdmissionReachesTheServerOnceAndLeavesTheQueue) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    ASSERT_EQ(app().queue().pending.size(), 1u);

    const UploadRound round = upload();
    EXPECT_EQ(round.sent, 1u);
    EXPECT_EQ(round.postponed + round.refused, 0u);
    EXPECT_FALSE(round.stopped_by);
    EXPECT_EQ(accepted(nonce), 1);
    EXPECT_TRUE(app().queue().pending.empty());
    const json recorded = pretix.admin("GET", "/checkins?nonce=" + nonce);
    ASSERT_EQ(recorded["count"], 1);
    EXPECT_EQ(*parse_iso8601(recorded["results"][0]["datetime"].get<std::string>()), at("2027-03-16T10:05:00+01:00"))
        << "the real time of the scan";
    EXPECT_EQ(recorded["results"][0]["list"], kMainEntrance);

    // Nothing left: another round asks the server nothing.
    EXPECT_EQ(upload().sent, 0u);
    EXPECT_EQ(accepted(nonce), 1);
    // The server lists the check-in back; the store keeps one check-in, its own.
    download_ok();
    EXPECT_EQ(sql_count(db_path, "SELECT count(*) FROM checkins WHERE position_id = " + std::to_string(ticket["id"].get<int64_t>())), 1);
    EXPECT_EQ(check(ticket["secret"]).reason, RejectReason::already_redeemed);
}

//-----------------------------------------------------------------------------
// Faults
//-----------------------------------------------------------------------------

// Every fault the emulator injects, with and without the server committing the check-in before
// the answer is lost. One emulator serves all of them in turn.
struct UploadFault {
    const char* name;
    json spec;                              // path, match and count are added
    bool server_commits;                    // the server records the check-in, the answer is lost
};

TEST_F(UploadTest, ThroughEveryFaultTheRowStaysQueuedAndReachesTheServerExactlyOnce) {
    const std::vector<UploadFault> faults = {
        {"status 500", {{"kind", "status"}, {"status", 500}}, false},
        {"status 500 after committing", {{"kind", "status"}, {"status", 500}, {"process", true}}, true},
        {"429 with Retry-After", {{"kind", "rate_limit"}, {"retry_after", 120}}, false},
        {"slower than the request timeout (committed)", {{"kind", "slow"}, {"seconds", 1.5}}, true},
        {"connection reset mid-body (committed)", {{"kind", "reset"}}, true},
        {"truncated JSON (committed)", {{"kind", "truncate"}}, true},
        {"captive portal's HTML", {{"kind", "content_type"}}, false},
        {"HTML content type after committing", {{"kind", "content_type"}, {"process", true}}, true},
        {"401", {{"kind", "unauthorized"}}, false},
    };
    const std::vector<json> tickets = synced_tickets(2 * faults.size());
    for (size_t f = 0; f < faults.size(); ++f) {
        const UploadFault& fault = faults[f];
        SCOPED_TRACE(fault.name);
        const std::string nonce = admit(tickets[2 * f]["secret"]);
        json spec = fault.spec;
        spec["path"] = redeem_path();
        spec["match"] = "exact";
        spec["count"] = kRetryAttempts;   // every attempt of the request
        pretix.fault(spec);

        const UploadRound failed = upload(wall_now(), std::chrono::milliseconds(400));
        EXPECT_EQ(failed.sent, 0u);
        EXPECT_EQ(failed.postponed, 1u);
        const QueueSnapshot queue = app().queue();
        ASSERT_EQ(queue.pending.size(), 1u);
        EXPECT_EQ(queue.pending[0].nonce, nonce);
        ASSERT_TRUE(queue.pending[0].last_error);
        EXPECT_FALSE(queue.pending[0].last_error->empty());
        EXPECT_THAT(*queue.pending[0].last_error, Not(HasSubstr(pretix.team_token())));
        if (fault.server_commits) {
            EXPECT_TRUE(eventually([&] { return accepted(nonce) == 1; })) << "the server committed before the fault";
        } else {
            EXPECT_EQ(accepted(nonce), 0);
        }
        // Scans go on meanwhile.
        const std::string later = admit(tickets[2 * f + 1]["secret"], "2027-03-16T10:06:00+01:00");

        pretix.clear_faults();
        // A refused token is not the row's fault: it keeps its place. Anything else waits for its
        // retry time while newer rows go.
        const bool keeps_its_place = fault.spec["kind"] == "unauthorized";
        EXPECT_EQ(upload().sent, keeps_its_place ? 2u : 1u);
        const UploadRound retried = upload_all();
        EXPECT_EQ(retried.sent, keeps_its_place ? 0u : 1u);
        EXPECT_FALSE(retried.stopped_by);
        EXPECT_TRUE(app().queue().pending.empty());
        EXPECT_EQ(accepted(nonce), 1) << "exactly once";
        EXPECT_EQ(accepted(later), 1);
        EXPECT_EQ(pretix.admin("GET", "/checkins?nonce=" + nonce + "&successful=true")["count"], 1);
    }
}

TEST_F(UploadTest, OneRowTheServerChokesOnDoesNotHoldUpTheRest) {
    std::vector<std::string> nonces;
    const std::vector<json> tickets = synced_tickets(4);
    for (size_t i = 0; i < tickets.size(); ++i) {
        const std::string when = "2027-03-16T10:0" + std::to_string(i) + ":00+01:00";
        nonces.push_back(admit(tickets[i]["secret"], when.c_str()));
    }
    // Every attempt of the first row is answered 500 (the server did not take it).
    pretix.fault({{"path", redeem_path()}, {"match", "exact"}, {"kind", "status"}, {"status", 500}, {"count", kRetryAttempts}});

    const UploadRound round = upload();
    EXPECT_EQ(round.sent, 3u);
    EXPECT_EQ(round.postponed, 1u);
    EXPECT_FALSE(round.stopped_by);
    EXPECT_EQ(accepted(nonces[0]), 0);
    for (size_t i = 1; i < nonces.size(); ++i) EXPECT_EQ(accepted(nonces[i]), 1) << i;
    const QueueSnapshot queue = app().queue();
    ASSERT_EQ(queue.pending.size(), 1u);
    EXPECT_EQ(queue.pending[0].nonce, nonces[0]);
    EXPECT_THAT(queue.pending[0].last_error.value_or(""), HasSubstr("server error"));

    EXPECT_EQ(upload_all().sent, 1u);
    for (const std::string& nonce : nonces) EXPECT_EQ(accepted(nonce), 1);
    EXPECT_TRUE(app().queue().pending.empty());
}

TEST_F(UploadTest, TicketTheServerRefusesForGoodIsKeptForStaff) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    pretix.admin("POST", "/events/event1/orders/" + ticket["order"].get<std::string>() + "/cancel");   // after the scan

    const UploadRound round = upload();
    EXPECT_EQ(round.refused, 1u);
    const QueueSnapshot queue = app().queue();
    EXPECT_TRUE(queue.pending.empty());
    ASSERT_EQ(queue.refused.size(), 1u);
    EXPECT_EQ(queue.refused[0].nonce, nonce);
    EXPECT_THAT(queue.refused[0].last_error.value_or(""), HasSubstr("canceled"));
    EXPECT_EQ(upload_all().sent + upload_all().refused, 0u) << "never sent again";
}

//-----------------------------------------------------------------------------
// Undo
//-----------------------------------------------------------------------------

TEST_F(UploadTest, UndoBeforeTheUploadSettlesLocally) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    const auto undone = app().undo({ticket["secret"].get<std::string>(), kMainEntrance, at("2027-03-16T10:07:00+01:00")});
    ASSERT_TRUE(undone) << undone.error();
    ASSERT_TRUE(undone->reverted);
    ASSERT_TRUE(undone->checkin);
    EXPECT_TRUE(undone->checkin->settled_locally);
    EXPECT_TRUE(app().queue().pending.empty());

    const UploadRound round = upload_all();
    EXPECT_EQ(round.sent + round.refused + round.postponed, 0u);
    EXPECT_EQ(requests("POST " + redeem_path()), 0) << "the server never sees either";
    EXPECT_EQ(requests("POST " + api_path("checkinrpc/annul/")), 0);
    EXPECT_EQ(accepted(nonce), 0);
    EXPECT_EQ(check(ticket["secret"]).status, VerdictStatus::ok) << "the ticket is valid again";
}

TEST_F(UploadTest, UndoAfterTheUploadAnnulsByTheCheckinsNonce) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    ASSERT_EQ(upload().sent, 1u);
    ASSERT_EQ(accepted(nonce), 1);

    const auto undone = app().undo({ticket["secret"].get<std::string>(), kMainEntrance, at("2027-03-16T10:10:00+01:00")});
    ASSERT_TRUE(undone && undone->reverted);
    EXPECT_FALSE(undone->checkin->settled_locally);
    ASSERT_EQ(app().queue().pending.size(), 1u);
    EXPECT_EQ(app().queue().pending[0].kind, "undo");

    const UploadRound round = upload();
    EXPECT_EQ(round.sent, 1u);
    EXPECT_EQ(annulled(nonce), 1);
    EXPECT_TRUE(app().queue().pending.empty());
    const json records = pretix.admin("GET", "/checkins?nonce=" + nonce);
    ASSERT_EQ(records["count"], 1);
    EXPECT_EQ(records["results"][0]["annulled"], true);

    // The server's copy of the check-in is gone too, and a sync does not bring it back.
    download_ok();
    EXPECT_EQ(check(ticket["secret"]).status, VerdictStatus::ok);
}

TEST_F(UploadTest, UndoTheServerRefusesIsKeptWithItsWords) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    ASSERT_EQ(upload().sent, 1u);

    // 20 minutes after the check-in: pretix annuls within 15 only.
    const auto undone = app().undo({ticket["secret"].get<std::string>(), kMainEntrance, at("2027-03-16T10:25:00+01:00")});
    ASSERT_TRUE(undone && undone->reverted);
    const UploadRound round = upload();
    EXPECT_EQ(round.refused, 1u);
    EXPECT_EQ(annulled(nonce), 0);
    const QueueSnapshot queue = app().queue();
    EXPECT_TRUE(queue.pending.empty());
    ASSERT_EQ(queue.refused.size(), 1u);
    EXPECT_EQ(queue.refused[0].kind, "undo");
    EXPECT_THAT(queue.refused[0].last_error.value_or(""), HasSubstr("15 minutes"));
    EXPECT_EQ(read_sync_status(store).refused_uploads, 1u);
}

TEST_F(UploadTest, UndoWaitsForItsCheckinThatTheServerHasNotTakenYet) {
    const json ticket = synced_ticket();
    const std::string nonce = admit(ticket["secret"]);
    pretix.fault({{"path", redeem_path()}, {"match", "exact"}, {"kind", "status"}, {"status", 500}, {"count", kRetryAttempts}});
    ASSERT_EQ(upload().postponed, 1u);   // attempted: from now on an undo must annul
    const auto undone = app().undo({ticket["secret"].get<std::string>(), kMainEntrance, at("2027-03-16T10:08:00+01:00")});
    ASSERT_TRUE(undone && undone->reverted);
    EXPECT_FALSE(undone->checkin->settled_locally);

    pretix.clear_faults();
    EXPECT_EQ(upload_all().sent, 1u) << "the check-in first";
    EXPECT_EQ(accepted(nonce), 1);
    EXPECT_EQ(annulled(nonce), 0);
    EXPECT_EQ(upload_all().sent, 1u) << "then its annulment";
    EXPECT_EQ(annulled(nonce), 1);
    EXPECT_TRUE(app().queue().pending.empty());
}

//-----------------------------------------------------------------------------
// A token that becomes invalid
//-----------------------------------------------------------------------------

class TokenTest : public SyncTest {
protected:
    pretix::DeviceCredentials new_device(const std::string& name) {
        const json device = pretix.admin("POST", "/devices", {{"name", name}});
        auto credentials = pretix::Api::initialize_device(pretix::Handshake{1, pretix.url(), device["init_token"].get<std::string>()},
                                                          pretix::DeviceInfo{}, client_options());
        if (!credentials) throw std::runtime_error(credentials.error().message);
        return *credentials;
    }
    SyncSettings device_settings(const pretix::DeviceCredentials& device) const {
        return settings({pretix.url(), device.organizer, {http::ApiToken::Kind::device, device.api_token}});
    }
};

TEST_F(TokenTest, RevokedDeviceStopsSyncInWordsLosesNothingAndASecondSetUpDeliversOnce) {
    const pretix::DeviceCredentials device = new_device("Kiosk North");
    const json one = new_ticket(), two = new_ticket();
    const SyncReport first = sync_once(device_settings(device), store, true);
    ASSERT_FALSE(first.error) << first.error->message;
    const std::string nonce_one = admit(one["secret"]);
    const std::string nonce_two = admit(two["secret"], "2027-03-16T10:06:00+01:00");

    pretix.admin("POST", "/devices/" + std::to_string(device.device_id) + "/revoke");
    const SyncReport refused = sync_once(device_settings(device), store, true);
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->kind, pretix::ApiErrorKind::unauthorized);
    const SyncStatus status = read_sync_status(store);
    EXPECT_TRUE(status.stopped);
    EXPECT_THAT(status.last_error, HasSubstr("token"));
    EXPECT_THAT(status.last_error, HasSubstr("set the kiosk up again"));
    EXPECT_THAT(status.last_error, Not(HasSubstr(device.api_token)));
    EXPECT_EQ(status.pending_uploads, 2u) << "nothing lost";
    EXPECT_EQ(accepted(nonce_one) + accepted(nonce_two), 0);
    EXPECT_EQ(app().queue().pending.size(), 2u);
    EXPECT_TRUE(app().queue().refused.empty());
    EXPECT_EQ(stored_positions(), server_positions()) << "the store is intact";
    EXPECT_EQ(check(one["secret"]).reason, RejectReason::already_redeemed) << "scans go on";

    // Set up again with a new device: the queue goes out at once, each check-in once.
    const pretix::DeviceCredentials again = new_device("Kiosk North again");
    const SyncReport resumed = sync_once(device_settings(again), store, true);
    ASSERT_FALSE(resumed.error) << resumed.error->message;
    EXPECT_EQ(resumed.upload.sent, 2u);
    EXPECT_EQ(accepted(nonce_one), 1);
    EXPECT_EQ(accepted(nonce_two), 1);
    const SyncStatus fine = read_sync_status(store);
    EXPECT_FALSE(fine.stopped);
    EXPECT_TRUE(fine.online);
    EXPECT_TRUE(fine.last_error.empty());
    EXPECT_EQ(fine.pending_uploads, 0u);
    ASSERT_TRUE(fine.last_success);
}

TEST_F(TokenTest, RevokedTeamTokenStopsADownloadAndTheStoreStaysAsItWas) {
    const json token = pretix.admin("POST", "/teamtokens", json::object());
    const SyncSettings team = settings({pretix.url(), pretix.organizer(), {http::ApiToken::Kind::team, token["token"].get<std::string>()}});
    ASSERT_FALSE(sync_once(team, store, true).error);
    const json sold = new_ticket();
    pretix.admin("POST", "/teamtokens/" + token["token"].get<std::string>() + "/revoke");
    const std::string before = kiosk::testing::dump_database(db_path);

    const SyncReport refused = sync_once(team, store, true);
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->kind, pretix::ApiErrorKind::unauthorized);
    const SyncStatus status = read_sync_status(store);
    EXPECT_TRUE(status.stopped);
    EXPECT_THAT(status.last_error, HasSubstr("token"));
    EXPECT_EQ(check(sold["secret"]).reason, RejectReason::invalid);
    // Only the status note changed.
    const auto without_status = [](std::string dump) {
        const size_t at_note = dump.find("note:sync.status|");
        const size_t end = dump.find('\n', at_note);
        return at_note == std::string::npos ? dump : dump.erase(at_note, end - at_note);
    };
    EXPECT_EQ(without_status(kiosk::testing::dump_database(db_path)), without_status(before));
}

} // namespace
} // namespace kiosk::sync::testing
