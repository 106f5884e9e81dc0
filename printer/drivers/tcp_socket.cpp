#include "printer/drivers/tcp_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "printer/drivers/printer_uri.h"

namespace kiosk::printer {
namespace {

struct AddrinfoFree {
    void operator()(addrinfo* list) const { freeaddrinfo(list); }
};

int remaining_ms(TcpSocket::Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - TcpSocket::Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error (errno set).
int wait_for(int fd, short events, TcpSocket::Clock::time_point deadline) {
    for (;;) {
        pollfd polled{fd, events, 0};
        const int rc = ::poll(&polled, 1, remaining_ms(deadline));
        if (rc < 0 && errno == EINTR) continue;
        return rc;
    }
}

std::string lowercase_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
}

} // namespace

std::expected<TcpSocket, std::string> TcpSocket::connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
    const std::string peer = host_port(host, port);
    const std::string unreachable = "The printer at " + peer + " cannot be reached: ";
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
        return std::unexpected(unreachable + lowercase_first(::gai_strerror(rc)) + ".");
    const std::unique_ptr<addrinfo, AddrinfoFree> list(found);

    const Clock::time_point deadline = Clock::now() + timeout;
    std::string last_error = "no address";
    for (const addrinfo* address = list.get(); address != nullptr; address = address->ai_next) {
        const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, address->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        TcpSocket socket(fd, peer);
        // A label is followed by a small status query; Nagle's algorithm held that query back for
        // the label's ACK (~40 ms per badge on loopback). Failure to set it only costs that time.
        const int no_delay = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay);
        if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0) return socket;
        if (errno != EINPROGRESS) {
            last_error = std::strerror(errno);
            continue;
        }
        const int ready = wait_for(fd, POLLOUT, deadline);
        if (ready == 0) {
            last_error = "no answer within " + std::to_string(timeout.count()) + " ms";
            break;
        }
        int error = 0;
        socklen_t length = sizeof error;
        if (ready < 0) error = errno;
        else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error == 0) return socket;
        last_error = std::strerror(error);
    }
    return std::unexpected(unreachable + lowercase_first(last_error) + ".");
}

TcpSocket::TcpSocket(TcpSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), peer_(std::move(other.peer_)) {}

TcpSocket& TcpSocket::operator=(TcpSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        peer_ = std::move(other.peer_);
    }
    return *this;
}

TcpSocket::~TcpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

std::expected<void, std::string> TcpSocket::send_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const int ready = wait_for(fd_, POLLOUT, deadline);
            if (ready == 0) return std::unexpected("The printer at " + peer_ + " stopped taking data (nothing accepted for too long).");
            if (ready > 0) continue;
        }
        return std::unexpected("The connection to the printer at " + peer_ + " broke while sending: " + lowercase_first(std::strerror(errno)) + ".");
    }
    return {};
}

std::expected<void, std::string> TcpSocket::receive_some(std::string& into, size_t max, Clock::time_point deadline) {
    for (;;) {
        const int ready = wait_for(fd_, POLLIN, deadline);
        if (ready == 0) return {};
        if (ready < 0) return std::unexpected("The connection to the printer at " + peer_ + " failed: " + lowercase_first(std::strerror(errno)) + ".");
        const size_t old_size = into.size();
        into.resize(old_size + max);
        const ssize_t got = ::recv(fd_, into.data() + old_size, max, 0);
        into.resize(old_size + (got > 0 ? static_cast<size_t>(got) : 0));
        if (got > 0) return {};
        if (got == 0) return std::unexpected("The printer at " + peer_ + " closed the connection.");
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
        return std::unexpected("The connection to the printer at " + peer_ + " failed: " + lowercase_first(std::strerror(errno)) + ".");
    }
}

void TcpSocket::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

} // namespace kiosk::printer
