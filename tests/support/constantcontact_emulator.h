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

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/emulator_process.h"

namespace kiosk::testing {

struct ConstantContactEmulatorOptions {
    std::vector<std::string> args;                    // more arguments: --event, --ticket, --tickets, --token
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class ConstantContactEmulator {
public:
    explicit ConstantContactEmulator(ConstantContactEmulatorOptions options = {})
        : process_({.name = "constantcontact emulator", .script = "constantcontact_emulator.py", .args = std::move(options.args),
                    .start_timeout = options.start_timeout, .python = std::move(options.python)}) {
        const nlohmann::json& ready = process_.start();
        url_ = ready.at("url").get<std::string>();
        token_ = ready.at("token").get<std::string>();
        events_ = ready.at("events").get<std::vector<std::string>>();
    }

    static constexpr std::string_view kSeedEvent = "07216444-4e3b-41ea-a3b8-5a418fce41f4";

    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>/v3"
    int port() const { return process_.port(); }
    const std::string& token() const { return token_; }
    const std::vector<std::string>& events() const { return events_; }

    //-------------------------------------------------------------------------
    // Admin API (/_emulator)
    //-------------------------------------------------------------------------
    nlohmann::json admin(std::string_view method, std::string_view path, const nlohmann::json& body = nullptr) const {
        return process_.admin(method, path, body);
    }

    nlohmann::json counters() const { return admin("GET", "/counters"); }
    nlohmann::json requests() const { return admin("GET", "/requests")["results"]; }
    nlohmann::json ticket(std::string_view event, std::string_view key) const {
        return admin("GET", "/events/" + std::string(event) + "/tickets/" + std::string(key));
    }
    nlohmann::json fault(const nlohmann::json& spec) const { return admin("POST", "/faults", spec); }
    void clear_faults() const { admin("DELETE", "/faults"); }

    // stderr of the run that ended (for a failure message).
    std::string last_stderr() const { return process_.last_stderr(); }

private:
    EmulatorProcess process_;
    std::string url_, token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
