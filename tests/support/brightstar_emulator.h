// The BrightStar emulator (tests/emulators/brightstar_emulator.py) as a test fixture: BrightStar's
// ticket validation API on loopback, started as a child process and stopped with the fixture. The
// process handling and the admin API are tests/support/emulator_process.h's.
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

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/emulator_process.h"

namespace kiosk::testing {

struct BrightStarEmulatorOptions {
    std::vector<std::string> args;                    // more command-line arguments: --token, --event, --tickets, --scanner, --clock
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class BrightStarEmulator {
public:
    explicit BrightStarEmulator(BrightStarEmulatorOptions options = {})
        : process_({.name = "BrightStar emulator", .script = "brightstar_emulator.py", .args = std::move(options.args),
                    .start_timeout = options.start_timeout, .python = std::move(options.python)}) {
        start();
    }

    //-------------------------------------------------------------------------
    // What the emulator said in its ready file
    //-------------------------------------------------------------------------
    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>/v1", no trailing slash
    int port() const { return process_.port(); }
    const std::string& base() const { return base_; }                 // "http://127.0.0.1:<port>" (the admin API's)
    const std::string& token() const { return token_; }               // "" when started without --token
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
        const nlohmann::json& ready = process_.start();
        url_ = ready.at("url").get<std::string>();
        base_ = ready.at("base").get<std::string>();
        token_ = ready.at("token").is_string() ? ready.at("token").get<std::string>() : std::string();
        admin_token_ = ready.at("admin_token").get<std::string>();
        events_ = ready.at("events").get<std::vector<std::string>>();
    }

    // SIGTERM, as an orderly shutdown; SIGKILL if it is still there after 10 s.
    void stop() { process_.stop(); }
    // SIGKILL, as a crash or a power cut (the emulator keeps no state: a restart starts afresh).
    void kill() { process_.kill(); }

    // stderr of the last run that ended (for a test's failure message).
    std::string last_stderr() const { return process_.last_stderr(); }

private:
    EmulatorProcess process_;
    std::string url_, base_, token_, admin_token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
