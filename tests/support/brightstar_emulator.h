// The BrightStar emulator (tests/emulators/brightstar_emulator.py) as a test fixture: BrightStar's
// ticket validation API on loopback, started as a child process and stopped with the fixture. The
// process handling is tests/support/pretix_emulator.h's (read it for the details).
//
// Read the emulator's docstring for what it serves (validate, checkin, the error codes and our
// assumptions), its generated data (events evt_abc123, open, and evt_later, not started; tickets
// TKT-ABC123-0001.., n % 10 == 3 cancelled, n % 10 == 7 checked in at 09:15:00Z; the seed's
// TKT-ABC123-XYZ) and its admin API. The essentials:
//
//     kiosk::testing::BrightStarEmulator brightstar;                                  // open API
//     kiosk::testing::BrightStarEmulator locked({.args = {"--token", "s3cret"}});     // Bearer required
//
//     brightstar.url()        "http://127.0.0.1:<port>/v1" (Connection.url for the code under test)
//     brightstar.token()      the token given with --token, "" without
//     brightstar.counters()["checkins_recorded"]                  what the server recorded
//     brightstar.ticket("TKT-ABC123-XYZ")["checked_in"]           one ticket's state
//     brightstar.set_clock("2025-07-20T18:00:00Z")                the virtual clock (it stands still)
//     brightstar.fault({{"path", "/v1/tickets/checkin"}, {"kind", "status"}, {"status", 500}})
//     brightstar.clear_faults();
//     brightstar.reset();                 back to the start: tests may share one emulator
//
// admin() calls /_emulator<path> with the admin token and returns the answer's JSON (null when it
// has no body); an answer of 400 or more throws std::runtime_error with the emulator's words. It
// speaks plain HTTP/1.1 over a socket itself, so the fixture does not depend on the HTTP client it
// is used to test.
//
// Lifetime: the constructor returns when the emulator accepts connections (its ready file) and
// throws std::runtime_error with the emulator's stderr if it does not within `start_timeout`. The
// destructor stops it (SIGTERM, then SIGKILL if it hangs); kill() and start() restart it on the
// same port with fresh data. --exit-with-parent makes a crashed test leave no emulator behind.
//
// Thread rule: one thread uses a fixture; fixtures on different threads are independent.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
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

struct BrightStarEmulatorOptions {
    std::vector<std::string> args;                    // more command-line arguments: --token, --event, --tickets, --scanner, --clock
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class BrightStarEmulator {
public:
    explicit BrightStarEmulator(BrightStarEmulatorOptions options = {}) : options_(std::move(options)) { start(); }
    ~BrightStarEmulator() { stop(); }
    BrightStarEmulator(const BrightStarEmulator&) = delete;
    BrightStarEmulator& operator=(const BrightStarEmulator&) = delete;

    //-------------------------------------------------------------------------
    // What the emulator said in its ready file
    //-------------------------------------------------------------------------
    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>", no trailing slash
    int port() const { return port_; }
    const std::string& base() const { return base_; }                 // "http://127.0.0.1:<port>" (the admin API's)
    const std::string& token() const { return token_; }               // "" when started without --token
    const std::string& admin_token() const { return admin_token_; }
    const std::vector<std::string>& events() const { return events_; }
    const nlohmann::json& ready_info() const { return ready_; }       // the whole ready file
    bool running() const { return process_.has_value(); }

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
        const std::string what = std::string(method) + " " + target;
        if (status >= 400) throw std::runtime_error("BrightStar emulator admin " + what + ": HTTP " + std::to_string(status) + ": " + answer);
        if (answer.empty()) return nullptr;
        nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw std::runtime_error("BrightStar emulator admin " + what + ": not JSON: " + answer);
        return parsed;
    }

    nlohmann::json counters() const { return admin("GET", "/counters"); }
    nlohmann::json ticket(std::string_view id) const { return admin("GET", "/tickets/" + std::string(id)); }
    // Back to the start (the command line's data and clock, no faults, empty counters and log):
    // tests that share one emulator reset it before each test.
    void reset() const { admin("POST", "/reset"); }
    void set_clock(std::string_view iso) const { admin("POST", "/clock", {{"now", std::string(iso)}}); }
    // A fault spec or a list of them (see the docstring's POST /_emulator/faults).
    nlohmann::json fault(const nlohmann::json& spec) const { return admin("POST", "/faults", spec); }
    void clear_faults() const { admin("DELETE", "/faults"); }

