#include "netsync/backend/api_error.h"

namespace kiosk::backend {

bool ApiError::retry_later() const {
    return kind == ApiErrorKind::unreachable || kind == ApiErrorKind::busy || kind == ApiErrorKind::bad_answer;
}

bool ApiError::stops_sync() const {
    return kind == ApiErrorKind::unauthorized || kind == ApiErrorKind::forbidden || kind == ApiErrorKind::not_found;
}

ApiError make_error(ApiErrorKind kind, std::string message, int status) {
    ApiError error;
    error.kind = kind;
    error.message = std::move(message);
    error.status = status;
    return error;
}

std::string in_context(std::string_view context, std::string_view sentence) {
    return "While " + std::string(context) + ": " + std::string(sentence);
}

ApiErrorKind kind_of_status(int status) {
    switch (status) {
    case 401: return ApiErrorKind::unauthorized;
    case 403: return ApiErrorKind::forbidden;
    case 404: return ApiErrorKind::not_found;
    case 408:
    case 429: return ApiErrorKind::busy;
    default: break;
    }
    if (status >= 500) return ApiErrorKind::busy;
    // A redirect is most often a venue's Wi-Fi login page in front of the internet: the network,
    // not the backend, and it passes by itself.
    if (status >= 300 && status < 400) return ApiErrorKind::bad_answer;
    return ApiErrorKind::refused;
}

ApiError from_http(const http::Error& error, std::string_view context) {
    ApiErrorKind kind = ApiErrorKind::unreachable;
    switch (error.kind) {
    case http::ErrorKind::timeout:
    case http::ErrorKind::connect:
    case http::ErrorKind::tls: kind = ApiErrorKind::unreachable; break;
    case http::ErrorKind::http_status: kind = kind_of_status(error.status); break;
    case http::ErrorKind::malformed: kind = ApiErrorKind::bad_answer; break;
    case http::ErrorKind::cancelled: kind = ApiErrorKind::cancelled; break;
    }
    ApiError out = make_error(kind, in_context(context, error.message), error.status);
    out.retry_after = error.retry_after;
    return out;
}

ApiError bad_answer(std::string_view context, const std::string& host, std::string_view what, int status) {
    return make_error(ApiErrorKind::bad_answer,
                      in_context(context, host + " " + std::string(what) + "; try again in a while."), status);
}

} // namespace kiosk::backend
