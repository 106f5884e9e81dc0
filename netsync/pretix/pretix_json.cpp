#include "netsync/pretix/pretix_json.h"

#include "kiosk/core/time.h"

namespace kiosk::pretix {

using nlohmann::json;

JsonPath JsonPath::operator/(std::string_view key) const {
    return JsonPath{text.empty() || text.back() == ' ' ? text + std::string(key) : text + "." + std::string(key)};
}

JsonPath JsonPath::operator/(size_t index) const { return JsonPath{text + "[" + std::to_string(index) + "]"}; }

namespace {

// Whether the text opens more than kMaxJsonDepth arrays or objects inside one another (brackets in
// strings do not count). A scan of the text before parsing it rather than a callback of the parser:
// nlohmann's callback parser looks through a container's members each time one of them ends, so an
// orders.json of 70k orders took seconds to parse with it.
bool nested_too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

} // namespace

Converted<json> parse_json_text(std::string_view text, std::string_view what) {
    if (nested_too_deep(text))
        return std::unexpected(std::string(what) + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::unexpected(std::string(what) + ": not valid JSON");
    return value;
}

namespace {

// Inside this file a malformed value unwinds to the public converter that was called, which turns
// it into an error value; it never leaves the file.
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const JsonPath& path, const std::string& message) {
    throw FormatError(path.text + ": " + message);
}

const char* type_name(const json& value) { return value.type_name(); }

const json& require_object(const json& value, const JsonPath& path) {
    if (!value.is_object()) fail(path, std::string("expected an object, got ") + type_name(value));
    return value;
}

// A member that may be absent; absent and null both read as null.
const json& member(const json& object, std::string_view key) {
    static const json null_value;
    const auto it = object.find(key);
    return it == object.end() ? null_value : *it;
}

int64_t to_int(const json& value, const JsonPath& path) {
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_unsigned()) {
        const auto unsigned_value = value.get<uint64_t>();
        if (unsigned_value > static_cast<uint64_t>(INT64_MAX)) fail(path, "integer out of range");
        return static_cast<int64_t>(unsigned_value);
    }
    fail(path, std::string("expected an integer, got ") + type_name(value));
}

int64_t required_int(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) fail(path / key, "missing required integer");
    return to_int(value, path / key);
}

std::optional<int64_t> optional_int(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) return std::nullopt;
    return to_int(value, path / key);
}

std::string required_string(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (!value.is_string()) fail(path / key, value.is_null() ? "missing required text" : std::string("expected text, got ") + type_name(value));
    return value.get<std::string>();
}

std::string optional_string(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) return {};
    if (!value.is_string()) fail(path / key, std::string("expected text, got ") + type_name(value));
    return value.get<std::string>();
}

bool optional_bool(const json& object, std::string_view key, bool fallback, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) return fallback;
    if (!value.is_boolean()) fail(path / key, std::string("expected true or false, got ") + type_name(value));
    return value.get<bool>();
}

std::optional<Timestamp> optional_datetime(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) return std::nullopt;
    if (!value.is_string()) fail(path / key, std::string("expected an ISO 8601 datetime, got ") + type_name(value));
    const auto parsed = parse_iso8601(value.get<std::string>());
    if (!parsed) fail(path / key, "not an ISO 8601 datetime: \"" + value.get<std::string>() + "\"");
    return parsed;
}

// pretix names are i18n dicts; older exports use plain strings. Either is kept as JSON.
json i18n(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    if (value.is_null()) return json::object();
    if (!value.is_object() && !value.is_string()) fail(path / key, std::string("expected a text or a translation dict, got ") + type_name(value));
    return value;
}

std::vector<int64_t> int_list(const json& object, std::string_view key, const JsonPath& path) {
    const json& value = member(object, key);
    std::vector<int64_t> out;
    if (value.is_null()) return out;
    if (!value.is_array()) fail(path / key, std::string("expected a list, got ") + type_name(value));
    for (size_t i = 0; i < value.size(); ++i) out.push_back(to_int(value[i], path / key / i));
    return out;
}

