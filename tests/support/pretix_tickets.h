// Tickets of the pretix emulator's first generated event for scan tests: an unused conference pass
// from the emulator's own listing, and a scan of it on the main entrance during the event.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "kiosk/core/time.h"
#include "tests/support/pretix_emulator.h"

namespace kiosk::testing {

inline constexpr int64_t kEmulatorMainEntrance = 1021;   // event1's list +21: all products

// A paid conference pass (item 1001: no required check-in answers) nobody has used. `pages_seen`
// counts the listing pages already handed out, so each call returns a ticket of a later page.
inline std::string unused_conference_pass(const PretixEmulator& pretix, int& pages_seen) {
    const nlohmann::json tickets = pretix.admin(
        "GET", "/events/event1/positions?status=p&canceled=false&blocked=false&limit=40&offset=" + std::to_string(40 * pages_seen++));
    for (const nlohmann::json& ticket : tickets["results"]) {
        if (ticket.value("item", 0) != 1001) continue;
        const nlohmann::json checkins = pretix.admin("GET", "/checkins?position=" + std::to_string(ticket["id"].get<int64_t>()));
        if (checkins.is_array() ? checkins.empty() : checkins.value("results", nlohmann::json::array()).empty())
            return ticket["secret"];
    }
    ADD_FAILURE() << "no unused ticket in the emulator's listing";
    return {};
}

// A scan of `secret` on the main entrance on the event's first morning, without questions.
inline ScanRequest emulator_event_scan(const std::string& secret) {
    ScanRequest request;
    request.raw = secret;
    request.lists = {kEmulatorMainEntrance};
    request.now = *parse_iso8601("2027-03-16T09:30:00+01:00");
    request.questions_supported = false;
    return request;
}

} // namespace kiosk::testing
