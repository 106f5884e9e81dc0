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

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/emulator_process.h"

namespace kiosk::testing {

struct PretixEmulatorOptions {
    std::vector<std::string> args;                    // more command-line arguments: --events, --positions, --load, --clock, ...
    std::filesystem::path state_dir{};                // "" = none; else --state-dir, and start() after kill() replays it
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class PretixEmulator {
public:
    explicit PretixEmulator(PretixEmulatorOptions options = {}) : process_(launch(std::move(options))) { start(); }

    //-------------------------------------------------------------------------
    // What the emulator said in its ready file
    //-------------------------------------------------------------------------
    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>", no trailing slash
    int port() const { return process_.port(); }
    const std::string& organizer() const { return organizer_; }
    const std::string& team_token() const { return team_token_; }
    const std::string& init_token() const { return init_token_; }
    const std::string& admin_token() const { return admin_token_; }
    const std::vector<std::string>& events() const { return events_; }
    const nlohmann::json& ready_info() const { return process_.ready_info(); }   // the whole ready file
    bool running() const { return process_.running(); }

    //-------------------------------------------------------------------------
    // Admin API (/_emulator)
    //-------------------------------------------------------------------------
    // `path` relative to /_emulator ("/counters"), or starting with /_emulator. The body is sent
    // as JSON unless it is null.
    nlohmann::json admin(std::string_view method, std::string_view path, const nlohmann::json& body = nullptr) const {
        return process_.admin(method, path, body);
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
        const nlohmann::json& ready = process_.start();
        url_ = ready.at("url").get<std::string>();
        organizer_ = ready.at("organizer").get<std::string>();
        team_token_ = ready.at("team_token").get<std::string>();
        init_token_ = ready.at("init_token").get<std::string>();
        admin_token_ = ready.at("admin_token").get<std::string>();
        events_ = ready.at("events").get<std::vector<std::string>>();
    }

    // SIGTERM, as an orderly shutdown; SIGKILL if it is still there after 10 s.
    void stop() { process_.stop(); }
    // SIGKILL, as a crash or a power cut: with a state dir, everything answered survives.
    void kill() { process_.kill(); }

    // stderr of the last run that ended (for a test's failure message).
    std::string last_stderr() const { return process_.last_stderr(); }

private:
    static EmulatorLaunch launch(PretixEmulatorOptions options) {
        std::vector<std::string> args;
        if (!options.state_dir.empty()) args = {"--state-dir", options.state_dir.string()};
        args.insert(args.end(), options.args.begin(), options.args.end());
        return {.name = "pretix emulator", .script = "pretix_emulator.py", .args = std::move(args),
                .start_timeout = options.start_timeout, .python = std::move(options.python)};
    }

    EmulatorProcess process_;
    std::string url_, organizer_, team_token_, init_token_, admin_token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
