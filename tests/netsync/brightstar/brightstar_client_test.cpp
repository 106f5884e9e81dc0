// BrightStarClient against the BrightStar emulator over loopback: the seed's examples replayed
// (exact requests and answers), validate and check-in, every error code mapped, the unknown code,
// the token, and the local event (download).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "kiosk/core/time.h"
#include "netsync/brightstar/brightstar_client.h"
#include "tests/support/brightstar_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk::brightstar {
namespace {

using nlohmann::json;
using testing::BrightStarEmulator;

constexpr char kSeedTicket[] = "TKT-ABC123-XYZ";
constexpr char kEvent[] = "evt_abc123";

backend::Connection connection_to(const BrightStarEmulator& emulator, std::string token = {}) {
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);   // a proxy of whoever runs the tests must not see loopback
    backend::Connection connection;
    connection.url = emulator.url();
    connection.token = std::move(token);
    connection.scanner_id = "kiosk-1";
    connection.connect_timeout = std::chrono::seconds(5);
    connection.request_timeout = std::chrono::seconds(10);
    return connection;
}

BrightStarClient client_of(const backend::Connection& connection) {
    return BrightStarClient(connection, {.max_attempts = 3, .base_delay = std::chrono::milliseconds(10),
                                         .max_delay = std::chrono::milliseconds(50)});
}

backend::TicketCall call_for(std::string code, std::string event = kEvent) {
    backend::TicketCall call;
    call.code = std::move(code);
    call.event = std::move(event);
    call.datetime = now_utc();
    return call;
}

Timestamp at(std::string_view iso) {
    const auto parsed = parse_iso8601(iso);
    if (!parsed) throw std::invalid_argument("bad test time");
    return *parsed;
}

// One emulator per kind for the whole program (starting Python costs more than all the requests
// of a test), reset to its start before each test.
BrightStarEmulator& fresh(bool with_token = false) {
    static BrightStarEmulator open;
    static BrightStarEmulator locked({.args = {"--token", "s3cret-token-value"}});
    BrightStarEmulator& emulator = with_token ? locked : open;
    emulator.reset();
    return emulator;
}

json requests_of(const BrightStarEmulator& emulator) { return emulator.admin("GET", "/requests")["results"]; }

//-----------------------------------------------------------------------------
// The seed's examples
//-----------------------------------------------------------------------------

TEST(BrightStarClient, KindAndCapabilitiesAreBrightStars) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    EXPECT_EQ(client.kind(), backend::Kind::brightstar);
    EXPECT_TRUE(client.capabilities().validate_only);
    EXPECT_FALSE(client.capabilities().undo);
    EXPECT_FALSE(client.capabilities().download_tickets);
}

TEST(BrightStarClient, LookUpIsTheSeedsValidateAndRecordsNothing) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    const auto answer = client.look_up(call_for(kSeedTicket));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    EXPECT_EQ(answer->attendee_name, "Jane Doe");
    EXPECT_EQ(answer->ticket_type, "General Admission");

    const json requests = requests_of(emulator);
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0]["method"], "POST");
    EXPECT_EQ(requests[0]["path"], "/v1/tickets/validate");
    EXPECT_EQ(requests[0]["content_type"], "application/json");
    EXPECT_TRUE(requests[0]["authorization"].is_null());      // no token configured: no header
    EXPECT_EQ(json::parse(requests[0]["body"].get<std::string>()),
              (json{{"ticket_id", kSeedTicket}, {"event_id", kEvent}}));
    EXPECT_EQ(json::parse(requests[0]["answer"].get<std::string>()),
              (json{{"valid", true},
                    {"ticket", {{"id", kSeedTicket}, {"type", "General Admission"}, {"attendee_name", "Jane Doe"},
                                {"checked_in", false}, {"checked_in_at", nullptr}}}}));
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 0);
}

