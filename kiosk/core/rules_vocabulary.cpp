#include "kiosk/core/rules_vocabulary.h"

namespace kiosk::jsonlogic {

namespace {

using json = nlohmann::json;

constexpr OperatorName kOperators[] = {
    {"var", Op::var}, {"missing", Op::missing}, {"missing_some", Op::missing_some}, {"if", Op::if_},
    {"?:", Op::if_}, {"==", Op::equal}, {"===", Op::strict_equal}, {"!=", Op::not_equal},
    {"!==", Op::strict_not_equal}, {"!", Op::not_}, {"!!", Op::double_not}, {"or", Op::or_},
    {"and", Op::and_}, {"<", Op::less}, {"<=", Op::less_equal}, {">", Op::greater},
    {">=", Op::greater_equal}, {"max", Op::max}, {"min", Op::min}, {"+", Op::plus}, {"-", Op::minus},
    {"*", Op::times}, {"/", Op::divide}, {"%", Op::modulo}, {"in", Op::in}, {"cat", Op::cat},
    {"substr", Op::substr}, {"merge", Op::merge}, {"all", Op::all}, {"none", Op::none},
    {"some", Op::some}, {"map", Op::map}, {"filter", Op::filter}, {"reduce", Op::reduce},
    {"log", Op::log}, {"inList", Op::in_list}, {"objectList", Op::object_list}, {"lookup", Op::lookup},
    {"buildTime", Op::build_time}, {"isAfter", Op::is_after}, {"isBefore", Op::is_before},
    {"entries_since", Op::entries_since}, {"entries_before", Op::entries_before},
    {"entries_days_since", Op::entries_days_since}, {"entries_days_before", Op::entries_days_before},
};

constexpr VariableName kVariables[] = {
    {"product", Variable::product},
    {"variation", Variable::variation},
    {"gate", Variable::gate},
    {"now", Variable::now},
    {"now_isoweekday", Variable::now_isoweekday},
    {"entry_status", Variable::entry_status},
    {"entries_number", Variable::entries_number},
    {"entries_today", Variable::entries_today},
    {"entries_days", Variable::entries_days},
    {"minutes_since_last_entry", Variable::minutes_since_last_entry},
    {"minutes_since_first_entry", Variable::minutes_since_first_entry},
};

constexpr std::pair<std::string_view, BuildTimeKind> kBuildTimeKinds[] = {
    {"custom", BuildTimeKind::custom},
    {"customtime", BuildTimeKind::customtime},
    {"date_from", BuildTimeKind::date_from},
    {"date_to", BuildTimeKind::date_to},
    {"date_admission", BuildTimeKind::date_admission},
};

std::string describe_expected_count(Arity arity) {
    std::string expected = std::to_string(arity.min);
    if (arity.max != arity.min) expected += arity.max == SIZE_MAX ? " or more" : "-" + std::to_string(arity.max);
    return expected + " argument" + (arity.min == 1 && arity.max == 1 ? "" : "s");
}

} // namespace

// [SECTION] Operators

std::span<const OperatorName> operator_names() { return kOperators; }

std::optional<Op> find_operator(std::string_view name) {
    for (const OperatorName& known : kOperators)
        if (known.name == name) return known.op;
    return std::nullopt;
}

// Strict where json-logic-js is lenient (it ignores extra operands): a rule that passes more or
// fewer than the operator reads was not written as its author meant.
Arity arity_of(Op op) {
    switch (op) {
    case Op::var: return {0, 2};
    case Op::missing_some: return {2, 2};
    case Op::equal:
    case Op::strict_equal:
    case Op::not_equal:
    case Op::strict_not_equal: return {2, 2};
    case Op::not_:
    case Op::double_not: return {1, 1};
    case Op::less:
    case Op::less_equal: return {2, 3};     // the three-operand form tests a < b < c
    case Op::greater:
    case Op::greater_equal: return {2, 2};
    case Op::times: return {1, SIZE_MAX};
    case Op::minus: return {1, 2};
    case Op::divide:
    case Op::modulo:
    case Op::in: return {2, 2};
    case Op::substr: return {2, 3};
    case Op::all:
    case Op::none:
    case Op::some:
    case Op::map:
    case Op::filter: return {2, 2};
    case Op::reduce: return {2, 3};
    case Op::log: return {1, 1};
    case Op::in_list: return {2, 2};
    case Op::lookup: return {2, 3};         // ["product", "<id>", "<name>"]
    case Op::build_time: return {1, 2};
    case Op::is_after:
    case Op::is_before: return {2, 3};      // the third is a tolerance in minutes
    case Op::entries_since:
    case Op::entries_before:
    case Op::entries_days_since:
    case Op::entries_days_before: return {1, 1};
    case Op::missing:
    case Op::if_:
    case Op::or_:
    case Op::and_:
    case Op::max:
    case Op::min:
    case Op::plus:
    case Op::cat:
    case Op::merge:
    case Op::object_list: return {};
    }
    return {};
}

RuleResult<void> check_arity(Op op, std::string_view name, size_t count) {
    const Arity arity = arity_of(op);
    if (count >= arity.min && count <= arity.max) return {};
    return invalid_rule("\"" + std::string(name) + "\" expects " + describe_expected_count(arity) + ", got " +
                        std::to_string(count));
}

std::optional<EntryCount> entry_count_of(Op op) {
    switch (op) {
    case Op::entries_since: return EntryCount{.since = true, .distinct_days = false};
    case Op::entries_before: return EntryCount{.since = false, .distinct_days = false};
    case Op::entries_days_since: return EntryCount{.since = true, .distinct_days = true};
    case Op::entries_days_before: return EntryCount{.since = false, .distinct_days = true};
    default: return std::nullopt;
    }
}

// [SECTION] Operations in a rule's JSON

bool is_operation(const json& node) { return node.is_object() && node.size() == 1; }

const std::string& operation_name(const json& node) { return node.begin().key(); }

std::optional<Op> operation_of(const json& node) {
    if (!is_operation(node)) return std::nullopt;
    return find_operator(operation_name(node));
}

// [SECTION] Variables

std::span<const VariableName> variable_names() { return kVariables; }

std::optional<Variable> find_variable(std::string_view name) {
    for (const VariableName& known : kVariables)
        if (known.name == name) return known.variable;
    return std::nullopt;
}

std::optional<std::string> var_path(const json& node) {
    if (operation_of(node) != Op::var) return std::nullopt;
    const Operands operands = Operands::of(node);
    if (operands.size() < 1 || !operands[0].is_string()) return std::nullopt;
    return operands[0].get<std::string>();
}

std::optional<Variable> variable_of(const json& node) {
    const auto path = var_path(node);
    if (!path) return std::nullopt;
    return find_variable(*path);
}

// [SECTION] buildTime kinds

std::optional<BuildTimeKind> find_build_time_kind(std::string_view name) {
    for (const auto& [known, kind] : kBuildTimeKinds)
        if (known == name) return kind;
    return std::nullopt;
}

std::optional<BuildTimeKind> build_time_kind_of(const json& node) {
    if (operation_of(node) != Op::build_time) return std::nullopt;
    const Operands operands = Operands::of(node);
    if (operands.size() < 1 || !operands[0].is_string()) return std::nullopt;
    return find_build_time_kind(operands[0].get_ref<const std::string&>());
}

} // namespace kiosk::jsonlogic
