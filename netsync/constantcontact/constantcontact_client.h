// Constant Contact's event check-in as a TicketClient: check-in and undo by order ticket key
// (seeds 000_9b721a0b5cfb3970.txt and 001_f2b8b1f70d730005.txt).
//
// [SECTION] What the server says, and what we assume
// [SECTION] ConstantContactClient
//
// The two calls: POST {url}/events/{event_id}/check_in/tickets and .../undo_check_in/tickets, body
// {"order_ticket_keys": [...]}, "Authorization: Bearer <access token>", 204 No Content on success.
// `url` is the API base up to its version segment (https://api.cc.email/v3). The scanned code is
// the ticket's order ticket key. There is nothing else: no call lists an event's tickets, none
// tells a ticket's holder or state, none asks without checking in. So the kiosk cannot decide a
// Constant Contact scan offline (capabilities: no download), knows no names, and an online
// check-in of a ticket already checked in is admitted again (the server marks it and says 204:
// nothing in the seeds tells "already"; the kiosk's own record of its check-ins is all we have).
//
// Thread rule: a client owns one http::Client and belongs to one thread at a time.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netsync/backend/ticket_client.h"
#include "netsync/http/http_client.h"

namespace kiosk::constantcontact {

//-----------------------------------------------------------------------------
// [SECTION] What the server says, and what we assume
//-----------------------------------------------------------------------------
// Documented (V3 API guide, "Response Codes"): errors are a JSON array of {"error_key",
// "error_message"}; 400 is malformed JSON or a validation error, 401 a bad token, 403 missing
// scopes or privileges, 404 a missing resource. The seeds document no error of these two calls.
// OUR ASSUMPTION (as tests/emulators/constantcontact_emulator.py answers):
//   - a refusal is 400 (409 and 422 are read the same way) with one entry per problem; a request
//     with one bad key is refused whole and nothing of it is applied;
//   - error_key words: "status" (events.api.event.status.invalid: the event is not ACTIVE or
//     COMPLETE) -> RejectReason::invalid_time, "check-in for this event is not open";
//     "cancel" (events.api.ticket.cancelled) -> canceled; "not_found"
//     (events.api.ticket.not_found) -> invalid; any other key (a validation error) -> an ApiError
//     refused in the server's words;
//   - 404 is an unknown event (not_found: sync stops until staff fix the event id); 401, 403, 429,
//     5xx, the network: ApiErrors as backend::from_http reads them;
//   - a repeated check-in, or an undo of a ticket not checked in, is a 204 like any other;
//   - a 2xx with a body (a captive portal's page, garbage) is not a success: bad_answer, tried
//     again later. A refusal whose body is not the error array (an HTML page, empty, wrong types)
//     is bad_answer too: the kiosk does not guess which ticket was refused.
// A single error object {"error_key", "error_message"} is read as an array of one.

//-----------------------------------------------------------------------------
// [SECTION] ConstantContactClient
//-----------------------------------------------------------------------------

class ConstantContactClient final : public backend::TicketClient {
public:
    explicit ConstantContactClient(const backend::Connection& connection);
    // Tests shorten the HTTP client's retries; otherwise Connection::retry applies.
    ConstantContactClient(const backend::Connection& connection, http::RetryPolicy retry);

    backend::Kind kind() const override { return backend::Kind::constantcontact; }

    // One key in one request: ok (no name: Constant Contact does not tell), or a refusal with
    // its reason (status error, not an ApiError).
    backend::ApiResult<backend::TicketAnswer> check_in(const backend::TicketCall& call) override;

    // Refused: Constant Contact has no call that asks about a ticket without checking it in.
    backend::ApiResult<backend::TicketAnswer> look_up(const backend::TicketCall& call) override;

    // Keys per request. The seeds document no limit; 50 keeps a request small (a few KB), bounds
    // what one bad key costs (a refused batch is sent again one key at a time: at most 50
    // requests), and sends an upload round of 500 queued check-ins in 10 requests.
    size_t max_batch() const override { return kMaxBatch; }
    static constexpr size_t kMaxBatch = 50;

    // Consecutive calls of one event go up to max_batch() keys per request. A batch refused
    // because the event is closed answers invalid_time for each of its calls; a batch refused
    // for other reasons is sent again one key at a time, so one cancelled or unknown ticket does
    // not hold back the others. A failed request gives its error to each call of its batch; after
    // an error that ends the round (backend::ends_round) nothing more is sent and the answers stop.
    std::vector<backend::ApiResult<backend::TicketAnswer>> check_in_queued(std::span<const backend::TicketCall> calls) override;
    std::vector<backend::ApiResult<backend::TicketAnswer>> undo_queued(std::span<const backend::TicketCall> calls) override;

    // Constant Contact offers no ticket list to download: makes sure the local event and its one
    // list exist (backend::ensure_local_event) and reports no tickets; `changed` when it was made.
    backend::ApiResult<backend::DownloadSummary> download(Store& store, const std::string& event) override;

private:
    enum class Call { check_in, undo };
    struct ServerError {
        std::string key;                    // error_key
        std::string message;                // error_message, one line, "" when absent
    };
    // A request's outcome when it reached the server and was understood: accepted, or refused
    // with the server's errors.
    struct Sent {
        bool accepted = false;
        std::vector<ServerError> errors;
        int status = 0;
    };

    std::vector<backend::ApiResult<backend::TicketAnswer>> queued(Call call, std::span<const backend::TicketCall> calls);
    // Appends one answer per call of `batch`; false when the round must end.
    bool send_batch(Call call, std::span<const backend::TicketCall> batch,
                    std::vector<backend::ApiResult<backend::TicketAnswer>>& answers);
    backend::ApiResult<backend::TicketAnswer> send_one(Call call, const backend::TicketCall& ticket);
    backend::ApiResult<Sent> post_keys(Call call, const std::string& event, std::span<const backend::TicketCall> batch);
    backend::ApiResult<Sent> read_answer(const http::Response& response, const std::string& event, std::string_view context) const;
    backend::ApiResult<backend::TicketAnswer> refusal(const Sent& sent, std::string_view context) const;
    // [{"error_key", "error_message"}] (or one such object); nullopt for any other body.
    static std::optional<std::vector<ServerError>> error_array(std::string_view body, const std::string& token);

    backend::Connection connection_;
    std::string host_;                      // for messages: the host of connection_.url
    http::Client client_;
};

} // namespace kiosk::constantcontact
