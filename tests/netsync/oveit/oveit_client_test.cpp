// OveitClient against the Oveit emulator over loopback: the seed's check-in and scan replayed
// (the exact request and answer), check-in per main entry and per addon (multiple access), RFID
// codes, every refusal mapped to our reasons, the token, faults and bad answers as ApiErrors.
#include "netsync/oveit/oveit_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "kiosk/core/time.h"
#include "tests/support/oveit_emulator.h"

namespace kiosk::oveit {
namespace {

using nlohmann::json;
using testing::OveitEmulator;
using testing::OveitEmulatorOptions;
using namespace std::chrono_literals;

const std::string kSeedEvent(OveitEmulator::kSeedEvent);
const std::string kToken = "f18bf1bf246affb8";   // the token of Oveit's documentation example

// Short retries: a fault that lasts is an error after two attempts, not after the kiosk's backoff.
constexpr http::RetryPolicy kQuickRetry{.max_attempts = 2, .base_delay = 10ms, .max_delay = 100ms};

OveitEmulatorOptions with_token() { return {.args = {"--token", kToken}}; }

backend::Connection connection_to(const OveitEmulator& oveit, std::string token = {}) {
    backend::Connection connection;
    connection.url = oveit.url();
    connection.token = token.empty() ? oveit.token() : std::move(token);
    connection.connect_timeout = 2s;
    connection.request_timeout = 5s;
    return connection;
}

backend::TicketCall ticket(std::string code, std::optional<int64_t> addon = std::nullopt) {
    backend::TicketCall call;
    call.code = std::move(code);
    call.event = kSeedEvent;
    call.addon = addon;
    return call;
}

Timestamp at(std::string_view iso) { return *parse_iso8601(iso); }

void expect_refused(const backend::ApiResult<backend::TicketAnswer>& answer, RejectReason reason) {
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::error);
    EXPECT_EQ(answer->reason, reason) << answer->explanation;
    EXPECT_FALSE(answer->explanation.empty());
}

TEST(OveitClient, SeedCheckInIsSentAndReadAsTheSeedShows) {
    OveitEmulator oveit(with_token());
    OveitClient client(connection_to(oveit), kQuickRetry);
    EXPECT_EQ(client.kind(), backend::Kind::oveit);

    const auto answer = client.check_in(ticket("6c388d60"));
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    EXPECT_EQ(answer->attendee_name, "John Doe");
    EXPECT_EQ(answer->ticket_type, "VIP area");

    // The request as the seed documents it: form fields token and ticket_code, nothing else.
    const json requests = oveit.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0]["method"], "POST");
    EXPECT_EQ(requests[0]["path"], "/api/tickets/checkin");
    EXPECT_EQ(requests[0]["content_type"], "application/x-www-form-urlencoded");
    EXPECT_EQ(requests[0]["params"], (json{{"token", "***"}, {"ticket_code", "6c388d60"}}));
    EXPECT_TRUE(requests[0]["token_ok"].get<bool>());
    // The server now has the seed's answer: the addon 5 check-in and the main entry's.
    EXPECT_EQ(oveit.ticket(kSeedEvent, "6c388d60")["checkins"],
              json::parse(R"([{"addon_id": 5, "date": "2016-09-10T11:49:18+00:00"},
                              {"addon_id": null, "date": "2016-09-10T11:49:18+00:00"}])"));
}

TEST(OveitClient, TicketTypeAndAddonAreSentWhenTheCallNamesThem) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    backend::TicketCall call = ticket("39fa317d", 5);
    call.ticket_type = 123;
    ASSERT_TRUE(client.check_in(call).has_value());
    EXPECT_EQ(oveit.requests()[0]["params"],
              (json{{"token", "***"}, {"ticket_code", "39fa317d"}, {"ticket_type_id", "123"}, {"addon_id", "5"}}));
}

TEST(OveitClient, EachAddonIsItsOwnEntry) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto addon = client.check_in(ticket("39fa317d", 5));
    ASSERT_TRUE(addon.has_value()) << addon.error().message;
    EXPECT_EQ(addon->status, VerdictStatus::ok);
    EXPECT_EQ(addon->attendee_name, "Maria Ionescu");
    const auto main_entry = client.check_in(ticket("39fa317d"));
    ASSERT_TRUE(main_entry.has_value());
    EXPECT_EQ(main_entry->status, VerdictStatus::ok) << main_entry->explanation;

    // Again on the addon: already used there, since the emulator's clock.
    const auto again = client.check_in(ticket("39fa317d", 5));
    expect_refused(again, RejectReason::already_redeemed);
    EXPECT_EQ(again->checked_in_at, at("2016-09-10T11:49:18+00:00"));
    EXPECT_EQ(again->attendee_name, "Maria Ionescu");
    EXPECT_EQ(oveit.counters()["checkins_by_entry"], (json{{"5", 1}, {"main", 1}}));
}

