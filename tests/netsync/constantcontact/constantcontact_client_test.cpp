// ConstantContactClient against the Constant Contact emulator over loopback: the seeds' requests
// exactly, check-in and undo, batches in one request, a batch with a bad key, closed events, the
// token, every fault kind and bad answers, download's local event.
#include "netsync/constantcontact/constantcontact_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/constantcontact_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk::constantcontact {
namespace {

using nlohmann::json;
using testing::ConstantContactEmulator;
using testing::ConstantContactEmulatorOptions;
using namespace std::chrono_literals;

const std::string kSeedEvent(ConstantContactEmulator::kSeedEvent);

// Short retries: a fault that lasts is an error after two attempts, not after the kiosk's backoff.
constexpr http::RetryPolicy kQuickRetry{.max_attempts = 2, .base_delay = 10ms, .max_delay = 100ms};

backend::Connection connection_to(const ConstantContactEmulator& cc, std::string token = {}) {
    backend::Connection connection;
    connection.url = cc.url();
    connection.token = token.empty() ? cc.token() : std::move(token);
    connection.connect_timeout = 2s;
    connection.request_timeout = 5s;
    return connection;
}

backend::TicketCall ticket(std::string code, std::string event = kSeedEvent) {
    backend::TicketCall call;
    call.code = std::move(code);
    call.event = std::move(event);
    return call;
}

std::vector<backend::TicketCall> tickets(const std::vector<std::string>& codes, const std::string& event = kSeedEvent) {
    std::vector<backend::TicketCall> calls;
    for (const std::string& code : codes) calls.push_back(ticket(code, event));
    return calls;
}

bool checked_in(const ConstantContactEmulator& cc, const std::string& event, const std::string& key) {
    return cc.ticket(event, key)["checked_in"].get<bool>();
}

void expect_ok(const backend::ApiResult<backend::TicketAnswer>& answer) {
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    EXPECT_EQ(answer->reason, RejectReason::none);
    EXPECT_EQ(answer->attendee_name, "");
}

void expect_refused(const backend::ApiResult<backend::TicketAnswer>& answer, RejectReason reason) {
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::error);
    EXPECT_EQ(answer->reason, reason) << answer->explanation;
    EXPECT_FALSE(answer->explanation.empty());
}

//-----------------------------------------------------------------------------
// The seeds' examples
//-----------------------------------------------------------------------------

TEST(ConstantContactClient, SendsTheSeedsCheckInAndUndoRequestsExactly) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc));
    EXPECT_EQ(client.kind(), backend::Kind::constantcontact);
    const auto calls = tickets({"a1b2c3", "d4e5f6"});

    const auto answers = client.check_in_queued(calls);
    ASSERT_EQ(answers.size(), 2u);
    for (const auto& answer : answers) expect_ok(answer);
    EXPECT_TRUE(checked_in(cc, kSeedEvent, "a1b2c3"));
    EXPECT_TRUE(checked_in(cc, kSeedEvent, "d4e5f6"));

    const auto undone = client.undo_queued(calls);
    ASSERT_EQ(undone.size(), 2u);
    for (const auto& answer : undone) expect_ok(answer);
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "a1b2c3"));
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "d4e5f6"));

    const json requests = cc.requests();
    ASSERT_EQ(requests.size(), 2u);
    const std::string prefix = "/v3/events/07216444-4e3b-41ea-a3b8-5a418fce41f4/";
    EXPECT_EQ(requests[0]["path"], prefix + "check_in/tickets");
    EXPECT_EQ(requests[1]["path"], prefix + "undo_check_in/tickets");
    for (const json& request : requests) {
        EXPECT_EQ(request["method"], "POST");
        EXPECT_EQ(request["authorization"], "Bearer " + cc.token());
        EXPECT_EQ(request["content_type"], "application/json");
        EXPECT_EQ(json::parse(request["body"].get<std::string>()), (json{{"order_ticket_keys", {"a1b2c3", "d4e5f6"}}}));
        EXPECT_EQ(request["status"], 204);
    }
}

