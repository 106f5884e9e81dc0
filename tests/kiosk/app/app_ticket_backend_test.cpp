// Scans, undos and syncs with the backends other than pretix, end to end through the app layer
// against their emulators on loopback. Constant Contact and BrightStar keep no copy of their tickets
// here: the server decides online, the kiosk remembers what it admitted, an outage is refused or
// (trusted) admitted and queued, and the queue reaches the server exactly once when it is back;
// exits and re-entries (no backend has a call for them) are this kiosk's own, never sent.
// Oveit downloads its tickets: its copy decides offline, and its admissions are uploaded once.
#include <algorithm>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "kiosk/app/app.h"
#include "kiosk/app/sync_settings.h"
#include "kiosk/core/time.h"
#include "netsync/sync/sync_engine.h"
#include "netsync/sync/ticket_sync.h"
#include "tests/support/brightstar_emulator.h"
#include "tests/support/constantcontact_emulator.h"
#include "tests/support/oveit_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

constexpr const char* kEvent = "07216444-4e3b-41ea-a3b8-5a418fce41f4";   // the seed's event

Timestamp at(const char* iso) { return *parse_iso8601(iso); }

int64_t count_rows(const std::string& db_path, const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
    const int64_t n = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return n;
}

class ConstantContactKiosk : public ::testing::Test {
protected:
    void SetUp() override {
        settings.kind = backend::Kind::constantcontact;
        settings.connection.url = cc.url();
        settings.connection.token = {http::ApiToken::Kind::bearer, cc.token()};
        settings.events = {kEvent};
        settings.request_timeout = std::chrono::milliseconds(5000);
        const auto report = app.sync(settings);   // makes the local event and its list
        ASSERT_FALSE(report.error) << report.error->message;
        ASSERT_EQ(app.lists().size(), 1u);
        list = app.lists().front().list.id;
        EXPECT_EQ(list, backend::local_list_id(backend::Kind::constantcontact, kEvent));
    }
    void connect(bool trust_offline, const std::string& url = {}) {
        config.kiosk.trust_offline_scans = trust_offline;
        sync::SyncSettings scanning = settings;
        if (!url.empty()) scanning.connection.url = url;
        app.use_ticket_backend(*ticket_backend_options(scanning, config));
    }
    ScanOutcome scan(const std::string& code, const char* when = "2027-03-16T09:30:00Z",
                     CheckinType type = CheckinType::entry) {
        ScanRequest request;
        request.raw = code;
        request.lists = {list};
        request.now = at(when);
        request.type = type;
        auto outcome = app.scan(request);
        EXPECT_TRUE(outcome) << outcome.error();
        return outcome ? *outcome : ScanOutcome{};
    }

    testing::ConstantContactEmulator cc;
    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
    App app{path};
    KioskConfig config;
    sync::SyncSettings settings;
    int64_t list = 0;
};

TEST_F(ConstantContactKiosk, TheServerAdmitsOnlineAndThisKioskRefusesItsOwnRepeat) {
    connect(false);
    const ScanOutcome first = scan("a1b2c3");
    ASSERT_EQ(first.verdict.status, VerdictStatus::ok) << first.verdict.explanation;
    EXPECT_TRUE(first.decided_by_server);
    EXPECT_FALSE(first.trusted_offline);
    ASSERT_TRUE(first.checkin);
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], true);
    EXPECT_TRUE(app.queue().pending.empty()) << "the server has it: nothing to send";

    const ScanOutcome again = scan("a1b2c3", "2027-03-16T09:31:00Z");
    EXPECT_EQ(again.verdict.status, VerdictStatus::error);
    EXPECT_EQ(again.verdict.reason, RejectReason::already_redeemed);
    ASSERT_TRUE(again.verdict.first_checkin);
    EXPECT_EQ(*again.verdict.first_checkin, at("2027-03-16T09:30:00Z"));
    EXPECT_EQ(cc.counters()["check_in_requests"], 1) << "Constant Contact would say 204 again: not asked";
}

