#include "netsync/http/curl_transfer.h"

#include <array>
#include <stdexcept>
#include <string_view>

#include "netsync/http/auth.h"
#include "netsync/http/curl_errors.h"

namespace kiosk::http::curl {

namespace {

// libcurl caps one header line at 100 KB but not their number; a server that never ends its
// headers must not fill memory either.
constexpr std::size_t max_header_bytes = 256 * 1024;

// What the callbacks of one attempt fill in.
struct Sink {
    Response response;
    std::size_t max_body_bytes = 0;
    std::size_t header_bytes = 0;
    bool body_too_large = false;
    bool headers_too_large = false;
    const std::atomic<bool>* cancel = nullptr;
};

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
        text.remove_suffix(1);
    return text;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    Sink& sink = *static_cast<Sink*>(user);
    const size_t bytes = size * count;
    if (bytes > sink.max_body_bytes - sink.response.body.size()) {
        sink.body_too_large = true;
        return 0;                                     // anything but `bytes` aborts the transfer
    }
    sink.response.body.append(data, bytes);
    return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    Sink& sink = *static_cast<Sink*>(user);
    const size_t bytes = size * count;
    sink.header_bytes += bytes;
    if (sink.header_bytes > max_header_bytes) {
        sink.headers_too_large = true;
        return 0;
    }
    const std::string_view line = trim(std::string_view(data, bytes));
    if (line.starts_with("HTTP/")) {
        // A new status line: whatever came before was an interim answer (100 Continue).
        sink.response.headers.clear();
    } else if (const size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
        sink.response.headers.push_back({std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const Sink& sink = *static_cast<const Sink*>(user);
    return sink.cancel != nullptr && sink.cancel->load() ? 1 : 0;   // non-zero aborts: CURLE_ABORTED_BY_CALLBACK
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

template <class T> void set(CURL* easy, CURLoption option, T value) {
    if (const CURLcode code = curl_easy_setopt(easy, option, value); code != CURLE_OK) {
        if (code == CURLE_OUT_OF_MEMORY) throw std::bad_alloc();
        throw std::runtime_error(std::string("libcurl refused an option: ") + curl_easy_strerror(code));
    }
}

} // namespace

Transfer::Transfer(const ClientOptions& options) : options_(&options), easy_(make_easy()) {}

Attempt Transfer::perform(const Request& request, const std::string& host, const std::vector<std::string>& secrets) {
    Slist headers;
    if (options_->token) append(headers, "Authorization: " + authorization_value(*options_->token));
    for (const Header& header : request.headers) {
        if (header.name.empty() || has_line_break(header.name) || has_line_break(header.value)) {
            Error error;
            error.kind = ErrorKind::malformed;
            error.host = host;
            error.message = "The kiosk built a request to " + host + " with a broken header and did not send it.";
            error.detail = "request header with an empty name or a line break";
            return {std::unexpected(std::move(error)), false};
        }
        append(headers, header.name + ": " + header.value);
    }
    // libcurl otherwise holds back a larger POST body for up to a second, waiting for a
    // "100 Continue" that the servers we talk to never send.
    append(headers, "Expect:");

    Sink sink;
    sink.max_body_bytes = options_->max_body_bytes;
    sink.cancel = options_->cancel;

    // reset() drops the previous request's options but keeps the connection cache, the DNS cache
    // and TLS sessions: that is what makes the next request reuse the connection.
    curl_easy_reset(easy_.get());
    configure(request, headers);
    CURL* easy = easy_.get();
    set(easy, CURLOPT_WRITEFUNCTION, &on_body);
    set(easy, CURLOPT_WRITEDATA, static_cast<void*>(&sink));
    set(easy, CURLOPT_HEADERFUNCTION, &on_header);
    set(easy, CURLOPT_HEADERDATA, static_cast<void*>(&sink));
    if (options_->cancel != nullptr) {
        set(easy, CURLOPT_XFERINFOFUNCTION, &on_progress);
        set(easy, CURLOPT_XFERINFODATA, static_cast<void*>(&sink));
        set(easy, CURLOPT_NOPROGRESS, 0L);
    }
    std::array<char, CURL_ERROR_SIZE> message{};
    set(easy, CURLOPT_ERRORBUFFER, message.data());

    const CURLcode code = curl_easy_perform(easy);
    // The handle outlives this frame; none of its pointers may point into it afterwards.
    set(easy, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));

    if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        sink.response.status = static_cast<int>(status);
        return {std::move(sink.response), true};
    }

    FailureFacts facts;
    facts.host = host;
    facts.curl_message = message.data();
    facts.body_too_large = sink.body_too_large;
    facts.headers_too_large = sink.headers_too_large;
    facts.max_body_bytes = options_->max_body_bytes;
    facts.custom_ca_file = !options_->ca_file.empty();
    Error error = transport_error(code, facts);
    error.message = redact(std::move(error.message), secrets);
    error.detail = redact(std::move(error.detail), secrets);
    return {std::unexpected(std::move(error)), may_have_reached_server(code)};
}

void Transfer::configure(const Request& request, const Slist& headers) {
    CURL* easy = easy_.get();
    const ClientOptions& options = *options_;
    set(easy, CURLOPT_URL, request.url.c_str());
    set(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    set(easy, CURLOPT_FOLLOWLOCATION, 0L);            // see http_client.h: tokens stay with the configured host
    // Signals are process-wide; the threaded resolver needs none, and other threads must not get them.
    set(easy, CURLOPT_NOSIGNAL, 1L);
    set(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    set(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
    // libcurl's defaults, said out loud: nothing in this file may ever turn them off.
    set(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    set(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) set(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    set(easy, CURLOPT_ACCEPT_ENCODING, "");           // "" = every encoding this libcurl decodes
    // Checked against Content-Length before the body arrives; the write callback checks the
    // decoded bytes, which a compressed answer can multiply.
    set(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
    set(easy, CURLOPT_HTTPHEADER, headers.get());
    set(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    set(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a proxy's CONNECT answer is not the server's
    set(easy, CURLOPT_TCP_KEEPALIVE, 1L);             // keeps an idle connection alive through venue NATs
    // No CURLOPT_PROXY: libcurl then takes the proxy from the environment (see http_client.h).

    if (request.method == Method::post) {
        set(easy, CURLOPT_POST, 1L);
        set(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        set(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    } else {
        set(easy, CURLOPT_HTTPGET, 1L);
    }
}

} // namespace kiosk::http::curl
