#include "kiosk/core/rules_coercions.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "kiosk/core/time.h"

namespace kiosk::jsonlogic {

namespace {

bool is_composite(const Value& value) { return value.kind == Value::Kind::array || value.kind == Value::Kind::object; }

// Arrays and objects turn into strings before comparing with a scalar, as in JavaScript.
Value to_primitive(const Value& value) {
    if (is_composite(value)) return make_string(to_text(value, nullptr));
    return value;
}

} // namespace

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

RuleResult<double> to_number(const Value& value) {
    switch (value.kind) {
    case Value::Kind::null: return 0;
    case Value::Kind::boolean: return value.flag ? 1 : 0;
    case Value::Kind::number: return value.number;
    case Value::Kind::string: return number_from_text(value.text);
    case Value::Kind::array: return number_from_text(to_text(value, nullptr));
    case Value::Kind::object: return std::numeric_limits<double>::quiet_NaN();
    case Value::Kind::instant: return invalid_rule("a time cannot be used as a number");
    }
    return 0;
}

RuleResult<int64_t> to_index(const Value& value) {
    const auto number = to_number(value);
    if (!number) return std::unexpected(number.error());
    if (std::isnan(*number)) return 0;
    return static_cast<int64_t>(std::clamp(std::trunc(*number), -1e15, 1e15));
}

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
    if (is_composite(a) && !is_composite(b)) return loose_equals(to_primitive(a), b, zone);
    if (is_composite(b) && !is_composite(a)) return loose_equals(a, to_primitive(b), zone);
    return false;
}

RuleResult<bool> less(const Value& a, const Value& b, bool or_equal, const date::time_zone* zone, std::string_view op) {
    using Kind = Value::Kind;
    if (a.kind == Kind::instant || b.kind == Kind::instant) {
        const auto left = time_operand(a, zone, op);
        if (!left) return std::unexpected(left.error());
        const auto right = time_operand(b, zone, op);
        if (!right) return std::unexpected(right.error());
        if (!*left || !*right) return false;
        return or_equal ? **left <= **right : **left < **right;
    }
    const Value left = to_primitive(a);
    const Value right = to_primitive(b);
    if (left.kind == Kind::string && right.kind == Kind::string)
        return or_equal ? left.text <= right.text : left.text < right.text;
    const auto x = to_number(left);
    if (!x) return std::unexpected(x.error());
    const auto y = to_number(right);
    if (!y) return std::unexpected(y.error());
    return or_equal ? *x <= *y : *x < *y;                   // false when either is NaN
}

RuleResult<std::optional<Timestamp>> time_operand(const Value& value, const date::time_zone* zone, std::string_view op) {
    if (value.kind == Value::Kind::instant) return value.instant;
    if (value.is_null()) return std::nullopt;
    if (value.kind == Value::Kind::string) {
        if (auto parsed = parse_iso8601(value.text, zone)) return parsed;
        return invalid_rule("\"" + std::string(op) + "\" cannot read \"" + value.text + "\" as a time");
    }
    return invalid_rule("\"" + std::string(op) + "\" needs a time, got " + to_text(value, zone));
}

RuleResult<std::chrono::microseconds> tolerance_of(const Value& value, std::string_view op) {
    if (value.is_null()) return std::chrono::microseconds{0};
    double minutes = std::numeric_limits<double>::quiet_NaN();
    if (value.kind == Value::Kind::number) minutes = value.number;
    if (value.kind == Value::Kind::string) minutes = number_from_text(value.text);
    if (std::isnan(minutes) || std::fabs(minutes) > kMaxToleranceMinutes)
        return invalid_rule("\"" + std::string(op) + "\" needs a tolerance in minutes, got " + to_text(value, nullptr));
    return std::chrono::microseconds{std::llround(minutes * 60e6)};
}

} // namespace kiosk::jsonlogic