// Calls `each(object, path)` for every entry of an optional list of objects at `key`.
template <class Each> void for_each_object(const json& parent, std::string_view key, const JsonPath& path, Each&& each) {
    const json& list = member(parent, key);
    if (list.is_null()) return;
    if (!list.is_array()) fail(path / key, std::string("expected a list, got ") + type_name(list));
    for (size_t i = 0; i < list.size(); ++i) {
        const JsonPath entry_path = path / key / i;
        each(require_object(list[i], entry_path), entry_path);
    }
}

const json& parse_list_results(const json& page, const JsonPath& path) {
    if (page.is_array()) return page;
    if (page.is_object()) {
        const json& results = member(page, "results");
        if (results.is_array()) return results;
        fail(path / "results", "expected a list of results");
    }
    fail(path, std::string("expected a pretix list page or an array, got ") + type_name(page));
}

Event parse_event(const json& value, const std::string& organizer, const JsonPath& path) {
    require_object(value, path);
    Event event;
    event.organizer = organizer;
    event.slug = required_string(value, "slug", path);
    if (event.slug.empty()) fail(path / "slug", "must not be empty");
    event.name = i18n(value, "name", path);
    event.timezone = optional_string(value, "timezone", path);
    if (event.timezone.empty()) event.timezone = "UTC";
    if (find_time_zone(event.timezone) == nullptr) fail(path / "timezone", "unknown time zone \"" + event.timezone + "\"");
    event.date_from = optional_datetime(value, "date_from", path);
    event.date_to = optional_datetime(value, "date_to", path);
    event.date_admission = optional_datetime(value, "date_admission", path);
    event.has_subevents = optional_bool(value, "has_subevents", false, path);
    const json& keys = member(value, "valid_keys");
    if (!keys.is_null()) {
        require_object(keys, path / "valid_keys");
        const json& sig1 = member(keys, "pretix_sig1");
        if (!sig1.is_null()) {
            if (!sig1.is_array()) fail(path / "valid_keys" / "pretix_sig1", "expected a list of keys");
            for (size_t i = 0; i < sig1.size(); ++i) {
                if (!sig1[i].is_string()) fail(path / "valid_keys" / "pretix_sig1" / i, "expected a base64 key");
                event.sig1_keys.push_back(sig1[i].get<std::string>());
            }
        }
    }
    return event;
}

SubEvent parse_subevent(const json& value, int64_t event_id, const JsonPath& path) {
    require_object(value, path);
    SubEvent subevent;
    subevent.id = required_int(value, "id", path);
    subevent.event_id = event_id;
    subevent.name = i18n(value, "name", path);
    subevent.date_from = optional_datetime(value, "date_from", path);
    subevent.date_to = optional_datetime(value, "date_to", path);
    subevent.date_admission = optional_datetime(value, "date_admission", path);
    return subevent;
}

Item parse_item(const json& value, int64_t event_id, const JsonPath& path) {
    require_object(value, path);
    Item item;
    item.id = required_int(value, "id", path);
    item.event_id = event_id;
    item.name = i18n(value, "name", path);
    item.admission = optional_bool(value, "admission", true, path);
    item.checkin_attention = optional_bool(value, "checkin_attention", false, path);
    for_each_object(value, "variations", path, [&](const json& entry, const JsonPath& entry_path) {
        Variation variation;
        variation.id = required_int(entry, "id", entry_path);
        variation.value = i18n(entry, "value", entry_path);
        variation.checkin_attention = optional_bool(entry, "checkin_attention", false, entry_path);
        item.variations.push_back(std::move(variation));
    });
    return item;
}

CheckinList parse_checkin_list(const json& value, int64_t event_id, const JsonPath& path) {
    require_object(value, path);
    CheckinList list;
    list.id = required_int(value, "id", path);
    list.event_id = event_id;
    list.name = optional_string(value, "name", path);
    list.all_products = optional_bool(value, "all_products", true, path);
    list.limit_products = int_list(value, "limit_products", path);
    list.subevent = optional_int(value, "subevent", path);
    list.include_pending = optional_bool(value, "include_pending", false, path);
    list.allow_multiple_entries = optional_bool(value, "allow_multiple_entries", false, path);
    list.allow_entry_after_exit = optional_bool(value, "allow_entry_after_exit", true, path);
    list.addon_match = optional_bool(value, "addon_match", false, path);
    const json& rules = member(value, "rules");
    if (!rules.is_null() && !rules.is_object() && !rules.is_boolean())
        fail(path / "rules", std::string("expected a JsonLogic object, got ") + type_name(rules));
    list.rules = rules;
    return list;
}