TEST(ConstantContactClient, ChecksOneTicketInOnlineAndUndoesIt) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc));
    expect_ok(client.check_in(ticket("a1b2c3")));
    EXPECT_TRUE(checked_in(cc, kSeedEvent, "a1b2c3"));
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "d4e5f6"));

    const auto undone = client.undo_queued(tickets({"a1b2c3"}));
    ASSERT_EQ(undone.size(), 1u);
    expect_ok(undone[0]);
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "a1b2c3"));
    EXPECT_EQ(cc.ticket(kSeedEvent, "a1b2c3")["undos"], 1);
}

//-----------------------------------------------------------------------------
// Batches
//-----------------------------------------------------------------------------

TEST(ConstantContactClient, SendsUpToFiftyKeysPerRequest) {
    ConstantContactEmulator cc({.args = {"--event", "ev", "--tickets", "120"}});
    ConstantContactClient client(connection_to(cc));
    EXPECT_EQ(client.max_batch(), 50u);
    std::vector<std::string> codes;
    for (int i = 1; i <= 120; ++i) codes.push_back("k" + std::string(i < 10 ? "000" : i < 100 ? "00" : "0") + std::to_string(i));

    const auto answers = client.check_in_queued(tickets(codes, "ev"));
    ASSERT_EQ(answers.size(), 120u);
    for (const auto& answer : answers) expect_ok(answer);
    const json counters = cc.counters();
    EXPECT_EQ(counters["check_in_requests"], 3);
    EXPECT_EQ(counters["batch_sizes"], (json{50, 50, 20}));
    EXPECT_EQ(counters["keys_checked_in"], 120);

    const auto undone = client.undo_queued(tickets(codes, "ev"));
    ASSERT_EQ(undone.size(), 120u);
    EXPECT_EQ(cc.counters()["undo_requests"], 3);
    EXPECT_EQ(cc.counters()["keys_undone"], 120);
}

TEST(ConstantContactClient, BatchesNeverMixEvents) {
    ConstantContactEmulator cc({.args = {"--event", "a", "--event", "b", "--tickets", "2"}});
    ConstantContactClient client(connection_to(cc));
    const std::vector<backend::TicketCall> calls = {ticket("k0001", "a"), ticket("k0002", "a"), ticket("k0003", "b"),
                                                    ticket("k0004", "b"), ticket("k0001", "a")};
    const auto answers = client.check_in_queued(calls);
    ASSERT_EQ(answers.size(), 5u);
    for (const auto& answer : answers) expect_ok(answer);
    EXPECT_EQ(cc.counters()["batch_sizes"], (json{2, 2, 1}));
    EXPECT_TRUE(checked_in(cc, "b", "k0004"));
}

TEST(ConstantContactClient, ABatchWithACancelledTicketChecksTheOthersIn) {
    ConstantContactEmulator cc({.args = {"--event", "ev", "--ticket", "ev:t1", "--ticket", "ev:t2", "--ticket",
                                         "ev:gone=CANCELLED", "--ticket", "ev:t3"}});
    ConstantContactClient client(connection_to(cc));
    const auto answers = client.check_in_queued(tickets({"t1", "t2", "gone", "nosuch", "t3"}, "ev"));
    ASSERT_EQ(answers.size(), 5u);
    expect_ok(answers[0]);
    expect_ok(answers[1]);
    expect_refused(answers[2], RejectReason::canceled);
    EXPECT_NE(answers[2]->explanation.find("gone"), std::string::npos) << answers[2]->explanation;
    expect_refused(answers[3], RejectReason::invalid);
    expect_ok(answers[4]);
    for (const char* key : {"t1", "t2", "t3"}) EXPECT_TRUE(checked_in(cc, "ev", key)) << key;
    EXPECT_FALSE(checked_in(cc, "ev", "gone"));
    // The batch once (refused whole), then each key alone.
    EXPECT_EQ(cc.counters()["batch_sizes"], (json{5, 1, 1, 1, 1, 1}));
    EXPECT_EQ(cc.counters()["keys_checked_in"], 3);
}

