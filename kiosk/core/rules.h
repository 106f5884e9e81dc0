// Check-in rules: JsonLogic with pretix's operators and variables.
//
// A list's `rules` is a JsonLogic expression evaluated for entries only. Besides standard JsonLogic,
// pretix adds `inList`, `isAfter`, `isBefore`, `buildTime` and the `entries_*` counters, and the
// variables listed on RuleContext. Times are compared as instants; "today", day counts and
// `customtime` are taken in the event's time zone. A rule that cannot be evaluated (unknown
// operator, wrong argument shapes) denies entry with an explanation instead of throwing.
#pragma once

#include <expected>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"

namespace date { class time_zone; }

namespace kiosk {

struct RuleContext {
    int64_t product = 0;                    // item id
    std::optional<int64_t> variation;
    std::optional<std::string> gate;        // gate id as scanned at the kiosk ("1"), if any
    Timestamp now{};
    const date::time_zone* zone = nullptr;  // the event's zone; null means UTC
    std::vector<Checkin> checkins;          // earlier check-ins of this ticket on this list, any order
    // Event times for buildTime; taken from the subevent when the position has one.
    std::optional<Timestamp> date_from, date_to, date_admission;
};

// Admitted (a value), or denied with why in plain English: the rule's own explanation, or
// "Invalid check-in rule: ..." when the rule is malformed (a malformed rule denies, as in pretix).
using RuleOutcome = std::expected<void, std::string>;

// True for null, {} and other "no rule" shapes.
bool rules_are_empty(const nlohmann::json& rules);

RuleOutcome evaluate_rules(const nlohmann::json& rules, const RuleContext& context);

} // namespace kiosk