TEST(OveitClient, AlreadyCheckedInCarriesTheTimeOfThatEntry) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto answer = client.check_in(ticket("7cd58203"));
    expect_refused(answer, RejectReason::already_redeemed);
    EXPECT_EQ(answer->checked_in_at, at("2016-08-10T11:49:18+00:00"));
    // 6c388d60 was in on addon 5 only: its main entry is free, addon 5 is not.
    expect_refused(client.check_in(ticket("6c388d60", 5)), RejectReason::already_redeemed);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);
}

TEST(OveitClient, EveryRefusalIsMapped) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    backend::TicketCall wrong_type = ticket("39fa317d");
    wrong_type.ticket_type = 999;
    expect_refused(client.check_in(wrong_type), RejectReason::product);
    expect_refused(client.check_in(ticket("39fa317d", 77)), RejectReason::product);   // not among its addons
    oveit.cancel_ticket(kSeedEvent, "39fa317d");
    expect_refused(client.check_in(ticket("39fa317d")), RejectReason::canceled);
    expect_refused(client.check_in(ticket("nosuchticket")), RejectReason::invalid);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);
}

TEST(OveitClient, UnknownTicketCodeIsTriedOnceAsAnRfidCode) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto rfid = client.check_in(ticket("659891"));
    ASSERT_TRUE(rfid.has_value()) << rfid.error().message;
    EXPECT_EQ(rfid->status, VerdictStatus::ok);
    EXPECT_EQ(rfid->attendee_name, "John Doe");
    json requests = oveit.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0]["params"]["ticket_code"], "659891");
    EXPECT_EQ(requests[1]["params"], (json{{"token", "***"}, {"rfid_code", "659891"}}));

    // Neither a ticket nor an RFID code: invalid after exactly two requests.
    expect_refused(client.check_in(ticket("000000")), RejectReason::invalid);
    EXPECT_EQ(oveit.counters()["routes"]["POST checkin"], 4);
    // Already in, found by RFID: the time comes from a scan by rfid_code.
    const auto again = client.check_in(ticket("352623"));
    expect_refused(again, RejectReason::already_redeemed);
    EXPECT_EQ(again->checked_in_at, at("2016-09-10T11:49:18+00:00"));
}

TEST(OveitClient, LookUpTellsTheScreenWithoutCheckingIn) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto fresh = client.look_up(ticket("6c388d60"));
    ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
    EXPECT_EQ(fresh->status, VerdictStatus::ok);
    EXPECT_EQ(fresh->attendee_name, "John Doe");
    EXPECT_EQ(fresh->ticket_type, "VIP area");
    const auto addon = client.look_up(ticket("6c388d60", 5));
    expect_refused(addon, RejectReason::already_redeemed);
    EXPECT_EQ(addon->checked_in_at, at("2016-09-10T11:49:18+00:00"));
    EXPECT_EQ(addon->attendee_name, "John Doe");
    backend::TicketCall wrong_type = ticket("6c388d60");
    wrong_type.ticket_type = 124;
    expect_refused(client.look_up(wrong_type), RejectReason::product);
    expect_refused(client.look_up(ticket("nosuchticket")), RejectReason::invalid);
    EXPECT_TRUE(client.look_up(ticket("659891")).has_value());
    EXPECT_EQ(oveit.requests()[0]["path"], "/api/tickets/scan");
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);
}

TEST(OveitClient, TicketOfAnotherOveitEventIsRefusedSayingWhere) {
    OveitEmulator oveit({.args = {"--events", "1", "--tickets", "3"}});
    OveitClient client(connection_to(oveit), kQuickRetry);
    backend::TicketCall call = ticket("39fa317d");
    call.event = "1001";
    const auto answer = client.look_up(call);
    expect_refused(answer, RejectReason::invalid);
    EXPECT_NE(answer->explanation.find("Indila concert"), std::string::npos) << answer->explanation;
}