TEST_F(ConstantContactKiosk, RefusalsAreTheServersReasons) {
    cc.admin("POST", std::string("/events/") + kEvent + "/tickets", {{"key", "gone1"}, {"status", "CANCELLED"}});
    connect(false);
    EXPECT_EQ(scan("gone1").verdict.reason, RejectReason::canceled);
    EXPECT_EQ(scan("no-such-key").verdict.reason, RejectReason::invalid);
    cc.admin("PATCH", std::string("/events/") + kEvent, {{"status", "DRAFT"}});
    const ScanOutcome closed = scan("d4e5f6");
    EXPECT_EQ(closed.verdict.reason, RejectReason::invalid_time);
    EXPECT_FALSE(closed.checkin);
    EXPECT_EQ(cc.ticket(kEvent, "d4e5f6")["checked_in"], false);
    EXPECT_EQ(app.queue().failed.size(), 3u) << "kept on the kiosk for staff";
}

TEST_F(ConstantContactKiosk, AnUnreachableServerIsRefusedInWordsUnlessTrusted) {
    connect(false, "http://127.0.0.1:1/v3");
    const ScanOutcome refused = scan("a1b2c3");
    EXPECT_EQ(refused.verdict.status, VerdictStatus::error);
    EXPECT_EQ(refused.verdict.reason, RejectReason::offline);
    EXPECT_FALSE(refused.checkin);
    EXPECT_TRUE(app.queue().pending.empty());
    const auto state = app.online_state();
    ASSERT_TRUE(state);
    EXPECT_FALSE(state->online);
    EXPECT_FALSE(state->why_offline.empty());
    EXPECT_EQ(state->why_offline.find(cc.token()), std::string::npos);
}

TEST_F(ConstantContactKiosk, TrustedOfflineAdmissionsReachTheServerOnceInOneBatch) {
    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 100}});
    connect(true);
    const ScanOutcome a = scan("a1b2c3");
    ASSERT_EQ(a.verdict.status, VerdictStatus::ok);
    EXPECT_TRUE(a.trusted_offline);
    EXPECT_FALSE(a.decided_by_server);
    // The kiosk stays offline for a while after a failed ask: the next attendee does not wait.
    const ScanOutcome b = scan("d4e5f6", "2027-03-16T09:30:05Z");
    ASSERT_EQ(b.verdict.status, VerdictStatus::ok);
    EXPECT_TRUE(b.trusted_offline);
    EXPECT_EQ(scan("a1b2c3", "2027-03-16T09:30:09Z").verdict.reason, RejectReason::already_redeemed)
        << "one ticket is admitted once, even unchecked";
    EXPECT_EQ(app.queue().pending.size(), 2u);
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM checkins WHERE trusted_offline = 1"), 2) << "recorded as such";
    EXPECT_EQ(cc.counters()["keys_checked_in"], 0);

    cc.clear_faults();
    cc.admin("POST", "/counters/reset");
    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 2u);
    EXPECT_TRUE(app.queue().pending.empty());
    const auto counters = cc.counters();
    EXPECT_EQ(counters["keys_checked_in"], 2);
    EXPECT_EQ(counters["check_in_requests"], 1) << "both keys in one request";
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], true);

    const sync::SyncReport second = app.sync(settings);
    EXPECT_EQ(second.upload.sent, 0u);
    EXPECT_EQ(cc.counters()["check_in_requests"], 1) << "nothing is sent twice";
}

