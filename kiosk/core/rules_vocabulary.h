// Check-in rules: the words of the rule language.
//
// [SECTION] Operators
// [SECTION] Operations in a rule's JSON
// [SECTION] Variables
// [SECTION] buildTime kinds
//
// Operator, variable and buildTime names are read here and nowhere else: the structure check, the
// evaluator and the explainer all work on the enums below, so a name means the same thing to each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kiosk/core/rules_limits.h"

namespace kiosk::jsonlogic {

// [SECTION] Operators

enum class Op {
    // Standard JsonLogic, as json-logic-js defines it.
    var, missing, missing_some, if_, equal, strict_equal, not_equal, strict_not_equal, not_, double_not,
    or_, and_, less, less_equal, greater, greater_equal, max, min, plus, minus, times, divide, modulo,
    in, cat, substr, merge, all, none, some, map, filter, reduce, log,
    // pretix's additions (checkin.py).
    in_list, object_list, lookup, build_time, is_after, is_before,
    entries_since, entries_before, entries_days_since, entries_days_before,
};

struct OperatorName {
    std::string_view name;
    Op op;
};

// Every spelling the language accepts; "if" and "?:" are one operator.
std::span<const OperatorName> operator_names();

// The one parse of an operator's name; nullopt for a name the language does not know.
std::optional<Op> find_operator(std::string_view name);

struct Arity {
    size_t min = 0;
    size_t max = SIZE_MAX;                  // SIZE_MAX: any number
};
Arity arity_of(Op op);

// `name` is the operator as written in the rule, so the message quotes what the author typed.
RuleResult<void> check_arity(Op op, std::string_view name, size_t count);

// What each of pretix's entries_* counters counts.
struct EntryCount {
    bool since = false;                     // at or after the boundary (else strictly before it)
    bool distinct_days = false;             // event-local days with an entry (else entries)
};
std::optional<EntryCount> entry_count_of(Op op);   // nullopt for the other operators

// [SECTION] Operations in a rule's JSON

// In JsonLogic an object with exactly one key is an operation; any other object is data.
bool is_operation(const nlohmann::json& node);

// The operator name as written. Precondition: is_operation(node).
const std::string& operation_name(const nlohmann::json& node);

// The operator of an operation; nullopt for data and for operations with an unknown name.
std::optional<Op> operation_of(const nlohmann::json& node);

// JsonLogic allows a lone operand without the array: {"var": "x"} means {"var": ["x"]}.
class Operands {
public:
    explicit Operands(const nlohmann::json& raw) : raw_(raw) {}
    // The operands of an operation. Precondition: is_operation(node).
    static Operands of(const nlohmann::json& node) { return Operands(node.begin().value()); }

    size_t size() const { return raw_.is_array() ? raw_.size() : 1; }
    const nlohmann::json& operator[](size_t i) const { return raw_.is_array() ? raw_[i] : raw_; }

private:
    const nlohmann::json& raw_;
};

// [SECTION] Variables

// The check-in variables pretix defines (see RuleContext).
enum class Variable {
    product, variation, gate, now, now_isoweekday, entry_status, entries_number, entries_today, entries_days,
    minutes_since_last_entry, minutes_since_first_entry,
};

struct VariableName {
    std::string_view name;
    Variable variable;
};
std::span<const VariableName> variable_names();

std::optional<Variable> find_variable(std::string_view name);

// The path a `var` reads, as written: "a.b" for {"var": "a.b"} and {"var": ["a.b", default]};
// nullopt when `node` is not a var with a text path.
std::optional<std::string> var_path(const nlohmann::json& node);

// The check-in variable a `var` reads; nullopt for other nodes and for paths naming none.
std::optional<Variable> variable_of(const nlohmann::json& node);

// [SECTION] buildTime kinds

enum class BuildTimeKind { custom, customtime, date_from, date_to, date_admission };

std::optional<BuildTimeKind> find_build_time_kind(std::string_view name);

// The kind a literal {"buildTime": ["customtime", ...]} builds; nullopt for other nodes.
std::optional<BuildTimeKind> build_time_kind_of(const nlohmann::json& node);

} // namespace kiosk::jsonlogic