TEST(BrightStarClient, CheckInValidatesWithTheEventThenChecksInWithTheScanner) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    const auto answer = client.check_in(call_for(kSeedTicket));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    EXPECT_EQ(answer->reason, RejectReason::none);
    EXPECT_EQ(answer->attendee_name, "Jane Doe");
    EXPECT_EQ(answer->ticket_type, "General Admission");

    const json requests = requests_of(emulator);
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0]["path"], "/v1/tickets/validate");
    EXPECT_EQ(requests[1]["path"], "/v1/tickets/checkin");
    EXPECT_EQ(json::parse(requests[1]["body"].get<std::string>()),
              (json{{"ticket_id", kSeedTicket}, {"scanner_id", "kiosk-1"}}));
    EXPECT_EQ(json::parse(requests[1]["answer"].get<std::string>()),
              (json{{"success", true},
                    {"ticket", {{"id", kSeedTicket}, {"type", "General Admission"}, {"attendee_name", "Jane Doe"},
                                {"checked_in", true}, {"checked_in_at", "2025-07-15T09:30:00Z"}}}}));
    const json ticket = emulator.ticket(kSeedTicket);
    EXPECT_EQ(ticket["checked_in"], true);
    EXPECT_EQ(ticket["scanner_id"], "kiosk-1");
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 1);
}

TEST(BrightStarClient, SecondCheckInIsAlreadyRedeemedWithTheFirstTime) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    ASSERT_TRUE(client.check_in(call_for(kSeedTicket)));
    const auto again = client.check_in(call_for(kSeedTicket));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->status, VerdictStatus::error);
    EXPECT_EQ(again->reason, RejectReason::already_redeemed);
    EXPECT_EQ(again->checked_in_at, at("2025-07-15T09:30:00Z"));
    EXPECT_NE(again->explanation.find("2025-07-15T09:30:00Z"), std::string::npos) << again->explanation;
    // The seed's refusal, as the emulator sent it to the pre-check; no second check-in was tried.
    const json requests = requests_of(emulator);
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[2]["status"], 400);
    EXPECT_EQ(json::parse(requests[2]["answer"].get<std::string>()),
              (json{{"valid", false}, {"error", "ALREADY_CHECKED_IN"}, {"checked_in_at", "2025-07-15T09:30:00Z"}}));
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 1);
}

//-----------------------------------------------------------------------------
// Error codes
//-----------------------------------------------------------------------------

struct Refusal {
    const char* ticket;
    const char* event;
    RejectReason reason;
    const char* words;                      // in the explanation
};

TEST(BrightStarClient, EveryErrorCodeIsARefusalWithItsReason) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    const Refusal refusals[] = {
        {"TKT-NOPE", kEvent, RejectReason::invalid, "no ticket"},
        {"TKT-LATER-0001", kEvent, RejectReason::invalid, "another event"},
        {"TKT-ABC123-0003", kEvent, RejectReason::canceled, "cancelled"},
        {"TKT-ABC123-0007", kEvent, RejectReason::already_redeemed, "2025-07-15T09:15:00Z"},
        {"TKT-LATER-0001", "evt_later", RejectReason::invalid_time, "not open yet"},
    };
    for (const Refusal& refusal : refusals) {
        SCOPED_TRACE(refusal.ticket);
        const auto answer = client.check_in(call_for(refusal.ticket, refusal.event));
        ASSERT_TRUE(answer) << answer.error().message;
        EXPECT_EQ(answer->status, VerdictStatus::error);
        EXPECT_EQ(answer->reason, refusal.reason);
        EXPECT_NE(answer->explanation.find(refusal.words), std::string::npos) << answer->explanation;
        EXPECT_EQ(answer->checked_in_at.has_value(), refusal.reason == RejectReason::already_redeemed);
    }
    EXPECT_EQ(client.check_in(call_for("TKT-ABC123-0007"))->checked_in_at, at("2025-07-15T09:15:00Z"));
    const json counters = emulator.counters();
    EXPECT_EQ(counters["checkins_recorded"], 0);
    EXPECT_EQ(counters["checkin_requests"], 1);   // only the ticket that passed the pre-check: EVENT_NOT_STARTED
    for (const char* code : {"INVALID_TICKET", "WRONG_EVENT", "TICKET_CANCELLED", "ALREADY_CHECKED_IN", "EVENT_NOT_STARTED"})
        EXPECT_GE(counters["refused"].value(code, 0), 1) << code;
}

