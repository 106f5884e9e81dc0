// Check-in rules: the values a rule computes with.
//
// JSON's values plus one of pretix's: an instant, which buildTime and `now` produce. Values are
// plain data; how JavaScript converts between them is in rules_coercions.h.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"
#include "kiosk/core/rules_limits.h"

namespace date { class time_zone; }

namespace kiosk::jsonlogic {

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

Value make_bool(bool flag);
Value make_number(double number);
Value make_string(std::string text);
Value make_instant(Timestamp instant);
Value make_array(std::vector<Value> items);
Value make_object();
void add_field(Value& object, std::string key, Value value);

// Literal data at `depth` in the rule (multi-key objects are data, not operations, in JsonLogic).
// Fails only when the data nests beyond kMaxDepth.
RuleResult<Value> value_from_json(const nlohmann::json& data, int depth);

// JavaScript's Number#toString for the values rules produce: ids and counters print as integers.
std::string format_number(double number);

// JavaScript's String(value); instants print as ISO 8601 in `zone` (UTC when null).
std::string to_text(const Value& value, const date::time_zone* zone);

} // namespace kiosk::jsonlogic
