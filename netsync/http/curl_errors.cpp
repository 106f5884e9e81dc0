#include "netsync/http/curl_errors.h"

#include <new>
#include <stdexcept>

namespace kiosk::http::curl {

namespace {

Error make(ErrorKind kind, std::string message, const FailureFacts& facts, CURLcode code) {
    Error error;
    error.kind = kind;
    error.message = std::move(message);
    error.host = facts.host;
    error.detail = facts.curl_message.empty() ? curl_easy_strerror(code) : facts.curl_message;
    return error;
}

} // namespace

std::string size_in_words(std::size_t bytes) {
    constexpr std::size_t kib = 1024, mib = 1024 * 1024;
    if (bytes >= mib && bytes % mib == 0) return std::to_string(bytes / mib) + " MB";
    if (bytes >= kib && bytes % kib == 0) return std::to_string(bytes / kib) + " KB";
    return std::to_string(bytes) + " bytes";
}

Error transport_error(CURLcode code, const FailureFacts& facts) {
    const std::string& host = facts.host;
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return make(ErrorKind::timeout, host + " did not answer in time; the network or the server is slow.", facts, code);

    case CURLE_COULDNT_RESOLVE_HOST:
        return make(ErrorKind::connect, "The kiosk could not find " + host +
                    " (the name lookup failed); check the network and the server address.", facts, code);
    case CURLE_COULDNT_RESOLVE_PROXY:
        return make(ErrorKind::connect, "The kiosk could not find the proxy it is set to use for " + host +
                    " (the name lookup failed); check the network settings.", facts, code);
    case CURLE_COULDNT_CONNECT:
        return make(ErrorKind::connect, "The kiosk could not connect to " + host +
                    "; check the network and that the server is up.", facts, code);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return make(ErrorKind::connect, "The connection to " + host +
                    " broke off before the answer was complete; check the network.", facts, code);

    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return make(ErrorKind::tls, "The kiosk did not trust the certificate of " + host +
                    " and sent nothing; check the kiosk's date and time, the server address" +
                    (facts.custom_ca_file ? " and the CA file in the settings." : "."), facts, code);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
        return make(ErrorKind::tls, "The kiosk could not read the CA file it is set to trust for " + host +
                    "; check the CA file in the settings.", facts, code);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return make(ErrorKind::tls, "The secure connection to " + host +
                    " could not be set up (TLS handshake failed); check that the address is the server's.", facts, code);

    case CURLE_ABORTED_BY_CALLBACK:
        return make(ErrorKind::cancelled, "The request to " + host + " was cancelled before it finished.", facts, code);

    case CURLE_FILESIZE_EXCEEDED:
        return make(ErrorKind::malformed, host + " sent an answer larger than " + size_in_words(facts.max_body_bytes) +
                    ", more than the kiosk accepts; it stopped reading.", facts, code);
    case CURLE_WRITE_ERROR:
        if (facts.body_too_large)
            return make(ErrorKind::malformed, host + " sent an answer larger than " + size_in_words(facts.max_body_bytes) +
                        ", more than the kiosk accepts; it stopped reading.", facts, code);
        if (facts.headers_too_large)
            return make(ErrorKind::malformed, host + " sent more headers than the kiosk accepts; it stopped reading.", facts, code);
        break;
    case CURLE_URL_MALFORMAT:
        return make(ErrorKind::malformed, "The server address is not a valid http or https address; check the kiosk's settings.",
                    facts, code);
    case CURLE_UNSUPPORTED_PROTOCOL:                  // the URL was checked before: this is an answer without a status line
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    case CURLE_TOO_MANY_REDIRECTS:
        return make(ErrorKind::malformed, host + " sent an answer the kiosk could not read.", facts, code);

    case CURLE_OUT_OF_MEMORY:
        throw std::bad_alloc();
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
        throw std::runtime_error(std::string("libcurl refused the request set-up: ") + curl_easy_strerror(code));
    default:
        break;
    }
    return make(ErrorKind::connect, "The kiosk could not talk to " + host + " (" + curl_easy_strerror(code) + ").", facts, code);
}

bool may_have_reached_server(CURLcode code) {
    return code != CURLE_COULDNT_RESOLVE_HOST && code != CURLE_COULDNT_RESOLVE_PROXY && code != CURLE_COULDNT_CONNECT;
}

} // namespace kiosk::http::curl
