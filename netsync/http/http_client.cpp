#include "netsync/http/http_client.h"

#include <algorithm>
#include <random>
#include <thread>

#include "netsync/http/curl_handle.h"
#include "netsync/http/curl_transfer.h"

namespace kiosk::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

// Statuses that are answers without being asked for: success, and Not Modified for conditional GETs.
bool is_answer(const Request& request, int status) {
    if ((status >= 200 && status < 300) || status == 304) return true;
    return std::ranges::find(request.answer_statuses, status) != request.answer_statuses.end();
}

bool cancelled(const std::atomic<bool>* cancel) { return cancel != nullptr && cancel->load(); }

// Sleeps `delay`, waking often enough that a raised cancel flag ends the wait within a moment.
// False when cancelled.
bool wait_unless_cancelled(std::chrono::milliseconds delay, const std::atomic<bool>* cancel) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + delay;
    for (;;) {
        if (cancelled(cancel)) return false;
        const auto left = deadline - clock::now();
        if (left <= clock::duration::zero()) return true;
        std::this_thread::sleep_for(std::min<clock::duration>(left, std::chrono::milliseconds(20)));
    }
}

Error cancelled_error(const std::string& host, int attempts) {
    Error error;
    error.kind = ErrorKind::cancelled;
    error.host = host;
    error.message = "The request to " + host + " was cancelled before it finished.";
    error.attempts = attempts;
    return error;
}

Error status_error(const Response& response, const std::string& host, std::optional<std::chrono::seconds> retry_after) {
    Error error;
    error.kind = ErrorKind::http_status;
    error.host = host;
    error.status = response.status;
    error.message = status_message(response.status, host);
    error.detail = "HTTP " + std::to_string(response.status);   // never the body: a server may echo the request
    error.retry_after = retry_after;
    error.attempts = response.attempts;
    return error;
}

} // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
    for (const Header& header : headers)
        if (iequals(header.name, name)) return header.value;
    return std::nullopt;
}

Request Request::get(std::string url) {
    Request request;
    request.url = std::move(url);
    return request;
}

Request Request::post_json(std::string url, std::string json) {
    Request request;
    request.method = Method::post;
    request.url = std::move(url);
    request.body = std::move(json);
    request.headers.push_back({"Content-Type", "application/json"});
    request.idempotent = false;
    return request;
}

struct Client::Impl {
    explicit Impl(ClientOptions given) : options(std::move(given)), transfer(options), random(std::random_device{}()) {}

    // Every secret this request could carry: the token alone and as the header value, and any
    // credential header the caller added itself.
    std::vector<std::string> secrets(const Request& request) const {
        std::vector<std::string> found;
        if (options.token) {
            found.push_back(options.token->secret);
            found.push_back(authorization_value(*options.token));
        }
        for (const Header& header : request.headers) {
            if (!iequals(header.name, "Authorization") && !iequals(header.name, "Proxy-Authorization")) continue;
            found.push_back(header.value);
            if (const size_t space = header.value.find(' '); space != std::string::npos)
                found.push_back(header.value.substr(space + 1));
        }
        return found;
    }

    std::chrono::milliseconds backoff(int retry) {
        return backoff_delay(options.retry, retry, std::uniform_real_distribution<double>(0.0, 1.0)(random));
    }

    ClientOptions options;
    curl::Transfer transfer;                          // after options: it points at them
    std::minstd_rand random;                          // jitter only; needs no cryptographic quality
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const ClientOptions& Client::options() const { return impl_->options; }

std::expected<Response, Error> Client::send(const Request& request) {
    auto host = curl::server_host(request.url);
    if (!host) return std::unexpected(std::move(host.error()));

    const std::vector<std::string> secrets = impl_->secrets(request);
    const RetryPolicy& policy = impl_->options.retry;
    const std::atomic<bool>* cancel = impl_->options.cancel;
    const int max_attempts = std::max(policy.max_attempts, 1);

    for (int attempt = 1;; ++attempt) {
        if (cancelled(cancel)) return std::unexpected(cancelled_error(*host, attempt - 1));
        curl::Attempt outcome = impl_->transfer.perform(request, *host, secrets);
        const bool last = attempt >= max_attempts;

        if (!outcome.result) {
            Error& error = outcome.result.error();
            error.attempts = attempt;
            if (last || !is_retryable_failure(error.kind, outcome.reached_server, request.idempotent))
                return std::unexpected(std::move(error));
            if (!wait_unless_cancelled(impl_->backoff(attempt), cancel)) return std::unexpected(cancelled_error(*host, attempt));
            continue;
        }

        Response& response = *outcome.result;
        response.attempts = attempt;
        if (!is_retryable_status(response.status, request.idempotent) || last) {
            if (is_answer(request, response.status)) return std::move(response);
            std::optional<std::chrono::seconds> retry_after;
            if (const auto value = response.header("Retry-After"))
                retry_after = parse_retry_after(*value, std::chrono::system_clock::now());
            return std::unexpected(status_error(response, *host, retry_after));
        }

        std::chrono::milliseconds wait = impl_->backoff(attempt);
        if (const auto value = response.header("Retry-After")) {
            if (const auto asked = parse_retry_after(*value, std::chrono::system_clock::now())) {
                // Waiting longer than the policy allows would hold the sync thread hostage; the
                // caller learns the server's wish and schedules its next try itself.
                if (*asked > policy.max_delay) return std::unexpected(status_error(response, *host, asked));
                wait = *asked;
            }
        }
        if (!wait_unless_cancelled(wait, cancel)) return std::unexpected(cancelled_error(*host, attempt));
    }
}

} // namespace kiosk::http
