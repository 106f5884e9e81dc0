// Check-in rules: a JsonLogic interpreter with pretix's operators and variables.
//
// [SECTION] Limits
// [SECTION] Values and JavaScript coercions
// [SECTION] Operators
// [SECTION] Facts about the ticket's check-ins
// [SECTION] Evaluator
// [SECTION] Explanations
// [SECTION] Public API
//
// JsonLogic is defined by its reference implementation, json-logic-js, so the standard operators
// follow JavaScript's coercions (loose ==, numeric strings, [] is false). pretix's operators follow
// pretix's checkin.py. Two deliberate differences from json-logic-js: every operator name in a
// rule must be known, even in a branch that is never taken (a typo should deny visibly rather than
// admit silently), and arities are checked strictly.
#include "kiosk/core/rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "kiosk/core/time.h"

namespace kiosk {

namespace {

using json = nlohmann::json;

// [SECTION] Limits
// Rules come from the backend and are untrusted. Nesting is bounded so recursion cannot exhaust
// the stack; work is bounded because map/reduce can multiply it (nested maps, an accumulator that
// doubles) far beyond the size of the rule. Real pretix rules are a few levels and a few dozen
// nodes deep.
constexpr int kMaxDepth = 64;
constexpr int64_t kMaxSteps = 100'000;
// Beyond this, a tolerance in minutes would overflow the microsecond clock; no real rule gets near.
constexpr double kMaxToleranceMinutes = 1e8;

class RuleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// [SECTION] Values and JavaScript coercions

struct Value {
    enum class Kind { null, boolean, number, string, array, object, instant };
    Kind kind = Kind::null;
    bool flag = false;
    double number = 0;
    std::string text;
    Timestamp instant{};
    std::vector<Value> items;               // array elements, or object field values
    std::vector<std::string> keys;          // object field names, parallel to items

    bool is_null() const { return kind == Kind::null; }
};

Value make_bool(bool flag) {
    Value v;
    v.kind = Value::Kind::boolean;
    v.flag = flag;
    return v;
}

Value make_number(double number) {
    Value v;
    v.kind = Value::Kind::number;
    v.number = number;
    return v;
}

Value make_string(std::string text) {
    Value v;
    v.kind = Value::Kind::string;
    v.text = std::move(text);
    return v;
}

Value make_instant(Timestamp instant) {
    Value v;
    v.kind = Value::Kind::instant;
    v.instant = instant;
    return v;
}

Value make_array(std::vector<Value> items) {
    Value v;
    v.kind = Value::Kind::array;
    v.items = std::move(items);
    return v;
}

Value make_object() {
    Value v;
    v.kind = Value::Kind::object;
    return v;
}

void add_field(Value& object, std::string key, Value value) {
    object.keys.push_back(std::move(key));
    object.items.push_back(std::move(value));
}

// Literal data (multi-key objects are data, not operations, in JsonLogic).
Value value_from_json(const json& data, int depth) {
    if (depth > kMaxDepth) throw RuleError("rule is nested too deeply");
    switch (data.type()) {
    case json::value_t::boolean: return make_bool(data.get<bool>());
    case json::value_t::number_integer: return make_number(static_cast<double>(data.get<int64_t>()));
    case json::value_t::number_unsigned: return make_number(static_cast<double>(data.get<uint64_t>()));
    case json::value_t::number_float: return make_number(data.get<double>());
    case json::value_t::string: return make_string(data.get<std::string>());
    case json::value_t::array: {
        std::vector<Value> items;
        items.reserve(data.size());
        for (const auto& item : data) items.push_back(value_from_json(item, depth + 1));
        return make_array(std::move(items));
    }
    case json::value_t::object: {
        Value object = make_object();
        for (const auto& [key, item] : data.items()) add_field(object, key, value_from_json(item, depth + 1));
        return object;
    }
    default: return Value{};
    }
}

// JavaScript's Number#toString for the values rules produce: ids and counters print as integers.
std::string format_number(double number) {
    if (std::isnan(number)) return "NaN";
    if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
    if (number == std::trunc(number) && std::fabs(number) < 1e15)
        return std::to_string(static_cast<long long>(number));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    return std::string(buffer, result.ptr);
}

std::string format_local(Timestamp instant, const date::time_zone* zone, bool time_only) {
    const LocalDateTime local = to_local(instant, zone);
    char buffer[64];
    if (time_only)
        std::snprintf(buffer, sizeof buffer, "%02d:%02d", local.hour, local.minute);
    else
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", local.year, local.month, local.day, local.hour,
                      local.minute);
    return buffer;
}

// JavaScript's String(value); instants print as ISO 8601 in the event's zone.
std::string to_text(const Value& value, const date::time_zone* zone) {
    switch (value.kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return value.flag ? "true" : "false";
    case Value::Kind::number: return format_number(value.number);
    case Value::Kind::string: return value.text;
    case Value::Kind::instant: return format_iso8601_in_zone(value.instant, zone);
    case Value::Kind::object: return "[object Object]";
    case Value::Kind::array: {
        std::string out;
        for (size_t i = 0; i < value.items.size(); ++i) {
            if (i > 0) out += ',';
            if (!value.items[i].is_null()) out += to_text(value.items[i], zone);
        }
        return out;
    }
    }
    return {};
}

// JavaScript's Number(text): surrounding blanks ignored, "" is 0, anything else not a number is NaN.
double number_from_text(std::string_view text) {
    constexpr std::string_view blanks = " \t\n\r\f\v";
    const size_t first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return 0;
    text = text.substr(first, text.find_last_not_of(blanks) - first + 1);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    bool negative = false;
    if (text.front() == '+' || text.front() == '-') {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text == "Infinity") return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    // from_chars would also take "inf" and "nan", which JavaScript does not.
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text.front())) || text.front() == '.')) return nan;
    double number = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
    if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return nan;
    return negative ? -number : number;
}

double to_number(const Value& value) {
    switch (value.kind) {
    case Value::Kind::null: return 0;
    case Value::Kind::boolean: return value.flag ? 1 : 0;
    case Value::Kind::number: return value.number;
    case Value::Kind::string: return number_from_text(value.text);
    case Value::Kind::array: return number_from_text(to_text(value, nullptr));
    case Value::Kind::object: return std::numeric_limits<double>::quiet_NaN();
    case Value::Kind::instant: throw RuleError("a time cannot be used as a number");
    }
    return 0;
}

