// Oveit's JSON (seed 003_f6fed5afae64980c.txt) read into plain values: the event's ticket list
// (POST /events/tickets) and one ticket's answer (POST /tickets/checkin and /tickets/scan, which
// share one shape).
//
// [SECTION] The ticket list
// [SECTION] One ticket's answer
//
// Everything here is untrusted and pure (no I/O): a list entry that cannot be read is skipped and
// reported by its code (or its index when it has none), never blocking the others; an answer that
// is neither Oveit's success ({"ok": true, "ticket": {...}, ...}) nor its error ({"error": "..."},
// documented as 200 OK) is an error in words, which the client turns into a bad_answer.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"
#include "netsync/store/store.h"

namespace kiosk::oveit {

//-----------------------------------------------------------------------------
// [SECTION] The ticket list
//-----------------------------------------------------------------------------

// One check-in the server has: on the main entry (addon nullopt, the seed's "addon_id": null) or
// on one addon (multiple access: each addon is its own entry).
struct ServerCheckin {
    std::optional<int64_t> addon;
    Timestamp date{};
};

struct ListedTicket {
    std::string code;                       // the ticket code: what its barcode holds
    int64_t ticket_type = 0;
    bool checked_in = false;                // the seed's flag; read with `checkins` (see main_entry_checkins)
    std::vector<ServerCheckin> checkins;
};

struct TicketList {
    std::vector<ListedTicket> tickets;      // in the server's order; codes unique (a repeat is skipped)
    std::vector<SkippedRecord> skipped;     // resource "tickets", id = the code or "tickets[i]"
};

// {"tickets": [...]}. An entry needs a non-empty string code, an integer ticket_type_id (a string
// of digits is read too), checkins as an array of {"addon_id": integer or null, "date": ISO 8601}
// (missing = none) and a boolean checked_in (missing = false). Anything else about the whole
// answer (not JSON, no "tickets" array, Oveit's {"error"}) is an error: the words for staff.
std::expected<TicketList, std::string> read_ticket_list(std::string_view body);

// The error words when the body is Oveit's {"error": "..."}; nullopt otherwise.
std::optional<std::string> error_words(std::string_view body);

//-----------------------------------------------------------------------------
// [SECTION] One ticket's answer
//-----------------------------------------------------------------------------

struct TicketDetails {
    std::string code;                       // ticket.code
    std::optional<int64_t> event_id;        // event.id, when told
    std::string event_name;
    std::optional<int64_t> ticket_type_id;  // ticket_type.id
    std::string ticket_type;                // ticket_type.name
    std::string attendee_name;              // see attendee_name()
    std::vector<ServerCheckin> checkins;
};

// What the server said: the ticket's details, or its refusal in its own words.
struct Refused {
    std::string words;
};
using TicketReply = std::variant<TicketDetails, Refused>;

// {"ok": true, "ticket": {"code"}, ...} or {"error": "..."} ("ok": false with it is read too).
// Optional parts (event, order, attendee, checkins) of a wrong type are an error: a server that
// sends them so is not the one we know, and guessing a name or a check-in is worse than asking
// again.
std::expected<TicketReply, std::string> read_ticket_reply(std::string_view body);

// The attendee's name from {"fields": [{"name"}], "values": [...]}: the value of the field named
// "Name" (any case), else "First name" + "Last name" (also "Firstname", "First_name", ...), else
// "" (order.name is the buyer, not necessarily this attendee). Values of the wrong type are ignored.
std::string attendee_name(const nlohmann::json& attendee);

// The earliest check-in on `addon`'s entry (nullopt = main entry), if any.
std::optional<Timestamp> first_checkin(const std::vector<ServerCheckin>& checkins, std::optional<int64_t> addon);

} // namespace kiosk::oveit
