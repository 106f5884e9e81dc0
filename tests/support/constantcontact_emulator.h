// The Constant Contact emulator (tests/emulators/constantcontact_emulator.py) as a test fixture:
// the v3 check-in and undo calls on loopback, started as a child process and stopped with the
// fixture.
//
// Read the emulator's docstring for what it serves, its error arrays (our assumption where the
// seeds are silent) and its admin API. The essentials:
//
//     kiosk::testing::ConstantContactEmulator cc;               // the seed's event and tickets
//     kiosk::testing::ConstantContactEmulator cc2({.args = {"--event", "ev=DRAFT", "--ticket", "ev:t1"}});
//
//     cc.url()                "http://127.0.0.1:<port>/v3" (the API base, as Connection.url)
//     cc.token()              the access token the API accepts (Bearer)
//     cc.events()             the event ids made at start
//     cc.ticket(event, key)   {"key", "status", "checked_in", "check_ins", "undos", ...}
//     cc.counters()           check_in_requests, keys_checked_in, batch_sizes, refused, ...
//     cc.requests()           every API request received: method, path, authorization, body
//     cc.fault({{"kind", "status"}, {"status", 500}, {"count", 10}});   cc.clear_faults();
//     cc.admin("PATCH", "/events/ev", {{"status", "CANCELLED"}});
//
// admin() calls /_emulator<path> with the admin token over a plain socket (the fixture does not
// depend on the HTTP client it tests) and returns the answer's JSON; an answer of 400 or more
// throws std::runtime_error, so a test never goes on with a set-up that did not happen.
//
// Lifetime: the constructor returns when the emulator accepts connections (its ready file) or
// throws with the emulator's stderr; the destructor stops it (SIGTERM, then SIGKILL).
// --exit-with-parent makes a crashed test leave no emulator behind.
//
// Thread rule: one thread uses a fixture; fixtures on different threads are independent.
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

struct ConstantContactEmulatorOptions {
    std::vector<std::string> args;                    // more arguments: --event, --ticket, --tickets, --token
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class ConstantContactEmulator {
public:
    explicit ConstantContactEmulator(ConstantContactEmulatorOptions options = {}) : options_(std::move(options)) { start(); }
    ~ConstantContactEmulator() { stop(); }
    ConstantContactEmulator(const ConstantContactEmulator&) = delete;
    ConstantContactEmulator& operator=(const ConstantContactEmulator&) = delete;

    static constexpr std::string_view kSeedEvent = "07216444-4e3b-41ea-a3b8-5a418fce41f4";

    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>/v3"
    int port() const { return port_; }
    const std::string& token() const { return token_; }
    const std::vector<std::string>& events() const { return events_; }

    //-------------------------------------------------------------------------
    // Admin API (/_emulator)
    //-------------------------------------------------------------------------
    nlohmann::json admin(std::string_view method, std::string_view path, const nlohmann::json& body = nullptr) const {
        std::string target(path);
        if (!target.starts_with("/_emulator")) target = "/_emulator" + target;
        const std::string payload = body.is_null() ? std::string() : body.dump();
        std::string request = std::string(method) + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                              "\r\nAuthorization: Bearer " + admin_token_ + "\r\nConnection: close\r\n";
        if (!payload.empty()) request += "Content-Type: application/json\r\n";
        request += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
        const auto [status, answer] = exchange(request);
        const std::string what = std::string(method) + " " + target;
        if (status >= 400)
            throw std::runtime_error("constantcontact emulator admin " + what + ": HTTP " + std::to_string(status) + ": " + answer);
        if (answer.empty()) return nullptr;
        nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw std::runtime_error("constantcontact emulator admin " + what + ": not JSON: " + answer);
        return parsed;
    }

    nlohmann::json counters() const { return admin("GET", "/counters"); }
    nlohmann::json requests() const { return admin("GET", "/requests")["results"]; }
    nlohmann::json ticket(std::string_view event, std::string_view key) const {
        return admin("GET", "/events/" + std::string(event) + "/tickets/" + std::string(key));
    }
    nlohmann::json fault(const nlohmann::json& spec) const { return admin("POST", "/faults", spec); }
    void clear_faults() const { admin("DELETE", "/faults"); }

    // stderr of the run that ended (for a failure message).
    std::string last_stderr() const {
        const std::lock_guard lock(exit_->mutex);
        return exit_->result.err;
    }

private:
    struct Exit {
        std::mutex mutex;
        bool done = false;
        ProcessResult result;
    };

    void start() {
        const std::string ready_file = dir_.file("ready.json");
        std::vector<std::string> argv = {options_.python,
                                         std::string(KIOSK_SOURCE_DIR) + "/tests/emulators/constantcontact_emulator.py",
                                         "--port", "0", "--ready-file", ready_file, "--exit-with-parent"};
        argv.insert(argv.end(), options_.args.begin(), options_.args.end());
        process_.emplace(start_process(argv));
        pid_ = process_->pid();
        // Reads the child's output all along (a full pipe would block it) and reaps it when it ends.
        finisher_ = std::thread([process = &*process_, exit = exit_] {
            ProcessResult result = process->finish();
            const std::lock_guard lock(exit->mutex);
            exit->result = std::move(result);
            exit->done = true;
        });
        const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
        while (!std::filesystem::exists(ready_file)) {
            if (exited() || std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("constantcontact emulator did not start: " + last_stderr());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        try {
            // The emulator writes the file atomically (rename), so it is whole when it exists.
            std::ifstream in(ready_file);
            std::stringstream text;
            text << in.rdbuf();
            const nlohmann::json ready = nlohmann::json::parse(text.str());
            port_ = ready.at("port").get<int>();
            url_ = ready.at("url").get<std::string>();
            token_ = ready.at("token").get<std::string>();
            admin_token_ = ready.at("admin_token").get<std::string>();
            events_ = ready.at("events").get<std::vector<std::string>>();
        } catch (...) {
            stop();   // the finisher thread must be joined before anything unwinds past it
            throw;
        }
    }

    bool exited() const {
        const std::lock_guard lock(exit_->mutex);
        return exit_->done;
    }

    void stop() {
        if (!process_) return;
        if (!exited()) ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!exited() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!exited()) ::kill(pid_, SIGKILL);
        finisher_.join();
        process_.reset();
    }

    // One request on a fresh connection; the answer's status and body (read until the server closes).
    std::pair<int, std::string> exchange(const std::string& request) const {
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
            throw std::system_error(errno, std::generic_category(), "constantcontact emulator admin: connect");
        for (std::string_view rest = request; !rest.empty();) {
            const ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::system_error(errno, std::generic_category(), "constantcontact emulator admin: send");
            rest.remove_prefix(static_cast<size_t>(n));
        }
        std::string answer;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "constantcontact emulator admin: recv");
            if (n == 0) break;
            answer.append(buffer, static_cast<size_t>(n));
        }
        const size_t head_end = answer.find("\r\n\r\n");
        if (!answer.starts_with("HTTP/1.") || head_end == std::string::npos || answer.size() < 12)
            throw std::runtime_error("constantcontact emulator admin: not an HTTP answer: " + answer.substr(0, 200));
        return {std::stoi(answer.substr(9, 3)), answer.substr(head_end + 4)};
    }

    ConstantContactEmulatorOptions options_;
    TempDir dir_;                                     // the ready file
    std::optional<RunningProcess> process_;
    pid_t pid_ = -1;
    std::shared_ptr<Exit> exit_ = std::make_shared<Exit>();
    std::thread finisher_;
    int port_ = 0;
    std::string url_, token_, admin_token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
