// The pretix emulator (tests/emulators/pretix_emulator.py) as a test fixture: a real pretix REST
// API on loopback, started as a child process and stopped with the fixture.
//
// Read the emulator's docstring for what it serves (resources, redeem, annul, failed scans,
// device initialisation), its generated data (event1..eventN, ids 1000*k + n, positions
// 10,000,000*k + n) and its admin API. The essentials:
//
//     kiosk::testing::PretixEmulator pretix;                     // 1 generated event, 1000 positions
//     kiosk::testing::PretixEmulator small({.args = {"--events", "2", "--positions", "20"}});
//
//     pretix.url()            "http://127.0.0.1:<port>" (give it to the code under test)
//     pretix.organizer()      the organizer slug; events() the event slugs
//     pretix.team_token()     a team API token (Authorization: Token ...)
//     pretix.init_token()     the init token of a device not yet initialised (one use)
//     pretix.admin("GET", "/events/event1/positions?status=p&limit=1")   tickets to scan
//     pretix.admin("GET", "/counters")["accepted_checkins"]              what the server recorded
//     pretix.fault({{"path", "/api/v1/organizers/"}, {"kind", "status"}, {"status", 500}})
//     pretix.clear_faults();
//
// admin() calls /_emulator<path> with the admin token and returns the answer's JSON (null when it
// has no body); an answer of 400 or more throws std::runtime_error with the emulator's words, so
// a test never goes on with a set-up that did not happen. Any method the admin API knows (GET,
// POST, PATCH, DELETE) works: it speaks plain HTTP/1.1 over a socket itself, so the fixture does
// not depend on the HTTP client it is used to test.
//
// Clock: the emulator lives on the morning of 2027-03-16 (its virtual clock, moved forward by
// POST /clock); send explicit datetimes in check-ins and annulments, as real scanners do.
//
// Crashes and restarts: with `state_dir`, the emulator journals every change it answered. kill()
// ends it with SIGKILL (a crashed server), stop() with SIGTERM; start() runs it again on the same
// port with the same arguments, and it replays its journal (request counters and faults start
// empty). Without a state dir a restart starts from fresh data.
//
// Lifetime: the constructor returns when the emulator accepts connections (it writes its ready
// file then) and throws std::runtime_error with the emulator's stderr if it does not within
// `start_timeout`. The destructor stops it (SIGTERM, then SIGKILL if it hangs). --exit-with-parent
// makes a test process that crashes leave no emulator behind.
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

struct PretixEmulatorOptions {
    std::vector<std::string> args;                    // more command-line arguments: --events, --positions, --load, --clock, ...
    std::filesystem::path state_dir{};                // "" = none; else --state-dir, and start() after kill() replays it
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class PretixEmulator {
public:
    explicit PretixEmulator(PretixEmulatorOptions options = {}) : options_(std::move(options)) { start(); }
    ~PretixEmulator() { stop(); }
    PretixEmulator(const PretixEmulator&) = delete;
    PretixEmulator& operator=(const PretixEmulator&) = delete;

    //-------------------------------------------------------------------------
    // What the emulator said in its ready file
    //-------------------------------------------------------------------------
    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>", no trailing slash
    int port() const { return port_; }
    const std::string& organizer() const { return organizer_; }
    const std::string& team_token() const { return team_token_; }
    const std::string& init_token() const { return init_token_; }
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
        if (status >= 400) throw std::runtime_error("pretix emulator admin " + what + ": HTTP " + std::to_string(status) + ": " + answer);
        if (answer.empty()) return nullptr;
        nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) throw std::runtime_error("pretix emulator admin " + what + ": not JSON: " + answer);
        return parsed;
    }

    nlohmann::json counters() const { return admin("GET", "/counters"); }
    // A fault spec or a list of them (see the docstring's POST /_emulator/faults).
    nlohmann::json fault(const nlohmann::json& spec) const { return admin("POST", "/faults", spec); }
    void clear_faults() const { admin("DELETE", "/faults"); }

    //-------------------------------------------------------------------------
    // Process control
    //-------------------------------------------------------------------------
    // Starts the emulator (after kill() or stop()); the same port as before once it has one.
    void start() {
        if (running()) throw std::logic_error("pretix emulator: start() while it runs");
        const std::string ready_file = dir_.file("ready.json");
        std::filesystem::remove(ready_file);
        std::vector<std::string> argv = {options_.python, std::string(KIOSK_SOURCE_DIR) + "/tests/emulators/pretix_emulator.py",
                                         "--port", std::to_string(port_), "--ready-file", ready_file, "--exit-with-parent"};
        if (!options_.state_dir.empty()) {
            argv.push_back("--state-dir");
            argv.push_back(options_.state_dir.string());
        }
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
    // SIGKILL, as a crash or a power cut: with a state dir, everything answered survives.
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
                throw std::runtime_error("pretix emulator exited before it was ready: " + err);
            }
            if (std::chrono::steady_clock::now() > deadline) {
                end(SIGKILL);
                throw std::runtime_error("pretix emulator not ready within " + std::to_string(options_.start_timeout.count()) +
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
        organizer_ = ready_.at("organizer").get<std::string>();
        team_token_ = ready_.at("team_token").get<std::string>();
        init_token_ = ready_.at("init_token").get<std::string>();
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
            throw std::system_error(errno, std::generic_category(), "pretix emulator admin: connect");
        for (std::string_view rest = request; !rest.empty();) {
            const ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::system_error(errno, std::generic_category(), "pretix emulator admin: send");
            rest.remove_prefix(static_cast<size_t>(n));
        }
        std::string answer;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "pretix emulator admin: recv");
            if (n == 0) break;
            answer.append(buffer, static_cast<size_t>(n));
        }
        const size_t head_end = answer.find("\r\n\r\n");
        if (!answer.starts_with("HTTP/1.") || head_end == std::string::npos || answer.size() < 12)
            throw std::runtime_error("pretix emulator admin: not an HTTP answer: " + answer.substr(0, 200));
        return {std::stoi(answer.substr(9, 3)), answer.substr(head_end + 4)};
    }

    PretixEmulatorOptions options_;
    TempDir dir_;                                     // the ready file
    std::optional<RunningProcess> process_;
    pid_t pid_ = -1;
    std::shared_ptr<Exit> exit_;
    std::thread finisher_;
    int port_ = 0;                                    // 0 until the first start: any free port
    nlohmann::json ready_;
    std::string url_, organizer_, team_token_, init_token_, admin_token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
