// Oveit's check-in API as a TicketClient (seed 003_f6fed5afae64980c.txt): the event's ticket list
// downloaded and cached for offline decisions, check-in by ticket code or RFID code with ticket
// type and addon ids, and /tickets/scan for what the screen shows.
//
// [SECTION] What the server says, and what we assume
// [SECTION] OveitClient
//
// The three calls, all POST under `url` (the API base, https://l.oveit.com/api), parameters as
// form fields (application/x-www-form-urlencoded), the organizer's access token as the `token`
// parameter of every call (never in a header, a URL, a log or a message):
//   /events/tickets    token, id                 the event's tickets: code, ticket_type_id,
//                                                checked_in, checkins [{addon_id, date}]
//   /tickets/checkin   token, ticket_code | rfid_code, ticket_type_id?, addon_id?
//   /tickets/scan      token, ticket_code | rfid_code        the same answer, nothing recorded
// Multiple access: each addon is its own entry with its own check-in (addon_id), which maps onto
// one check-in list per addon (oveit_download.h); TicketCall.addon names the entry, nullopt the
// main one. The list carries no names: check_in and look_up answers do (the attendee field
// "Name", or first + last name fields).
//
// Thread rule: a client owns one http::Client and belongs to one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netsync/backend/ticket_client.h"
#include "netsync/http/http_client.h"
#include "netsync/oveit/oveit_wire.h"

namespace kiosk::oveit {

//-----------------------------------------------------------------------------
// [SECTION] What the server says, and what we assume
//-----------------------------------------------------------------------------
// Documented (Oveit's API documentation, "Introduction", https://l.oveit.com/api-documentation):
// every answer is 200 OK, API errors included, as {"error": "This ticket does not exist"}; an
// invalid or expired token (tokens expire 48 hours after their last use) is 403 Forbidden; the
// words follow Accept-Language, which we send as "en" so that they can be read.
// OUR ASSUMPTION (as tests/emulators/oveit_emulator.py answers) for the words beyond the
// documented example, read case-insensitively:
//   "does not exist" / "not found" / "invalid ticket"  -> RejectReason::invalid
//   "already" (checked in)                              -> already_redeemed, with the time of the
//                                                          entry's check-in from /tickets/scan
//   "cancel"                                            -> canceled
//   "ticket type" / "addon" / "access"                  -> product (not valid for this entry)
//   anything else                                       -> RejectReason::error, the words for staff
// The list call's {"error"} names no ticket: "event" in it -> not_found (wrong event id, sync
// stops until staff fix it), else refused. A 403 is unauthorized (sync stops: sign in again).
// An answer that is neither {"ok": true, "ticket": {...}} nor {"error": "..."} (a Wi-Fi login
// page, an empty body, wrong types, "ok" missing) is a bad_answer, tried again later: nothing is
// taken from it and nothing is lost.
// A code the server does not know as a ticket code is tried once more as rfid_code: the kiosk
// reads RFID tags and barcodes alike as scanned text, nothing in the text says which it is, and
// Oveit keeps the two apart. A check-in answered for another Oveit event than the call's (codes
// are unique across an organizer's events and the call names no event) is refused as invalid,
// saying that Oveit recorded it for that event.
// Oveit documents no undo: undo_queued is the base class's refusal in words.

//-----------------------------------------------------------------------------
// [SECTION] OveitClient
//-----------------------------------------------------------------------------

class OveitClient final : public backend::TicketClient {
public:
    explicit OveitClient(const backend::Connection& connection);
    // Tests shorten the HTTP client's retries; the kiosk uses the default policy.
    OveitClient(const backend::Connection& connection, http::RetryPolicy retry);

    backend::Kind kind() const override { return backend::Kind::oveit; }

    // /tickets/checkin on call.addon's entry (ticket_type_id when call.ticket_type is set): ok with
    // the attendee's name and the ticket type's name, or a refusal with its reason (status error).
    backend::ApiResult<backend::TicketAnswer> check_in(const backend::TicketCall& call) override;

    // /tickets/scan: the name and type for the screen, ok when the entry call.addon has no
    // check-in yet, already_redeemed (with its time) when it has; product when call.ticket_type
    // is set and differs. Records nothing.
    backend::ApiResult<backend::TicketAnswer> look_up(const backend::TicketCall& call) override;

    // /events/tickets into the store (store_ticket_list in oveit_download.h): an unchanged list
    // writes nothing; a malformed ticket is skipped and reported.
    backend::ApiResult<backend::DownloadSummary> download(Store& store, const std::string& event) override;

private:
    enum class CodeField { ticket_code, rfid_code };
    struct Reply {
        TicketReply reply;
        CodeField field = CodeField::ticket_code;   // the field that was answered
    };

    // Sends `call` (ticket_code, then once more as rfid_code when the server knows no such ticket).
    backend::ApiResult<Reply> ask(std::string_view path, const backend::TicketCall& call, bool with_entry,
                                  std::string_view context);
    backend::ApiResult<http::Response> post(std::string_view path, std::vector<std::pair<std::string, std::string>> fields,
                                            std::string_view context, bool idempotent);
    backend::TicketAnswer refusal(const Refused& refused, const backend::TicketCall& call, CodeField field);
    backend::ApiError error_of(const http::Error& error, std::string_view context) const;
    std::string one_line(std::string text) const;

    backend::Connection connection_;
    std::string host_;                      // for messages: the host of connection_.url
    http::Client client_;
};

} // namespace kiosk::oveit
