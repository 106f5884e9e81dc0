// Check-in rules: JavaScript's conversions and comparisons between values.
//
// JsonLogic is defined by its reference implementation, json-logic-js, so the standard operators
// follow JavaScript (loose ==, numeric strings, [] is false). Instants are ours: they compare as
// instants, read ISO 8601 text in the event's zone, and refuse to be numbers.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "kiosk/core/rules_limits.h"
#include "kiosk/core/rules_value.h"

namespace date { class time_zone; }

namespace kiosk::jsonlogic {

// JavaScript's Number(text): surrounding blanks ignored, "" is 0, anything else not a number is NaN.
double number_from_text(std::string_view text);

// JavaScript's Number(value); an instant is not a number and makes the rule invalid.
RuleResult<double> to_number(const Value& value);

// A JavaScript-style integer argument: truncated, NaN as 0, clamped to something indexable.
RuleResult<int64_t> to_index(const Value& value);

// JsonLogic's truthiness: JavaScript's, except that an empty array is false.
bool truthy(const Value& value);

// JavaScript's ===, except that arrays and objects compare by content (JavaScript compares them
// by identity, which a rule can never use meaningfully).
bool strict_equals(const Value& a, const Value& b);

// JavaScript's == (the abstract equality algorithm); an instant equals ISO 8601 text naming it.
bool loose_equals(const Value& a, const Value& b, const date::time_zone* zone);

// JavaScript's < (or <= when `or_equal`); instants compare as instants. `op` names the operator
// in the message when an operand cannot be compared with a time.
RuleResult<bool> less(const Value& a, const Value& b, bool or_equal, const date::time_zone* zone, std::string_view op);

// A time operand: an instant, or ISO 8601 text (read in `zone` when it has no offset). Null is no
// time (nullopt), so that comparisons against a missing event date are simply false; anything
// else makes the rule invalid, with `op` named in the message.
RuleResult<std::optional<Timestamp>> time_operand(const Value& value, const date::time_zone* zone, std::string_view op);

// isAfter/isBefore's tolerance: minutes, possibly fractional or as text; null means none.
RuleResult<std::chrono::microseconds> tolerance_of(const Value& value, std::string_view op);

} // namespace kiosk::jsonlogic
