// BrightStar's Ticket Validation API as a TicketClient: a pre-check without entry (validate) and
// check-in with this kiosk's scanner id (seed 004_8abd0e37f1fcf113.txt).
//
// [SECTION] What the server says, and what we assume
// [SECTION] BrightStarClient
//
// The two calls: POST {url}/tickets/validate {"ticket_id", "event_id"} answers
// {"valid": true, "ticket": {...}} and records nothing; POST {url}/tickets/checkin {"ticket_id",
// "scanner_id"} answers {"success": true, "ticket": {...}} and marks the ticket as checked in.
// `url` is the API base up to its version segment (https://api.example.com/v1). The ticket object
// names the attendee and the ticket type. There is nothing else: no call lists an event's tickets
// (the kiosk cannot decide a BrightStar scan offline), none reverts a check-in (the seed's
// ticket.check_in_reverted webhook only reports one made elsewhere): undo keeps the base class's
// answer, which tells staff so.
//
// Thread rule: a client owns one http::Client and belongs to one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "netsync/backend/ticket_client.h"
#include "netsync/http/http_client.h"

namespace kiosk::brightstar {

//-----------------------------------------------------------------------------
// [SECTION] What the server says, and what we assume
//-----------------------------------------------------------------------------
// Documented (the seed): the 200 answers above; errors INVALID_TICKET (404), ALREADY_CHECKED_IN
// (400, with "checked_in_at"), WRONG_EVENT, TICKET_CANCELLED, EVENT_NOT_STARTED (400); validate's
// error body {"valid": false, "error": CODE, "checked_in_at": ...}. Our reasons:
//   INVALID_TICKET -> invalid, ALREADY_CHECKED_IN -> already_redeemed with its time,
//   WRONG_EVENT -> invalid ("this ticket is for another event"), TICKET_CANCELLED -> canceled,
//   EVENT_NOT_STARTED -> invalid_time; any other code -> reason error with the code in the
//   explanation (a refusal, not an ApiError: the server did decide about the ticket).
// OUR ASSUMPTIONS (as tests/emulators/brightstar_emulator.py answers):
//   - /checkin's errors have validate's shape with "success" in place of "valid" (the seed shows
//     none); either flag is read on either call;
//   - the seed names no authentication: "Authorization: Bearer <token>" when Connection.token is
//     not empty, nothing otherwise; 401 / 403 stop the sync as for every backend;
//   - a 404 that is not BrightStar's error body (an HTML page: a wrong server address) is
//     not_found, so the sync stops until staff fix the address;
//   - ALREADY_CHECKED_IN's checked_in_at is ISO 8601; when it is missing or unreadable the
//     refusal stands without a time (the ticket must not be let in on a formatting quirk);
//   - the request carries no "location": the kiosk has no GPS, and the seed marks it optional.
// Bad answers are ApiErrors of kind bad_answer (tried again later): a body that is not JSON
// (an HTML page, a captive portal, empty, cut off), a flag that is not a boolean ("valid": "yes"),
// a success without a ticket object or with fields of the wrong type, an answer about another
// ticket, a refusal without an error code.
//
// Check-in is validate, then checkin (the seed: "Use the /validate endpoint for pre-check ... and
// /checkin for actual entry"). Why both: /checkin takes no event id, so on its own it would admit
// a ticket of the organiser's other BrightStar events (it says WRONG_EVENT only for a scanner the
// organiser registered to an event, which a kiosk cannot rely on); validate with our event id
// refuses it first. The price is a second request per scan on loopback-to-cloud latency, and a
// moment between the two calls in which another door may check the ticket in: /checkin then says
// ALREADY_CHECKED_IN, which is mapped as any refusal. Validate does not say EVENT_NOT_STARTED (the
// seed recommends it as the pre-check "before event starts"): /checkin does.
//
// /checkin is not idempotent (a second one answers ALREADY_CHECKED_IN), so it is never retried
// once it may have reached the server; a lost answer is an ApiError (unreachable or bad_answer)
// and a later check-in of the same ticket reads ALREADY_CHECKED_IN with the time of the lost one.
// BrightStar has no field for the kiosk's own check-in time: a queued check-in is stamped by the
// server when it arrives.

//-----------------------------------------------------------------------------
// [SECTION] BrightStarClient
//-----------------------------------------------------------------------------

class BrightStarClient final : public backend::TicketClient {
public:
    explicit BrightStarClient(const backend::Connection& connection);
    // Tests shorten the HTTP client's retries; the kiosk uses the default policy.
    BrightStarClient(const backend::Connection& connection, http::RetryPolicy retry);

    backend::Kind kind() const override { return backend::Kind::brightstar; }

    // Validate with our event id, then check in with our scanner id when valid: an admission
    // (status ok, the attendee's name and ticket type) or a refusal with its reason.
    backend::ApiResult<backend::TicketAnswer> check_in(const backend::TicketCall& call) override;

    // Validate with our event id: what BrightStar would decide, recording nothing. Before the
    // event starts a good ticket is ok here (only the check-in says EVENT_NOT_STARTED).
    backend::ApiResult<backend::TicketAnswer> look_up(const backend::TicketCall& call) override;

    // BrightStar offers no ticket list to download: makes sure the local event and its one list
    // exist (backend::ensure_local_event) and reports no tickets; `changed` when it was made.
    backend::ApiResult<backend::DownloadSummary> download(Store& store, const std::string& event) override;

private:
    enum class Call { validate, checkin };

    backend::ApiResult<backend::TicketAnswer> post(Call call, const backend::TicketCall& ticket);
    backend::ApiResult<backend::TicketAnswer> read_answer(Call call, const http::Response& response,
                                                          const std::string& ticket_id) const;
    backend::ApiResult<backend::TicketAnswer> accepted(const nlohmann::json& body, const std::string& ticket_id,
                                                       std::string_view context, int status) const;
    backend::ApiResult<backend::TicketAnswer> refused(const nlohmann::json& body, std::string_view context,
                                                      int status) const;
    // A server's words fit for one line on a staff screen, never the token.
    std::string one_line(std::string text) const;

    backend::Connection connection_;
    std::optional<std::string> host_;       // of connection_.url; nullopt when it is no http(s) URL
    http::Client client_;
};

} // namespace kiosk::brightstar