TEST_F(ConstantContactKiosk, QueuedRowsWaitOutAnOutageAndLoseNothing) {
    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 1000}});
    connect(true);
    ASSERT_TRUE(scan("a1b2c3").trusted_offline);
    const sync::SyncReport down = app.sync(settings);
    ASSERT_TRUE(down.error) << "the row did not go: the sync says why";
    EXPECT_EQ(down.upload.postponed, 1u);
    EXPECT_EQ(app.queue().pending.size(), 1u) << "kept for later";
    EXPECT_EQ(app.sync_status().pending_uploads, 1u);
    EXPECT_FALSE(app.sync_status().last_error.empty());
    const QueuedUpload waiting = app.queue().pending.front();
    ASSERT_TRUE(waiting.last_error);
    EXPECT_EQ(waiting.last_error->find(cc.token()), std::string::npos);
    cc.clear_faults();
    // The row is due again after its retry delay (5 s and up, with jitter): a round half an hour
    // later sends it, once.
    const auto later = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now() +
                                                                               std::chrono::minutes(30));
    const auto client = backend::make_ticket_client(backend::Kind::constantcontact, sync::ticket_connection(settings, nullptr));
    Store store(path);                      // the uploader's own connection, as the sync thread has
    sync::TicketUploader uploader(*client, store);
    EXPECT_EQ(uploader.round(later).sent, 1u);
    EXPECT_EQ(uploader.round(later).sent, 0u);
    EXPECT_EQ(cc.counters()["keys_checked_in"], 1);
    EXPECT_TRUE(app.queue().pending.empty());
}

TEST_F(ConstantContactKiosk, UndoOfAnOnlineAdmissionIsSentAndUndoBeforeSendingSettlesHere) {
    connect(false);
    ASSERT_EQ(scan("a1b2c3").verdict.status, VerdictStatus::ok);
    auto undone = app.undo({"a1b2c3", list, at("2027-03-16T09:35:00Z")});
    ASSERT_TRUE(undone);
    ASSERT_TRUE(undone->reverted) << undone->explanation;
    EXPECT_FALSE(undone->checkin->settled_locally);
    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(cc.counters()["undo_requests"], 1);
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], false);

    // Admitted unchecked while away, undone before the server heard of it: neither is sent.
    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 100}});
    connect(true);
    ASSERT_TRUE(scan("d4e5f6", "2027-03-16T09:40:00Z").trusted_offline);
    auto settled = app.undo({"d4e5f6", list, at("2027-03-16T09:41:00Z")});
    ASSERT_TRUE(settled && settled->reverted);
    EXPECT_TRUE(settled->checkin->settled_locally);
    EXPECT_TRUE(app.queue().pending.empty());
}

// [SECTION] Constant Contact: exits are this kiosk's own

constexpr const char* kLiveExits = "SELECT count(*) FROM checkins WHERE type = 'exit' AND reverted_at IS NULL";

TEST_F(ConstantContactKiosk, AnExitOfATicketThisKioskAdmittedIsRecordedHereAndNeverSent) {
    connect(false);
    ASSERT_EQ(scan("a1b2c3").verdict.status, VerdictStatus::ok);
    const ScanOutcome out = scan("a1b2c3", "2027-03-16T11:00:00Z", CheckinType::exit);
    ASSERT_EQ(out.verdict.status, VerdictStatus::ok) << out.verdict.explanation;
    EXPECT_FALSE(out.decided_by_server);
    ASSERT_TRUE(out.checkin);
    EXPECT_EQ(out.checkin->type, CheckinType::exit);
    EXPECT_EQ(count_rows(path, kLiveExits), 1);
    EXPECT_TRUE(app.queue().pending.empty()) << "Constant Contact has no exit call: nothing to send";

    // Back in: the list allows entry after exit, and the kiosk decides it without asking again.
    const ScanOutcome back = scan("a1b2c3", "2027-03-16T11:30:00Z");
    ASSERT_EQ(back.verdict.status, VerdictStatus::ok) << back.verdict.explanation;
    EXPECT_FALSE(back.decided_by_server);
    const ScanOutcome repeat = scan("a1b2c3", "2027-03-16T11:31:00Z");
    EXPECT_EQ(repeat.verdict.reason, RejectReason::already_redeemed) << "inside again: another entry is a repeat";
    ASSERT_TRUE(repeat.verdict.first_checkin);
    EXPECT_EQ(*repeat.verdict.first_checkin, at("2027-03-16T09:30:00Z"));

    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 0u);
    const auto counters = cc.counters();
    EXPECT_EQ(counters["check_in_requests"], 1) << "only the first admission reached Constant Contact";
    EXPECT_EQ(counters["undo_requests"], 0);
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], true);
}

