// Check-in rules: the operators pretix adds to JsonLogic (checkin.py).
//
// Each takes the values of all its operands, evaluated in order; the evaluator has checked their
// number against arity_of() before the call. `name` is the operator as written, for messages.
#pragma once

#include <string_view>
#include <vector>

#include "kiosk/core/rules_limits.h"
#include "kiosk/core/rules_value.h"
#include "kiosk/core/rules_variables.h"
#include "kiosk/core/rules_vocabulary.h"

namespace kiosk::jsonlogic {

// inList [value, list]: whether the list holds the value. pretix compares ids; comparing their
// text lets "2" in a lookup match product 2, and gate "1".
RuleResult<Value> in_list(const std::vector<Value>& args, const date::time_zone* zone);

// lookup ["product", "<id>", "<name>"]: the id as text; the name is only for humans reading the rule.
RuleResult<Value> lookup_id(const std::vector<Value>& args, const date::time_zone* zone);

// buildTime [kind, text]: an instant. custom: an ISO 8601 datetime (event zone when it has no
// offset); customtime: a clock time on today's event-local date; date_from, date_to,
// date_admission: the event's (or subevent's) times, null when not set (date_admission falls back
// to date_from).
RuleResult<Value> build_time(const std::vector<Value>& args, const CheckinFacts& facts);

// isAfter [a, b, tolerance]: a > b - tolerance; isBefore: a < b + tolerance (minutes). False when
// either time is null.
RuleResult<Value> time_bound(Op op, std::string_view name, const std::vector<Value>& args, const date::time_zone* zone);

// entries_since [t] counts entries at or after t, entries_before [t] those strictly before it; the
// days variants count distinct event-local days.
RuleResult<Value> entries_relative(Op op, std::string_view name, const std::vector<Value>& args, const CheckinFacts& facts);

} // namespace kiosk::jsonlogic
