#include "kiosk/core/rules_standard_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kiosk/core/rules_coercions.h"

namespace kiosk::jsonlogic {

namespace {

RuleResult<std::vector<double>> to_numbers(const Values& args) {
    std::vector<double> numbers;
    numbers.reserve(args.size());
    for (const Value& arg : args) {
        const auto number = to_number(arg);
        if (!number) return std::unexpected(number.error());
        numbers.push_back(*number);
    }
    return numbers;
}

// Indexes of the code point boundaries of UTF-8 text, so substr never splits a character.
std::vector<size_t> code_point_offsets(const std::string& text) {
    std::vector<size_t> offsets;
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
    offsets.push_back(text.size());
    return offsets;
}

} // namespace

Value read_var(const Values& args, const Value* scope, const CheckinFacts& facts) {
    const Value path = args.empty() ? Value{} : args[0];
    if (auto found = resolve_path(path, scope, facts)) return *found;
    return args.size() == 2 ? args[1] : Value{};
}

Value missing_names(const Values& args, const Value* scope, const CheckinFacts& facts) {
    const Values& names = !args.empty() && args[0].kind == Value::Kind::array ? args[0].items : args;
    Values missing;
    for (const Value& name : names) {
        const auto found = resolve_path(name, scope, facts);
        if (!found || (found->kind == Value::Kind::string && found->text.empty())) missing.push_back(name);
    }
    return make_array(std::move(missing));
}

RuleResult<Value> missing_some_names(const Values& args, const Value* scope, const CheckinFacts& facts) {
    if (args[1].kind != Value::Kind::array) return invalid_rule("\"missing_some\" needs a list of names");
    const auto needed = to_index(args[0]);
    if (!needed) return std::unexpected(needed.error());
    Value missing = missing_names({args[1]}, scope, facts);
    const size_t present = args[1].items.size() - missing.items.size();
    if (static_cast<int64_t>(present) >= *needed) return make_array({});
    return missing;
}

Value equality(Op op, const Values& args, const date::time_zone* zone) {
    switch (op) {
    case Op::equal: return make_bool(loose_equals(args[0], args[1], zone));
    case Op::not_equal: return make_bool(!loose_equals(args[0], args[1], zone));
    case Op::strict_equal: return make_bool(strict_equals(args[0], args[1]));
    default: return make_bool(!strict_equals(args[0], args[1]));   // Op::strict_not_equal
    }
}

Value negation(Op op, const Values& args) { return make_bool(truthy(args[0]) == (op == Op::double_not)); }

RuleResult<Value> ordering(Op op, std::string_view name, const Values& args, const date::time_zone* zone) {
    const bool or_equal = op == Op::less_equal || op == Op::greater_equal;
    // a > b is b < a.
    if (op == Op::greater || op == Op::greater_equal) {
        const auto result = less(args[1], args[0], or_equal, zone, name);
        if (!result) return std::unexpected(result.error());
        return make_bool(*result);
    }
    const auto first = less(args[0], args[1], or_equal, zone, name);
    if (!first) return std::unexpected(first.error());
    if (args.size() == 2 || !*first) return make_bool(*first);
    // The three-operand form tests a < b < c ("between").
    const auto second = less(args[1], args[2], or_equal, zone, name);
    if (!second) return std::unexpected(second.error());
    return make_bool(*second);
}

RuleResult<Value> extremum(Op op, const Values& args) {
    if (args.empty()) return Value{};
    const auto numbers = to_numbers(args);
    if (!numbers) return std::unexpected(numbers.error());
    double best = numbers->front();
    for (double number : *numbers) {
        if (std::isnan(number) || std::isnan(best)) best = std::numeric_limits<double>::quiet_NaN();
        else best = op == Op::max ? std::max(best, number) : std::min(best, number);
    }
    return make_number(best);
}

RuleResult<Value> arithmetic(Op op, const Values& args) {
    const auto numbers = to_numbers(args);
    if (!numbers) return std::unexpected(numbers.error());
    const std::vector<double>& n = *numbers;
    switch (op) {
    case Op::plus: {
        double sum = 0;
        for (double number : n) sum += number;
        return make_number(sum);
    }
    case Op::times: {
        double product = 1;
        for (double number : n) product *= number;
        return make_number(product);
    }
    case Op::minus: return make_number(n.size() == 1 ? -n[0] : n[0] - n[1]);
    case Op::divide: return make_number(n[0] / n[1]);
    default: return make_number(std::fmod(n[0], n[1]));   // Op::modulo
    }
}

Value membership(const Values& args, const date::time_zone* zone) {
    const Value& needle = args[0];
    const Value& haystack = args[1];
    if (haystack.kind == Value::Kind::string) return make_bool(haystack.text.find(to_text(needle, zone)) != std::string::npos);
    if (haystack.kind == Value::Kind::array)
        return make_bool(std::any_of(haystack.items.begin(), haystack.items.end(),
                                     [&](const Value& item) { return strict_equals(item, needle); }));
    return make_bool(false);
}

RuleResult<Value> concatenation(const Values& args, const date::time_zone* zone, StepBudget& budget) {
    std::string out;
    for (const Value& arg : args) {
        out += to_text(arg, zone);
        // A doubling accumulator grows text faster than it spends steps.
        if (auto spent = budget.spend(static_cast<int64_t>(out.size() / 64)); !spent) return std::unexpected(spent.error());
    }
    return make_string(std::move(out));
}

// JavaScript's substr(start, length) on code points: a negative start counts from the end, a
// negative length leaves that many out at the end.
RuleResult<Value> substring(const Values& args, const date::time_zone* zone) {
    const std::string text = to_text(args[0], zone);
    const std::vector<size_t> offsets = code_point_offsets(text);
    const int64_t length = static_cast<int64_t>(offsets.size()) - 1;
    const auto start = to_index(args[1]);
    if (!start) return std::unexpected(start.error());
    const int64_t begin = *start < 0 ? std::max<int64_t>(0, length + *start) : std::min(*start, length);
    int64_t end = length;
    if (args.size() == 3 && !args[2].is_null()) {
        const auto count = to_index(args[2]);
        if (!count) return std::unexpected(count.error());
        end = *count < 0 ? std::max(begin, length + *count) : std::min(length, begin + *count);
    }
    const size_t from = offsets[static_cast<size_t>(begin)];
    return make_string(text.substr(from, offsets[static_cast<size_t>(end)] - from));
}

RuleResult<Value> merged(Values args, StepBudget& budget) {
    Values out;
    for (Value& arg : args) {
        if (arg.kind != Value::Kind::array) {
            out.push_back(std::move(arg));
            continue;
        }
        if (auto spent = budget.spend(static_cast<int64_t>(arg.items.size())); !spent) return std::unexpected(spent.error());
        for (Value& item : arg.items) out.push_back(std::move(item));
    }
    return make_array(std::move(out));
}

} // namespace kiosk::jsonlogic
