// Check-in rules: what a rule knows about the ticket being checked in, and how `var` reads it.
//
// Every check-in in the context counts, including any recorded after `now` (a scan replayed with
// an earlier --at): pretix counts all stored check-ins of the list the same way, and counting them
// keeps "already used" from shrinking when a clock goes back. The latest check-in is the one with
// the greatest time; among equal times the one later in the vector (the store lists check-ins in
// insertion order, and same-instant check-ins are ordered by insertion).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "kiosk/core/rules.h"
#include "kiosk/core/rules_value.h"
#include "kiosk/core/rules_vocabulary.h"
#include "kiosk/core/time.h"

namespace kiosk::jsonlogic {

// The context and what is worked out from it once per evaluation. Holds a reference to `context`,
// which must outlive it.
struct CheckinFacts {
    const RuleContext& context;
    std::vector<Timestamp> entries;         // entry check-ins, ascending
    bool present = false;                   // the latest check-in is an entry
    LocalDateTime now_local;                // `now` on the event's wall clock

    explicit CheckinFacts(const RuleContext& rule_context);
    const date::time_zone* zone() const { return context.zone; }
};

// How many distinct event-local days the instants fall on.
size_t count_local_days(std::span<const Timestamp> instants, const date::time_zone* zone);

Value variable_value(Variable variable, const CheckinFacts& facts);

// Every check-in variable as one object: what {"var": ""} reads outside map/filter/reduce.
Value all_variables(const CheckinFacts& facts);

// What `var` finds at `path` ("a.b" reaches into objects, "list.0" into arrays; null or "" is the
// whole scope). `scope` is the element map/filter/all/reduce are visiting, or null for the check-in
// variables. nullopt when nothing (or null) is there.
std::optional<Value> resolve_path(const Value& path, const Value* scope, const CheckinFacts& facts);

} // namespace kiosk::jsonlogic