//-----------------------------------------------------------------------------
// Refusals
//-----------------------------------------------------------------------------

TEST(ConstantContactClient, ACancelledOrUnknownTicketIsARefusalNotAnError) {
    ConstantContactEmulator cc({.args = {"--event", "ev", "--ticket", "ev:gone=CANCELLED"}});
    ConstantContactClient client(connection_to(cc));
    expect_refused(client.check_in(ticket("gone", "ev")), RejectReason::canceled);
    expect_refused(client.check_in(ticket("nosuch", "ev")), RejectReason::invalid);
    EXPECT_FALSE(checked_in(cc, "ev", "gone"));
}

TEST(ConstantContactClient, AClosedEventIsInvalidTimeWithAFriendlyExplanation) {
    ConstantContactEmulator cc({.args = {"--event", "draft=DRAFT", "--event", "cancelled=CANCELLED", "--ticket",
                                         "draft:t1", "--ticket", "draft:t2", "--ticket", "draft:t3", "--ticket",
                                         "cancelled:t1"}});
    ConstantContactClient client(connection_to(cc));
    for (const std::string event : {"draft", "cancelled"}) {
        const auto answer = client.check_in(ticket("t1", event));
        expect_refused(answer, RejectReason::invalid_time);
        EXPECT_NE(answer->explanation.find("Check-in for this event is not open"), std::string::npos) << answer->explanation;
        const auto undone = client.undo_queued(tickets({"t1"}, event));
        ASSERT_EQ(undone.size(), 1u);
        expect_refused(undone[0], RejectReason::invalid_time);
    }
    // A closed event refuses a batch whole: one request, every call answered alike.
    cc.admin("POST", "/counters/reset");
    const auto answers = client.check_in_queued(tickets({"t1", "t2", "t3"}, "draft"));
    ASSERT_EQ(answers.size(), 3u);
    for (const auto& answer : answers) expect_refused(answer, RejectReason::invalid_time);
    EXPECT_EQ(cc.counters()["check_in_requests"], 1);
    EXPECT_FALSE(checked_in(cc, "draft", "t1"));

    // Open again (COMPLETE counts as open): admitted.
    cc.admin("PATCH", "/events/draft", {{"status", "COMPLETE"}});
    expect_ok(client.check_in(ticket("t1", "draft")));
}

TEST(ConstantContactClient, AnUnknownEventIsNotFound) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc));
    const auto answer = client.check_in(ticket("a1b2c3", "no-such-event"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::not_found);
    EXPECT_TRUE(answer.error().stops_sync());
    EXPECT_NE(answer.error().message.find("no-such-event"), std::string::npos) << answer.error().message;
}

TEST(ConstantContactClient, AWrongTokenIsUnauthorizedAndEndsTheRound) {
    ConstantContactEmulator cc;
    const std::string wrong = "wrong-token-3f9a";
    ConstantContactClient client(connection_to(cc, wrong));
    const auto answer = client.check_in(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::unauthorized);
    EXPECT_EQ(answer.error().message.find(wrong), std::string::npos) << answer.error().message;

    // Two events queued: the first batch's calls get the error, the second batch is not sent.
    cc.admin("POST", "/counters/reset");
    const std::vector<backend::TicketCall> calls = {ticket("a1b2c3"), ticket("d4e5f6"), ticket("x", "other")};
    const auto answers = client.check_in_queued(calls);
    ASSERT_EQ(answers.size(), 2u);
    for (const auto& failed : answers) {
        ASSERT_FALSE(failed.has_value());
        EXPECT_EQ(failed.error().kind, backend::ApiErrorKind::unauthorized);
    }
    EXPECT_EQ(cc.counters()["requests"].size(), 1u);
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "a1b2c3"));
}

TEST(ConstantContactClient, LookUpIsRefusedInWords) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc));
    const auto answer = client.look_up(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::refused);
    EXPECT_FALSE(answer.error().message.empty());
    EXPECT_TRUE(cc.requests().empty());
}

//-----------------------------------------------------------------------------
// Faults and bad answers
//-----------------------------------------------------------------------------