TEST(BrightStarClient, LookUpBeforeTheEventStartsPassesAndCheckInWaitsForTheClock) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    const auto early = client.look_up(call_for("TKT-LATER-0001", "evt_later"));
    ASSERT_TRUE(early) << early.error().message;
    EXPECT_EQ(early->status, VerdictStatus::ok);
    EXPECT_EQ(client.check_in(call_for("TKT-LATER-0001", "evt_later"))->reason, RejectReason::invalid_time);
    emulator.set_clock("2025-07-20T18:00:00Z");
    const auto open = client.check_in(call_for("TKT-LATER-0001", "evt_later"));
    ASSERT_TRUE(open) << open.error().message;
    EXPECT_EQ(open->status, VerdictStatus::ok);
    EXPECT_EQ(emulator.ticket("TKT-LATER-0001")["checked_in_at"], "2025-07-20T18:00:00Z");
}

TEST(BrightStarClient, CheckInFromAScannerOfAnotherEventIsWrongEvent) {
    BrightStarEmulator& emulator = fresh();
    emulator.admin("POST", "/scanners", {{"scanner_id", "kiosk-1"}, {"event_id", "evt_later"}});
    auto client = client_of(connection_to(emulator));
    const auto answer = client.check_in(call_for("TKT-ABC123-0001"));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->reason, RejectReason::invalid);
    EXPECT_NE(answer->explanation.find("another event"), std::string::npos);
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 0);
}

TEST(BrightStarClient, NamesInEveryScriptArriveWhole) {
    BrightStarEmulator& emulator = fresh();
    emulator.admin("POST", "/tickets", json::parse(R"({"tickets": [
        {"id": "TKT-AR", "event_id": "evt_abc123", "attendee_name": "فاطمة الزهراء"},
        {"id": "TKT-HE", "event_id": "evt_abc123", "attendee_name": "שרה לוי"},
        {"id": "TKT-ZH", "event_id": "evt_abc123", "attendee_name": "王小明", "type": "VIP"}]})"));
    auto client = client_of(connection_to(emulator));
    EXPECT_EQ(client.check_in(call_for("TKT-AR"))->attendee_name, "فاطمة الزهراء");
    EXPECT_EQ(client.look_up(call_for("TKT-HE"))->attendee_name, "שרה לוי");
    const auto chinese = client.check_in(call_for("TKT-ZH"));
    EXPECT_EQ(chinese->attendee_name, "王小明");
    EXPECT_EQ(chinese->ticket_type, "VIP");
}

TEST(BrightStarClient, AnUnknownCodeIsARefusalWithTheCodeInItsExplanation) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    emulator.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", 400},
                    {"body", {{"valid", false}, {"error", "TICKET_SUSPENDED"}, {"message", "Ask the box office."}}}});
    const auto on_validate = client.check_in(call_for(kSeedTicket));
    ASSERT_TRUE(on_validate) << on_validate.error().message;
    EXPECT_EQ(on_validate->status, VerdictStatus::error);
    EXPECT_EQ(on_validate->reason, RejectReason::error);
    EXPECT_NE(on_validate->explanation.find("TICKET_SUSPENDED"), std::string::npos);
    EXPECT_NE(on_validate->explanation.find("Ask the box office."), std::string::npos);

    emulator.fault({{"path", "/v1/tickets/checkin"}, {"kind", "status"}, {"status", 400},
                    {"body", {{"success", false}, {"error", "SCANNER_DISABLED"}}}});
    const auto on_checkin = client.check_in(call_for(kSeedTicket));
    ASSERT_TRUE(on_checkin) << on_checkin.error().message;
    EXPECT_EQ(on_checkin->reason, RejectReason::error);
    EXPECT_NE(on_checkin->explanation.find("SCANNER_DISABLED"), std::string::npos);
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 0);
}

