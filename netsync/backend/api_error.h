// What went wrong talking to a ticketing backend (pretix, Constant Contact, Oveit, BrightStar), as a
// value the sync engine decides on.
//
// The HTTP client says what happened on the wire (http::Error); this says what it means for the
// kiosk: try again later (unreachable, busy, bad_answer), stop syncing until staff set the kiosk up
// again (unauthorized, forbidden, not_found), or a refusal for good in the server's words. Every
// backend adapter builds its errors with these functions, so one status reads the same whichever
// backend sent it, and `message` is one sentence for staff that names the host and never a token.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "netsync/http/http_error.h"

namespace kiosk::backend {

enum class ApiErrorKind {
    unreachable,      // timeout, refused or broken connection, TLS: try again later
    busy,             // 429 or 5xx after the client's retries: try again later
    unauthorized,     // 401: the token is wrong or was revoked; sync stops until set up again
    forbidden,        // 403: the token may not see this organizer or event
    not_found,        // 404 on a resource: no such organizer or event
    bad_answer,       // not JSON, wrong shape, truncated, wrong content type: try again later
    refused,          // 400 on a set-up call, or any other 4xx: the server said no for good, in its words (`message`)
    cancelled,        // the sync thread is stopping
};

struct ApiError {
    ApiErrorKind kind = ApiErrorKind::unreachable;
    std::string message;                    // one sentence for staff, never a token
    int status = 0;                         // HTTP status when there was one
    std::optional<std::chrono::seconds> retry_after;   // the server's Retry-After (429, 503) when longer than the client waits
    bool retry_later() const;               // unreachable, busy, bad_answer
    bool stops_sync() const;                // unauthorized, forbidden, not_found: until staff set the kiosk up again
};

template <class T> using ApiResult = std::expected<T, ApiError>;

ApiError make_error(ApiErrorKind kind, std::string message, int status = 0);

// "While <context>: <sentence>": staff must tell a failed upload from a failed download.
std::string in_context(std::string_view context, std::string_view sentence);

// What an HTTP status that ends a request means: 401, 403, 404, 408/429/5xx busy, 3xx (most often a
// venue's Wi-Fi login page) bad_answer, any other 4xx refused.
ApiErrorKind kind_of_status(int status);

// The HTTP client's error in the vocabulary above, with `context` in front of its sentence.
ApiError from_http(const http::Error& error, std::string_view context);

// An answer we cannot read: "<host> <what>; try again in a while."
ApiError bad_answer(std::string_view context, const std::string& host, std::string_view what, int status);

} // namespace kiosk::backend
