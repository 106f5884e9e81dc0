// BrightStarClient when the server or the network fails, and when answers are not BrightStar's:
// every fault kind of the emulator is an ApiError to try again later (or one that stops the sync),
// nothing is recorded twice, and no message carries the token.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/time.h"
#include "netsync/brightstar/brightstar_client.h"
#include "tests/support/brightstar_emulator.h"

namespace kiosk::brightstar {
namespace {

using nlohmann::json;
using testing::BrightStarEmulator;

constexpr char kToken[] = "bs-token-9f8e7d";
constexpr char kEvent[] = "evt_abc123";

class BrightStarFaults : public ::testing::Test {
protected:
    BrightStarFaults() : emulator_(fresh()), client_(connection(), retry()) {}

    // One emulator for the whole suite (starting Python costs more than a test's requests), reset
    // to its start before each test.
    static BrightStarEmulator& fresh() {
        static BrightStarEmulator emulator({.args = {"--token", kToken}});
        emulator.reset();
        return emulator;
    }

    static http::RetryPolicy retry() {
        return {.max_attempts = 3, .base_delay = std::chrono::milliseconds(10), .max_delay = std::chrono::milliseconds(50)};
    }

    backend::Connection connection() const {
        ::setenv("no_proxy", "127.0.0.1,localhost", 1);
        backend::Connection connection;
        connection.url = emulator_.url();
        connection.token = kToken;
        connection.scanner_id = "kiosk-1";
        connection.connect_timeout = std::chrono::seconds(5);
        connection.request_timeout = std::chrono::seconds(10);
        return connection;
    }

    static backend::TicketCall call_for(std::string code) {
        backend::TicketCall call;
        call.code = std::move(code);
        call.event = kEvent;
        call.datetime = now_utc();
        return call;
    }

    // The error of a check-in that must fail, checked for what every error must be.
    backend::ApiError failed_check_in(const std::string& ticket) {
        const auto answer = client_.check_in(call_for(ticket));
        if (answer) {
            ADD_FAILURE() << ticket << ": expected an ApiError, got status " << verdict_status_name(answer->status)
                          << " (" << answer->explanation << ")";
            return {};
        }
        const backend::ApiError& error = answer.error();
        EXPECT_FALSE(error.message.empty());
        EXPECT_EQ(error.message.find(kToken), std::string::npos) << error.message;
        EXPECT_EQ(error.message.find('\n'), std::string::npos) << error.message;
        return error;
    }

    int recorded() const { return emulator_.counters()["checkins_recorded"].get<int>(); }

