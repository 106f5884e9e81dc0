#include "kiosk/core/rules_variables.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

namespace kiosk::jsonlogic {

namespace {

Value count(int64_t n) { return make_number(static_cast<double>(n)); }

std::vector<std::string> split_path(const std::string& text) {
    std::vector<std::string> segments;
    for (size_t start = 0;;) {
        const size_t dot = text.find('.', start);
        segments.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return segments;
        start = dot + 1;
    }
}

// One step of a path into an object (by key) or an array (by decimal index); null when absent.
const Value* step_into(const Value& current, const std::string& segment) {
    if (current.kind == Value::Kind::object) {
        const auto key = std::find(current.keys.begin(), current.keys.end(), segment);
        if (key == current.keys.end()) return nullptr;
        return &current.items[static_cast<size_t>(key - current.keys.begin())];
    }
    if (current.kind == Value::Kind::array) {
        size_t index = 0;
        const auto parsed = std::from_chars(segment.data(), segment.data() + segment.size(), index);
        if (segment.empty() || parsed.ec != std::errc{} || parsed.ptr != segment.data() + segment.size() ||
            index >= current.items.size())
            return nullptr;
        return &current.items[index];
    }
    return nullptr;
}

} // namespace

CheckinFacts::CheckinFacts(const RuleContext& rule_context) : context(rule_context) {
    const Checkin* latest = nullptr;
    for (const Checkin& checkin : context.checkins) {
        if (checkin.type == CheckinType::entry) entries.push_back(checkin.datetime);
        if (latest == nullptr || checkin.datetime >= latest->datetime) latest = &checkin;
    }
    std::sort(entries.begin(), entries.end());
    present = latest != nullptr && latest->type == CheckinType::entry;
    now_local = to_local(context.now, context.zone);
}

size_t count_local_days(std::span<const Timestamp> instants, const date::time_zone* zone) {
    std::set<int64_t> days;
    for (Timestamp instant : instants) days.insert(to_local(instant, zone).days_since_epoch);
    return days.size();
}

Value variable_value(Variable variable, const CheckinFacts& facts) {
    const RuleContext& context = facts.context;
    const std::vector<Timestamp>& entries = facts.entries;
    switch (variable) {
    case Variable::product: return count(context.product);
    case Variable::variation: return context.variation ? count(*context.variation) : Value{};
    case Variable::gate: return context.gate ? make_string(*context.gate) : Value{};
    case Variable::now: return make_instant(context.now);
    case Variable::now_isoweekday: return count(facts.now_local.iso_weekday);
    case Variable::entry_status: return make_string(facts.present ? "present" : "absent");
    case Variable::entries_number: return count(static_cast<int64_t>(entries.size()));
    case Variable::entries_today:
        return count(std::count_if(entries.begin(), entries.end(), [&](Timestamp t) {
            return to_local(t, facts.zone()).days_since_epoch == facts.now_local.days_since_epoch;
        }));
    case Variable::entries_days: return count(static_cast<int64_t>(count_local_days(entries, facts.zone())));
    case Variable::minutes_since_last_entry:
    case Variable::minutes_since_first_entry: {
        if (entries.empty()) return count(-1);             // pretix: -1 when there was none
        const Timestamp entry = variable == Variable::minutes_since_last_entry ? entries.back() : entries.front();
        return count(std::chrono::floor<std::chrono::minutes>(context.now - entry).count());
    }
    }
    return Value{};
}

Value all_variables(const CheckinFacts& facts) {
    Value object = make_object();
    for (const VariableName& known : variable_names())
        add_field(object, std::string(known.name), variable_value(known.variable, facts));
    return object;
}

std::optional<Value> resolve_path(const Value& path, const Value* scope, const CheckinFacts& facts) {
    const std::string text = path.is_null() ? std::string() : to_text(path, facts.zone());
    if (text.empty()) return scope != nullptr ? *scope : all_variables(facts);
    const std::vector<std::string> segments = split_path(text);
    // Outside map/filter/reduce the first segment names a check-in variable.
    std::optional<Value> root;
    const Value* current = scope;
    size_t next = 0;
    if (scope == nullptr) {
        const auto variable = find_variable(segments[0]);
        if (!variable) return std::nullopt;
        root = variable_value(*variable, facts);
        current = &*root;
        next = 1;
    }
    for (; next < segments.size() && current != nullptr; ++next) current = step_into(*current, segments[next]);
    if (current == nullptr || current->is_null()) return std::nullopt;
    return *current;
}

} // namespace kiosk::jsonlogic
