// An HTTP client for the backends (pretix, Constant Contact, Oveit, BrightStar), on libcurl.
//
// [SECTION] Requests and responses
// [SECTION] Options
// [SECTION] Client
//
// What it guarantees, so that the adapters above it need not:
// - TLS is verified (peer and host name) unless nothing else is said; a CA file may replace the
//   system's trust store, for a backend with its own CA. There is no switch to turn verification off.
// - Connect and total timeouts on every attempt; retries with backoff, jitter and Retry-After as
//   RetryPolicy describes; a cancellation flag that ends waits and transfers promptly.
// - One connection kept alive between requests (one libcurl handle per client); gzip, deflate,
//   brotli and zstd answers decoded; the answer's size capped after decoding, so a hostile or broken
//   server cannot fill the kiosk's memory.
// - Proxies come from the environment, as libcurl reads them by default: http_proxy, https_proxy
//   (or HTTPS_PROXY), all_proxy, no_proxy. (libcurl ignores upper-case HTTP_PROXY on purpose: a
//   CGI environment lets a request set it.) We never override this.
// - Redirects are not followed: a token must not travel to an address nobody configured.
// - Errors are values with a sentence in words that names the host and never a token.
// Failures of the machine (out of memory, a libcurl that cannot start) throw.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netsync/http/auth.h"
#include "netsync/http/http_error.h"
#include "netsync/http/retry_policy.h"

namespace kiosk::http {

//-----------------------------------------------------------------------------
// [SECTION] Requests and responses
//-----------------------------------------------------------------------------
// A request is a value the client only reads. A response holds any status the request accepts as
// an answer: 2xx, 304 (Not Modified, for If-Modified-Since), and the statuses the caller lists in
// `answer_statuses` because their bodies are answers (pretix's redeem says "incomplete" with 400
// and "invalid" with 404). Every other status becomes an Error with kind http_status.

enum class Method { get, post };

struct Header {
    std::string name;
    std::string value;
};
using Headers = std::vector<Header>;

// The first header called `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct Request {
    Method method = Method::get;
    std::string url;                                    // absolute http:// or https:// URL
    Headers headers;                                    // extra request headers (the token comes from ClientOptions)
    std::string body;                                   // POST only
    bool idempotent = true;                             // safe to send twice: GET, or a POST with a nonce
    std::vector<int> answer_statuses;                   // 4xx / 5xx statuses returned as a Response

    static Request get(std::string url);
    // A POST with Content-Type application/json. Not idempotent unless the caller says so (a body
    // with a nonce, or an X-Idempotency-Key header): a retried POST may act twice.
    static Request post_json(std::string url, std::string json);
};

struct Response {
    int status = 0;
    Headers headers;                                    // of the final answer, in order, names as the server wrote them
    std::string body;                                   // decoded (gzip etc. undone)
    int attempts = 1;                                   // requests sent, retries included

    std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

//-----------------------------------------------------------------------------
// [SECTION] Options
//-----------------------------------------------------------------------------

struct ClientOptions {
    std::chrono::milliseconds connect_timeout{10'000};  // per attempt: TCP and TLS set-up
    std::chrono::milliseconds total_timeout{60'000};    // per attempt: from start to the last byte
    std::size_t max_body_bytes = 64u << 20;             // decoded answer size; larger answers are an error
    std::string ca_file;                                // PEM file replacing the system's CAs; "" = system
    std::optional<ApiToken> token;                      // sent as the Authorization header of every request
    RetryPolicy retry;
    const std::atomic<bool>* cancel = nullptr;          // raised: stop waiting and abort the transfer
    std::string user_agent = "kiosk-checkin/0.1";
};

//-----------------------------------------------------------------------------
// [SECTION] Client
//-----------------------------------------------------------------------------
// Thread rule: a Client belongs to one thread at a time (its libcurl handle is not shared); give
// each thread (sync, online decisions) its own Client. Clients on different threads are
// independent. Only the cancellation flag may be raised from another thread.

class Client {
public:
    explicit Client(ClientOptions options = {});
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends the request, retrying as the policy allows. Blocks for at most about max_attempts *
    // total_timeout plus the waits between attempts, less when cancelled.
    std::expected<Response, Error> send(const Request& request);

    const ClientOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::http
