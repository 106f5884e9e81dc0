#include "kiosk/core/rules_value.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "kiosk/core/time.h"

namespace kiosk::jsonlogic {

using json = nlohmann::json;

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

RuleResult<Value> value_from_json(const json& data, int depth) {
    if (auto nesting = check_depth(depth); !nesting) return std::unexpected(nesting.error());
    switch (data.type()) {
    case json::value_t::boolean: return make_bool(data.get<bool>());
    case json::value_t::number_integer: return make_number(static_cast<double>(data.get<int64_t>()));
    case json::value_t::number_unsigned: return make_number(static_cast<double>(data.get<uint64_t>()));
    case json::value_t::number_float: return make_number(data.get<double>());
    case json::value_t::string: return make_string(data.get<std::string>());
    case json::value_t::array: {
        std::vector<Value> items;
        items.reserve(data.size());
        for (const auto& item : data) {
            auto value = value_from_json(item, depth + 1);
            if (!value) return value;
            items.push_back(std::move(*value));
        }
        return make_array(std::move(items));
    }
    case json::value_t::object: {
        Value object = make_object();
        for (const auto& [key, item] : data.items()) {
            auto value = value_from_json(item, depth + 1);
            if (!value) return value;
            add_field(object, key, std::move(*value));
        }
        return object;
    }
    default: return Value{};
    }
}

std::string format_number(double number) {
    if (std::isnan(number)) return "NaN";
    if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
    if (number == std::trunc(number) && std::fabs(number) < 1e15) return std::to_string(static_cast<long long>(number));
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    return std::string(buffer, result.ptr);
}

std::string to_text(const Value& value, const date::time_zone* zone) {
    switch (value.kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return value.flag ? "true" : "false";
    case Value::Kind::number: return format_number(value.number);
    case Value::Kind::string: return value.text;
    case Value::Kind::instant: return format_iso8601_in_zone(value.instant, zone);
    case Value::Kind::object: return "[object Object]";
    case Value::Kind::array: {
        // Array#join: null elements print as nothing.
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

} // namespace kiosk::jsonlogic