// JsonLogic's truthiness: JavaScript's, except that an empty array is false.
bool truthy(const Value& value) {
    switch (value.kind) {
    case Value::Kind::null: return false;
    case Value::Kind::boolean: return value.flag;
    case Value::Kind::number: return value.number != 0 && !std::isnan(value.number);
    case Value::Kind::string: return !value.text.empty();
    case Value::Kind::array: return !value.items.empty();
    case Value::Kind::object: return true;
    case Value::Kind::instant: return true;
    }
    return false;
}

// Arrays and objects compare by content (JavaScript compares them by identity, which a rule can
// never use meaningfully).
bool strict_equals(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
    case Value::Kind::null: return true;
    case Value::Kind::boolean: return a.flag == b.flag;
    case Value::Kind::number: return a.number == b.number;
    case Value::Kind::string: return a.text == b.text;
    case Value::Kind::instant: return a.instant == b.instant;
    case Value::Kind::array:
    case Value::Kind::object:
        if (a.keys != b.keys || a.items.size() != b.items.size()) return false;
        for (size_t i = 0; i < a.items.size(); ++i)
            if (!strict_equals(a.items[i], b.items[i])) return false;
        return true;
    }
    return false;
}

// Arrays and objects turn into strings before comparing with a scalar, as in JavaScript.
Value to_primitive(const Value& value) {
    if (value.kind == Value::Kind::array || value.kind == Value::Kind::object) return make_string(to_text(value, nullptr));
    return value;
}

// A time operand: an instant, or ISO 8601 text (read in the event's zone when it has no offset).
// Null stays empty so that comparisons against a missing event date are simply false.
std::optional<Timestamp> time_operand(const Value& value, const date::time_zone* zone, std::string_view op) {
    if (value.kind == Value::Kind::instant) return value.instant;
    if (value.is_null()) return std::nullopt;
    if (value.kind == Value::Kind::string) {
        if (auto parsed = parse_iso8601(value.text, zone)) return parsed;
        throw RuleError("\"" + std::string(op) + "\" cannot read \"" + value.text + "\" as a time");
    }
    throw RuleError("\"" + std::string(op) + "\" needs a time, got " + to_text(value, zone));
}

// isAfter/isBefore's tolerance: minutes, possibly fractional or as text; null means none.
std::chrono::microseconds tolerance_of(const Value& value, std::string_view op) {
    if (value.is_null()) return std::chrono::microseconds{0};
    const double minutes = value.kind == Value::Kind::number || value.kind == Value::Kind::string
                               ? to_number(value)
                               : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(minutes) || std::fabs(minutes) > kMaxToleranceMinutes)
        throw RuleError("\"" + std::string(op) + "\" needs a tolerance in minutes, got " + to_text(value, nullptr));
    return std::chrono::microseconds{std::llround(minutes * 60e6)};
}

// JavaScript's == (the abstract equality algorithm).
bool loose_equals(const Value& a, const Value& b, const date::time_zone* zone) {
    using Kind = Value::Kind;
    if (a.kind == b.kind) return strict_equals(a, b);
    if (a.is_null() || b.is_null()) return false;
    if (a.kind == Kind::instant || b.kind == Kind::instant) {
        const Value& other = a.kind == Kind::instant ? b : a;
        const Timestamp instant = a.kind == Kind::instant ? a.instant : b.instant;
        if (other.kind != Kind::string) return false;
        const auto parsed = parse_iso8601(other.text, zone);
        return parsed && *parsed == instant;
    }
    if (a.kind == Kind::boolean) return loose_equals(make_number(a.flag ? 1 : 0), b, zone);
    if (b.kind == Kind::boolean) return loose_equals(a, make_number(b.flag ? 1 : 0), zone);
    if (a.kind == Kind::number && b.kind == Kind::string) return a.number == number_from_text(b.text);
    if (a.kind == Kind::string && b.kind == Kind::number) return number_from_text(a.text) == b.number;
    const bool a_composite = a.kind == Kind::array || a.kind == Kind::object;
    const bool b_composite = b.kind == Kind::array || b.kind == Kind::object;
    if (a_composite && !b_composite) return loose_equals(to_primitive(a), b, zone);
    if (b_composite && !a_composite) return loose_equals(a, to_primitive(b), zone);
    return false;
}

// JavaScript's < and <=; instants compare as instants.
bool less(const Value& a, const Value& b, bool or_equal, const date::time_zone* zone, std::string_view op) {
    using Kind = Value::Kind;
    if (a.kind == Kind::instant || b.kind == Kind::instant) {
        const auto left = time_operand(a, zone, op);
        const auto right = time_operand(b, zone, op);
        if (!left || !right) return false;
        return or_equal ? *left <= *right : *left < *right;
    }
    const Value left = to_primitive(a);
    const Value right = to_primitive(b);
    if (left.kind == Kind::string && right.kind == Kind::string)
        return or_equal ? left.text <= right.text : left.text < right.text;
    const double x = to_number(left);
    const double y = to_number(right);
    return or_equal ? x <= y : x < y;                       // false when either is NaN
}

// Indexes of the code point boundaries of UTF-8 text, so substr never splits a character.
std::vector<size_t> code_point_offsets(const std::string& text) {
    std::vector<size_t> offsets;
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
    offsets.push_back(text.size());
    return offsets;
}

// A JavaScript-style integer argument: truncated, NaN as 0, clamped to something indexable.
int64_t to_index(const Value& value) {
    const double number = to_number(value);
    if (std::isnan(number)) return 0;
    return static_cast<int64_t>(std::clamp(std::trunc(number), -1e15, 1e15));
}

// [SECTION] Operators

enum class Op {
    var, missing, missing_some, if_, equal, strict_equal, not_equal, strict_not_equal, not_, double_not,
    or_, and_, less, less_equal, greater, greater_equal, max, min, plus, minus, times, divide, modulo,
    in, cat, substr, merge, all, none, some, map, filter, reduce, log,
    in_list, object_list, lookup, build_time, is_after, is_before,
    entries_since, entries_before, entries_days_since, entries_days_before,
};