struct FaultCase {
    const char* name;
    json spec;
};

TEST(ConstantContactClient, EveryFaultIsAnErrorToRetryAndNothingIsLost) {
    const std::vector<FaultCase> cases = {
        {"server error", {{"kind", "status"}, {"status", 500}}},
        {"unavailable", {{"kind", "status"}, {"status", 503}}},
        {"rate limit", {{"kind", "rate_limit"}, {"retry_after", 30}}},
        {"slow", {{"kind", "slow"}, {"seconds", 1.5}}},
        {"reset after the check-in", {{"kind", "reset"}}},
        {"reset before it", {{"kind", "reset"}, {"process", false}, {"after_bytes", 0}}},
        {"truncated", {{"kind", "truncate"}}},
        {"captive portal", {{"kind", "content_type"}}},
        {"redirect", {{"kind", "status"}, {"status", 302}, {"body", ""}}},
    };
    ConstantContactEmulator cc({.args = {"--event", "ev", "--tickets", "40"}});
    backend::Connection connection = connection_to(cc);
    connection.request_timeout = 400ms;   // the slow fault answers after 1.5 s
    ConstantContactClient client(connection, kQuickRetry);
    int next = 1;
    for (const FaultCase& fault : cases) {
        SCOPED_TRACE(fault.name);
        std::vector<std::string> codes;
        for (int i = 0; i < 3; ++i, ++next) codes.push_back("k" + std::string(next < 10 ? "000" : "00") + std::to_string(next));
        json spec = fault.spec;
        spec["path"] = "/v3/events/ev/";
        spec["count"] = 10;
        cc.fault(spec);

        const auto single = client.check_in(ticket(codes[0], "ev"));
        ASSERT_FALSE(single.has_value());
        EXPECT_TRUE(single.error().retry_later()) << single.error().message;
        EXPECT_EQ(single.error().message.find(cc.token()), std::string::npos) << single.error().message;
        const auto batch = client.check_in_queued(tickets(codes, "ev"));
        ASSERT_FALSE(batch.empty());
        for (const auto& answer : batch) {
            ASSERT_FALSE(answer.has_value());
            EXPECT_TRUE(answer.error().retry_later()) << answer.error().message;
            EXPECT_EQ(answer.error().message.find(cc.token()), std::string::npos);
        }

        // Once the server is itself again, sending the queue again admits each ticket exactly once.
        cc.clear_faults();
        const auto again = client.check_in_queued(tickets(codes, "ev"));
        ASSERT_EQ(again.size(), codes.size());
        for (const auto& answer : again) expect_ok(answer);
        for (const std::string& code : codes) EXPECT_EQ(cc.ticket("ev", code)["check_ins"], 1) << code;
    }
}

TEST(ConstantContactClient, ARateLimitCarriesTheServersWait) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc), kQuickRetry);
    cc.fault({{"kind", "rate_limit"}, {"retry_after", 30}, {"path", "/v3/"}});
    const auto answer = client.check_in(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::busy);
    ASSERT_TRUE(answer.error().retry_after.has_value());
    EXPECT_EQ(*answer.error().retry_after, 30s);
}

