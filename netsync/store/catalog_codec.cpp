#include "netsync/store/catalog_codec.h"

#include "netsync/store/store_error.h"

namespace kiosk::catalog_codec {

using nlohmann::json;

namespace {

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

json optional_time(const std::optional<Timestamp>& t) {
    return t ? json(t->time_since_epoch().count()) : json(nullptr);
}
json optional_id(const std::optional<int64_t>& id) { return id ? json(*id) : json(nullptr); }

std::optional<Timestamp> read_time(const json& value) {
    if (value.is_null()) return std::nullopt;
    return Timestamp{std::chrono::microseconds{value.get<int64_t>()}};
}
std::optional<int64_t> read_id(const json& value) {
    return value.is_null() ? std::nullopt : std::optional<int64_t>(value.get<int64_t>());
}

// Decodes one stored object; any mismatch means the row was damaged after we wrote it.
template <class Decode> auto decode(std::string_view text, const char* what, Decode&& decode_object) {
    try {
        return decode_object(json::parse(text));
    } catch (const json::exception& e) {
        throw StoreError(std::string("corrupt ") + what + " in the store: " + e.what());
    }
}

} // namespace

std::string encode(const Event& event) {
    return dump({{"name", event.name},
                 {"timezone", event.timezone},
                 {"date_from", optional_time(event.date_from)},
                 {"date_to", optional_time(event.date_to)},
                 {"date_admission", optional_time(event.date_admission)},
                 {"has_subevents", event.has_subevents},
                 {"sig1_keys", event.sig1_keys}});
}

std::string encode(const SubEvent& subevent) {
    return dump({{"id", subevent.id},
                 {"name", subevent.name},
                 {"date_from", optional_time(subevent.date_from)},
                 {"date_to", optional_time(subevent.date_to)},
                 {"date_admission", optional_time(subevent.date_admission)}});
}

std::string encode(const Item& item) {
    json variations = json::array();
    for (const Variation& variation : item.variations)
        variations.push_back(
            {{"id", variation.id}, {"value", variation.value}, {"checkin_attention", variation.checkin_attention}});
    return dump({{"id", item.id},
                 {"name", item.name},
                 {"admission", item.admission},
                 {"checkin_attention", item.checkin_attention},
                 {"variations", variations}});
}

std::string encode(const CheckinList& list) {
    return dump({{"id", list.id},
                 {"name", list.name},
                 {"all_products", list.all_products},
                 {"limit_products", list.limit_products},
                 {"subevent", optional_id(list.subevent)},
                 {"include_pending", list.include_pending},
                 {"allow_multiple_entries", list.allow_multiple_entries},
                 {"allow_entry_after_exit", list.allow_entry_after_exit},
                 {"addon_match", list.addon_match},
                 {"rules", list.rules}});
}

std::string encode(const Question& question) {
    json options = json::array();
    for (const QuestionOption& option : question.options)
        options.push_back({{"id", option.id}, {"identifier", option.identifier}, {"answer", option.answer}});
    return dump({{"id", question.id},
                 {"question", question.question},
                 {"type", question_type_code(question.type)},
                 {"required", question.required},
                 {"ask_during_checkin", question.ask_during_checkin},
                 {"position", question.position},
                 {"items", question.items},
                 {"options", options},
                 {"dependency_question", optional_id(question.dependency_question)},
                 {"dependency_values", question.dependency_values},
                 {"raw", question.raw}});
}

Event decode_event(std::string_view text, int64_t id, const std::string& organizer, const std::string& slug) {
    return decode(text, "event", [&](const json& value) {
        Event event;
        event.id = id;
        event.organizer = organizer;
        event.slug = slug;
        event.name = value.at("name");
        event.timezone = value.at("timezone").get<std::string>();
        event.date_from = read_time(value.at("date_from"));
        event.date_to = read_time(value.at("date_to"));
        event.date_admission = read_time(value.at("date_admission"));
        event.has_subevents = value.at("has_subevents").get<bool>();
        event.sig1_keys = value.at("sig1_keys").get<std::vector<std::string>>();
        return event;
    });
}

SubEvent decode_subevent(std::string_view text, int64_t event_id) {
    return decode(text, "subevent", [&](const json& value) {
        SubEvent subevent;
        subevent.id = value.at("id").get<int64_t>();
        subevent.event_id = event_id;
        subevent.name = value.at("name");
        subevent.date_from = read_time(value.at("date_from"));
        subevent.date_to = read_time(value.at("date_to"));
        subevent.date_admission = read_time(value.at("date_admission"));
        return subevent;
    });
}

Item decode_item(std::string_view text, int64_t event_id) {
    return decode(text, "product", [&](const json& value) {
        Item item;
        item.id = value.at("id").get<int64_t>();
        item.event_id = event_id;
        item.name = value.at("name");
        item.admission = value.at("admission").get<bool>();
        item.checkin_attention = value.at("checkin_attention").get<bool>();
        for (const json& variation : value.at("variations"))
            item.variations.push_back(Variation{variation.at("id").get<int64_t>(), variation.at("value"),
                                                variation.at("checkin_attention").get<bool>()});
        return item;
    });
}

CheckinList decode_list(std::string_view text, int64_t event_id) {
    return decode(text, "check-in list", [&](const json& value) {
        CheckinList list;
        list.id = value.at("id").get<int64_t>();
        list.event_id = event_id;
        list.name = value.at("name").get<std::string>();
        list.all_products = value.at("all_products").get<bool>();
        list.limit_products = value.at("limit_products").get<std::vector<int64_t>>();
        list.subevent = read_id(value.at("subevent"));
        list.include_pending = value.at("include_pending").get<bool>();
        list.allow_multiple_entries = value.at("allow_multiple_entries").get<bool>();
        list.allow_entry_after_exit = value.at("allow_entry_after_exit").get<bool>();
        list.addon_match = value.at("addon_match").get<bool>();
        list.rules = value.at("rules");
        return list;
    });
}

Question decode_question(std::string_view text, int64_t event_id) {
    return decode(text, "question", [&](const json& value) {
        Question question;
        question.id = value.at("id").get<int64_t>();
        question.event_id = event_id;
        question.question = value.at("question");
        const auto type = question_type_from_code(value.at("type").get<std::string>());
        if (!type) throw StoreError("corrupt question in the store: unknown type " + value.at("type").dump());
        question.type = *type;
        question.required = value.at("required").get<bool>();
        question.ask_during_checkin = value.at("ask_during_checkin").get<bool>();
        question.position = value.at("position").get<int64_t>();
        question.items = value.at("items").get<std::vector<int64_t>>();
        for (const json& option : value.at("options"))
            question.options.push_back(QuestionOption{option.at("id").get<int64_t>(),
                                                      option.at("identifier").get<std::string>(), option.at("answer")});
        question.dependency_question = read_id(value.at("dependency_question"));
        question.dependency_values = value.at("dependency_values").get<std::vector<std::string>>();
        question.raw = value.at("raw");
        return question;
    });
}

} // namespace kiosk::catalog_codec