TEST(BrightStarClient, UndoSaysBrightStarCannot) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    const backend::TicketCall calls[] = {call_for(kSeedTicket)};
    const auto answers = client.undo_queued(calls);
    ASSERT_EQ(answers.size(), 1u);
    ASSERT_FALSE(answers[0]);
    EXPECT_EQ(answers[0].error().kind, backend::ApiErrorKind::refused);
    EXPECT_NE(answers[0].error().message.find("no way to undo"), std::string::npos);
    EXPECT_TRUE(requests_of(emulator).empty());
}

//-----------------------------------------------------------------------------
// The token
//-----------------------------------------------------------------------------

TEST(BrightStarClient, BearerTokenIsSentAndARefusedOneStopsTheSync) {
    BrightStarEmulator& emulator = fresh(/*with_token=*/true);
    auto right = client_of(connection_to(emulator, "s3cret-token-value"));
    const auto answer = right.check_in(call_for(kSeedTicket));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    for (const json& request : requests_of(emulator)) EXPECT_EQ(request["authorization"], "Bearer s3cret-token-value");

    for (const std::string& token : {std::string(), std::string("wrong-token-value")}) {
        auto client = client_of(connection_to(emulator, token));
        const auto refused = client.check_in(call_for("TKT-ABC123-0001"));
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().kind, backend::ApiErrorKind::unauthorized);
        EXPECT_EQ(refused.error().status, 401);
        EXPECT_TRUE(refused.error().stops_sync());
        EXPECT_EQ(refused.error().message.find("s3cret"), std::string::npos);
        EXPECT_EQ(refused.error().message.find("wrong-token"), std::string::npos);
    }
    EXPECT_EQ(emulator.counters()["checkins_recorded"], 1);
}

TEST(BrightStarClient, AServerThatEchoesTheTokenNeverPutsItInAnExplanation) {
    BrightStarEmulator& emulator = fresh(/*with_token=*/true);
    auto client = client_of(connection_to(emulator, "s3cret-token-value"));
    emulator.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", 400},
                    {"body", {{"valid", false}, {"error", "BAD s3cret-token-value"},
                              {"message", "token s3cret-token-value is on a deny list"}}}});
    const auto answer = client.look_up(call_for(kSeedTicket));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->explanation.find("s3cret"), std::string::npos) << answer->explanation;
}

//-----------------------------------------------------------------------------
// Download and settings
//-----------------------------------------------------------------------------

TEST(BrightStarClient, DownloadMakesTheLocalEventOnce) {
    BrightStarEmulator& emulator = fresh();
    auto client = client_of(connection_to(emulator));
    testing::TempDir dir;
    Store store(dir.file("kiosk.db"));
    const auto first = client.download(store, kEvent);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->changed);
    EXPECT_EQ(first->tickets, 0u);
    EXPECT_EQ(store.event_id("brightstar", kEvent), first->event_id);
    const auto second = client.download(store, kEvent);
    ASSERT_TRUE(second);
    EXPECT_FALSE(second->changed);
    EXPECT_EQ(second->event_id, first->event_id);
    EXPECT_TRUE(requests_of(emulator).empty());    // nothing to download from BrightStar

    const auto unset = client.download(store, "");
    ASSERT_FALSE(unset);
    EXPECT_EQ(unset.error().kind, backend::ApiErrorKind::refused);
}

TEST(BrightStarClient, AnAddressThatIsNoHttpUrlIsRefusedInWords) {
    backend::Connection connection;
    connection.url = "ftp://tickets.example/v1";
    auto client = client_of(connection);
    const auto answer = client.check_in(call_for(kSeedTicket));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::refused);
    EXPECT_NE(answer.error().message.find("not an http or https URL"), std::string::npos);
}

} // namespace
} // namespace kiosk::brightstar
