// Retries over loopback, counted on the server. Where a test shows that Retry-After was obeyed, the
// client's own backoff is set to a minute: finishing well inside the hang bound can only mean it
// waited the server's 1 s (or 0 s) instead.
#include "netsync/http/http_client.h"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/netsync/http/http_test_options.h"
#include "tests/support/http_test_server.h"

namespace kiosk::http {
namespace {

using ::testing::HasSubstr;
using kiosk::testing::HttpTestReply;
using kiosk::testing::HttpTestServer;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

HttpTestReply busy(int status, std::string retry_after) {
    HttpTestReply reply = HttpTestReply::json(status, R"({"detail": "slow down"})");
    reply.headers.emplace_back("Retry-After", std::move(retry_after));
    return reply;
}

class HttpRetryTest : public ::testing::Test {
protected:
    HttpTestServer server;
    ClientOptions options = testing::loopback_options();
    const HttpTestReply ok = HttpTestReply::json(200, R"({"ok": true})");

    // Backoff so slow that only an obeyed Retry-After can finish within the test's bound.
    void backoff_of_a_minute() { options.retry = {.max_attempts = 3, .base_delay = seconds(60), .max_delay = seconds(120)}; }
};

TEST_F(HttpRetryTest, TooManyRequestsWithRetryAfterSecondsThenOk) {
    backoff_of_a_minute();
    server.on("/orders/", {busy(429, "1"), ok});
    const auto started = steady_clock::now();

    const auto response = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->attempts, 2);
    EXPECT_EQ(server.count("/orders/"), 2);
    EXPECT_LT(steady_clock::now() - started, seconds(25)) << "waited for the backoff instead of Retry-After";
}

TEST_F(HttpRetryTest, ServiceUnavailableWithRetryAfterAsAnHttpDate) {
    backoff_of_a_minute();
    server.on("/orders/", {busy(503, "Wed, 21 Oct 2015 07:28:00 GMT"), ok});   // in the past: retry at once
    const auto started = steady_clock::now();

    const auto response = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(server.count("/orders/"), 2);
    EXPECT_LT(steady_clock::now() - started, seconds(25));
}

TEST_F(HttpRetryTest, TooManyRequestsIsRetriedEvenForAPost) {
    server.on("/redeem/", {busy(429, "0"), HttpTestReply::json(201, "{}")});
    const auto response = Client(options).send(Request::post_json(server.url("/redeem/"), "{}"));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(server.count("/redeem/"), 2) << "429 means the server did not process it";
}

TEST_F(HttpRetryTest, AServerErrorThenOkForAGet) {
    server.on("/items/", {HttpTestReply::json(500, "{}"), ok});
    const auto response = Client(options).send(Request::get(server.url("/items/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->attempts, 2);
    EXPECT_EQ(server.count("/items/"), 2);
}

TEST_F(HttpRetryTest, AServerErrorOnAPostIsRetriedOnlyWhenItIsIdempotent) {
    server.on("/plain/", {HttpTestReply::json(500, "{}"), HttpTestReply::json(201, "{}")});
    server.on("/nonce/", {HttpTestReply::json(500, "{}"), HttpTestReply::json(201, "{}")});
    Client client(options);

    const auto plain = client.send(Request::post_json(server.url("/plain/"), "{}"));
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().kind, ErrorKind::http_status);
    EXPECT_EQ(plain.error().status, 500);
    EXPECT_THAT(plain.error().message, HasSubstr("127.0.0.1 had a server error (HTTP 500)"));
    EXPECT_EQ(server.count("/plain/"), 1);

    Request with_nonce = Request::post_json(server.url("/nonce/"), R"({"nonce": "abc"})");
    with_nonce.idempotent = true;
    const auto retried = client.send(with_nonce);
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_EQ(server.count("/nonce/"), 2);
}

TEST_F(HttpRetryTest, GivesUpAfterMaxAttempts) {
    options.retry.max_attempts = 4;
    server.on("/down/", {HttpTestReply::json(503, "{}")});
    const auto response = Client(options).send(Request::get(server.url("/down/")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::http_status);
    EXPECT_EQ(response.error().status, 503);
    EXPECT_EQ(response.error().attempts, 4);
    EXPECT_EQ(server.count("/down/"), 4);
}

TEST_F(HttpRetryTest, OneAttemptMeansNoRetry) {
    options.retry.max_attempts = 1;
    server.on("/down/", {HttpTestReply::json(503, "{}")});
    ASSERT_FALSE(Client(options).send(Request::get(server.url("/down/"))));
    EXPECT_EQ(server.count("/down/"), 1);
}

TEST_F(HttpRetryTest, ARetryAfterLongerThanThePolicyIsHandedToTheCaller) {
    server.on("/orders/", {busy(429, "3600"), ok});
    const auto started = steady_clock::now();
    const auto response = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::http_status);
    EXPECT_EQ(response.error().status, 429);
    EXPECT_EQ(response.error().retry_after, seconds(3600));
    EXPECT_EQ(server.count("/orders/"), 1);
    EXPECT_LT(steady_clock::now() - started, seconds(20));
}

TEST_F(HttpRetryTest, AnUnreadableRetryAfterFallsBackToTheBackoff) {
    server.on("/orders/", {busy(503, "whenever"), ok});
    const auto response = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(server.count("/orders/"), 2);
}

} // namespace
} // namespace kiosk::http
