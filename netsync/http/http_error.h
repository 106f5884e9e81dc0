// What went wrong with an HTTP request, as a value.
//
// The sync engine decides on `kind` (and `status`): a timeout or a broken connection is tried again
// later, a refused token stops sync until staff set the kiosk up again. `message` is what staff read
// on the kiosk and in `kioskctl status`: one sentence that names the server's host and never a token
// (the client removes every secret it knows of before an Error leaves it).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::http {

enum class ErrorKind {
    timeout,      // no complete answer within the connect or the total timeout
    connect,      // name lookup failed, connection refused or broken off, proxy unreachable
    tls,          // the server's certificate was not trusted, or the TLS handshake failed
    http_status,  // the server answered with a status the caller does not read as an answer
    malformed,    // a bad address, an answer that is not HTTP, undecodable or larger than the cap
    cancelled,    // the cancellation flag was raised (the sync thread is stopping)
};

std::string_view to_string(ErrorKind kind);             // "timeout", "connect", ... for logs and JSON

struct Error {
    ErrorKind kind = ErrorKind::connect;
    std::string message;                                // one sentence for staff; names the host, never a token
    std::string detail;                                 // for a log: libcurl's own words, secrets removed
    std::string host;                                   // the server's host as written in the URL ("" when the URL is bad)
    int status = 0;                                     // the HTTP status when kind is http_status, else 0
    std::optional<std::chrono::seconds> retry_after;    // the server's Retry-After on its last answer, if any
    int attempts = 0;                                   // requests tried, retries included
};

// The sentence for an HTTP status that ends a request as an error: 401 (token refused), 403 (no
// permission), 404 (no such organizer or event), 429, 5xx, a redirect, any other status.
std::string status_message(int status, std::string_view host);

} // namespace kiosk::http