TEST_F(ConstantContactKiosk, AnExitOfATicketThisKioskNeverAdmittedIsRefusedInWordsNotAsInvalid) {
    connect(false);
    const ScanOutcome out = scan("d4e5f6", "2027-03-16T11:00:00Z", CheckinType::exit);
    EXPECT_EQ(out.verdict.status, VerdictStatus::error);
    EXPECT_EQ(out.verdict.reason, RejectReason::error) << "a good ticket, maybe admitted at another door";
    EXPECT_NE(out.verdict.explanation.find("exit"), std::string::npos) << out.verdict.explanation;
    EXPECT_FALSE(out.checkin);
    EXPECT_EQ(cc.counters()["check_in_requests"], 0) << "an exit never checks a ticket in";
    EXPECT_EQ(cc.ticket(kEvent, "d4e5f6")["checked_in"], false);
    const QueueSnapshot queue = app.queue();
    ASSERT_EQ(queue.failed.size(), 1u) << "kept on the kiosk for staff";
    EXPECT_EQ(queue.failed.front().type, CheckinType::exit);
}

TEST_F(ConstantContactKiosk, UndoOfAnExitIsRefusedInWordsAndNeverRevertsTheServersCheckIn) {
    connect(false);
    ASSERT_EQ(scan("a1b2c3").verdict.status, VerdictStatus::ok);
    ASSERT_EQ(scan("a1b2c3", "2027-03-16T11:00:00Z", CheckinType::exit).verdict.status, VerdictStatus::ok);
    auto undone = app.undo({"a1b2c3", list, at("2027-03-16T11:01:00Z")});
    ASSERT_TRUE(undone);
    EXPECT_FALSE(undone->reverted);
    EXPECT_NE(undone->explanation.find("exit"), std::string::npos) << undone->explanation;
    EXPECT_EQ(count_rows(path, kLiveExits), 1) << "nothing changed here";
    EXPECT_TRUE(app.queue().pending.empty());
    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(cc.counters()["undo_requests"], 0);
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], true);
}

TEST_F(ConstantContactKiosk, AnExitNeedsNoServer) {
    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 100}});
    connect(true);
    ASSERT_TRUE(scan("a1b2c3").trusted_offline);
    const ScanOutcome out = scan("a1b2c3", "2027-03-16T11:00:00Z", CheckinType::exit);
    ASSERT_EQ(out.verdict.status, VerdictStatus::ok) << out.verdict.explanation;
    EXPECT_FALSE(out.trusted_offline) << "nothing for the server to check";
    EXPECT_EQ(app.queue().pending.size(), 1u) << "only the admission waits for Constant Contact";
    cc.clear_faults();
    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 1u);
    EXPECT_EQ(cc.counters()["keys_checked_in"], 1);
    EXPECT_EQ(cc.ticket(kEvent, "a1b2c3")["checked_in"], true);
}

// [SECTION] BrightStar: validate and check in online, no undo