TEST(OveitClient, AttendeeNameFromFirstAndLastNameFields) {
    const json attendee = json::parse(R"({"fields": [{"name": "Email"}, {"name": "First name"}, {"name": "Last_Name"}],
                                          "values": ["x@example.com", "Иван", "Петров"]})");
    EXPECT_EQ(attendee_name(attendee), "Иван Петров");
    EXPECT_EQ(attendee_name(json::parse(R"({"fields": [{"name": "name"}], "values": [7]})")), "");
    EXPECT_EQ(attendee_name(json::parse(R"({"fields": 3, "values": []})")), "");
}

TEST(OveitClient, WrongTokenStopsSyncAndIsNeverShown) {
    OveitEmulator oveit(with_token());
    const std::string wrong = "wrong-token-0123456789";
    OveitClient client(connection_to(oveit, wrong), kQuickRetry);
    const auto answer = client.check_in(ticket("6c388d60"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::unauthorized);
    EXPECT_TRUE(answer.error().stops_sync());
    EXPECT_EQ(answer.error().status, 403);
    EXPECT_EQ(answer.error().message.find(wrong), std::string::npos);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);
}

TEST(OveitClient, UndoIsRefusedInWords) {
    OveitEmulator oveit;
    OveitClient client(connection_to(oveit), kQuickRetry);
    const std::vector<backend::TicketCall> calls = {ticket("7cd58203")};
    const auto answers = client.undo_queued(calls);
    ASSERT_EQ(answers.size(), 1u);
    ASSERT_FALSE(answers[0].has_value());
    EXPECT_EQ(answers[0].error().kind, backend::ApiErrorKind::refused);
    EXPECT_NE(answers[0].error().message.find("oveit"), std::string::npos);
    EXPECT_TRUE(oveit.requests().empty());
}

// Each fault is a clear ApiError to try again later, never a crash, a guess or the token.
TEST(OveitClient, FaultsAndBadAnswersAreErrorsToRetryLater) {
    OveitEmulator oveit(with_token());
    OveitClient client(connection_to(oveit), kQuickRetry);
    const std::vector<json> faults = {
        {{"kind", "status"}, {"status", 500}},
        {{"kind", "status"}, {"status", 502}, {"body", "<html>Bad Gateway</html>"}, {"content_type", "text/html"}},
        {{"kind", "rate_limit"}, {"retry_after", 3600}},
        {{"kind", "content_type"}},
        {{"kind", "empty"}},
        {{"kind", "wrong_types"}},
        {{"kind", "truncate"}, {"process", false}},
        {{"kind", "status"}, {"status", 200}, {"body", json{{"ticket", {{"code", "6c388d60"}}}}}},   // "ok" missing
        {{"kind", "reset"}, {"process", false}},
    };
    for (const json& spec : faults) {
        SCOPED_TRACE(spec.dump());
        oveit.clear_faults();
        json fault = spec;
        fault["path"] = "/api/tickets/";
        fault["count"] = 4;     // every attempt: a scan is retried (it changes nothing), a check-in is not
        oveit.fault(fault);
        for (const bool lookup : {false, true}) {
            const auto answer = lookup ? client.look_up(ticket("6c388d60")) : client.check_in(ticket("6c388d60"));
            ASSERT_FALSE(answer.has_value());
            EXPECT_TRUE(answer.error().retry_later()) << answer.error().message;
            EXPECT_FALSE(answer.error().message.empty());
            EXPECT_EQ(answer.error().message.find(kToken), std::string::npos) << answer.error().message;
            oveit.clear_faults();
            oveit.fault(fault);
        }
    }
    oveit.clear_faults();
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0);   // no faulted check-in reached the tickets
    // After the faults the same ticket checks in once.
    const auto answer = client.check_in(ticket("6c388d60"));
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
}

TEST(OveitClient, UnreachableServerIsRetryLater) {
    backend::Connection connection;
    connection.url = "http://127.0.0.1:9/api";
    connection.token = kToken;
    connection.connect_timeout = 1s;
    connection.request_timeout = 2s;
    OveitClient client(connection, kQuickRetry);
    const auto answer = client.check_in(ticket("6c388d60"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::unreachable);
    EXPECT_EQ(answer.error().message.find(kToken), std::string::npos);
}

} // namespace
} // namespace kiosk::oveit
