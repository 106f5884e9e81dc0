// Check-in rules: the checks a rule passes before any of it runs.
//
// Every operator name in a rule must be known, even in a branch that is never taken: a typo should
// deny visibly rather than admit silently (json-logic-js would only fail when the branch runs).
// Nesting is bounded everywhere, including in data that is never evaluated, so no later step can
// recurse beyond kMaxDepth.
#pragma once

#include <nlohmann/json.hpp>

#include "kiosk/core/rules_limits.h"

namespace kiosk::jsonlogic {

// Empty when `rule` may be evaluated; else why it is invalid.
RuleResult<void> check_structure(const nlohmann::json& rule);

} // namespace kiosk::jsonlogic
