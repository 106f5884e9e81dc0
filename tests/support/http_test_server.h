// A scripted HTTP/1.1 server on loopback for testing HTTP clients, with POSIX sockets.
//
// Each path gets a list of replies, given in order; the last one repeats. A reply can be slow
// (delay before the status line), cut off (the connection reset halfway through the body), or
// delimited by closing the connection instead of Content-Length. The server records every request
// and counts connections, so a test can check retries and keep-alive by counting instead of timing.
// The request target is matched without its query; a proxy request's absolute target
// ("http://example.invalid/x") is matched as it is.
//
// Thread rule: the server runs a thread per connection; every public member may be called from the
// test's thread at any time. The destructor wakes sleeping replies and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace kiosk::testing {

struct HttpTestRequest {
    std::string method;
    std::string target;                               // as sent: "/path?query", or absolute through a proxy
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [key, value] : headers)
            if (std::ranges::equal(key, name, [](char a, char b) { return lower(a) == lower(b); })) return value;
        return std::nullopt;
    }

private:
    static char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
};

struct HttpTestReply {
    enum class Ending {
        complete,                                     // Content-Length and the whole body; the connection stays open
        reset_mid_body,                               // Content-Length, half the body, then a TCP reset
        close_delimited,                              // no Content-Length: the body ends when the connection closes
        raw,                                          // the body alone, as it is (no status line), then close
    };
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds delay{0};               // before the status line
    Ending ending = Ending::complete;

    static HttpTestReply plain(int status, std::string body = {}) {
        HttpTestReply reply;
        reply.status = status;
        reply.body = std::move(body);
        return reply;
    }
    static HttpTestReply json(int status, std::string body) {
        return plain(status, std::move(body)).with_header("Content-Type", "application/json");
    }
    HttpTestReply with_header(std::string name, std::string value) const {
        HttpTestReply reply = *this;
        reply.headers.emplace_back(std::move(name), std::move(value));
        return reply;
    }
    HttpTestReply after(std::chrono::milliseconds wait) const {
        HttpTestReply reply = *this;
        reply.delay = wait;
        return reply;
    }
    HttpTestReply ending_with(Ending how) const {
        HttpTestReply reply = *this;
        reply.ending = how;
        return reply;
    }
};