    BrightStarEmulator& emulator_;
    BrightStarClient client_;
};

//-----------------------------------------------------------------------------
// The emulator's fault kinds
//-----------------------------------------------------------------------------

struct FaultCase {
    const char* name;
    json spec;                              // path and count are added
    bool processed;                         // the server recorded the check-in before the fault
};

TEST_F(BrightStarFaults, EveryFaultOnCheckInIsRetryLaterAndNothingIsRecordedTwice) {
    const std::vector<FaultCase> cases = {
        {"status 500", {{"kind", "status"}, {"status", 500}}, false},
        {"status 503", {{"kind", "status"}, {"status", 503}}, false},
        {"status 502 processed", {{"kind", "status"}, {"status", 502}, {"process", true}}, true},
        {"rate limit", {{"kind", "rate_limit"}, {"retry_after", 0}}, false},
        {"reset", {{"kind", "reset"}}, true},
        {"reset before the answer", {{"kind", "reset"}, {"after_bytes", 0}}, true},
        {"truncate", {{"kind", "truncate"}}, true},
        {"captive portal", {{"kind", "content_type"}}, false},
        {"empty body", {{"kind", "empty"}}, false},
        {"html error page 400", {{"kind", "status"}, {"status", 400}, {"body", "<html>Bad gateway</html>"},
                                  {"content_type", "text/html"}}, false},
    };
    int ticket = 0;
    int expected_recorded = 0;
    for (const FaultCase& fault : cases) {
        SCOPED_TRACE(fault.name);
        do ++ticket; while (ticket % 10 == 3 || ticket % 10 == 7);   // the generated cancelled and checked-in ones
        char id[32];
        std::snprintf(id, sizeof id, "TKT-ABC123-%04d", ticket);
        json spec = fault.spec;
        spec["path"] = "/v1/tickets/checkin";
        spec["count"] = 10;                 // every retry meets it too
        emulator_.fault(spec);
        const backend::ApiError error = failed_check_in(id);
        EXPECT_TRUE(error.retry_later()) << error.message;
        emulator_.clear_faults();
        expected_recorded += fault.processed ? 1 : 0;
        EXPECT_EQ(recorded(), expected_recorded);
        EXPECT_EQ(emulator_.ticket(id)["checkins"], fault.processed ? 1 : 0);

        // Once the server is back: a check-in that was lost is admitted now; one the server had
        // recorded is not recorded again (BrightStar says ALREADY_CHECKED_IN: see the header).
        const auto again = client_.check_in(call_for(id));
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(again->reason, fault.processed ? RejectReason::already_redeemed : RejectReason::none);
        if (!fault.processed) ++expected_recorded;
        EXPECT_EQ(recorded(), expected_recorded);
        EXPECT_EQ(emulator_.ticket(id)["checkins"], 1);
    }
}

TEST_F(BrightStarFaults, NotIdempotentCheckInIsNotRetriedAfterAServerError) {
    emulator_.fault({{"path", "/v1/tickets/checkin"}, {"kind", "status"}, {"status", 500}, {"count", 10}});
    const backend::ApiError error = failed_check_in("TKT-ABC123-0001");
    EXPECT_EQ(error.kind, backend::ApiErrorKind::busy);
    EXPECT_EQ(error.status, 500);
    EXPECT_EQ(emulator_.counters()["requests"].value("POST /v1/tickets/checkin", 0), 1);
}

TEST_F(BrightStarFaults, ValidateIsRetriedAndSucceedsAfterATransientError) {
    emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", 503}, {"count", 1}});
    const auto answer = client_.look_up(call_for("TKT-ABC123-0001"));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
}

TEST_F(BrightStarFaults, EveryFaultOnValidateIsRetryLaterAndNoCheckInIsTried) {
    for (const json& spec : {json{{"kind", "status"}, {"status", 500}}, json{{"kind", "rate_limit"}, {"retry_after", 0}},
                             json{{"kind", "reset"}}, json{{"kind", "truncate"}}, json{{"kind", "content_type"}},
                             json{{"kind", "empty"}}}) {
        SCOPED_TRACE(spec.dump());
        json fault = spec;
        fault["path"] = "/v1/tickets/validate";
        fault["count"] = 10;
        emulator_.fault(fault);
        EXPECT_TRUE(failed_check_in("TKT-ABC123-0001").retry_later());
        emulator_.clear_faults();
    }
    EXPECT_EQ(emulator_.counters()["checkin_requests"], 0);
}

TEST_F(BrightStarFaults, AnUnauthorizedAnswerStopsTheSync) {
    emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "unauthorized"}});
    const backend::ApiError error = failed_check_in("TKT-ABC123-0001");
    EXPECT_EQ(error.kind, backend::ApiErrorKind::unauthorized);
    EXPECT_TRUE(error.stops_sync());
    EXPECT_TRUE(backend::ends_round(error));
}

TEST_F(BrightStarFaults, ASlowServerIsUnreachableAfterTheTimeout) {
    backend::Connection quick = connection();
    quick.request_timeout = std::chrono::milliseconds(300);
    BrightStarClient client(quick, {.max_attempts = 1});
    emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "slow"}, {"seconds", 3}});
    const auto answer = client.look_up(call_for("TKT-ABC123-0001"));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, backend::ApiErrorKind::unreachable);
    EXPECT_TRUE(answer.error().retry_later());
}

TEST_F(BrightStarFaults, AnUnreachableServerEndsTheRound) {
    backend::Connection gone = connection();
    gone.url = "http://127.0.0.1:1/v1";
    BrightStarClient client(gone, {.max_attempts = 1});
    const backend::TicketCall calls[] = {call_for("TKT-ABC123-0001"), call_for("TKT-ABC123-0002")};
    const auto answers = client.check_in_queued(calls);
    ASSERT_EQ(answers.size(), 1u);   // the second was not tried against a server known to be away
    ASSERT_FALSE(answers[0]);
    EXPECT_EQ(answers[0].error().kind, backend::ApiErrorKind::unreachable);
}