Question parse_question(const json& value, int64_t event_id, const JsonPath& path) {
    require_object(value, path);
    Question question;
    question.id = required_int(value, "id", path);
    question.event_id = event_id;
    question.question = i18n(value, "question", path);
    const std::string type = required_string(value, "type", path);
    const auto parsed_type = question_type_from_code(type);
    if (!parsed_type) fail(path / "type", "unknown question type \"" + type + "\"");
    question.type = *parsed_type;
    question.required = optional_bool(value, "required", false, path);
    question.ask_during_checkin = optional_bool(value, "ask_during_checkin", false, path);
    question.position = optional_int(value, "position", path).value_or(0);
    question.items = int_list(value, "items", path);
    for_each_object(value, "options", path, [&](const json& entry, const JsonPath& entry_path) {
        QuestionOption option;
        option.id = required_int(entry, "id", entry_path);
        option.identifier = optional_string(entry, "identifier", entry_path);
        option.answer = i18n(entry, "answer", entry_path);
        question.options.push_back(std::move(option));
    });
    question.dependency_question = optional_int(value, "dependency_question", path);
    const json& dependency_values = member(value, "dependency_values");
    if (dependency_values.is_array()) {
        for (size_t i = 0; i < dependency_values.size(); ++i) {
            if (!dependency_values[i].is_string()) fail(path / "dependency_values" / i, "expected text");
            question.dependency_values.push_back(dependency_values[i].get<std::string>());
        }
    } else if (!dependency_values.is_null()) {
        fail(path / "dependency_values", "expected a list");
    }
    // Older pretix versions send a single dependency_value.
    const json& dependency_value = member(value, "dependency_value");
    if (dependency_value.is_string() && question.dependency_values.empty())
        question.dependency_values.push_back(dependency_value.get<std::string>());
    question.raw = value;
    return question;
}

ImportedOrder parse_order(const json& value, int64_t event_id, const JsonPath& path) {
    require_object(value, path);
    ImportedOrder imported;
    Order& order = imported.order;
    order.code = required_string(value, "code", path);
    if (order.code.empty()) fail(path / "code", "must not be empty");
    order.event_id = event_id;
    const std::string status = required_string(value, "status", path);
    const auto parsed_status = order_status_from_code(status);
    if (!parsed_status) fail(path / "status", "unknown order status \"" + status + "\" (expected n, p, e or c)");
    order.status = *parsed_status;
    order.require_approval = optional_bool(value, "require_approval", false, path);
    order.valid_if_pending = optional_bool(value, "valid_if_pending", false, path);
    order.checkin_attention = optional_bool(value, "checkin_attention", false, path);
    order.email = optional_string(value, "email", path);
    order.locale = optional_string(value, "locale", path);

    const json& positions = member(value, "positions");
    if (!positions.is_array()) fail(path / "positions", positions.is_null() ? "missing list of positions" : "expected a list");
    for (size_t i = 0; i < positions.size(); ++i) {
        const JsonPath position_path = path / "positions" / i;
        const json& entry = require_object(positions[i], position_path);
        Position position;
        position.id = required_int(entry, "id", position_path);
        position.event_id = event_id;
        position.order = order.code;
        const std::string position_order = optional_string(entry, "order", position_path);
        if (!position_order.empty() && position_order != order.code)
            fail(position_path / "order", "belongs to order " + position_order + ", not " + order.code);
        position.positionid = optional_int(entry, "positionid", position_path).value_or(static_cast<int64_t>(i + 1));
        position.item = required_int(entry, "item", position_path);
        position.variation = optional_int(entry, "variation", position_path);
        position.subevent = optional_int(entry, "subevent", position_path);
        position.secret = required_string(entry, "secret", position_path);
        if (position.secret.empty()) fail(position_path / "secret", "must not be empty");
        position.attendee_name = optional_string(entry, "attendee_name", position_path);
        position.attendee_email = optional_string(entry, "attendee_email", position_path);
        position.addon_to = optional_int(entry, "addon_to", position_path);
        const json& blocked = member(entry, "blocked");
        if (blocked.is_array()) position.blocked = !blocked.empty();
        else if (blocked.is_boolean()) position.blocked = blocked.get<bool>();
        else if (!blocked.is_null()) fail(position_path / "blocked", "expected a list of reasons or null");
        position.valid_from = optional_datetime(entry, "valid_from", position_path);
        position.valid_until = optional_datetime(entry, "valid_until", position_path);
        position.canceled = optional_bool(entry, "canceled", false, position_path);

        for_each_object(entry, "answers", position_path, [&](const json& raw, const JsonPath& answer_path) {
            Answer answer;
            answer.question = required_int(raw, "question", answer_path);
            const json& text = member(raw, "answer");
            if (text.is_string()) answer.answer = text.get<std::string>();
            else if (text.is_number() || text.is_boolean()) answer.answer = text.dump();
            else if (!text.is_null()) fail(answer_path / "answer", "expected text");
            answer.options = int_list(raw, "options", answer_path);
            position.answers.push_back(std::move(answer));
        });
        for_each_object(entry, "checkins", position_path, [&](const json& raw, const JsonPath& checkin_path) {
            Checkin checkin;
            checkin.list = required_int(raw, "list", checkin_path);
            const auto when = optional_datetime(raw, "datetime", checkin_path);
            if (!when) fail(checkin_path / "datetime", "missing required datetime");
            checkin.datetime = *when;
            const std::string type = optional_string(raw, "type", checkin_path);
            if (!type.empty()) {
                const auto parsed_type = checkin_type_from_name(type);
                if (!parsed_type) fail(checkin_path / "type", "expected entry or exit, got \"" + type + "\"");
                checkin.type = *parsed_type;
            }
            const json& gate = member(raw, "gate");
            if (gate.is_number_integer()) checkin.gate = std::to_string(gate.get<int64_t>());
            else if (gate.is_string()) checkin.gate = gate.get<std::string>();
            imported.checkins.emplace_back(position.id, checkin);
        });
        imported.positions.push_back(std::move(position));
    }
    return imported;
}