constexpr std::pair<std::string_view, Op> kOperators[] = {
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

std::optional<Op> find_operator(std::string_view name) {
    for (const auto& [known, op] : kOperators)
        if (known == name) return op;
    return std::nullopt;
}

// In JsonLogic an object with exactly one key is an operation; any other object is data.
bool is_operation(const json& node) {
    return node.is_object() && node.size() == 1;
}

// JsonLogic allows a lone operand without the array: {"var": "x"} means {"var": ["x"]}.
class Operands {
public:
    explicit Operands(const json& raw) : raw_(raw) {}
    size_t size() const { return raw_.is_array() ? raw_.size() : 1; }
    const json& operator[](size_t i) const { return raw_.is_array() ? raw_[i] : raw_; }

private:
    const json& raw_;
};

// Data inside a multi-key object is never evaluated, so only its depth matters.
void check_data_depth(const json& node, int depth) {
    if (depth > kMaxDepth) throw RuleError("rule is nested too deeply");
    if (node.is_structured())
        for (const auto& item : node) check_data_depth(item, depth + 1);
}

// Rejects unknown operators anywhere in the rule and nesting beyond kMaxDepth, before anything runs.
void check_structure(const json& node, int depth) {
    if (depth > kMaxDepth) throw RuleError("rule is nested too deeply");
    if (node.is_array()) {
        for (const auto& item : node) check_structure(item, depth + 1);
    } else if (is_operation(node)) {
        const std::string& name = node.begin().key();
        if (!find_operator(name)) throw RuleError("unknown operator \"" + name + "\"");
        // Operands sit one level below their operator, whether or not they are wrapped in an array,
        // exactly as evaluate() descends.
        const Operands operands(node.begin().value());
        for (size_t i = 0; i < operands.size(); ++i) check_structure(operands[i], depth + 1);
    } else if (node.is_object()) {
        check_data_depth(node, depth);
    }
}

// [SECTION] Facts about the ticket's check-ins
//
// Every check-in in the context counts, including any recorded after `now` (a scan replayed with
// an earlier --at): pretix counts all stored check-ins of the list the same way, and counting them
// keeps "already used" from shrinking when a clock goes back. The latest check-in is the one with
// the greatest time; among equal times the one later in the vector (the store lists check-ins in
// insertion order, and same-instant check-ins are ordered by insertion).
struct CheckinFacts {
    std::vector<Timestamp> entries;         // entry check-ins, ascending
    bool present = false;                   // the latest check-in is an entry
    LocalDateTime now_local;

    explicit CheckinFacts(const RuleContext& context) {
        const Checkin* latest = nullptr;
        for (const Checkin& checkin : context.checkins) {
            if (checkin.type == CheckinType::entry) entries.push_back(checkin.datetime);
            if (latest == nullptr || checkin.datetime >= latest->datetime) latest = &checkin;
        }
        std::sort(entries.begin(), entries.end());
        present = latest != nullptr && latest->type == CheckinType::entry;
        now_local = to_local(context.now, context.zone);
    }
};

// [SECTION] Evaluator

class Evaluator {
public:
    explicit Evaluator(const RuleContext& context) : context_(context), facts_(context) {}

    // `scope` is the data `var` reads: null for the check-in variables, else the element that
    // map/filter/all/reduce are visiting.
    Value evaluate(const json& node, const Value* scope, int depth) {
        if (depth > kMaxDepth) throw RuleError("rule is nested too deeply");
        spend(1);
        if (node.is_array()) {
            std::vector<Value> items;
            items.reserve(node.size());
            for (const auto& item : node) items.push_back(evaluate(item, scope, depth + 1));
            return make_array(std::move(items));
        }
        if (!is_operation(node)) return value_from_json(node, depth);
        const std::string& name = node.begin().key();
        const auto op = find_operator(name);
        if (!op) throw RuleError("unknown operator \"" + name + "\"");
        return apply(*op, name, Operands(node.begin().value()), scope, depth + 1);
    }

    void restart_budget() { steps_ = 0; }
    const RuleContext& context() const { return context_; }

private:
    void spend(int64_t steps) {
        steps_ += steps;
        if (steps_ > kMaxSteps) throw RuleError("rule is too complex to evaluate");
    }

    static void require_arity(std::string_view name, size_t count, size_t min, size_t max) {
        if (count >= min && count <= max) return;
        std::string expected = std::to_string(min);
        if (max != min) expected += max == SIZE_MAX ? " or more" : "-" + std::to_string(max);
        throw RuleError("\"" + std::string(name) + "\" expects " + expected + " argument" + (max == 1 && min == 1 ? "" : "s") +
                        ", got " + std::to_string(count));
    }

    std::vector<Value> evaluate_all(const Operands& operands, const Value* scope, int depth) {
        std::vector<Value> values;
        values.reserve(operands.size());
        for (size_t i = 0; i < operands.size(); ++i) values.push_back(evaluate(operands[i], scope, depth));
        return values;
    }

    const date::time_zone* zone() const { return context_.zone; }

    Value apply(Op op, std::string_view name, const Operands& operands, const Value* scope, int depth) {
        switch (op) {
        // Operators that decide which operands to evaluate.
        case Op::if_: return apply_if(operands, scope, depth);
        case Op::and_:
        case Op::or_: {
            // Returns the deciding value, not a boolean, as JsonLogic does.
            Value current;
            for (size_t i = 0; i < operands.size(); ++i) {
                current = evaluate(operands[i], scope, depth);
                if (truthy(current) == (op == Op::or_)) return current;
            }
            return current;
        }
        case Op::all:
        case Op::none:
        case Op::some: return apply_quantifier(op, name, operands, scope, depth);
        case Op::map:
        case Op::filter: return apply_map(op, name, operands, scope, depth);
        case Op::reduce: return apply_reduce(name, operands, scope, depth);
        default: break;
        }
        std::vector<Value> args = evaluate_all(operands, scope, depth);
        switch (op) {
        case Op::var: {
            Value found = apply_var(name, args, scope);
            // Copies of big accumulators are where a doubling reduce would spend its memory.
            spend(static_cast<int64_t>(found.items.size() + found.text.size() / 64));
            return found;
        }
        case Op::missing: return apply_missing(args, scope);
        case Op::missing_some: {
            require_arity(name, args.size(), 2, 2);
            if (args[1].kind != Value::Kind::array) throw RuleError("\"missing_some\" needs a list of names");
            const size_t needed = static_cast<size_t>(std::max<int64_t>(0, to_index(args[0])));
            Value missing = apply_missing({args[1]}, scope);
            if (args[1].items.size() - missing.items.size() >= needed) return make_array({});
            return missing;
        }
        case Op::equal:
        case Op::not_equal:
            require_arity(name, args.size(), 2, 2);
            return make_bool(loose_equals(args[0], args[1], zone()) == (op == Op::equal));
        case Op::strict_equal:
        case Op::strict_not_equal:
            require_arity(name, args.size(), 2, 2);
            return make_bool(strict_equals(args[0], args[1]) == (op == Op::strict_equal));
        case Op::not_:
            require_arity(name, args.size(), 1, 1);
            return make_bool(!truthy(args[0]));
        case Op::double_not:
            require_arity(name, args.size(), 1, 1);
            return make_bool(truthy(args[0]));
        case Op::less:
        case Op::less_equal: {
            // The three-operand form tests a < b < c ("between").
            require_arity(name, args.size(), 2, 3);
            const bool or_equal = op == Op::less_equal;
            bool result = less(args[0], args[1], or_equal, zone(), name);
            if (args.size() == 3) result = result && less(args[1], args[2], or_equal, zone(), name);
            return make_bool(result);
        }
        case Op::greater:
        case Op::greater_equal:
            require_arity(name, args.size(), 2, 2);
            return make_bool(less(args[1], args[0], op == Op::greater_equal, zone(), name));
        case Op::max:
        case Op::min: {
            if (args.empty()) return Value{};
            double best = to_number(args[0]);
            for (const Value& arg : args) {
                const double number = to_number(arg);
                if (std::isnan(number) || std::isnan(best)) best = std::numeric_limits<double>::quiet_NaN();
                else best = op == Op::max ? std::max(best, number) : std::min(best, number);
            }
            return make_number(best);
        }
        case Op::plus: {
            double sum = 0;
            for (const Value& arg : args) sum += to_number(arg);
            return make_number(sum);
        }
        case Op::times: {
            require_arity(name, args.size(), 1, SIZE_MAX);
            double product = 1;
            for (const Value& arg : args) product *= to_number(arg);
            return make_number(product);
        }
        case Op::minus:
            require_arity(name, args.size(), 1, 2);
            if (args.size() == 1) return make_number(-to_number(args[0]));
            return make_number(to_number(args[0]) - to_number(args[1]));
        case Op::divide:
            require_arity(name, args.size(), 2, 2);
            return make_number(to_number(args[0]) / to_number(args[1]));
        case Op::modulo:
            require_arity(name, args.size(), 2, 2);
            return make_number(std::fmod(to_number(args[0]), to_number(args[1])));
        case Op::in: {
            require_arity(name, args.size(), 2, 2);
            const Value& haystack = args[1];
            if (haystack.kind == Value::Kind::string)
                return make_bool(haystack.text.find(to_text(args[0], zone())) != std::string::npos);
            if (haystack.kind == Value::Kind::array)
                return make_bool(std::any_of(haystack.items.begin(), haystack.items.end(),
                                             [&](const Value& item) { return strict_equals(item, args[0]); }));
            return make_bool(false);
        }
        case Op::cat: {
            std::string out;
            for (const Value& arg : args) {
                out += to_text(arg, zone());
                spend(static_cast<int64_t>(out.size() / 64));
            }
            return make_string(std::move(out));
        }
        case Op::substr: return apply_substr(name, args);
        case Op::merge: {
            std::vector<Value> merged;
            for (Value& arg : args) {
                if (arg.kind == Value::Kind::array) {
                    spend(static_cast<int64_t>(arg.items.size()));
                    for (Value& item : arg.items) merged.push_back(std::move(item));
                } else {
                    merged.push_back(std::move(arg));
                }
            }
            return make_array(std::move(merged));
        }
        case Op::log:
            require_arity(name, args.size(), 1, 1);
            return args[0];
        case Op::in_list: return apply_in_list(name, args);
        case Op::object_list: return make_array(std::move(args));
        case Op::lookup:
            // ["product", "<id>", "<name>"]: the name is only for humans reading the rule.
            require_arity(name, args.size(), 2, 3);
            if (args[1].kind != Value::Kind::string && args[1].kind != Value::Kind::number)
                throw RuleError("\"lookup\" needs an id");
            return make_string(to_text(args[1], zone()));
        case Op::build_time: return apply_build_time(name, args);
        case Op::is_after:
        case Op::is_before: return apply_is_after_before(op, name, args);
        case Op::entries_since:
        case Op::entries_before:
        case Op::entries_days_since:
        case Op::entries_days_before: return apply_entries_relative(op, name, args);
        default: throw RuleError("operator \"" + std::string(name) + "\" is not implemented");
        }
    }

    Value apply_if(const Operands& operands, const Value* scope, int depth) {
        // [c1, v1, c2, v2, ..., else]
        size_t i = 0;
        for (; i + 1 < operands.size(); i += 2)
            if (truthy(evaluate(operands[i], scope, depth))) return evaluate(operands[i + 1], scope, depth);
        if (i < operands.size()) return evaluate(operands[i], scope, depth);
        return Value{};
    }

    // The collection operand of all/none/some/map/filter/reduce: null and non-arrays act as empty.
    std::optional<Value> collection(const Operands& operands, const Value* scope, int depth) {
        Value items = evaluate(operands[0], scope, depth);
        if (items.kind != Value::Kind::array) return std::nullopt;
        return items;
    }

    Value apply_quantifier(Op op, std::string_view name, const Operands& operands, const Value* scope, int depth) {
        require_arity(name, operands.size(), 2, 2);
        const auto items = collection(operands, scope, depth);
        // As in json-logic-js: "all" of nothing is false, "none" of nothing is true.
        if (!items || items->items.empty()) return make_bool(op == Op::none);
        for (const Value& item : items->items) {
            const bool matches = truthy(evaluate(operands[1], &item, depth));
            if (op == Op::all && !matches) return make_bool(false);
            if (op == Op::some && matches) return make_bool(true);
            if (op == Op::none && matches) return make_bool(false);
        }
        return make_bool(op != Op::some);
    }

    Value apply_map(Op op, std::string_view name, const Operands& operands, const Value* scope, int depth) {
        require_arity(name, operands.size(), 2, 2);
        auto items = collection(operands, scope, depth);
        std::vector<Value> out;
        if (!items) return make_array(std::move(out));
        for (Value& item : items->items) {
            Value result = evaluate(operands[1], &item, depth);
            if (op == Op::map) out.push_back(std::move(result));
            else if (truthy(result)) out.push_back(std::move(item));
        }
        return make_array(std::move(out));
    }

    Value apply_reduce(std::string_view name, const Operands& operands, const Value* scope, int depth) {
        require_arity(name, operands.size(), 2, 3);
        Value accumulator = operands.size() == 3 ? evaluate(operands[2], scope, depth) : Value{};
        auto items = collection(operands, scope, depth);
        if (!items) return accumulator;
        for (Value& item : items->items) {
            Value frame = make_object();
            add_field(frame, "current", std::move(item));
            add_field(frame, "accumulator", std::move(accumulator));
            accumulator = evaluate(operands[1], &frame, depth);
        }
        return accumulator;
    }

    // The check-in variables, by name; nullopt for names pretix does not define.
    std::optional<Value> variable(std::string_view name) const {
        const auto count = [](auto n) { return make_number(static_cast<double>(n)); };
        const auto& entries = facts_.entries;
        if (name == "product") return count(context_.product);
        if (name == "variation") return context_.variation ? count(*context_.variation) : Value{};
        if (name == "gate") return context_.gate ? make_string(*context_.gate) : Value{};
        if (name == "now") return make_instant(context_.now);
        if (name == "now_isoweekday") return count(facts_.now_local.iso_weekday);
        if (name == "entry_status") return make_string(facts_.present ? "present" : "absent");
        if (name == "entries_number") return count(entries.size());
        if (name == "entries_today") {
            const int64_t today = facts_.now_local.days_since_epoch;
            return count(std::count_if(entries.begin(), entries.end(), [&](Timestamp t) {
                return to_local(t, zone()).days_since_epoch == today;
            }));
        }
        if (name == "entries_days") return count(distinct_days(entries.begin(), entries.end()));
        if (name == "minutes_since_last_entry" || name == "minutes_since_first_entry") {
            if (entries.empty()) return count(-1);
            const Timestamp entry = name == "minutes_since_last_entry" ? entries.back() : entries.front();
            return count(std::chrono::floor<std::chrono::minutes>(context_.now - entry).count());
        }
        return std::nullopt;
    }

    Value all_variables() const {
        Value object = make_object();
        for (const char* name : {"product", "variation", "gate", "now", "now_isoweekday", "entry_status",
                                 "entries_number", "entries_today", "entries_days", "minutes_since_last_entry",
                                 "minutes_since_first_entry"})
            add_field(object, name, *variable(name));
        return object;
    }

    // Dotted paths reach into objects and arrays ("a.b", "list.0"); nullopt when nothing is there.
    std::optional<Value> resolve(const Value& path, const Value* scope) const {
        const std::string text = path.is_null() ? std::string() : to_text(path, zone());
        if (text.empty()) return scope != nullptr ? *scope : all_variables();
        std::vector<std::string> segments;
        for (size_t start = 0;;) {
            const size_t dot = text.find('.', start);
            segments.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        std::optional<Value> root;
        const Value* current = scope;
        size_t next = 0;
        if (scope == nullptr) {
            root = variable(segments[0]);
            if (!root) return std::nullopt;
            current = &*root;
            next = 1;
        }
        for (; next < segments.size(); ++next) {
            const std::string& segment = segments[next];
            if (current->kind == Value::Kind::object) {
                const auto key = std::find(current->keys.begin(), current->keys.end(), segment);
                if (key == current->keys.end()) return std::nullopt;
                current = &current->items[static_cast<size_t>(key - current->keys.begin())];
            } else if (current->kind == Value::Kind::array) {
                size_t index = 0;
                const auto parsed = std::from_chars(segment.data(), segment.data() + segment.size(), index);
                if (segment.empty() || parsed.ec != std::errc{} || parsed.ptr != segment.data() + segment.size() ||
                    index >= current->items.size())
                    return std::nullopt;
                current = &current->items[index];
            } else {
                return std::nullopt;
            }
        }
        if (current->is_null()) return std::nullopt;
        return *current;
    }

    Value apply_var(std::string_view name, const std::vector<Value>& args, const Value* scope) const {
        require_arity(name, args.size(), 0, 2);
        const Value path = args.empty() ? Value{} : args[0];
        if (auto found = resolve(path, scope)) return *found;
        return args.size() == 2 ? args[1] : Value{};
    }

    Value apply_missing(const std::vector<Value>& args, const Value* scope) const {
        // Either the names as operands, or one list of names.
        const std::vector<Value>& names = !args.empty() && args[0].kind == Value::Kind::array ? args[0].items : args;
        std::vector<Value> missing;
        for (const Value& key : names) {
            const auto found = resolve(key, scope);
            if (!found || (found->kind == Value::Kind::string && found->text.empty())) missing.push_back(key);
        }
        return make_array(std::move(missing));
    }

    Value apply_substr(std::string_view name, const std::vector<Value>& args) const {
        require_arity(name, args.size(), 2, 3);
        const std::string text = to_text(args[0], zone());
        const std::vector<size_t> offsets = code_point_offsets(text);
        const int64_t length = static_cast<int64_t>(offsets.size()) - 1;
        int64_t begin = to_index(args[1]);
        begin = begin < 0 ? std::max<int64_t>(0, length + begin) : std::min(begin, length);
        int64_t end = length;
        if (args.size() == 3 && !args[2].is_null()) {
            const int64_t count = to_index(args[2]);
            end = count < 0 ? std::max(begin, length + count) : std::min(length, begin + count);
        }
        const size_t from = offsets[static_cast<size_t>(begin)];
        return make_string(text.substr(from, offsets[static_cast<size_t>(end)] - from));
    }

    // pretix compares ids; comparing their text lets "2" in a lookup match product 2, and gate "1".
    Value apply_in_list(std::string_view name, const std::vector<Value>& args) const {
        require_arity(name, args.size(), 2, 2);
        const Value& needle = args[0];
        if (args[1].kind != Value::Kind::array) throw RuleError("\"inList\" needs a list as its second argument");
        if (needle.kind != Value::Kind::string && needle.kind != Value::Kind::number) return make_bool(false);
        const std::string key = to_text(needle, zone());
        for (const Value& item : args[1].items)
            if ((item.kind == Value::Kind::string || item.kind == Value::Kind::number) && to_text(item, zone()) == key)
                return make_bool(true);
        return make_bool(false);
    }

    Value apply_build_time(std::string_view name, const std::vector<Value>& args) const {
        require_arity(name, args.size(), 1, 2);
        if (args[0].kind != Value::Kind::string) throw RuleError("\"buildTime\" needs a kind such as \"custom\"");
        const std::string& kind = args[0].text;
        const auto optional_instant = [](const std::optional<Timestamp>& t) { return t ? make_instant(*t) : Value{}; };
        if (kind == "date_from") return optional_instant(context_.date_from);
        if (kind == "date_to") return optional_instant(context_.date_to);
        if (kind == "date_admission") return optional_instant(context_.date_admission ? context_.date_admission : context_.date_from);
        if (kind != "custom" && kind != "customtime") throw RuleError("\"buildTime\" does not know \"" + kind + "\"");
        if (args.size() != 2 || args[1].kind != Value::Kind::string)
            throw RuleError("\"buildTime\" \"" + kind + "\" needs a time as text");
        const std::string& text = args[1].text;
        if (kind == "custom") {
            if (auto instant = parse_iso8601(text, zone())) return make_instant(*instant);
            throw RuleError("\"buildTime\" cannot read \"" + text + "\" as a date and time");
        }
        const auto clock = parse_clock_time(text);
        if (!clock) throw RuleError("\"buildTime\" cannot read \"" + text + "\" as a time of day");
        // pretix takes the clock time on the event-local date of the check-in.
        const LocalDateTime& today = facts_.now_local;
        return make_instant(from_local(today.year, today.month, today.day, clock->hour, clock->minute, clock->second, zone()));
    }

    struct ClockTime {
        int hour = 0, minute = 0, second = 0;
    };

    // "14:00", "9:30" or "14:00:30", optionally with fractional seconds, which are dropped.
    static std::optional<ClockTime> parse_clock_time(std::string_view text) {
        ClockTime clock;
        int* fields[] = {&clock.hour, &clock.minute, &clock.second};
        size_t field = 0;
        const char* cursor = text.data();
        const char* const end = text.data() + text.size();
        while (field < 3) {
            const auto parsed = std::from_chars(cursor, end, *fields[field]);
            if (parsed.ec != std::errc{} || parsed.ptr - cursor > 2 || parsed.ptr == cursor) return std::nullopt;
            cursor = parsed.ptr;
            ++field;
            if (cursor == end || *cursor != ':') break;
            ++cursor;
        }
        if (cursor != end && *cursor == '.' && field == 3) cursor = end;
        if (cursor != end || field < 2) return std::nullopt;
        if (clock.hour < 0 || clock.minute < 0 || clock.second < 0 || clock.hour > 23 || clock.minute > 59 ||
            clock.second > 59)
            return std::nullopt;
        return clock;
    }

    // pretix: isAfter(a, b, tol) is a > b - tol minutes; isBefore(a, b, tol) is a < b + tol.
    Value apply_is_after_before(Op op, std::string_view name, const std::vector<Value>& args) const {
        require_arity(name, args.size(), 2, 3);
        const auto first = time_operand(args[0], zone(), name);
        const auto second = time_operand(args[1], zone(), name);
        const std::chrono::microseconds tolerance = args.size() == 3 ? tolerance_of(args[2], name) : std::chrono::microseconds{0};
        if (!first || !second) return make_bool(false);
        return make_bool(op == Op::is_after ? *first > *second - tolerance : *first < *second + tolerance);
    }

    // pretix: entries since a time count check-ins at or after it, entries before count those
    // strictly before it; the "days" variants count distinct event-local days.
    Value apply_entries_relative(Op op, std::string_view name, const std::vector<Value>& args) const {
        require_arity(name, args.size(), 1, 1);
        const auto boundary = time_operand(args[0], zone(), name);
        if (!boundary) throw RuleError("\"" + std::string(name) + "\" needs a time, but it is not set for this event");
        const auto& entries = facts_.entries;
        const auto split = std::lower_bound(entries.begin(), entries.end(), *boundary);
        const bool since = op == Op::entries_since || op == Op::entries_days_since;
        const auto from = since ? split : entries.begin();
        const auto to = since ? entries.end() : split;
        const bool days = op == Op::entries_days_since || op == Op::entries_days_before;
        const auto counted = days ? distinct_days(from, to) : static_cast<size_t>(to - from);
        return make_number(static_cast<double>(counted));
    }

    size_t distinct_days(std::vector<Timestamp>::const_iterator from, std::vector<Timestamp>::const_iterator to) const {
        std::set<int64_t> days;
        for (auto it = from; it != to; ++it) days.insert(to_local(*it, zone()).days_since_epoch);
        return days.size();
    }

    const RuleContext& context_;
    CheckinFacts facts_;
    int64_t steps_ = 0;
};

// [SECTION] Explanations
//
// Like pretix's _logic_explain: the and/or/! skeleton of the rule is kept, everything else is an
// atom that is either true or false. For a denied rule we look for the cheapest way it could have
// passed (in an "or", the alternative with the fewest failing atoms, ties to the most readable
// one) and describe the failing atoms on that way in pretix's words ("Wrong entrance gate").
// Weights follow pretix: lower weights are preferred when alternatives fail equally.

struct Reason {
    std::string text;
    int weight = 0;
};

bool is_var(const json& node, std::string_view name) {
    if (!is_operation(node) || node.begin().key() != "var") return false;
    const Operands operands(node.begin().value());
    return operands.size() >= 1 && operands[0].is_string() && operands[0].get_ref<const std::string&>() == name;
}

std::optional<std::string> var_name(const json& node) {
    if (!is_operation(node) || node.begin().key() != "var") return std::nullopt;
    const Operands operands(node.begin().value());
    if (operands.size() < 1 || !operands[0].is_string()) return std::nullopt;
    return operands[0].get<std::string>();
}

bool is_entries_relative(const json& node) {
    if (!is_operation(node)) return false;
    const std::string& op = node.begin().key();
    return op == "entries_since" || op == "entries_before" || op == "entries_days_since" || op == "entries_days_before";
}

// The side of a comparison that says what is being tested.
bool is_subject(const json& node) {
    return var_name(node).has_value() || is_entries_relative(node);
}

bool is_comparison(std::string_view op) {
    return op == "==" || op == "===" || op == "!=" || op == "!==" || op == "<" || op == "<=" || op == ">" || op == ">=";
}

// a OP b is b MIRRORED(OP) a.
std::string mirrored(std::string_view op) {
    if (op == "<") return ">";
    if (op == "<=") return ">=";
    if (op == ">") return "<";
    if (op == ">=") return "<=";
    return std::string(op);
}

// not (a OP b) is a NEGATED(OP) b.
std::string negated(std::string_view op) {
    if (op == "==") return "!=";
    if (op == "===") return "!==";
    if (op == "!=") return "==";
    if (op == "!==") return "===";
    if (op == "<") return ">=";
    if (op == "<=") return ">";
    if (op == ">") return "<=";
    return "<";                             // ">="
}

// A short, bounded rendering of an atom for rules we have no words for.
std::string render(const json& node, int depth) {
    if (depth > 4) return "...";
    if (is_operation(node)) {
        const std::string& op = node.begin().key();
        const Operands operands(node.begin().value());
        if (auto name = var_name(node)) return *name;
        if (operands.size() == 2 && (is_comparison(op) || op == "in" || op == "+" || op == "-" || op == "*" || op == "/"))
            return render(operands[0], depth + 1) + " " + op + " " + render(operands[1], depth + 1);
        std::string out = op + "(";
        for (size_t i = 0; i < operands.size() && i < 4; ++i) out += (i > 0 ? ", " : "") + render(operands[i], depth + 1);
        return out + (operands.size() > 4 ? ", ...)" : ")");
    }
    if (node.is_array()) {
        std::string out = "[";
        for (size_t i = 0; i < node.size() && i < 4; ++i) out += (i > 0 ? ", " : "") + render(node[i], depth + 1);
        return out + (node.size() > 4 ? ", ...]" : "]");
    }
    if (node.is_object()) return "{...}";
    return node.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string truncated(std::string text, size_t limit) {
    if (text.size() <= limit) return text;
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    text.resize(cut);
    return text + "...";
}

class Explainer {
public:
    // One budget for the whole explanation, which re-evaluates parts of the rule: a rule with many
    // expensive atoms must not get a fresh budget for each.
    explicit Explainer(Evaluator& evaluator) : evaluator_(evaluator) { evaluator_.restart_budget(); }

    // Why `node` did not evaluate to `wanted`: the failing atoms, never empty.
    std::vector<Reason> why_not(const json& node, bool wanted, int depth) {
        if (depth > kMaxDepth || !is_operation(node)) return {describe_atom(node, wanted)};
        const std::string& op = node.begin().key();
        const Operands operands(node.begin().value());
        if ((op == "!" || op == "!!") && operands.size() == 1) return why_not(operands[0], op == "!" ? !wanted : wanted, depth + 1);
        if (op == "and" || op == "or") {
            // "and" wanted true and "or" wanted false need every operand; the others need any one.
            const bool needs_every = (op == "and") == wanted;
            std::vector<Reason> reasons;
            std::optional<std::vector<Reason>> cheapest;
            for (size_t i = 0; i < operands.size(); ++i) {
                const auto outcome = truthiness(operands[i]);
                if (!outcome || *outcome == wanted) continue;   // fails to evaluate alone, or is fine
                auto failing = why_not(operands[i], wanted, depth + 1);
                if (needs_every) reasons.insert(reasons.end(), failing.begin(), failing.end());
                else if (!cheapest || cheaper(failing, *cheapest)) cheapest = std::move(failing);
            }
            if (needs_every && !reasons.empty()) return reasons;
            if (!needs_every && cheapest && !cheapest->empty()) return *cheapest;
            return {describe_atom(node, wanted)};
        }
        if (op == "if" || op == "?:") {
            // Explain the branch that was taken.
            size_t i = 0;
            for (; i + 1 < operands.size(); i += 2) {
                const auto condition = truthiness(operands[i]);
                if (!condition) return {describe_atom(node, wanted)};
                if (*condition) return why_not(operands[i + 1], wanted, depth + 1);
            }
            if (i < operands.size()) return why_not(operands[i], wanted, depth + 1);
            return {describe_atom(node, wanted)};
        }
        return {describe_atom(node, wanted)};
    }

private:
    static int lowest_weight(const std::vector<Reason>& reasons) {
        int lowest = std::numeric_limits<int>::max();
        for (const Reason& reason : reasons) lowest = std::min(lowest, reason.weight);
        return lowest;
    }

    static bool cheaper(const std::vector<Reason>& a, const std::vector<Reason>& b) {
        if (a.size() != b.size()) return a.size() < b.size();
        return lowest_weight(a) < lowest_weight(b);
    }

    std::optional<Value> evaluate(const json& node) {
        try {
            return evaluator_.evaluate(node, nullptr, 0);
        } catch (const RuleError&) {
            return std::nullopt;
        }
    }

    std::optional<bool> truthiness(const json& node) {
        const auto value = evaluate(node);
        if (!value) return std::nullopt;
        return truthy(*value);
    }

    std::optional<Timestamp> instant_of(const json& node) {
        const auto value = evaluate(node);
        if (!value) return std::nullopt;
        try {
            return time_operand(*value, zone(), "");
        } catch (const RuleError&) {
            return std::nullopt;
        }
    }

    const date::time_zone* zone() const { return evaluator_.context().zone; }

    // A clock time today reads best as "14:00"; any other time needs its date.
    std::string describe_time(const json& expression, Timestamp instant) const {
        bool clock_only = false;
        if (is_operation(expression) && expression.begin().key() == "buildTime") {
            const Operands operands(expression.begin().value());
            clock_only = operands.size() >= 1 && operands[0] == "customtime";
        }
        return format_local(instant, zone(), clock_only);
    }

    Reason generic(const json& node, bool wanted) const {
        return {truncated(std::string("Check-in rule not met: ") + (wanted ? "" : "not ") + render(node, 0), 160), 500};
    }

    Reason describe_atom(const json& node, bool wanted) {
        if (!is_operation(node)) return generic(node, wanted);
        std::string op = node.begin().key();
        const Operands operands(node.begin().value());
        if (is_comparison(op) && operands.size() == 2) {
            const json* subject = &operands[0];
            const json* other = &operands[1];
            if (!is_subject(*subject) && is_subject(*other)) {
                std::swap(subject, other);
                op = mirrored(op);
            }
            if (!wanted) op = negated(op);
            if (auto reason = describe_comparison(*subject, op, *other)) return *reason;
            return generic(node, wanted);
        }
        if ((op == "isAfter" || op == "isBefore") && (operands.size() == 2 || operands.size() == 3)) {
            const json* subject = &operands[0];
            const json* other = &operands[1];
            bool after = op == "isAfter";
            // isAfter(t, now, tol) is isBefore(now, t, tol).
            if (!is_var(*subject, "now") && is_var(*other, "now")) {
                std::swap(subject, other);
                after = !after;
            }
            if (!is_var(*subject, "now")) return generic(node, wanted);
            const auto boundary = instant_of(*other);
            if (!boundary) return generic(node, wanted);
            std::chrono::microseconds tolerance{0};
            if (operands.size() == 3) {
                const auto value = evaluate(operands[2]);
                if (!value) return generic(node, wanted);
                try {
                    tolerance = tolerance_of(*value, op);
                } catch (const RuleError&) {
                    return generic(node, wanted);
                }
            }
            const Timestamp shifted = after ? *boundary - tolerance : *boundary + tolerance;
            const bool must_be_after = after == wanted;
            return {std::string(must_be_after ? "Only allowed after " : "Only allowed before ") + describe_time(*other, shifted),
                    200};
        }
        if ((op == "inList" || op == "in") && operands.size() == 2) {
            const auto name = var_name(operands[0]);
            if (name == "product" || name == "variation") return {"Ticket type not allowed", 1000};
            if (name == "gate") return {"Wrong entrance gate", 10};
        }
        return generic(node, wanted);
    }

    std::optional<Reason> describe_comparison(const json& subject, const std::string& op, const json& other) {
        if (is_entries_relative(subject)) {
            const std::string& kind = subject.begin().key();
            const Operands operands(subject.begin().value());
            if (operands.size() != 1) return std::nullopt;
            const auto boundary = instant_of(operands[0]);
            if (!boundary) return std::nullopt;
            const bool days = kind.find("days") != std::string::npos;
            const bool since = kind.find("since") != std::string::npos;
            const std::string label = std::string(days ? "number of days with an entry " : "number of entries ") +
                                      (since ? "since " : "before ") + describe_time(operands[0], *boundary);
            return counter_reason(label, op, other, 130);
        }
        const auto name = var_name(subject);
        if (!name) return std::nullopt;
        if (*name == "product" || *name == "variation") return Reason{"Ticket type not allowed", 1000};
        if (*name == "gate") return Reason{"Wrong entrance gate", 10};
        if (*name == "entry_status") {
            // Whatever was compared, the current status is what the attendee needs to hear.
            const auto status = evaluate(subject);
            const bool present = status && status->text == "present";
            return Reason{present ? "Ticket is already checked in" : "Ticket is not checked in", 110};
        }
        if (*name == "now") {
            const auto boundary = instant_of(other);
            if (!boundary) return std::nullopt;
            const std::string when = describe_time(other, *boundary);
            if (op == ">" || op == ">=") return Reason{"Only allowed after " + when, 200};
            if (op == "<" || op == "<=") return Reason{"Only allowed before " + when, 200};
            return std::nullopt;
        }
        struct Counter {
            std::string_view name, label;
            int weight;
        };
        static constexpr Counter counters[] = {
            {"minutes_since_first_entry", "time since first entry", 80},
            {"minutes_since_last_entry", "time since last entry", 90},
            {"entries_days", "number of days with an entry", 100},
            {"entries_number", "number of entries", 120},
            {"entries_today", "number of entries today", 140},
            {"now_isoweekday", "week day", 210},
        };
        for (const Counter& counter : counters) {
            if (counter.name != *name) continue;
            int weight = counter.weight;
            if (counter.name.substr(0, 8) == "minutes_" && compares_with_none(op, other))
                weight += 1000;             // "-1 means never": a technicality, not a reason to show
            return counter_reason(std::string(counter.label), op, other, weight);
        }
        return std::nullopt;
    }

    // Whether a minutes_since_* comparison only tests for "no entry yet" (-1).
    bool compares_with_none(const std::string& op, const json& other) {
        const auto value = evaluate(other);
        if (!value || value->kind != Value::Kind::number) return false;
        const double limit = value->number;
        return (op == "<" && limit <= 0) || (op == "<=" && limit < 0) || (op == ">=" && limit < 0) ||
               (op == ">" && limit <= 0) || ((op == "==" || op == "!=" || op == "===" || op == "!==") && limit == -1);
    }

    // pretix's wording, including its "Minimum ... exceeded" for a lower bound not reached.
    std::optional<Reason> counter_reason(std::string label, const std::string& op, const json& other, int weight) {
        if (op == "<" || op == "<=") return Reason{"Maximum " + label + " exceeded", weight + 1};
        if (op == ">" || op == ">=") return Reason{"Minimum " + label + " exceeded", weight + 1};
        const auto value = evaluate(other);
        if (!value) return std::nullopt;
        std::string shown = to_text(*value, zone());
        if (label == "week day" && value->kind == Value::Kind::number) {
            static constexpr const char* weekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
            if (value->number >= 1 && value->number <= 7 && value->number == std::trunc(value->number))
                shown = weekdays[static_cast<size_t>(value->number) - 1];
        }
        label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
        const bool equality = op == "==" || op == "===";
        return Reason{label + (equality ? " is not " : " is ") + shown, weight + (equality ? 2 : 3)};
    }

    Evaluator& evaluator_;
};

std::string join_reasons(const std::vector<Reason>& reasons) {
    std::vector<std::string> seen;
    std::string out;
    for (const Reason& reason : reasons) {
        if (std::find(seen.begin(), seen.end(), reason.text) != seen.end()) continue;
        seen.push_back(reason.text);
        if (!out.empty()) out += ", ";
        out += reason.text;
    }
    return out.empty() ? "Check-in rule not met" : out;
}

} // namespace

// [SECTION] Public API

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

RuleOutcome evaluate_rules(const nlohmann::json& rules, const RuleContext& context) {
    if (rules_are_empty(rules)) return {};
    try {
        check_structure(rules, 0);
        Evaluator evaluator(context);
        if (truthy(evaluator.evaluate(rules, nullptr, 0))) return {};
        try {
            Explainer explainer(evaluator);
            return {false, join_reasons(explainer.why_not(rules, true, 0))};
        } catch (const std::exception&) {
            return {false, "Check-in rule not met"};
        }
    } catch (const RuleError& error) {
        return {false, std::string("Invalid check-in rule: ") + error.what()};
    } catch (const std::exception& error) {
        return {false, std::string("Check-in rule could not be evaluated: ") + error.what()};
    }
}

} // namespace kiosk
