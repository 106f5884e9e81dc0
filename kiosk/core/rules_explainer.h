// Check-in rules: why a rule denied entry, in words an attendee understands.
//
// Like pretix's _logic_explain: the and/or/!/if skeleton of the rule is kept, everything else is an
// atom that is either true or false. For a denied rule we look for the cheapest way it could have
// passed (in an "or", the alternative with the fewest failing atoms, ties to the most readable
// one) and describe the failing atoms on that way in pretix's words ("Wrong entrance gate").
// Weights follow pretix: lower weights are preferred when alternatives fail equally. An atom we
// have no words for is shown as a short rendering of the rule ("Check-in rule not met: ...").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kiosk/core/rules_evaluator.h"

namespace kiosk::jsonlogic {

// The explanation of a denial, never empty. Preconditions: `rule` passed check_structure() and
// evaluated to a falsy value with `evaluator`. Re-evaluates parts of the rule on one fresh step
// budget; a part that cannot be evaluated alone is left out of the explanation.
std::string explain_denial(const nlohmann::json& rule, Evaluator& evaluator);

} // namespace kiosk::jsonlogic