class BrightStarKiosk : public ::testing::Test {
protected:
    static constexpr const char* kEventId = "evt_abc123";
    void SetUp() override {
        settings.kind = backend::Kind::brightstar;
        settings.connection.url = brightstar.url();
        settings.events = {kEventId};
        settings.scanner_id = "kiosk-test";
        settings.request_timeout = std::chrono::milliseconds(5000);
        const auto report = app.sync(settings);
        ASSERT_FALSE(report.error) << report.error->message;
        list = backend::local_list_id(backend::Kind::brightstar, kEventId);
    }
    void connect(bool trust_offline) {
        config.kiosk.trust_offline_scans = trust_offline;
        app.use_ticket_backend(*ticket_backend_options(settings, config));
    }
    ScanOutcome scan(const std::string& code, const char* when = "2025-07-15T09:30:00Z",
                     CheckinType type = CheckinType::entry) {
        ScanRequest request;
        request.raw = code;
        request.lists = {list};
        request.now = at(when);
        request.type = type;
        auto outcome = app.scan(request);
        EXPECT_TRUE(outcome) << outcome.error();
        return outcome ? *outcome : ScanOutcome{};
    }

    testing::BrightStarEmulator brightstar;
    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
    App app{path};
    KioskConfig config;
    sync::SyncSettings settings;
    int64_t list = 0;
};

TEST_F(BrightStarKiosk, AJourneyOnlineWithNamesReasonsAndNoUndo) {
    connect(false);
    const ScanOutcome admitted = scan("TKT-ABC123-XYZ");
    ASSERT_EQ(admitted.verdict.status, VerdictStatus::ok) << admitted.verdict.explanation;
    ASSERT_TRUE(admitted.verdict.position);
    EXPECT_EQ(admitted.verdict.position->attendee_name, "Jane Doe");
    EXPECT_EQ(brightstar.ticket("TKT-ABC123-XYZ")["checked_in"], true);
    EXPECT_EQ(brightstar.counters()["checkins_recorded"], 1);

    EXPECT_EQ(scan("TKT-ABC123-0003").verdict.reason, RejectReason::canceled);
    const ScanOutcome used = scan("TKT-ABC123-0007");
    EXPECT_EQ(used.verdict.reason, RejectReason::already_redeemed);
    EXPECT_TRUE(used.verdict.first_checkin) << "BrightStar says when";
    EXPECT_EQ(scan("TKT-NOPE").verdict.reason, RejectReason::invalid);

    // BrightStar documents no way to revert a check-in: staff are told, nothing changes here.
    auto undone = app.undo({"TKT-ABC123-XYZ", list, at("2025-07-15T09:35:00Z")});
    ASSERT_TRUE(undone);
    EXPECT_FALSE(undone->reverted);
    EXPECT_NE(undone->explanation.find("no way to undo"), std::string::npos) << undone->explanation;
    EXPECT_EQ(scan("TKT-ABC123-XYZ", "2025-07-15T09:36:00Z").verdict.reason, RejectReason::already_redeemed);
    EXPECT_EQ(brightstar.counters()["checkins_recorded"], 1);
}

TEST_F(BrightStarKiosk, AnOutageTrustedIsDrainedExactlyOnce) {
    brightstar.fault({{"kind", "status"}, {"status", 502}, {"count", 100}});
    connect(true);
    for (const char* code : {"TKT-ABC123-0001", "TKT-ABC123-0002"}) {
        const ScanOutcome outcome = scan(code);
        ASSERT_EQ(outcome.verdict.status, VerdictStatus::ok) << code;
        EXPECT_TRUE(outcome.trusted_offline);
    }
    EXPECT_EQ(app.queue().pending.size(), 2u);
    brightstar.clear_faults();
    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 2u);
    EXPECT_EQ(app.sync(settings).upload.sent, 0u);
    EXPECT_EQ(brightstar.counters()["checkins_recorded"], 2) << "each once";
    EXPECT_EQ(brightstar.ticket("TKT-ABC123-0001")["checked_in"], true);
}