//-----------------------------------------------------------------------------
// Answers that are not BrightStar's
//-----------------------------------------------------------------------------

TEST_F(BrightStarFaults, WrongTypesAndShapesAreBadAnswers) {
    const std::string ticket =
        R"({"id": "TKT-ABC123-0001", "type": "VIP", "attendee_name": "Zoë Lefèvre", "checked_in": false, "checked_in_at": null})";
    const std::vector<std::string> bodies = {
        R"({"valid": "yes", "ticket": )" + ticket + "}",
        R"({"valid": 1, "ticket": )" + ticket + "}",
        R"({"valid": true})",
        R"({"valid": true, "ticket": "TKT-ABC123-0001"})",
        R"({"valid": true, "ticket": {"id": "TKT-ABC123-0001", "type": "VIP", "attendee_name": 42}})",
        R"({"valid": true, "ticket": {"id": "TKT-ABC123-0001", "type": [], "attendee_name": "Zoë Lefèvre"}})",
        R"({"valid": true, "ticket": {"id": "TKT-SOMEONE-ELSE", "type": "VIP", "attendee_name": "Zoë Lefèvre"}})",
        R"({"ticket": )" + ticket + "}",
        "[" + ticket + "]",
        R"("valid")",
        "null",
        R"({"valid": tru)",
    };
    for (const std::string& body : bodies) {
        SCOPED_TRACE(body);
        emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", 200}, {"body", body},
                         {"content_type", "application/json"}});
        const backend::ApiError error = failed_check_in("TKT-ABC123-0001");
        EXPECT_EQ(error.kind, backend::ApiErrorKind::bad_answer) << error.message;
        EXPECT_TRUE(error.retry_later());
        emulator_.clear_faults();
    }
    EXPECT_EQ(emulator_.counters()["checkin_requests"], 0);
}

TEST_F(BrightStarFaults, RefusalsWithoutACodeOrWithAYesAreBadAnswers) {
    const std::vector<std::pair<int, std::string>> answers = {
        {400, R"({"valid": false})"},
        {400, R"({"valid": false, "error": 17})"},
        {400, R"({"valid": false, "error": ""})"},
        {400, R"({"valid": true, "ticket": {"id": "TKT-ABC123-0001"}})"},
        {404, R"({"detail": "Not found."})"},
    };
    for (const auto& [status, body] : answers) {
        SCOPED_TRACE(body);
        emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", status}, {"body", body},
                         {"content_type", "application/json"}});
        EXPECT_EQ(failed_check_in("TKT-ABC123-0001").kind, backend::ApiErrorKind::bad_answer);
        emulator_.clear_faults();
    }
}

TEST_F(BrightStarFaults, AnHtml404IsAWrongAddress) {
    emulator_.fault({{"path", "/v1/tickets/validate"}, {"kind", "status"}, {"status", 404},
                     {"body", "<html><h1>Not Found</h1></html>"}, {"content_type", "text/html"}});
    const backend::ApiError error = failed_check_in("TKT-ABC123-0001");
    EXPECT_EQ(error.kind, backend::ApiErrorKind::not_found);
    EXPECT_NE(error.message.find("check the server address"), std::string::npos) << error.message;
}

TEST_F(BrightStarFaults, ABadCheckInAnswerAfterAGoodPreCheckIsABadAnswer) {
    emulator_.fault({{"path", "/v1/tickets/checkin"}, {"kind", "status"}, {"status", 200},
                     {"body", {{"success", "true"}, {"ticket", {{"id", "TKT-ABC123-0001"}}}}}});
    EXPECT_EQ(failed_check_in("TKT-ABC123-0001").kind, backend::ApiErrorKind::bad_answer);
    EXPECT_EQ(recorded(), 0);
    // Nothing lost: the next scan checks the ticket in.
    const auto answer = client_.check_in(call_for("TKT-ABC123-0001"));
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, VerdictStatus::ok);
    EXPECT_EQ(recorded(), 1);
}

} // namespace
} // namespace kiosk::brightstar
