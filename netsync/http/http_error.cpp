#include "netsync/http/http_error.h"

namespace kiosk::http {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::connect: return "connect";
    case ErrorKind::tls: return "tls";
    case ErrorKind::http_status: return "http_status";
    case ErrorKind::malformed: return "malformed";
    case ErrorKind::cancelled: return "cancelled";
    }
    return "unknown";
}

std::string status_message(int status, std::string_view host) {
    const std::string h(host);
    const std::string code = "HTTP " + std::to_string(status);
    switch (status) {
    case 401:
        return "The kiosk's token was refused by " + h + " (wrong or revoked); set the kiosk up again.";
    case 403:
        return "The kiosk's token has no permission for this at " + h +
               "; ask the organiser to give the device or team access to the event.";
    case 404:
        return h + " knows no such organizer or event; check the organizer and event the kiosk is set up for.";
    case 429:
        return h + " asked the kiosk to slow down (too many requests); try again in a while.";
    default:
        break;
    }
    if (status >= 500)
        return h + " had a server error (" + code + "); try again in a while.";
    if (status >= 300 && status < 400)
        // Redirects are not followed: a token must not travel to an address nobody configured.
        return h + " sent the kiosk to another address (" + code +
               "); check the server address in the settings (https rather than http?).";
    return h + " refused the request (" + code + ").";
}

} // namespace kiosk::http