TEST_F(BrightStarKiosk, ATrustedAdmissionOfATicketCanceledMeanwhileIsKeptForStaff) {
    brightstar.fault({{"kind", "status"}, {"status", 502}, {"count", 100}});
    connect(true);
    ASSERT_TRUE(scan("TKT-ABC123-0003").trusted_offline) << "unchecked while away: even a canceled ticket";
    brightstar.clear_faults();
    const sync::SyncReport report = app.sync(settings);
    EXPECT_EQ(report.upload.refused, 1u);
    const QueueSnapshot queue = app.queue();
    ASSERT_EQ(queue.refused.size(), 1u);
    ASSERT_TRUE(queue.refused.front().last_error);
    EXPECT_NE(queue.refused.front().last_error->find("canceled"), std::string::npos) << *queue.refused.front().last_error;
}

TEST_F(BrightStarKiosk, ExitsAndReEntriesAreKeptHereAndNeverAskedOf) {
    connect(false);
    ASSERT_EQ(scan("TKT-ABC123-XYZ").verdict.status, VerdictStatus::ok);
    const ScanOutcome out = scan("TKT-ABC123-XYZ", "2025-07-15T11:00:00Z", CheckinType::exit);
    ASSERT_EQ(out.verdict.status, VerdictStatus::ok) << out.verdict.explanation;
    const ScanOutcome back = scan("TKT-ABC123-XYZ", "2025-07-15T11:30:00Z");
    ASSERT_EQ(back.verdict.status, VerdictStatus::ok) << "BrightStar would answer ALREADY_CHECKED_IN: " << back.verdict.explanation;
    EXPECT_EQ(brightstar.counters()["checkin_requests"], 1);

    const ScanOutcome stranger = scan("TKT-ABC123-0001", "2025-07-15T11:40:00Z", CheckinType::exit);
    EXPECT_EQ(stranger.verdict.reason, RejectReason::error);
    EXPECT_EQ(brightstar.ticket("TKT-ABC123-0001")["checked_in"], false);

    // The undo of an exit is refused as an exit's, not as "no way to undo a check-in it has".
    ASSERT_EQ(scan("TKT-ABC123-XYZ", "2025-07-15T12:00:00Z", CheckinType::exit).verdict.status, VerdictStatus::ok);
    auto undone = app.undo({"TKT-ABC123-XYZ", list, at("2025-07-15T12:01:00Z")});
    ASSERT_TRUE(undone);
    EXPECT_FALSE(undone->reverted);
    EXPECT_NE(undone->explanation.find("exit"), std::string::npos) << undone->explanation;
    EXPECT_EQ(brightstar.counters()["checkin_requests"], 1);
    EXPECT_TRUE(app.queue().pending.empty());
}

// [SECTION] Oveit: a downloaded copy decides; uploads once; names asked for the screen

class OveitKiosk : public ::testing::Test {
protected:
    void SetUp() override {
        settings.kind = backend::Kind::oveit;
        settings.connection.url = oveit.url();
        settings.connection.token = {http::ApiToken::Kind::bearer, oveit.token()};
        settings.events = {"100"};
        settings.request_timeout = std::chrono::milliseconds(5000);
        const auto report = app.sync(settings);
        ASSERT_FALSE(report.error) << report.error->message;
        main_entry = backend::local_list_id(backend::Kind::oveit, "100");
    }
    ScanOutcome scan(const std::string& code, int64_t list, const char* when = "2016-09-10T12:00:00Z",
                     CheckinType type = CheckinType::entry) {
        ScanRequest request;
        request.raw = code;
        request.lists = {list};
        request.now = at(when);
        request.type = type;
        auto outcome = app.scan(request);
        EXPECT_TRUE(outcome) << outcome.error();
        return outcome ? *outcome : ScanOutcome{};
    }

    testing::OveitEmulator oveit;
    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
    App app{path};
    KioskConfig config;
    sync::SyncSettings settings;
    int64_t main_entry = 0;
};