class HttpTestServer {
public:
    HttpTestServer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;                         // the kernel picks a free port
        socklen_t length = sizeof address;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 64) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            const int error = errno;
            ::close(listener_);
            throw std::system_error(error, std::generic_category(), "bind/listen on loopback");
        }
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~HttpTestServer() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
        }
        wake_.notify_all();
        ::shutdown(listener_, SHUT_RDWR);             // wakes accept()
        acceptor_.join();
        ::close(listener_);
        std::vector<std::thread> workers;
        {
            std::lock_guard lock(mutex_);
            workers = std::move(workers_);
        }
        for (std::thread& worker : workers) worker.join();
    }

    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;

    // Replies for `path`, in order; the last one repeats.
    void on(const std::string& path, std::vector<HttpTestReply> replies) {
        std::lock_guard lock(mutex_);
        routes_[path] = {std::move(replies), 0};
    }

    uint16_t port() const { return port_; }
    std::string url(std::string_view path) const { return "http://127.0.0.1:" + std::to_string(port_) + std::string(path); }

    int count(const std::string& path) const {
        std::lock_guard lock(mutex_);
        return static_cast<int>(std::ranges::count_if(requests_, [&](const HttpTestRequest& r) { return route_of(r.target) == path; }));
    }
    int connections() const {
        std::lock_guard lock(mutex_);
        return connections_;
    }
    std::vector<HttpTestRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    static std::string route_of(const std::string& target) { return target.substr(0, target.find('?')); }

    static std::string_view reason(int status) {
        switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
        }
    }

    void accept_loop() {
        for (;;) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            std::lock_guard lock(mutex_);
            if (stopping_) {
                if (fd >= 0) ::close(fd);
                return;
            }
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                return;
            }
            ++connections_;
            open_.insert(fd);
            workers_.emplace_back([this, fd] { serve(fd); });
        }
    }

    // Reads one request; false at end of stream or on a request we cannot parse.
    static bool read_request(int fd, std::string& buffer, HttpTestRequest& request) {
        size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
            if (buffer.size() > 1 << 20 || !receive(fd, buffer)) return false;
        }
        std::string_view head(buffer.data(), end);
        const size_t line_end = head.find("\r\n");
        const std::string_view request_line = head.substr(0, line_end);
        const size_t first_space = request_line.find(' ');
        const size_t second_space = request_line.find(' ', first_space + 1);
        if (first_space == std::string_view::npos || second_space == std::string_view::npos) return false;
        request.method = std::string(request_line.substr(0, first_space));
        request.target = std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
        for (size_t at = line_end; at != std::string_view::npos && at < head.size();) {
            const size_t next = head.find("\r\n", at + 2);
            const std::string_view line = head.substr(at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
            if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
                std::string_view value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
            }
            at = next;
        }
        const size_t length = std::stoul(request.header("Content-Length").value_or("0"));
        buffer.erase(0, end + 4);
        while (buffer.size() < length)
            if (!receive(fd, buffer)) return false;
        request.body = buffer.substr(0, length);
        buffer.erase(0, length);
        return true;
    }

    static bool receive(int fd, std::string& buffer) {
        char chunk[16384];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<size_t>(n));
        return true;
    }

    static bool send_all(int fd, std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;                 // the client hung up: fine, it may have stopped reading
            bytes.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    HttpTestReply reply_for(const std::string& target) {
        std::lock_guard lock(mutex_);
        const auto route = routes_.find(route_of(target));
        if (route == routes_.end() || route->second.first.empty()) return HttpTestReply::json(404, R"({"detail": "Not found."})");
        auto& [replies, next] = route->second;
        const HttpTestReply reply = replies[std::min(next, replies.size() - 1)];
        ++next;
        return reply;
    }

    // Serves one connection until the client closes it, a reply ends it, or the server stops.
    void serve(int fd) {
        std::string buffer;
        bool keep_open = true;
        while (keep_open) {
            HttpTestRequest request;
            if (!read_request(fd, buffer, request)) break;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(request);
            }
            const HttpTestReply reply = reply_for(request.target);
            {
                std::unique_lock lock(mutex_);
                if (wake_.wait_for(lock, reply.delay, [this] { return stopping_; })) break;
            }
            std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " + std::string(reason(reply.status)) + "\r\n";
            for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
            if (reply.ending == HttpTestReply::Ending::close_delimited) head += "Connection: close\r\n";
            else head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
            head += "\r\n";

            switch (reply.ending) {
            case HttpTestReply::Ending::raw:
                send_all(fd, reply.body);
                keep_open = false;
                break;
            case HttpTestReply::Ending::complete:
                keep_open = send_all(fd, head + reply.body);
                break;
            case HttpTestReply::Ending::close_delimited:
                send_all(fd, head + reply.body);
                keep_open = false;
                break;
            case HttpTestReply::Ending::reset_mid_body: {
                send_all(fd, head + reply.body.substr(0, reply.body.size() / 2));
                const linger abort_on_close{1, 0};    // close() now sends RST instead of FIN
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
                keep_open = false;
                break;
            }
            }
        }
        std::lock_guard lock(mutex_);
        open_.erase(fd);
        ::close(fd);
    }

    int listener_ = -1;
    uint16_t port_ = 0;
    std::thread acceptor_;

    mutable std::mutex mutex_;                        // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::string, std::pair<std::vector<HttpTestReply>, size_t>> routes_;   // path -> replies, next index
    std::vector<HttpTestRequest> requests_;
    int connections_ = 0;
    std::set<int> open_;
    std::vector<std::thread> workers_;
};

// A loopback port that refuses connections for as long as this object lives: bound, so no other
// test can take it, but never listening, so a connection attempt is answered with a reset.
class RefusingPort {
public:
    RefusingPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            const int error = errno;
            if (fd_ >= 0) ::close(fd_);
            throw std::system_error(error, std::generic_category(), "bind on loopback");
        }
        port_ = ntohs(address.sin_port);
    }
    ~RefusingPort() { ::close(fd_); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;

    std::string url(std::string_view path) const { return "http://127.0.0.1:" + std::to_string(port_) + std::string(path); }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

} // namespace kiosk::testing
