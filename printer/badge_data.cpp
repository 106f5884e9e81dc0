#include "printer/badge_data.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

#include "kiosk/core/time.h"

namespace kiosk::printer {
namespace {

using nlohmann::json;

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

const std::string* text_in(const json& texts, const std::string& language) {
    const auto it = texts.find(language);
    return it != texts.end() && it->is_string() && !it->get_ref<const std::string&>().empty() ? &it->get_ref<const std::string&>() : nullptr;
}

// pretix's i18n strings: a plain string, or texts by language code. The attendee's language,
// then its base ("pt" for "pt-br"), then English, then whatever the organiser wrote.
std::string localized(const json& texts, std::string_view language) {
    if (texts.is_string()) return texts.get<std::string>();
    if (!texts.is_object()) return {};
    const std::string wanted = lowercase(language);
    for (const std::string& candidate : {wanted, wanted.substr(0, wanted.find('-')), std::string("en")})
        if (const std::string* text = text_in(texts, candidate)) return *text;
    for (const auto& [code, text] : texts.items())
        if (lowercase(code).starts_with(wanted.substr(0, wanted.find('-')) + "-") && text.is_string()) return text.get<std::string>();
    for (const auto& [code, text] : texts.items())
        if (text.is_string() && !text.get_ref<const std::string&>().empty()) return text.get<std::string>();
    return {};
}

const Variation* variation_of(const Item* item, std::optional<int64_t> variation_id) {
    if (item == nullptr || !variation_id) return nullptr;
    for (const Variation& variation : item->variations)
        if (variation.id == *variation_id) return &variation;
    return nullptr;
}

const Question* question_of(const EventCatalog& catalog, int64_t question_id) {
    for (const Question& question : catalog.questions)
        if (question.id == question_id) return &question;
    return nullptr;
}

std::string identifier_of(const Question& question) {
    const auto it = question.raw.find("identifier");
    return it != question.raw.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// How an answer reads on a badge: chosen options in the attendee's language (pretix stores the
// option text in the language of the order), everything else as given.
std::string answer_text(const Answer& answer, const Question* question, std::string_view language) {
    if (question == nullptr || answer.options.empty()) return answer.answer;
    std::string out;
    for (int64_t option_id : answer.options)
        for (const QuestionOption& option : question->options)
            if (option.id == option_id) out += (out.empty() ? "" : ", ") + localized(option.answer, language);
    return out.empty() ? answer.answer : out;
}

void add_answers(const Position& position, const EventCatalog& catalog, std::string_view language, BadgeData& data) {
    for (const Answer& answer : position.answers) {
        const Question* question = question_of(catalog, answer.question);
        const std::string text = answer_text(answer, question, language);
        data.text["question_" + std::to_string(answer.question)] = text;
        if (question == nullptr) continue;
        const std::string identifier = identifier_of(*question);
        if (identifier.empty()) continue;
        data.text["question_" + identifier] = text;
        // The model has no company field: pretix's COMPANY question is where organisers ask it.
        if (lowercase(identifier) == "company") data.text["attendee_company"] = text;
    }
}

std::string two_digits(int value) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%02d", value);
    return buffer;
}

// ISO dates ("2027-03-16") read the same in every language a badge may be printed in.
std::string local_date(const LocalDateTime& local) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", local.year, local.month, local.day);
    return buffer;
}

void add_event(const Position& position, const EventCatalog& catalog, std::string_view language, BadgeData& data) {
    const Event& event = catalog.event;
    json name = event.name;
    std::optional<Timestamp> from = event.date_from, to = event.date_to, admission = event.date_admission;
    for (const SubEvent& subevent : catalog.subevents)
        if (position.subevent && subevent.id == *position.subevent) {
            name = subevent.name;
            from = subevent.date_from;
            to = subevent.date_to;
            admission = subevent.date_admission;
        }
    data.text["event_name"] = localized(name, language);
    const date::time_zone* zone = find_time_zone(event.timezone);
    if (!from) return;
    const LocalDateTime begin = to_local(*from, zone);
    data.text["event_date"] = data.text["event_begin_date"] = local_date(begin);
    data.text["event_begin_time"] = two_digits(begin.hour) + ":" + two_digits(begin.minute);
    data.text["event_date_range"] = local_date(begin);
    if (to) {
        const LocalDateTime end = to_local(*to, zone);
        if (end.days_since_epoch != begin.days_since_epoch) data.text["event_date_range"] += " – " + local_date(end);
    }
    if (admission) {
        const LocalDateTime open = to_local(*admission, zone);
        data.text["event_admission_time"] = two_digits(open.hour) + ":" + two_digits(open.minute);
    }
}

void add_product(const Position& position, const EventCatalog& catalog, std::string_view language, BadgeData& data) {
    const Item* item = catalog.item(position.item);
    const Variation* variation = variation_of(item, position.variation);
    const std::string item_name = item ? localized(item->name, language) : std::string();
    const std::string variation_name = variation ? localized(variation->value, language) : std::string();
    data.text["item"] = item_name;
    data.text["variation"] = variation_name;
    // pretix joins product and variation with an en dash.
    data.text["itemvar"] = variation_name.empty() ? item_name : item_name + " – " + variation_name;
}

} // namespace

BadgeData badge_data_for(const Position& position, const Order& order, const EventCatalog& catalog, std::string_view language) {
    BadgeData data;
    data.language = language.empty() ? order.locale : std::string(language);
    data.secret = position.secret;
    data.text["secret"] = position.secret;
    data.text["order"] = order.code.empty() ? position.order : order.code;
    data.text["positionid"] = std::to_string(position.positionid);
    data.text["order_positionid"] = data.text["order"] + "-" + data.text["positionid"];
    data.text["attendee_name"] = position.attendee_name;
    // A ticket bought for oneself often has the address on the order only.
    data.text["attendee_email"] = position.attendee_email.empty() ? order.email : position.attendee_email;
    data.text["order_email"] = order.email;
    data.text["attendee_company"] = "";
    add_product(position, catalog, data.language, data);
    add_event(position, catalog, data.language, data);
    add_answers(position, catalog, data.language, data);
    return data;
}

} // namespace kiosk::printer
