#include "kiosk/core/rules_evaluator.h"

#include <string>
#include <utility>

#include "kiosk/core/rules_coercions.h"
#include "kiosk/core/rules_pretix_ops.h"
#include "kiosk/core/rules_standard_ops.h"

namespace kiosk::jsonlogic {

using json = nlohmann::json;

RuleResult<Value> Evaluator::evaluate(const json& node, const Value* scope, int depth) {
    if (auto nesting = check_depth(depth); !nesting) return std::unexpected(nesting.error());
    if (auto spent = budget_.spend(1); !spent) return std::unexpected(spent.error());
    if (node.is_array()) return evaluate_array(node, scope, depth);
    if (is_operation(node)) return evaluate_operation(node, scope, depth);
    return value_from_json(node, depth);
}

// A literal array's elements are evaluated: [{"var": "product"}] is [2].
RuleResult<Value> Evaluator::evaluate_array(const json& node, const Value* scope, int depth) {
    Values items;
    items.reserve(node.size());
    for (const auto& item : node) {
        auto value = evaluate(item, scope, depth + 1);
        if (!value) return value;
        items.push_back(std::move(*value));
    }
    return make_array(std::move(items));
}

RuleResult<Value> Evaluator::evaluate_operation(const json& node, const Value* scope, int depth) {
    const std::string& name = operation_name(node);
    const auto op = find_operator(name);
    if (!op) return invalid_rule("unknown operator \"" + name + "\"");
    const Operands operands = Operands::of(node);
    if (auto arity = check_arity(*op, name, operands.size()); !arity) return std::unexpected(arity.error());
    return apply(*op, name, operands, scope, depth + 1);
}

RuleResult<Value> Evaluator::apply(Op op, std::string_view name, const Operands& operands, const Value* scope, int depth) {
    const date::time_zone* const event_zone = zone();
    switch (op) {
    case Op::if_: return taken_branch(operands, scope, depth);
    case Op::and_:
    case Op::or_: return deciding_operand(op, operands, scope, depth);
    case Op::all:
    case Op::none:
    case Op::some: return quantified(op, operands, scope, depth);
    case Op::map:
    case Op::filter: return mapped(op, operands, scope, depth);
    case Op::reduce: return reduced(operands, scope, depth);
    case Op::var:
        return with_values(operands, scope, depth, [&](const Values& args) { return read_var_within_budget(args, scope); });
    case Op::missing:
        return with_values(operands, scope, depth,
                           [&](const Values& args) -> RuleResult<Value> { return missing_names(args, scope, facts_); });
    case Op::missing_some:
        return with_values(operands, scope, depth, [&](const Values& args) { return missing_some_names(args, scope, facts_); });
    case Op::equal:
    case Op::strict_equal:
    case Op::not_equal:
    case Op::strict_not_equal:
        return with_values(operands, scope, depth,
                           [&](const Values& args) -> RuleResult<Value> { return equality(op, args, event_zone); });
    case Op::not_:
    case Op::double_not:
        return with_values(operands, scope, depth, [&](const Values& args) -> RuleResult<Value> { return negation(op, args); });
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
        return with_values(operands, scope, depth, [&](const Values& args) { return ordering(op, name, args, event_zone); });
    case Op::max:
    case Op::min: return with_values(operands, scope, depth, [&](const Values& args) { return extremum(op, args); });
    case Op::plus:
    case Op::minus:
    case Op::times:
    case Op::divide:
    case Op::modulo: return with_values(operands, scope, depth, [&](const Values& args) { return arithmetic(op, args); });
    case Op::in:
        return with_values(operands, scope, depth,
                           [&](const Values& args) -> RuleResult<Value> { return membership(args, event_zone); });
    case Op::cat:
        return with_values(operands, scope, depth, [&](const Values& args) { return concatenation(args, event_zone, budget_); });
    case Op::substr: return with_values(operands, scope, depth, [&](const Values& args) { return substring(args, event_zone); });
    case Op::merge: return with_values(operands, scope, depth, [&](const Values& args) { return merged(args, budget_); });
    case Op::log: return with_values(operands, scope, depth, [](const Values& args) -> RuleResult<Value> { return args[0]; });
    case Op::in_list: return with_values(operands, scope, depth, [&](const Values& args) { return in_list(args, event_zone); });
    case Op::object_list:
        return with_values(operands, scope, depth, [](const Values& args) -> RuleResult<Value> { return make_array(args); });
    case Op::lookup: return with_values(operands, scope, depth, [&](const Values& args) { return lookup_id(args, event_zone); });
    case Op::build_time: return with_values(operands, scope, depth, [&](const Values& args) { return build_time(args, facts_); });
    case Op::is_after:
    case Op::is_before:
        return with_values(operands, scope, depth, [&](const Values& args) { return time_bound(op, name, args, event_zone); });
    case Op::entries_since:
    case Op::entries_before:
    case Op::entries_days_since:
    case Op::entries_days_before:
        return with_values(operands, scope, depth, [&](const Values& args) { return entries_relative(op, name, args, facts_); });
    }
    return invalid_rule("operator \"" + std::string(name) + "\" is not implemented");
}

RuleResult<Evaluator::Values> Evaluator::evaluate_operands(const Operands& operands, const Value* scope, int depth) {
    Values values;
    values.reserve(operands.size());
    for (size_t i = 0; i < operands.size(); ++i) {
        auto value = evaluate(operands[i], scope, depth);
        if (!value) return std::unexpected(std::move(value.error()));
        values.push_back(std::move(*value));
    }
    return values;
}

// [c1, v1, c2, v2, ..., else]: the value after the first truthy condition, else the else.
RuleResult<Value> Evaluator::taken_branch(const Operands& operands, const Value* scope, int depth) {
    size_t i = 0;
    for (; i + 1 < operands.size(); i += 2) {
        const auto condition = evaluate(operands[i], scope, depth);
        if (!condition) return condition;
        if (truthy(*condition)) return evaluate(operands[i + 1], scope, depth);
    }
    if (i < operands.size()) return evaluate(operands[i], scope, depth);
    return Value{};
}

// Returns the deciding value, not a boolean, as JsonLogic does: the first falsy operand of "and",
// the first truthy one of "or", else the last; null when there are none.
RuleResult<Value> Evaluator::deciding_operand(Op op, const Operands& operands, const Value* scope, int depth) {
    Value current;
    for (size_t i = 0; i < operands.size(); ++i) {
        auto value = evaluate(operands[i], scope, depth);
        if (!value) return value;
        current = std::move(*value);
        if (truthy(current) == (op == Op::or_)) return current;
    }
    return current;
}

RuleResult<Evaluator::Values> Evaluator::collection(const Operands& operands, const Value* scope, int depth) {
    auto items = evaluate(operands[0], scope, depth);
    if (!items) return std::unexpected(std::move(items.error()));
    if (items->kind != Value::Kind::array) return Values{};
    return std::move(items->items);
}

// As in json-logic-js: "all" of nothing is false, "none" of nothing is true.
RuleResult<Value> Evaluator::quantified(Op op, const Operands& operands, const Value* scope, int depth) {
    const auto items = collection(operands, scope, depth);
    if (!items) return std::unexpected(items.error());
    if (items->empty()) return make_bool(op == Op::none);
    for (const Value& item : *items) {
        const auto matches = evaluate(operands[1], &item, depth);
        if (!matches) return matches;
        const bool match = truthy(*matches);
        if (op == Op::all && !match) return make_bool(false);
        if (op == Op::some && match) return make_bool(true);
        if (op == Op::none && match) return make_bool(false);
    }
    return make_bool(op != Op::some);
}

// map: the operand's value for each element; filter: the elements for which it is truthy.
RuleResult<Value> Evaluator::mapped(Op op, const Operands& operands, const Value* scope, int depth) {
    auto items = collection(operands, scope, depth);
    if (!items) return std::unexpected(std::move(items.error()));
    Values out;
    for (Value& item : *items) {
        auto result = evaluate(operands[1], &item, depth);
        if (!result) return result;
        if (op == Op::map) out.push_back(std::move(*result));
        else if (truthy(*result)) out.push_back(std::move(item));
    }
    return make_array(std::move(out));
}

// reduce [items, expression, initial]: the expression sees {"current", "accumulator"}.
RuleResult<Value> Evaluator::reduced(const Operands& operands, const Value* scope, int depth) {
    auto accumulator = operands.size() == 3 ? evaluate(operands[2], scope, depth) : RuleResult<Value>(Value{});
    if (!accumulator) return accumulator;
    auto items = collection(operands, scope, depth);
    if (!items) return std::unexpected(std::move(items.error()));
    for (Value& item : *items) {
        Value frame = make_object();
        add_field(frame, "current", std::move(item));
        add_field(frame, "accumulator", std::move(*accumulator));
        accumulator = evaluate(operands[1], &frame, depth);
        if (!accumulator) return accumulator;
    }
    return accumulator;
}

// Copies of big accumulators are where a doubling reduce would spend its memory, so a var pays
// for the size of what it copies.
RuleResult<Value> Evaluator::read_var_within_budget(const Values& args, const Value* scope) {
    Value found = read_var(args, scope, facts_);
    if (auto spent = budget_.spend(static_cast<int64_t>(found.items.size() + found.text.size() / 64)); !spent)
        return std::unexpected(spent.error());
    return found;
}

} // namespace kiosk::jsonlogic
