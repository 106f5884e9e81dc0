// One Python emulator (tests/emulators/<name>_emulator.py) as a child process of a test, with its
// admin API: the process handling every emulator fixture shares (pretix_emulator.h,
// constantcontact_emulator.h, oveit_emulator.h, brightstar_emulator.h). A fixture holds one
// EmulatorProcess and reads what it needs from ready_info().
//
//     EmulatorProcess process({.name = "oveit emulator", .script = "oveit_emulator.py", .args = {...}});
//     process.start();                       // returns once the emulator accepts connections
//     process.ready_info()["url"]            // what it wrote to its ready file
//     process.admin("GET", "/counters")      // its admin API, /_emulator<path>
//     process.kill(); process.start();       // a crash and a restart on the same port
//
// The command line: <python> tests/emulators/<script> --port <port> --ready-file <file>
// --exit-with-parent <args>. The port is 0 (any free port) until the first start and the same
// port afterwards. --exit-with-parent makes a test process that crashes leave no emulator behind.
//
// Lifetime: start() returns when the ready file exists (the emulator writes it atomically, by
// rename, once it accepts connections) and throws std::runtime_error with the emulator's stderr
// if it exits first or does not get there within `start_timeout`. stop() sends SIGTERM, kill()
// SIGKILL; either waits for the end (SIGKILL after 10 s). The destructor stops it.
//
// admin() speaks plain HTTP/1.1 over a socket itself (the fixtures must not depend on the HTTP
// client they are used to test), with the ready file's admin_token as a Bearer token. It returns
// the answer's JSON (null when it has no body); an answer of 400 or more throws
// std::runtime_error with the emulator's words, so a test never goes on with a set-up that did
// not happen.
//
// Thread rule: one thread uses an EmulatorProcess; different ones are independent.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace kiosk::testing {

