#include "netsync/oveit/oveit_wire.h"

#include <algorithm>
#include <limits>
#include <unordered_set>
#include <utility>

#include "kiosk/core/time.h"
#include "netsync/pretix/pretix_json.h"

// [SECTION] Fields
// [SECTION] The ticket list
// [SECTION] One ticket's answer

namespace kiosk::oveit {

using nlohmann::json;

namespace {

//-----------------------------------------------------------------------------
// [SECTION] Fields
//-----------------------------------------------------------------------------

// An id as Oveit sends it: an integer, or a string of digits (PHP servers send either).
std::optional<int64_t> id_of(const json& value) {
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return std::nullopt;
        return value.get<int64_t>();
    }
    if (!value.is_string()) return std::nullopt;
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > 18 || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoll(text);
}

std::string string_or_empty(const json& object, std::string_view key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// [{"addon_id": 5 | null, "date": "..."}], or the words of what is wrong.
std::expected<std::vector<ServerCheckin>, std::string> checkins_of(const json& object) {
    std::vector<ServerCheckin> out;
    const auto it = object.find("checkins");
    if (it == object.end() || it->is_null()) return out;
    if (!it->is_array()) return std::unexpected("checkins is not an array");
    for (size_t i = 0; i < it->size(); ++i) {
        const json& entry = (*it)[i];
        const std::string where = "checkins[" + std::to_string(i) + "]";
        if (!entry.is_object()) return std::unexpected(where + " is not an object");
        ServerCheckin checkin;
        if (const auto addon = entry.find("addon_id"); addon != entry.end() && !addon->is_null()) {
            checkin.addon = id_of(*addon);
            if (!checkin.addon) return std::unexpected(where + ".addon_id is not an id");
        }
        const auto date = entry.find("date");
        const auto parsed = date != entry.end() && date->is_string() ? parse_iso8601(date->get<std::string>()) : std::nullopt;
        if (!parsed) return std::unexpected(where + ".date is not an ISO 8601 time");
        checkin.date = *parsed;
        out.push_back(checkin);
    }
    return out;
}

std::expected<ListedTicket, std::string> listed_ticket(const json& entry) {
    if (!entry.is_object()) return std::unexpected("not an object");
    ListedTicket ticket;
    ticket.code = string_or_empty(entry, "code");
    if (ticket.code.empty()) return std::unexpected("no ticket code");
    const auto type = entry.find("ticket_type_id");
    const auto type_id = type == entry.end() ? std::nullopt : id_of(*type);
    if (!type_id) return std::unexpected("ticket_type_id is missing or not an id");
    ticket.ticket_type = *type_id;
    if (const auto flag = entry.find("checked_in"); flag != entry.end() && !flag->is_null()) {
        if (!flag->is_boolean()) return std::unexpected("checked_in is not true or false");
        ticket.checked_in = flag->get<bool>();
    }
    auto checkins = checkins_of(entry);
    if (!checkins) return std::unexpected(checkins.error());
    ticket.checkins = std::move(*checkins);
    return ticket;
}

// Codes appear in staff messages: printable, short.
std::string record_id(const json& entry, size_t index) {
    if (entry.is_object()) {
        const std::string code = string_or_empty(entry, "code");
        if (!code.empty() && code.size() <= 64 &&
            std::ranges::all_of(code, [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }))
            return code;
    }
    return "tickets[" + std::to_string(index) + "]";
}

} // namespace

//-----------------------------------------------------------------------------
// [SECTION] The ticket list
//-----------------------------------------------------------------------------

std::optional<std::string> error_words(std::string_view body) {
    const auto parsed = pretix::parse_json_text(body, "the answer");
    if (!parsed || !parsed->is_object()) return std::nullopt;
    const auto it = parsed->find("error");
    if (it == parsed->end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::expected<TicketList, std::string> read_ticket_list(std::string_view body) {
    auto parsed = pretix::parse_json_text(body, "the ticket list");
    if (!parsed) return std::unexpected("answered with something that is not JSON");
    if (!parsed->is_object()) return std::unexpected("answered with JSON that is not Oveit's ticket list");
    if (const auto error = parsed->find("error"); error != parsed->end() && error->is_string())
        return std::unexpected("refused the ticket list: " + error->get<std::string>());
    const auto tickets = parsed->find("tickets");
    if (tickets == parsed->end() || !tickets->is_array())
        return std::unexpected("answered without a list of tickets");
    TicketList list;
    list.tickets.reserve(tickets->size());
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < tickets->size(); ++i) {
        const json& entry = (*tickets)[i];
        auto ticket = listed_ticket(entry);
        if (!ticket) {
            list.skipped.push_back({"tickets", record_id(entry, i), "unreadable ticket: " + ticket.error()});
            continue;
        }
        if (!seen.insert(ticket->code).second) {
            list.skipped.push_back({"tickets", record_id(entry, i), "the list names this ticket code twice; the first is kept"});
            continue;
        }
        list.tickets.push_back(std::move(*ticket));
    }
    return list;
}

//-----------------------------------------------------------------------------
// [SECTION] One ticket's answer
//-----------------------------------------------------------------------------

std::string attendee_name(const json& attendee) {
    if (!attendee.is_object()) return {};
    const auto fields = attendee.find("fields");
    const auto values = attendee.find("values");
    if (fields == attendee.end() || values == attendee.end() || !fields->is_array() || !values->is_array()) return {};
    const auto normalized = [](std::string text) {
        std::string out;
        for (const char c : text) {
            if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
            else if ((c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80) out += c;   // drops spaces, _ and -
        }
        return out;
    };
    const auto value_of = [&](std::initializer_list<std::string_view> names) -> std::string {
        for (size_t i = 0; i < fields->size() && i < values->size(); ++i) {
            const json& field = (*fields)[i];
            const json& value = (*values)[i];
            if (!field.is_object() || !value.is_string()) continue;
            const std::string name = normalized(string_or_empty(field, "name"));
            if (std::ranges::find(names, name) != names.end()) return value.get<std::string>();
        }
        return {};
    };
    if (std::string name = value_of({"name", "fullname"}); !name.empty()) return name;
    const std::string first = value_of({"firstname", "givenname"});
    const std::string last = value_of({"lastname", "surname", "familyname"});
    if (first.empty() || last.empty()) return first + last;
    return first + " " + last;
}

std::optional<Timestamp> first_checkin(const std::vector<ServerCheckin>& checkins, std::optional<int64_t> addon) {
    std::optional<Timestamp> first;
    for (const ServerCheckin& checkin : checkins)
        if (checkin.addon == addon && (!first || checkin.date < *first)) first = checkin.date;
    return first;
}

std::expected<TicketReply, std::string> read_ticket_reply(std::string_view body) {
    const auto parsed = pretix::parse_json_text(body, "the answer");
    if (!parsed) return std::unexpected("answered with something that is not JSON");
    if (!parsed->is_object()) return std::unexpected("answered with JSON that is not an Oveit answer");
    const json& answer = *parsed;
    if (const auto error = answer.find("error"); error != answer.end() && !error->is_null()) {
        if (!error->is_string()) return std::unexpected("answered with an error that is not words");
        return Refused{error->get<std::string>()};
    }
    const auto ok = answer.find("ok");
    if (ok == answer.end() || !ok->is_boolean()) return std::unexpected("answered without Oveit's \"ok\"");
    if (!ok->get<bool>()) return std::unexpected("answered \"ok\": false without saying why");
    const auto ticket = answer.find("ticket");
    if (ticket == answer.end() || !ticket->is_object() || string_or_empty(*ticket, "code").empty())
        return std::unexpected("answered without the ticket's code");
    TicketDetails details;
    details.code = string_or_empty(*ticket, "code");
    const auto object_or_null = [&](std::string_view key) -> std::expected<const json*, std::string> {
        const auto it = answer.find(key);
        if (it == answer.end() || it->is_null()) return nullptr;
        if (!it->is_object()) return std::unexpected("answered with a " + std::string(key) + " that is not an object");
        return &*it;
    };
    const auto type = object_or_null("ticket_type");
    const auto event = object_or_null("event");
    const auto order = object_or_null("order");
    const auto attendee = object_or_null("attendee");
    for (const auto* part : {&type, &event, &order, &attendee})
        if (!*part) return std::unexpected(part->error());
    if (*type) {
        if (const auto id = (*type)->find("id"); id != (*type)->end()) details.ticket_type_id = id_of(*id);
        details.ticket_type = string_or_empty(**type, "name");
    }
    if (*event) {
        if (const auto id = (*event)->find("id"); id != (*event)->end()) details.event_id = id_of(*id);
        details.event_name = string_or_empty(**event, "name");
    }
    // order.name is the buyer, who may not be the one at the kiosk: never used as the attendee's name.
    if (*attendee) details.attendee_name = attendee_name(**attendee);
    auto checkins = checkins_of(answer);
    if (!checkins) return std::unexpected("answered with unreadable " + checkins.error());
    details.checkins = std::move(*checkins);
    return details;
}

} // namespace kiosk::oveit
