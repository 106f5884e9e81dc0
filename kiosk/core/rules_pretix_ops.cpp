#include "kiosk/core/rules_pretix_ops.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "kiosk/core/rules_coercions.h"
#include "kiosk/core/time.h"

namespace kiosk::jsonlogic {

namespace {

struct ClockTime {
    int hour = 0, minute = 0, second = 0;
};

// "14:00", "9:30" or "14:00:30", optionally with fractional seconds, which are dropped.
std::optional<ClockTime> parse_clock_time(std::string_view text) {
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
    if (clock.hour < 0 || clock.minute < 0 || clock.second < 0 || clock.hour > 23 || clock.minute > 59 || clock.second > 59)
        return std::nullopt;
    return clock;
}

Value optional_instant(const std::optional<Timestamp>& instant) { return instant ? make_instant(*instant) : Value{}; }

RuleResult<Value> custom_time(const std::string& text, const date::time_zone* zone) {
    if (auto instant = parse_iso8601(text, zone)) return make_instant(*instant);
    return invalid_rule("\"buildTime\" cannot read \"" + text + "\" as a date and time");
}

// pretix takes the clock time on the event-local date of the check-in.
RuleResult<Value> clock_time_today(const std::string& text, const CheckinFacts& facts) {
    const auto clock = parse_clock_time(text);
    if (!clock) return invalid_rule("\"buildTime\" cannot read \"" + text + "\" as a time of day");
    const LocalDateTime& today = facts.now_local;
    return make_instant(from_local(today.year, today.month, today.day, clock->hour, clock->minute, clock->second, facts.zone()));
}

} // namespace

RuleResult<Value> in_list(const std::vector<Value>& args, const date::time_zone* zone) {
    const Value& needle = args[0];
    if (args[1].kind != Value::Kind::array) return invalid_rule("\"inList\" needs a list as its second argument");
    const auto is_id = [](const Value& value) { return value.kind == Value::Kind::string || value.kind == Value::Kind::number; };
    if (!is_id(needle)) return make_bool(false);
    const std::string key = to_text(needle, zone);
    for (const Value& item : args[1].items)
        if (is_id(item) && to_text(item, zone) == key) return make_bool(true);
    return make_bool(false);
}

RuleResult<Value> lookup_id(const std::vector<Value>& args, const date::time_zone* zone) {
    if (args[1].kind != Value::Kind::string && args[1].kind != Value::Kind::number) return invalid_rule("\"lookup\" needs an id");
    return make_string(to_text(args[1], zone));
}

RuleResult<Value> build_time(const std::vector<Value>& args, const CheckinFacts& facts) {
    if (args[0].kind != Value::Kind::string) return invalid_rule("\"buildTime\" needs a kind such as \"custom\"");
    const std::string& name = args[0].text;
    const auto kind = find_build_time_kind(name);
    if (!kind) return invalid_rule("\"buildTime\" does not know \"" + name + "\"");
    const RuleContext& context = facts.context;
    switch (*kind) {
    case BuildTimeKind::date_from: return optional_instant(context.date_from);
    case BuildTimeKind::date_to: return optional_instant(context.date_to);
    case BuildTimeKind::date_admission: return optional_instant(context.date_admission ? context.date_admission : context.date_from);
    case BuildTimeKind::custom:
    case BuildTimeKind::customtime: break;
    }
    if (args.size() != 2 || args[1].kind != Value::Kind::string)
        return invalid_rule("\"buildTime\" \"" + name + "\" needs a time as text");
    if (*kind == BuildTimeKind::custom) return custom_time(args[1].text, facts.zone());
    return clock_time_today(args[1].text, facts);
}

RuleResult<Value> time_bound(Op op, std::string_view name, const std::vector<Value>& args, const date::time_zone* zone) {
    const auto first = time_operand(args[0], zone, name);
    if (!first) return std::unexpected(first.error());
    const auto second = time_operand(args[1], zone, name);
    if (!second) return std::unexpected(second.error());
    const auto tolerance =
        args.size() == 3 ? tolerance_of(args[2], name) : RuleResult<std::chrono::microseconds>(std::chrono::microseconds{0});
    if (!tolerance) return std::unexpected(tolerance.error());
    if (!*first || !*second) return make_bool(false);
    return make_bool(op == Op::is_after ? **first > **second - *tolerance : **first < **second + *tolerance);
}

RuleResult<Value> entries_relative(Op op, std::string_view name, const std::vector<Value>& args, const CheckinFacts& facts) {
    const auto boundary = time_operand(args[0], facts.zone(), name);
    if (!boundary) return std::unexpected(boundary.error());
    if (!*boundary) return invalid_rule("\"" + std::string(name) + "\" needs a time, but it is not set for this event");
    const EntryCount counted = entry_count_of(op).value_or(EntryCount{});
    const std::vector<Timestamp>& entries = facts.entries;
    const auto split = std::lower_bound(entries.begin(), entries.end(), **boundary);
    const std::span<const Timestamp> window = counted.since ? std::span<const Timestamp>(split, entries.end())
                                                            : std::span<const Timestamp>(entries.begin(), split);
    const size_t count = counted.distinct_days ? count_local_days(window, facts.zone()) : window.size();
    return make_number(static_cast<double>(count));
}

} // namespace kiosk::jsonlogic