    //-------------------------------------------------------------------------
    // Process control
    //-------------------------------------------------------------------------
    // Starts the emulator (after kill() or stop()); the same port as before once it has one.
    void start() {
        if (running()) throw std::logic_error("BrightStar emulator: start() while it runs");
        const std::string ready_file = dir_.file("ready.json");
        std::filesystem::remove(ready_file);
        std::vector<std::string> argv = {options_.python, std::string(KIOSK_SOURCE_DIR) + "/tests/emulators/brightstar_emulator.py",
                                         "--port", std::to_string(port_), "--ready-file", ready_file, "--exit-with-parent"};
        argv.insert(argv.end(), options_.args.begin(), options_.args.end());

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
    }

    // SIGTERM, as an orderly shutdown; SIGKILL if it is still there after 10 s.
    void stop() { end(SIGTERM); }
    // SIGKILL, as a crash or a power cut (the emulator keeps no state: a restart starts afresh).
    void kill() { end(SIGKILL); }

    // stderr of the last run that ended (for a test's failure message).
    std::string last_stderr() const {
        if (!exit_) return {};
        const std::lock_guard lock(exit_->mutex);
        return exit_->result.err;
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
        const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
        while (!std::filesystem::exists(ready_file)) {
            if (exited()) {
                const std::string err = last_stderr();
                end(SIGKILL);
                throw std::runtime_error("BrightStar emulator exited before it was ready: " + err);
            }
            if (std::chrono::steady_clock::now() > deadline) {
                end(SIGKILL);
                throw std::runtime_error("BrightStar emulator not ready within " + std::to_string(options_.start_timeout.count()) +
                                         " s: " + last_stderr());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        try {
            read_ready_file(ready_file);
        } catch (...) {
            end(SIGKILL);   // the finisher thread must be joined before anything unwinds past it
            throw;
        }
    }

    // The emulator writes the file atomically (rename), so it is whole when it exists.
    void read_ready_file(const std::string& ready_file) {
        std::ifstream in(ready_file);
        std::stringstream text;
        text << in.rdbuf();
        ready_ = nlohmann::json::parse(text.str());
        port_ = ready_.at("port").get<int>();
        url_ = ready_.at("url").get<std::string>();
        base_ = ready_.at("base").get<std::string>();
        token_ = ready_.at("token").is_string() ? ready_.at("token").get<std::string>() : std::string();
        admin_token_ = ready_.at("admin_token").get<std::string>();
        events_ = ready_.at("events").get<std::vector<std::string>>();
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
            throw std::system_error(errno, std::generic_category(), "BrightStar emulator admin: connect");
        for (std::string_view rest = request; !rest.empty();) {
            const ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::system_error(errno, std::generic_category(), "BrightStar emulator admin: send");
            rest.remove_prefix(static_cast<size_t>(n));
        }
        std::string answer;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "BrightStar emulator admin: recv");
            if (n == 0) break;
            answer.append(buffer, static_cast<size_t>(n));
        }
        const size_t head_end = answer.find("\r\n\r\n");
        if (!answer.starts_with("HTTP/1.") || head_end == std::string::npos || answer.size() < 12)
            throw std::runtime_error("BrightStar emulator admin: not an HTTP answer: " + answer.substr(0, 200));
        return {std::stoi(answer.substr(9, 3)), answer.substr(head_end + 4)};
    }

    BrightStarEmulatorOptions options_;
    TempDir dir_;                                     // the ready file
    std::optional<RunningProcess> process_;
    pid_t pid_ = -1;
    std::shared_ptr<Exit> exit_;
    std::thread finisher_;
    int port_ = 0;                                    // 0 until the first start: any free port
    nlohmann::json ready_;
    std::string url_, base_, token_, admin_token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