TEST_F(OveitKiosk, TheCopyDecidesTheNameComesFromTheServerAndTheUploadLandsOnce) {
    app.use_ticket_backend(*ticket_backend_options(settings, config));
    const auto lists = app.lists();
    EXPECT_TRUE(std::ranges::any_of(lists, [&](const ListSummary& s) { return s.list.id == main_entry; }));
    EXPECT_TRUE(std::ranges::any_of(lists, [](const ListSummary& s) { return s.list.id == 5; })) << "addon 5: its own list";
    EXPECT_EQ(app.default_list(), main_entry) << "a kiosk starts on Oveit's Entry, not on the addon with the lowest id";

    const ScanOutcome admitted = scan("39fa317d", main_entry);
    ASSERT_EQ(admitted.verdict.status, VerdictStatus::ok) << admitted.verdict.explanation;
    EXPECT_FALSE(admitted.decided_by_server) << "offline mode: the downloaded copy decided";
    EXPECT_FALSE(app.online_state()) << "staff are told the store decides, not that the server is silent";
    EXPECT_EQ(admitted.verdict.position->attendee_name, "Maria Ionescu") << "asked of /tickets/scan for the screen";
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);
    EXPECT_EQ(scan("7cd58203", main_entry).verdict.reason, RejectReason::already_redeemed) << "checked in per the list";

    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 1u);
    EXPECT_EQ(app.sync(settings).upload.sent, 0u);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 1);

    // Uploaded: Oveit has no undo, so the kiosk says so instead of pretending.
    auto undone = app.undo({"39fa317d", main_entry, at("2016-09-10T12:05:00Z")});
    ASSERT_TRUE(undone);
    EXPECT_FALSE(undone->reverted);
    EXPECT_FALSE(undone->explanation.empty());
}

// Oveit has no exit call: the copy decides an exit and it stays on this kiosk. Sent, it would reach
// Oveit as a second check-in (refused as already used, or a check-in of a ticket never admitted).
TEST_F(OveitKiosk, AnExitIsKeptHereAndNeverSentAsACheckIn) {
    app.use_ticket_backend(*ticket_backend_options(settings, config));
    ASSERT_EQ(scan("39fa317d", main_entry).verdict.status, VerdictStatus::ok);
    ASSERT_EQ(app.sync(settings).upload.sent, 1u);
    const ScanOutcome left = scan("39fa317d", main_entry, "2016-09-10T13:00:00Z", CheckinType::exit);
    ASSERT_EQ(left.verdict.status, VerdictStatus::ok) << left.verdict.explanation;
    ASSERT_TRUE(left.checkin);

    const sync::SyncReport report = app.sync(settings);
    ASSERT_FALSE(report.error) << report.error->message;
    EXPECT_EQ(report.upload.sent, 0u);
    EXPECT_EQ(report.upload.refused, 0u);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 1) << "the entry only";
    const QueueSnapshot queue = app.queue();
    EXPECT_TRUE(queue.pending.empty());
    EXPECT_TRUE(queue.refused.empty());
}

TEST_F(OveitKiosk, OnlineModeLetsTheServerDecideAndFallsBackToTheCopy) {
    config.sync.online = true;
    app.use_ticket_backend(*ticket_backend_options(settings, config));
    const ScanOutcome online = scan("39fa317d", main_entry);
    ASSERT_EQ(online.verdict.status, VerdictStatus::ok) << online.verdict.explanation;
    EXPECT_TRUE(online.decided_by_server);
    ASSERT_TRUE(app.online_state());
    EXPECT_TRUE(app.online_state()->online);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 1);
    EXPECT_TRUE(app.queue().pending.empty());

    oveit.fault({{"kind", "status"}, {"status", 500}, {"count", 100}});
    const ScanOutcome fallback = scan("6c388d60", main_entry, "2016-09-10T12:01:00Z");
    ASSERT_EQ(fallback.verdict.status, VerdictStatus::ok) << fallback.verdict.explanation;
    EXPECT_FALSE(fallback.decided_by_server);
    EXPECT_EQ(app.queue().pending.size(), 1u) << "queued for when Oveit is back";
}

} // namespace
} // namespace kiosk
