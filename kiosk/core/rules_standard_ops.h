// Check-in rules: standard JsonLogic's operators that work on their operands' values.
//
// Each takes the values of all its operands, evaluated in order; the evaluator has checked their
// number against arity_of() before the call. The operators that decide which operands to evaluate
// (if, and, or, all, none, some, map, filter, reduce) are the evaluator's own.
#pragma once

#include <string_view>
#include <vector>

#include "kiosk/core/rules_limits.h"
#include "kiosk/core/rules_value.h"
#include "kiosk/core/rules_variables.h"
#include "kiosk/core/rules_vocabulary.h"

namespace kiosk::jsonlogic {

using Values = std::vector<Value>;

// var: the value at a path, else the default (second operand), else null.
Value read_var(const Values& args, const Value* scope, const CheckinFacts& facts);
// missing: the names (as operands, or one list of them) whose value is absent or "".
Value missing_names(const Values& args, const Value* scope, const CheckinFacts& facts);
// missing_some [n, names]: [] when at least n of the names are present, else the missing ones.
RuleResult<Value> missing_some_names(const Values& args, const Value* scope, const CheckinFacts& facts);

Value equality(Op op, const Values& args, const date::time_zone* zone);                // == != === !==
Value negation(Op op, const Values& args);                                             // ! !!
// `name` is the operator as written, for the message when an operand is not comparable.
RuleResult<Value> ordering(Op op, std::string_view name, const Values& args, const date::time_zone* zone);  // < <= > >=
RuleResult<Value> extremum(Op op, const Values& args);                                 // max min
RuleResult<Value> arithmetic(Op op, const Values& args);                               // + - * / %

Value membership(const Values& args, const date::time_zone* zone);                     // in
RuleResult<Value> concatenation(const Values& args, const date::time_zone* zone, StepBudget& budget);  // cat
RuleResult<Value> substring(const Values& args, const date::time_zone* zone);          // substr
RuleResult<Value> merged(Values args, StepBudget& budget);                             // merge

} // namespace kiosk::jsonlogic