std::string parse_revoked_secret(const json& value, const JsonPath& path) {
    require_object(value, path);
    return required_string(value, "secret", path);
}

BlockedSecret parse_blocked_secret(const json& value, const JsonPath& path) {
    require_object(value, path);
    return BlockedSecret{required_string(value, "secret", path), optional_bool(value, "blocked", true, path)};
}

template <class Parse> auto guarded(Parse&& parse) -> Converted<decltype(parse())> {
    try {
        return parse();
    } catch (const FormatError& e) {
        return std::unexpected(std::string(e.what()));
    } catch (const json::exception& e) {
        return std::unexpected(std::string("unexpected JSON shape: ") + e.what());
    }
}

} // namespace

Converted<Event> event_from_json(const json& value, const std::string& organizer, const JsonPath& path) {
    return guarded([&] { return parse_event(value, organizer, path); });
}
Converted<SubEvent> subevent_from_json(const json& value, int64_t event_id, const JsonPath& path) {
    return guarded([&] { return parse_subevent(value, event_id, path); });
}
Converted<Item> item_from_json(const json& value, int64_t event_id, const JsonPath& path) {
    return guarded([&] { return parse_item(value, event_id, path); });
}
Converted<CheckinList> checkin_list_from_json(const json& value, int64_t event_id, const JsonPath& path) {
    return guarded([&] { return parse_checkin_list(value, event_id, path); });
}
Converted<Question> question_from_json(const json& value, int64_t event_id, const JsonPath& path) {
    return guarded([&] { return parse_question(value, event_id, path); });
}
Converted<ImportedOrder> order_from_json(const json& value, int64_t event_id, const JsonPath& path) {
    return guarded([&] { return parse_order(value, event_id, path); });
}
Converted<std::string> revoked_secret_from_json(const json& value, const JsonPath& path) {
    return guarded([&] { return parse_revoked_secret(value, path); });
}
Converted<BlockedSecret> blocked_secret_from_json(const json& value, const JsonPath& path) {
    return guarded([&] { return parse_blocked_secret(value, path); });
}
Converted<const json*> list_results(const json& page, const JsonPath& path) {
    return guarded([&] { return &parse_list_results(page, path); });
}

} // namespace kiosk::pretix
