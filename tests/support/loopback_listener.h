// A TCP listener on 127.0.0.1 (a free port picked by the kernel) that hands each connection to a
// handler on its own thread, one connection at a time: the base of the loopback printers.
//
// Thread rule: the handler runs on the listener's thread; the destructor wakes it (a read returns
// nothing once stopping) and joins it. Every descriptor is closed by its owner's destructor.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace kiosk::testing {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// A loopback port that refuses connections: bound, never listening, held for the test.
class RefusingPort {
public:
    RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        socklen_t length = sizeof address;
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    uint16_t port() const { return port_; }

private:
    UniqueFd fd_;
    uint16_t port_ = 0;
};

// One accepted connection, as the handler sees it.
class LoopbackConnection {
public:
    LoopbackConnection(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}
    // What arrived, waiting up to `timeout`; empty string: nothing yet; nullopt: closed or stopping.
    std::optional<std::string> read_some(std::chrono::milliseconds timeout) {
        std::array<pollfd, 2> fds{{{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
        const int rc = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
        if (rc < 0) return errno == EINTR ? std::optional<std::string>("") : std::nullopt;
        if (fds[1].revents != 0) return std::nullopt;
        if (rc == 0) return std::string();
        std::array<char, 65536> buffer{};
        const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (n <= 0) return std::nullopt;
        return std::string(buffer.data(), static_cast<size_t>(n));
    }
    void write(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            data.remove_prefix(static_cast<size_t>(n));
        }
    }

private:
    int fd_;
    int wake_fd_;
};

class LoopbackListener {
public:
    using Handler = std::function<void(LoopbackConnection&)>;

    explicit LoopbackListener(Handler handler) : handler_(std::move(handler)) {
        listen_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (listen_.get() < 0) throw std::system_error(errno, std::generic_category(), "socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_.get(), 16) != 0)
            throw std::system_error(errno, std::generic_category(), "bind/listen");
        socklen_t length = sizeof address;
        ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        std::array<int, 2> pipe_fds{};
        if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
        wake_read_ = UniqueFd(pipe_fds[0]);
        wake_write_ = UniqueFd(pipe_fds[1]);
        thread_ = std::thread([this] { run(); });
    }
    LoopbackListener(const LoopbackListener&) = delete;
    LoopbackListener& operator=(const LoopbackListener&) = delete;
    ~LoopbackListener() {
        const char wake = 1;
        [[maybe_unused]] const ssize_t ignored = ::write(wake_write_.get(), &wake, 1);
        thread_.join();
    }

    uint16_t port() const { return port_; }
    int connections() const { return connections_.load(); }

private:
    void run() {
        for (;;) {
            std::array<pollfd, 2> fds{{{listen_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}}};
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (fds[1].revents != 0) return;
            UniqueFd client(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (client.get() < 0) continue;
            ++connections_;
            LoopbackConnection connection(client.get(), wake_read_.get());
            handler_(connection);
        }
    }

    Handler handler_;
    UniqueFd listen_, wake_read_, wake_write_;
    uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::thread thread_;
};

} // namespace kiosk::testing