TEST(ConstantContactClient, BadAnswersAreClearErrorsNeverACrash) {
    const std::vector<FaultCase> cases = {
        {"HTML error page", {{"kind", "status"}, {"status", 400}, {"body", "<html><body>Bad Request</body></html>"},
                             {"content_type", "text/html"}}},
        {"empty refusal", {{"kind", "status"}, {"status", 400}, {"body", ""}}},
        {"empty array", {{"kind", "status"}, {"status", 400}, {"body", json::array()}}},
        {"wrong types", {{"kind", "status"}, {"status", 400}, {"body", json::array({{{"error_key", 5}}})}}},
        {"message of a wrong type", {{"kind", "status"}, {"status", 400},
                                     {"body", json::array({{{"error_key", "x"}, {"error_message", json::array()}}})}}},
        {"not objects", {{"kind", "status"}, {"status", 400}, {"body", json::array({"a", "b"})}}},
        {"200 with garbage", {{"kind", "status"}, {"status", 200}, {"body", "{\"ok\": tru"}}},
        {"200 with JSON", {{"kind", "status"}, {"status", 200}, {"body", json{{"checked_in", true}}}}},
    };
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc), kQuickRetry);
    for (const FaultCase& fault : cases) {
        SCOPED_TRACE(fault.name);
        json spec = fault.spec;
        spec["path"] = "/v3/";
        cc.fault(spec);
        const auto answer = client.check_in(ticket("a1b2c3"));
        ASSERT_FALSE(answer.has_value());
        EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::bad_answer) << answer.error().message;
        EXPECT_TRUE(answer.error().retry_later());
        EXPECT_NE(answer.error().message.find("127.0.0.1"), std::string::npos) << answer.error().message;
        cc.clear_faults();
    }
    EXPECT_FALSE(checked_in(cc, kSeedEvent, "a1b2c3"));
}

TEST(ConstantContactClient, ARefusalItCannotPlaceIsRefusedInTheServersWords) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc), kQuickRetry);
    cc.fault({{"kind", "status"}, {"status", 400}, {"path", "/v3/"},
              {"body", json::array({{{"error_key", "events.api.validation.error"}, {"error_message", "Bad request: keys."}}})}});
    const auto answer = client.check_in(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::refused);
    EXPECT_NE(answer.error().message.find("Bad request: keys."), std::string::npos) << answer.error().message;

    // One error object instead of an array is read the same way.
    cc.fault({{"kind", "status"}, {"status", 400}, {"path", "/v3/"},
              {"body", {{"error_key", "events.api.ticket.cancelled"}, {"error_message", "Cancelled."}}}});
    expect_refused(client.check_in(ticket("a1b2c3")), RejectReason::canceled);
}

TEST(ConstantContactClient, AServerEchoingTheTokenNeverShowsIt) {
    ConstantContactEmulator cc;
    ConstantContactClient client(connection_to(cc), kQuickRetry);
    cc.fault({{"kind", "status"}, {"status", 400}, {"path", "/v3/"},
              {"body", json::array({{{"error_key", "x"}, {"error_message", "Bearer " + cc.token() + " is odd"}}})}});
    const auto answer = client.check_in(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().message.find(cc.token()), std::string::npos) << answer.error().message;
}

TEST(ConstantContactClient, ANonHttpAddressIsRefusedWithoutARequest) {
    backend::Connection connection;
    connection.url = "ftp://api.cc.email/v3";
    connection.token = "secret-token-1";
    ConstantContactClient client(connection);
    const auto answer = client.check_in(ticket("a1b2c3"));
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::refused);
    EXPECT_EQ(answer.error().message.find("secret-token-1"), std::string::npos);
}

//-----------------------------------------------------------------------------
// Download
//-----------------------------------------------------------------------------

TEST(ConstantContactClient, DownloadMakesTheLocalEventAndItsList) {
    ConstantContactEmulator cc;
    testing::TempDir dir;
    Store store(dir.file("kiosk.db"));
    ConstantContactClient client(connection_to(cc));

    const auto first = client.download(store, kSeedEvent);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(first->changed);
    EXPECT_EQ(first->tickets, 0u);
    const auto catalog = store.catalog(first->event_id);
    ASSERT_TRUE(catalog.has_value());
    EXPECT_EQ(catalog->event.organizer, "constantcontact");
    EXPECT_EQ(catalog->event.slug, kSeedEvent);
    ASSERT_EQ(catalog->lists.size(), 1u);
    EXPECT_EQ(catalog->lists[0].id, backend::local_list_id(backend::Kind::constantcontact, kSeedEvent));

    const auto second = client.download(store, kSeedEvent);
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(second->changed);
    EXPECT_EQ(second->event_id, first->event_id);
    EXPECT_TRUE(cc.requests().empty());   // nothing to ask the server

    EXPECT_FALSE(client.download(store, "").has_value());
}

} // namespace
} // namespace kiosk::constantcontact
