// The retry rules as pure functions: backoff with jitter, Retry-After in both forms, and what is
// sent again. No clock, no network.
#include "netsync/http/retry_policy.h"

#include <gtest/gtest.h>

namespace kiosk::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BackoffDelay, DoublesFromTheBaseAndSpreadsOverTheUpperHalf) {
    const RetryPolicy policy{.max_attempts = 10, .base_delay = milliseconds(100), .max_delay = milliseconds(10'000)};
    EXPECT_EQ(backoff_delay(policy, 1, 0.0), milliseconds(50));
    EXPECT_EQ(backoff_delay(policy, 1, 0.999), milliseconds(99));
    EXPECT_EQ(backoff_delay(policy, 2, 0.0), milliseconds(100));
    EXPECT_EQ(backoff_delay(policy, 3, 0.5), milliseconds(300));
    EXPECT_EQ(backoff_delay(policy, 4, 0.0), milliseconds(400));
}

TEST(BackoffDelay, NeverLongerThanTheMaximumEvenForHugeRetryCounts) {
    const RetryPolicy policy{.max_attempts = 1000, .base_delay = milliseconds(500), .max_delay = milliseconds(30'000)};
    EXPECT_EQ(backoff_delay(policy, 20, 0.999), milliseconds(29'985));
    EXPECT_EQ(backoff_delay(policy, 1000, 1.0), milliseconds(30'000));
    EXPECT_EQ(backoff_delay(policy, 1000, 0.0), milliseconds(15'000));
}

TEST(BackoffDelay, OutOfRangeInputsAreClamped) {
    const RetryPolicy policy{.max_attempts = 3, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
    EXPECT_EQ(backoff_delay(policy, 0, 0.0), milliseconds(50));
    EXPECT_EQ(backoff_delay(policy, -5, 2.0), milliseconds(100));
    const RetryPolicy negative{.max_attempts = 3, .base_delay = milliseconds(-100), .max_delay = milliseconds(1000)};
    EXPECT_EQ(backoff_delay(negative, 3, 0.5), milliseconds(0));
}

TEST(ParseRetryAfter, DelaySeconds) {
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(parse_retry_after("1", now), seconds(1));
    EXPECT_EQ(parse_retry_after(" 120 ", now), seconds(120));
    EXPECT_EQ(parse_retry_after("0", now), seconds(0));
    EXPECT_EQ(parse_retry_after("99999999999999999999999", now), seconds(365L * 24 * 3600));
}

TEST(ParseRetryAfter, HttpDatesInEveryFormHttpAllows) {
    // 2015-10-21T07:28:00Z
    const auto when = std::chrono::system_clock::from_time_t(1445412480);
    const auto now = when - seconds(90);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), seconds(90));
    EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now), seconds(90));
    EXPECT_EQ(parse_retry_after("Wed Oct 21 07:28:00 2015", now), seconds(90));
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", when + seconds(5)), seconds(0)) << "a date in the past";
}

TEST(ParseRetryAfter, GarbageIsNoValue) {
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(parse_retry_after("", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
}

TEST(Retryable, StatusesByIdempotence) {
    EXPECT_TRUE(is_retryable_status(429, false)) << "429: the server did not process the request";
    EXPECT_TRUE(is_retryable_status(429, true));
    for (int status : {408, 500, 502, 503, 504}) {
        EXPECT_TRUE(is_retryable_status(status, true)) << status;
        EXPECT_FALSE(is_retryable_status(status, false)) << status;
    }
    for (int status : {200, 201, 304, 400, 401, 403, 404, 409, 501})
        EXPECT_FALSE(is_retryable_status(status, true)) << status;
}

TEST(Retryable, FailuresByWhetherAnythingWasSent) {
    EXPECT_TRUE(is_retryable_failure(ErrorKind::connect, false, false)) << "nothing sent: safe for any request";
    EXPECT_TRUE(is_retryable_failure(ErrorKind::connect, true, true));
    EXPECT_FALSE(is_retryable_failure(ErrorKind::connect, true, false)) << "a broken POST may have been acted on";
    EXPECT_TRUE(is_retryable_failure(ErrorKind::timeout, true, true));
    EXPECT_FALSE(is_retryable_failure(ErrorKind::timeout, true, false));
    for (ErrorKind kind : {ErrorKind::tls, ErrorKind::http_status, ErrorKind::malformed, ErrorKind::cancelled})
        EXPECT_FALSE(is_retryable_failure(kind, false, true)) << to_string(kind);
}

} // namespace
} // namespace kiosk::http
