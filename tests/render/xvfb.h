// A private X server for window tests: Xvfb on a display number it picks itself (-displayfd), so
// tests running side by side never collide, with DISPLAY and SDL_VIDEODRIVER set for this process.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

extern char** environ;

namespace kiosk::testing {

class Xvfb {
public:
    // Empty when Xvfb is missing or does not come up within 10 s.
    static std::optional<Xvfb> start(const std::string& screen = "1920x1080x24") {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) return std::nullopt;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        // dup2 onto fd 3 clears close-on-exec there: Xvfb writes its display number to it.
        posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
        const std::string screen_arg = screen;
        const char* argv[] = {"Xvfb", "-displayfd", "3", "-screen", "0", screen_arg.c_str(), "-nolisten", "tcp", "-noreset", nullptr};
        pid_t pid = 0;
        const int spawned = ::posix_spawnp(&pid, "Xvfb", &actions, nullptr, const_cast<char* const*>(argv), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (spawned != 0) {
            ::close(fds[0]);
            return std::nullopt;
        }
        Xvfb server;
        server.pid_ = pid;
        std::string number;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (number.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd polled{fds[0], POLLIN, 0};
            if (::poll(&polled, 1, 200) <= 0) continue;
            char buffer[32];
            const ssize_t got = ::read(fds[0], buffer, sizeof buffer);
            if (got <= 0) break;
            number.append(buffer, static_cast<size_t>(got));
        }
        ::close(fds[0]);
        if (number.find('\n') == std::string::npos) return std::nullopt;   // the destructor stops it
        server.display_ = ":" + number.substr(0, number.find('\n'));
        ::setenv("DISPLAY", server.display_.c_str(), 1);
        ::setenv("SDL_VIDEODRIVER", "x11", 1);
        return server;
    }

    Xvfb(Xvfb&& other) noexcept : pid_(std::exchange(other.pid_, 0)), display_(std::move(other.display_)) {}
    Xvfb& operator=(Xvfb&&) = delete;
    ~Xvfb() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 50 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }
    const std::string& display() const { return display_; }

private:
    Xvfb() = default;
    pid_t pid_ = 0;
    std::string display_;
};

} // namespace kiosk::testing
