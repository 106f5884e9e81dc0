// A TCP connection to a network label printer (raw port 9100), with a deadline on every step:
// a printer that is switched off, unplugged or wedged costs the print thread a bounded wait,
// never a hang. The descriptor is closed by the destructor.
//
// Thread rule: one connection belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace kiosk::printer {

class TcpSocket {
public:
    using Clock = std::chrono::steady_clock;

    // Resolves `host` and connects within `timeout`; the error is a sentence for staff
    // ("The printer at 10.0.0.5:9100 cannot be reached: connection refused.").
    static std::expected<TcpSocket, std::string> connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

    TcpSocket(TcpSocket&& other) noexcept;
    TcpSocket& operator=(TcpSocket&& other) noexcept;
    TcpSocket(const TcpSocket&) = delete;
    TcpSocket& operator=(const TcpSocket&) = delete;
    ~TcpSocket();

    // All of `data` by the deadline, or why not.
    std::expected<void, std::string> send_all(std::string_view data, Clock::time_point deadline);
    // Appends what arrives by the deadline, at most `max` bytes, returning after the first chunk.
    // Ok with nothing appended means the deadline passed; an error is a closed or broken connection.
    std::expected<void, std::string> receive_some(std::string& into, size_t max, Clock::time_point deadline);
    // Half-closes the sending side: the printer sees the end of the job, answers can still come.
    void shutdown_send();

    const std::string& peer() const { return peer_; }

private:
    TcpSocket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
    int fd_ = -1;
    std::string peer_;                      // "HOST:PORT" for messages
};

} // namespace kiosk::printer
