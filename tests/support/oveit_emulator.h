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

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/emulator_process.h"

namespace kiosk::testing {

struct OveitEmulatorOptions {
    std::vector<std::string> args;                    // more arguments: --events, --tickets, --token, --clock
    std::chrono::seconds start_timeout{20};           // until the ready file appears
    std::string python = "python3";
};

class OveitEmulator {
public:
    explicit OveitEmulator(OveitEmulatorOptions options = {})
        : process_({.name = "oveit emulator", .script = "oveit_emulator.py", .args = std::move(options.args),
                    .start_timeout = options.start_timeout, .python = std::move(options.python)}) {
        const nlohmann::json& ready = process_.start();
        url_ = ready.at("url").get<std::string>();
        token_ = ready.at("token").get<std::string>();
        events_.clear();
        for (const auto& id : ready.at("events")) events_.push_back(std::to_string(id.get<long long>()));
    }

    static constexpr std::string_view kSeedEvent = "100";           // "Indila concert", the seed's example

    const std::string& url() const { return url_; }                   // "http://127.0.0.1:<port>/api"
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
    std::string last_stderr() const { return process_.last_stderr(); }

private:
    EmulatorProcess process_;
    std::string url_, token_;
    std::vector<std::string> events_;
};

} // namespace kiosk::testing
