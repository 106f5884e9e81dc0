#include "kiosk/core/model.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kiosk {

namespace {
constexpr std::array<std::pair<std::string_view, QuestionType>, 13> kQuestionTypeCodes{{
    {"B", QuestionType::boolean},  {"N", QuestionType::number},         {"S", QuestionType::string},
    {"T", QuestionType::text},     {"C", QuestionType::choice},         {"M", QuestionType::multiple_choice},
    {"D", QuestionType::date},     {"H", QuestionType::time},           {"W", QuestionType::datetime},
    {"EMAIL", QuestionType::email}, {"TEL", QuestionType::phone},       {"CC", QuestionType::country},
    {"F", QuestionType::file},
}};
} // namespace

std::optional<OrderStatus> order_status_from_code(std::string_view code) {
    if (code == "n") return OrderStatus::pending;
    if (code == "p") return OrderStatus::paid;
    if (code == "e") return OrderStatus::expired;
    if (code == "c") return OrderStatus::canceled;
    return std::nullopt;
}

std::string_view order_status_code(OrderStatus status) {
    switch (status) {
    case OrderStatus::pending: return "n";
    case OrderStatus::paid: return "p";
    case OrderStatus::expired: return "e";
    case OrderStatus::canceled: return "c";
    }
    return "p";
}

std::optional<QuestionType> question_type_from_code(std::string_view code) {
    for (const auto& [text, type] : kQuestionTypeCodes)
        if (text == code) return type;
    return std::nullopt;
}

std::string_view question_type_code(QuestionType type) {
    for (const auto& [text, candidate] : kQuestionTypeCodes)
        if (candidate == type) return text;
    return "S";
}

const Item* EventCatalog::item(int64_t item_id) const {
    const auto it = std::ranges::find(items, item_id, &Item::id);
    return it == items.end() ? nullptr : &*it;
}

const CheckinList* EventCatalog::list(int64_t list_id) const {
    const auto it = std::ranges::find(lists, list_id, &CheckinList::id);
    return it == lists.end() ? nullptr : &*it;
}

bool product_on_list(const CheckinList& list, int64_t item) {
    return list.all_products || std::ranges::find(list.limit_products, item) != list.limit_products.end();
}

std::string_view checkin_type_name(CheckinType type) {
    return type == CheckinType::exit ? "exit" : "entry";
}

std::optional<CheckinType> checkin_type_from_name(std::string_view name) {
    if (name == "entry") return CheckinType::entry;
    if (name == "exit") return CheckinType::exit;
    return std::nullopt;
}

} // namespace kiosk
