// The pretix-shaped domain model the decision engine reads and the store persists.
//
// Identifiers are pretix's own (they are unique per backend), except events, which pretix names by
// organizer + slug: we give each a local integer id. Names stay as pretix sends them (an i18n dict
// or a plain string) so the UI can pick the attendee's language later.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk {

// Microseconds since the Unix epoch, UTC. Check-ins at the same instant keep insertion order.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

struct Event {
    int64_t id = 0;                         // local id (organizer + slug are unique)
    std::string organizer;
    std::string slug;
    nlohmann::json name;                    // i18n dict
    std::string timezone = "UTC";           // IANA name, e.g. "Europe/Berlin"
    std::optional<Timestamp> date_from, date_to, date_admission;
    bool has_subevents = false;
    std::vector<std::string> sig1_keys;     // valid_keys.pretix_sig1: base64 of PEM public keys
};

struct SubEvent {
    int64_t id = 0;
    int64_t event_id = 0;
    nlohmann::json name;
    std::optional<Timestamp> date_from, date_to, date_admission;
};

struct Variation {
    int64_t id = 0;
    nlohmann::json value;                   // i18n dict
    bool checkin_attention = false;
};

struct Item {
    int64_t id = 0;
    int64_t event_id = 0;
    nlohmann::json name;                    // i18n dict
    bool admission = true;
    bool checkin_attention = false;
    std::vector<Variation> variations;
};

struct CheckinList {
    int64_t id = 0;
    int64_t event_id = 0;
    std::string name;
    bool all_products = true;
    std::vector<int64_t> limit_products;    // item ids, used when all_products is false
    std::optional<int64_t> subevent;
    bool include_pending = false;
    bool allow_multiple_entries = false;
    bool allow_entry_after_exit = true;
    bool addon_match = false;
    nlohmann::json rules;                   // JsonLogic; null or {} means no rule
};

enum class OrderStatus { pending, paid, expired, canceled };

struct Order {
    std::string code;
    int64_t event_id = 0;
    OrderStatus status = OrderStatus::paid;
    bool require_approval = false;
    bool valid_if_pending = false;
    bool checkin_attention = false;
    std::string email;
    std::string locale;
};

struct Answer {
    int64_t question = 0;
    std::string answer;                     // as pretix stores it (choice: the option text)
    std::vector<int64_t> options;           // chosen option ids for C / M questions
};

struct Position {
    int64_t id = 0;
    int64_t event_id = 0;
    std::string order;                      // order code
    int64_t positionid = 1;
    int64_t item = 0;
    std::optional<int64_t> variation;
    std::optional<int64_t> subevent;
    std::string secret;
    std::string attendee_name;
    std::string attendee_email;
    std::optional<int64_t> addon_to;        // parent position id
    bool blocked = false;                   // pretix sends a list of block reasons or null
    std::optional<Timestamp> valid_from, valid_until;
    bool canceled = false;
    std::vector<Answer> answers;
};

// pretix question type codes: B N S T C M D H W EMAIL TEL CC F.
enum class QuestionType { boolean, number, string, text, choice, multiple_choice, date, time,
                          datetime, email, phone, country, file };

struct QuestionOption {
    int64_t id = 0;
    std::string identifier;
    nlohmann::json answer;                  // i18n dict
};

struct Question {
    int64_t id = 0;
    int64_t event_id = 0;
    nlohmann::json question;                // i18n dict
    QuestionType type = QuestionType::string;
    bool required = false;
    bool ask_during_checkin = false;
    int64_t position = 0;                   // display order
    std::vector<int64_t> items;             // the products this question is asked for
    std::vector<QuestionOption> options;
    std::optional<int64_t> dependency_question;
    std::vector<std::string> dependency_values; // option identifiers, or "True"/"False" for B
    nlohmann::json raw;                     // the full pretix object, echoed in `incomplete` answers
};

// Everything about one event that changes only with an import or a sync: what a decision, a
// list status and a badge read besides the ticket itself. The store keeps it, the app layer caches
// it per catalog generation, the engine reads it; this is its only description.
struct EventCatalog {
    Event event;
    std::vector<SubEvent> subevents;
    std::vector<Item> items;
    std::vector<CheckinList> lists;
    std::vector<Question> questions;

    const Item* item(int64_t item_id) const;            // null when the event has no such product
    const CheckinList* list(int64_t list_id) const;     // null when the event has no such list
};

// Whether `list` covers product `item` (all_products, or one of limit_products). The engine's
// product check and the list status count the same positions through this one function.
bool product_on_list(const CheckinList& list, int64_t item);

enum class CheckinType { entry, exit };

struct Checkin {
    int64_t list = 0;
    Timestamp datetime{};
    CheckinType type = CheckinType::entry;
    std::optional<std::string> gate;
};

// Parsing of pretix's wire codes. Unknown codes return nullopt so importers can say which field
// was wrong instead of guessing.
std::optional<OrderStatus> order_status_from_code(std::string_view code);   // "n" "p" "e" "c"
std::string_view order_status_code(OrderStatus status);
std::optional<QuestionType> question_type_from_code(std::string_view code); // "B" ... "F"
std::string_view question_type_code(QuestionType type);
std::string_view checkin_type_name(CheckinType type);                       // "entry" / "exit"
std::optional<CheckinType> checkin_type_from_name(std::string_view name);

} // namespace kiosk
