// Check-in rules: the public entry points (see rules.h).
//
// The implementation is split by job, each file under kiosk/core/rules_*:
//   rules_limits       the invalid-rule result (RuleResult) and the bounds on hostile rules
//   rules_vocabulary   operator, variable and buildTime names: the one place they are parsed
//   rules_structure    what a rule must pass before any of it runs
//   rules_value        the values a rule computes with
//   rules_coercions    JavaScript's conversions and comparisons between them
//   rules_variables    what a rule knows about the check-in, and how `var` reads it
//   rules_standard_ops standard JsonLogic's operators on values
//   rules_pretix_ops   pretix's operators on values
//   rules_evaluator    evaluation, and the operators that choose which operands to evaluate
//   rules_explainer    why a rule denied entry, in pretix's words
#include "kiosk/core/rules.h"

#include "kiosk/core/rules_coercions.h"
#include "kiosk/core/rules_evaluator.h"
#include "kiosk/core/rules_explainer.h"
#include "kiosk/core/rules_structure.h"

namespace kiosk {

namespace {

using json = nlohmann::json;

RuleOutcome invalid_rule_outcome(const std::string& reason) { return std::unexpected("Invalid check-in rule: " + reason); }

} // namespace

// pretix skips a list's rules when they are falsy in Python (`if clist.rules:`): null, {}, [],
// "", 0 and false all mean "no rule". `true` admits everyone, which is the same as no rule.
bool rules_are_empty(const nlohmann::json& rules) {
    switch (rules.type()) {
    case json::value_t::null: return true;
    case json::value_t::object:
    case json::value_t::array: return rules.empty();
    case json::value_t::string: return rules.get_ref<const std::string&>().empty();
    case json::value_t::boolean: return true;
    case json::value_t::number_integer: return rules.get<int64_t>() == 0;
    case json::value_t::number_unsigned: return rules.get<uint64_t>() == 0;
    case json::value_t::number_float: return rules.get<double>() == 0;
    default: return false;
    }
}

// Nothing below throws for a bad rule: a malformed one comes back as a value and denies with its
// reason. Exceptions that still escape (out of memory) are failures of the machine and propagate.
RuleOutcome evaluate_rules(const nlohmann::json& rules, const RuleContext& context) {
    if (rules_are_empty(rules)) return {};
    if (const auto structure = jsonlogic::check_structure(rules); !structure) return invalid_rule_outcome(structure.error());
    jsonlogic::Evaluator evaluator(context);
    const auto verdict = evaluator.evaluate(rules);
    if (!verdict) return invalid_rule_outcome(verdict.error());
    if (jsonlogic::truthy(*verdict)) return {};
    return std::unexpected(jsonlogic::explain_denial(rules, evaluator));
}

} // namespace kiosk
