#include "netsync/http/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include <curl/curl.h>

namespace kiosk::http {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter) {
    using std::chrono::milliseconds;
    const double base = static_cast<double>(std::max<milliseconds::rep>(policy.base_delay.count(), 0));
    const double cap = static_cast<double>(std::max<milliseconds::rep>(policy.max_delay.count(), 0));
    // ldexp keeps a large retry count from overflowing: the cap applies before any integer conversion.
    const double ceiling = std::min(cap, std::ldexp(base, std::clamp(retry, 1, 64) - 1));
    const double spread = std::clamp(jitter, 0.0, 1.0);
    return milliseconds(static_cast<milliseconds::rep>(ceiling / 2 + spread * ceiling / 2));
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;

    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::chrono::seconds::rep seconds = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        // A number too large to hold is a server asking for "forever"; a year says the same.
        if (error == std::errc::result_out_of_range) return std::chrono::seconds(365L * 24 * 3600);
        if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
        return std::chrono::seconds(seconds);
    }

    // libcurl parses every date form HTTP allows; it needs a terminated string.
    const std::string date(value);
    const time_t when = curl_getdate(date.c_str(), nullptr);
    if (when == -1) return std::nullopt;
    const auto delay = std::chrono::system_clock::from_time_t(when) - now;
    return std::max(std::chrono::seconds(0), std::chrono::ceil<std::chrono::seconds>(delay));
}

bool is_retryable_status(int status, bool idempotent) {
    if (status == 429) return true;
    if (!idempotent) return false;
    return status == 408 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool is_retryable_failure(ErrorKind kind, bool reached_server, bool idempotent) {
    switch (kind) {
    case ErrorKind::connect:
        return !reached_server || idempotent;
    case ErrorKind::timeout:
        return idempotent;
    case ErrorKind::tls:            // a certificate does not become trusted by asking again
    case ErrorKind::http_status:    // decided by is_retryable_status
    case ErrorKind::malformed:      // the same question gets the same unreadable answer
    case ErrorKind::cancelled:
        return false;
    }
    return false;
}

} // namespace kiosk::http
