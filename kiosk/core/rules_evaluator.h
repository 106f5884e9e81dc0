// Check-in rules: evaluation of a rule against one check-in.
//
// Follows json-logic-js for the standard operators and pretix's checkin.py for its own. Two
// deliberate differences from json-logic-js: unknown operator names are refused before anything
// runs (rules_structure.h), and arities are checked strictly (arity_of). Every failure is a value:
// a rule that cannot be evaluated yields the reason, never an exception.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/rules.h"
#include "kiosk/core/rules_limits.h"
#include "kiosk/core/rules_value.h"
#include "kiosk/core/rules_variables.h"
#include "kiosk/core/rules_vocabulary.h"

namespace kiosk::jsonlogic {

// Not thread-safe: one evaluator per evaluation. Holds a reference to the context.
class Evaluator {
public:
    explicit Evaluator(const RuleContext& context) : facts_(context) {}

    // The value of `node`. `scope` is the data `var` reads: null for the check-in variables, else
    // the element that map/filter/all/reduce are visiting. `depth` is the node's nesting in the rule.
    RuleResult<Value> evaluate(const nlohmann::json& node, const Value* scope = nullptr, int depth = 0);

    // A fresh step budget; steps are otherwise counted across every evaluate() call, so a caller
    // that re-evaluates many parts of a rule (the explainer) cannot multiply the bound.
    void restart_budget() { budget_.restart(); }

    const CheckinFacts& facts() const { return facts_; }
    const date::time_zone* zone() const { return facts_.zone(); }

private:
    using Values = std::vector<Value>;

    RuleResult<Value> evaluate_array(const nlohmann::json& node, const Value* scope, int depth);
    RuleResult<Value> evaluate_operation(const nlohmann::json& node, const Value* scope, int depth);
    RuleResult<Value> apply(Op op, std::string_view name, const Operands& operands, const Value* scope, int depth);
    RuleResult<Values> evaluate_operands(const Operands& operands, const Value* scope, int depth);

    // Evaluates every operand, then hands their values to `apply_to_values`.
    template <class ApplyToValues>
    RuleResult<Value> with_values(const Operands& operands, const Value* scope, int depth, ApplyToValues apply_to_values) {
        auto values = evaluate_operands(operands, scope, depth);
        if (!values) return std::unexpected(std::move(values.error()));
        return apply_to_values(*values);
    }

    // The operators that decide which of their operands to evaluate.
    RuleResult<Value> taken_branch(const Operands& operands, const Value* scope, int depth);              // if ?:
    RuleResult<Value> deciding_operand(Op op, const Operands& operands, const Value* scope, int depth);   // and or
    RuleResult<Value> quantified(Op op, const Operands& operands, const Value* scope, int depth);         // all none some
    RuleResult<Value> mapped(Op op, const Operands& operands, const Value* scope, int depth);             // map filter
    RuleResult<Value> reduced(const Operands& operands, const Value* scope, int depth);                  // reduce
    // The collection operand of all/none/some/map/filter/reduce: null and non-arrays act as empty.
    RuleResult<Values> collection(const Operands& operands, const Value* scope, int depth);

    RuleResult<Value> read_var_within_budget(const Values& args, const Value* scope);

    CheckinFacts facts_;
    StepBudget budget_;
};

} // namespace kiosk::jsonlogic
