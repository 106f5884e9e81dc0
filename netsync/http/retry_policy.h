// When a failed request is sent again, and how long the client waits first.
//
// Many kiosks at one venue lose the network together and come back together; exponential backoff
// with jitter keeps them from hammering the backend in step. A server that says how long to wait
// (Retry-After on 429 or 503) is obeyed, unless it asks for longer than the policy's max_delay:
// then the client gives up at once and hands the wait to its caller (Error::retry_after), because a
// sync thread blocked for an hour is worse than one that schedules its next run.
//
// What is sent again: a request that never reached the server (name lookup failed, connection
// refused) and a 429 (the server refused it unprocessed) always; timeouts, broken connections and
// 408 / 500 / 502 / 503 / 504 only when the request is idempotent (a GET, or a POST whose body
// carries a nonce the server deduplicates), because the server may have acted on it already.
//
// Everything here is a pure function, so the rules are tested without a clock.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "netsync/http/http_error.h"

namespace kiosk::http {

struct RetryPolicy {
    int max_attempts = 4;                               // the first request included; 1 = never retry
    std::chrono::milliseconds base_delay{500};          // the wait before the first retry, doubled for each next one
    std::chrono::milliseconds max_delay{30'000};        // the longest wait; a longer Retry-After ends the retries
};

// The wait before retry number `retry` (1 = the first retry): base_delay * 2^(retry-1), capped at
// max_delay, then spread over its upper half by `jitter` in [0, 1). Half is kept fixed so that a
// retry never comes immediately, the other half spread so that kiosks do not retry in step.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter);

// A Retry-After value: delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
// also the obsolete RFC 850 and asctime forms), relative to `now`. A date in the past is 0 s.
// Anything else is nullopt (and the client falls back to its own backoff).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

// Whether an answer with this status is worth sending again (see the contract above).
bool is_retryable_status(int status, bool idempotent);

// Whether a failure is worth trying again: `reached_server` is false when nothing was sent.
bool is_retryable_failure(ErrorKind kind, bool reached_server, bool idempotent);

} // namespace kiosk::http
