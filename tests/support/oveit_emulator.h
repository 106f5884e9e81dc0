// The Oveit emulator (tests/emulators/oveit_emulator.py) as a test fixture: Oveit's tickets API
// (list, check-in, scan) on loopback, started as a child process and stopped with the fixture.
//
// Read the emulator's docstring for what it serves, its error answers (200 {"error"}, 403 for a
// bad token; the words beyond Oveit's documented example are our assumption), its generated data
// and its admin API. The essentials:
//
//     kiosk::testing::OveitEmulator oveit;                      // the seed's event 100 and tickets
//     kiosk::testing::OveitEmulator big({.args = {"--events", "1", "--tickets", "10000"}});  // + event 1001
//
//     oveit.url()             "http://127.0.0.1:<port>/api" (the API base, as Connection.url)
//     oveit.token()           the access token the API accepts (the `token` parameter)
//     oveit.events()          the event ids ("100", "1001", ...)
//     oveit.ticket(event, code)                  {"code", "ticket_type_id", "checkins", "rfid_codes", ...}
//     oveit.patch_ticket(event, code, {...})     oveit.cancel_ticket(event, code)
//     oveit.counters()        list_requests, checkin_requests, checkins_recorded, checkins_by_entry, ...
//     oveit.requests()        every API request received: path, params (token masked), token_ok
//     oveit.fault({{"kind", "status"}, {"status", 500}, {"count", 10}});   oveit.clear_faults();
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

struct OveitEmulatorOptions {
    std::vector<std::string> args;                    // more arguments: --events, --tickets, --token, --clock
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class OveitEmulator {
public:
    explicit OveitEmulator(OveitEmulatorOptions options = {}) : options_(std::move(options)) { start(); }
    ~OveitEmulator() { stop(); }
    OveitEmulator(const OveitEmulator&) = delete;
    OveitEmulator& operator=(const OveitEmulator&) = delete;

    static constexpr std::string_view kSeedEvent = "100";           // "Indila concert", the seed's example

    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>/api"
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
            throw std::runtime_error("oveit emulator admin " + what + ": HTTP " + std::to_string(status) + ": " + answer);
        if (answer.empty()) return nullptr;
        nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw std::runtime_error("oveit emulator admin " + what + ": not JSON: " + answer);
        return parsed;
    }

    nlohmann::json counters() const { return admin("GET", "/counters"); }
    nlohmann::json requests() const { return admin("GET", "/requests")["results"]; }
    nlohmann::json ticket(std::string_view event, std::string_view code) const {
        return admin("GET", "/events/" + std::string(event) + "/tickets/" + std::string(code));
    }
    nlohmann::json patch_ticket(std::string_view event, std::string_view code, const nlohmann::json& change) const {
        return admin("PATCH", "/events/" + std::string(event) + "/tickets/" + std::string(code), change);
    }
    nlohmann::json add_tickets(std::string_view event, const nlohmann::json& spec) const {
        return admin("POST", "/events/" + std::string(event) + "/tickets", spec)["tickets"];
    }
    void cancel_ticket(std::string_view event, std::string_view code) const {
        admin("DELETE", "/events/" + std::string(event) + "/tickets/" + std::string(code));
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
                                         std::string(KIOSK_SOURCE_DIR) + "/tests/emulators/oveit_emulator.py",
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
                throw std::runtime_error("oveit emulator did not start: " + last_stderr());
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
            events_.clear();
            for (const auto& id : ready.at("events")) events_.push_back(std::to_string(id.get<long long>()));
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
            throw std::system_error(errno, std::generic_category(), "oveit emulator admin: connect");
        for (std::string_view rest = request; !rest.empty();) {
            const ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::system_error(errno, std::generic_category(), "oveit emulator admin: send");
            rest.remove_prefix(static_cast<size_t>(n));
        }
        std::string answer;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "oveit emulator admin: recv");
            if (n == 0) break;
            answer.append(buffer, static_cast<size_t>(n));
        }
        const size_t head_end = answer.find("\r\n\r\n");
        if (!answer.starts_with("HTTP/1.") || head_end == std::string::npos || answer.size() < 12)
            throw std::runtime_error("oveit emulator admin: not an HTTP answer: " + answer.substr(0, 200));
        return {std::stoi(answer.substr(9, 3)), answer.substr(head_end + 4)};
    }

    OveitEmulatorOptions options_;
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