struct EmulatorLaunch {
    std::string name;                                 // "pretix emulator": starts every error message
    std::string script;                               // the file in tests/emulators
    std::vector<std::string> args;                    // more command-line arguments
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class EmulatorProcess {
public:
    explicit EmulatorProcess(EmulatorLaunch launch) : launch_(std::move(launch)) {}
    ~EmulatorProcess() { stop(); }
    EmulatorProcess(const EmulatorProcess&) = delete;
    EmulatorProcess& operator=(const EmulatorProcess&) = delete;

    //-------------------------------------------------------------------------
    // Process control
    //-------------------------------------------------------------------------
    // Starts the emulator and waits for its ready file; the same port as before once it has one.
    // Returns the ready file's JSON (also ready_info()).
    const nlohmann::json& start() {
        if (running()) throw std::logic_error(launch_.name + ": start() while it runs");
        const std::string ready_file = dir_.file("ready.json");
        std::filesystem::remove(ready_file);
        std::vector<std::string> argv = {launch_.python, std::string(KIOSK_SOURCE_DIR) + "/tests/emulators/" + launch_.script,
                                         "--port", std::to_string(port_), "--ready-file", ready_file, "--exit-with-parent"};
        argv.insert(argv.end(), launch_.args.begin(), launch_.args.end());

        process_.emplace(start_process(argv));
        pid_ = process_->pid();
        exit_ = std::make_shared<Exit>();
        // Reads the child's output all along (a full pipe would block it) and reaps it when it ends.
        finisher_ = std::thread([process = &*process_, exit = exit_] {
            ProcessResult result = process->finish();
            const std::lock_guard lock(exit->mutex);
            exit->result = std::move(result);
            exit->done = true;
        });
        wait_until_ready(ready_file);
        return ready_;
    }

    // SIGTERM, as an orderly shutdown; SIGKILL if it is still there after 10 s.
    void stop() { end(SIGTERM); }
    // SIGKILL, as a crash or a power cut.
    void kill() { end(SIGKILL); }

    bool running() const { return process_.has_value(); }
    int port() const { return port_; }
    const nlohmann::json& ready_info() const { return ready_; }   // the last start's ready file

    // stderr of the last run that ended (for a test's failure message).
    std::string last_stderr() const {
        if (!exit_) return {};
        const std::lock_guard lock(exit_->mutex);
        return exit_->result.err;
    }

    //-------------------------------------------------------------------------
    // Admin API (/_emulator)
    //-------------------------------------------------------------------------
    // `path` relative to /_emulator ("/counters"), or starting with /_emulator. The body is sent
    // as JSON unless it is null.
    nlohmann::json admin(std::string_view method, std::string_view path, const nlohmann::json& body = nullptr) const {
        std::string target(path);
        if (!target.starts_with("/_emulator")) target = "/_emulator" + target;
        const std::string payload = body.is_null() ? std::string() : body.dump();
        std::string request = std::string(method) + " " + target + " HTTP/1.1\r\n" + "Host: 127.0.0.1:" +
                              std::to_string(port_) + "\r\n" + "Authorization: Bearer " + admin_token_ + "\r\n" +
                              "Connection: close\r\n";
        if (!payload.empty()) request += "Content-Type: application/json\r\n";
        request += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
        const auto [status, answer] = exchange(request);
        const std::string what = launch_.name + " admin " + std::string(method) + " " + target;
        if (status >= 400) throw std::runtime_error(what + ": HTTP " + std::to_string(status) + ": " + answer);
        if (answer.empty()) return nullptr;
        nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw std::runtime_error(what + ": not JSON: " + answer);
        return parsed;
    }

private:
    struct Exit {
        std::mutex mutex;
        bool done = false;
        ProcessResult result;
    };

    bool exited() const {
        const std::lock_guard lock(exit_->mutex);
        return exit_->done;
    }

    void signal_child(int sig) const {
        // The finisher reaps the child the moment it ends; a pid reaped a moment ago is not reused
        // within the same instant, so checking first is good enough for a test.
        if (!exited()) ::kill(pid_, sig);
    }

    void end(int sig) {
        if (!running()) return;
        signal_child(sig);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!exited() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        signal_child(SIGKILL);
        finisher_.join();
        process_.reset();
    }

    void wait_until_ready(const std::string& ready_file) {
        const auto deadline = std::chrono::steady_clock::now() + launch_.start_timeout;
        while (!std::filesystem::exists(ready_file)) {
            if (exited()) {
                const std::string err = last_stderr();
                end(SIGKILL);
                throw std::runtime_error(launch_.name + " exited before it was ready: " + err);
            }
            if (std::chrono::steady_clock::now() > deadline) {
                end(SIGKILL);
                throw std::runtime_error(launch_.name + " not ready within " + std::to_string(launch_.start_timeout.count()) +
                                         " s: " + last_stderr());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        try {
            // Whole when it exists: the emulator writes it atomically (rename).
            std::ifstream in(ready_file);
            std::stringstream text;
            text << in.rdbuf();
            ready_ = nlohmann::json::parse(text.str());
            port_ = ready_.at("port").get<int>();
            admin_token_ = ready_.at("admin_token").get<std::string>();
        } catch (...) {
            end(SIGKILL);   // the finisher thread must be joined before anything unwinds past it
            throw;
        }
    }

    // One request on a fresh connection; the answer's status and body (read until the server closes).
    std::pair<int, std::string> exchange(const std::string& request) const {
        const std::string what = launch_.name + " admin";
        detail::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) throw std::system_error(errno, std::generic_category(), "socket");
        const timeval timeout{30, 0};   // a hung emulator fails the test instead of hanging it
        ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            throw std::system_error(errno, std::generic_category(), what + ": connect");
        for (std::string_view rest = request; !rest.empty();) {
            const ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::system_error(errno, std::generic_category(), what + ": send");
            rest.remove_prefix(static_cast<size_t>(n));
        }
        std::string answer;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), what + ": recv");
            if (n == 0) break;
            answer.append(buffer, static_cast<size_t>(n));
        }
        const size_t head_end = answer.find("\r\n\r\n");
        if (!answer.starts_with("HTTP/1.") || head_end == std::string::npos || answer.size() < 12)
            throw std::runtime_error(what + ": not an HTTP answer: " + answer.substr(0, 200));
        return {std::stoi(answer.substr(9, 3)), answer.substr(head_end + 4)};
    }

    EmulatorLaunch launch_;
    TempDir dir_;                                     // the ready file
    std::optional<RunningProcess> process_;
    pid_t pid_ = -1;
    std::shared_ptr<Exit> exit_;
    std::thread finisher_;
    int port_ = 0;                                    // 0 until the first start: any free port
    nlohmann::json ready_;
    std::string admin_token_;
};

} // namespace kiosk::testing
