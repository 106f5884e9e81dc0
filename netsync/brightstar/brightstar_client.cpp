#include "netsync/brightstar/brightstar_client.h"

#include <algorithm>
#include <array>
#include <utility>

#include "kiosk/core/time.h"
#include "netsync/backend/client_options.h"
#include "netsync/backend/wire_text.h"
#include "netsync/pretix/pretix_json.h"

// [SECTION] Error codes
// [SECTION] BrightStarClient

namespace kiosk::brightstar {

using nlohmann::json;
using backend::ApiErrorKind;
using backend::ApiResult;
using backend::TicketAnswer;
using backend::TicketCall;

namespace {

std::string_view context_of(bool checkin) {
    return checkin ? "checking a ticket in at BrightStar" : "asking BrightStar about a ticket";
}

//-----------------------------------------------------------------------------
// [SECTION] Error codes
//-----------------------------------------------------------------------------

struct KnownCode {
    std::string_view code;
    RejectReason reason;
    std::string_view explanation;           // for staff; ALREADY_CHECKED_IN adds its time
};

constexpr std::array<KnownCode, 5> kCodes{{
    {"INVALID_TICKET", RejectReason::invalid, "BrightStar knows no ticket with this id."},
    {"ALREADY_CHECKED_IN", RejectReason::already_redeemed, "This ticket was already checked in"},
    {"WRONG_EVENT", RejectReason::invalid, "This ticket is for another event."},
    {"TICKET_CANCELLED", RejectReason::canceled, "This ticket was refunded or cancelled."},
    {"EVENT_NOT_STARTED", RejectReason::invalid_time, "Check-in for this event is not open yet."},
}};

const KnownCode* known_code(std::string_view code) {
    const auto it = std::ranges::find(kCodes, code, &KnownCode::code);
    return it == kCodes.end() ? nullptr : &*it;
}

// A string member, "" when it is null or absent; nullopt when it has another type.
std::optional<std::string> optional_string(const json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

} // namespace

//-----------------------------------------------------------------------------
// [SECTION] BrightStarClient
//-----------------------------------------------------------------------------

BrightStarClient::BrightStarClient(const backend::Connection& connection)
    : BrightStarClient(connection, connection.retry) {}

BrightStarClient::BrightStarClient(const backend::Connection& connection, http::RetryPolicy retry)
    : connection_(connection), host_(backend::http_host(connection.url)), client_([&] {
          http::ClientOptions options = backend::client_options(connection, retry);
          // The seed names no authentication: a Bearer token when one is configured, else none.
          if (!connection.token.empty())
              options.token = http::ApiToken{http::ApiToken::Kind::bearer, connection.token};
          return options;
      }()) {
    while (connection_.url.ends_with('/')) connection_.url.pop_back();
}

ApiResult<TicketAnswer> BrightStarClient::check_in(const TicketCall& call) {
    auto valid = post(Call::validate, call);
    if (!valid || valid->status != VerdictStatus::ok) return valid;
    auto checked = post(Call::checkin, call);
    // The check-in's ticket object is the newer; validate's name and type stand in where it
    // tells none.
    if (checked && checked->status == VerdictStatus::ok) {
        if (checked->attendee_name.empty()) checked->attendee_name = valid->attendee_name;
        if (checked->ticket_type.empty()) checked->ticket_type = valid->ticket_type;
    }
    return checked;
}

ApiResult<TicketAnswer> BrightStarClient::look_up(const TicketCall& call) {
    return post(Call::validate, call);
}

ApiResult<backend::DownloadSummary> BrightStarClient::download(Store& store, const std::string& event) {
    if (event.empty())
        return std::unexpected(backend::make_error(
            ApiErrorKind::refused, "No BrightStar event id is set; give the event's id (evt_...) in the settings."));
    const bool existed = store.event_id(backend::kind_name(kind()), event).has_value();
    backend::DownloadSummary summary;
    summary.event_id = backend::ensure_local_event(store, kind(), event);
    summary.changed = !existed;
    return summary;
}

ApiResult<TicketAnswer> BrightStarClient::post(Call call, const TicketCall& ticket) {
    const std::string_view context = context_of(call == Call::checkin);
    if (!host_) return std::unexpected(backend::not_an_http_url(context, one_line(connection_.url)));
    // The seed makes event_id and scanner_id optional: sent when the kiosk has one.
    json body{{"ticket_id", ticket.code}};
    if (call == Call::validate && !ticket.event.empty()) body["event_id"] = ticket.event;
    if (call == Call::checkin && !connection_.scanner_id.empty()) body["scanner_id"] = connection_.scanner_id;
    // Scanned text may be invalid UTF-8: such an id matches no ticket, but must not throw here.
    http::Request request = http::Request::post_json(
        connection_.url + (call == Call::checkin ? "/tickets/checkin" : "/tickets/validate"),
        body.dump(-1, ' ', false, json::error_handler_t::replace));
    // Validate records nothing: safe to send again. A second checkin would answer
    // ALREADY_CHECKED_IN to our own check-in, so it is sent again only when the server surely
    // did not act on it (the HTTP client's rule for requests that are not idempotent).
    request.idempotent = call == Call::validate;
    request.headers.push_back({"Accept", "application/json"});
    request.answer_statuses = {400, 404};
    const auto response = client_.send(request);
    if (!response) return std::unexpected(backend::from_http(response.error(), context));
    return read_answer(call, *response, ticket.code);
}

ApiResult<TicketAnswer> BrightStarClient::read_answer(Call call, const http::Response& response,
                                                      const std::string& ticket_id) const {
    const std::string_view context = context_of(call == Call::checkin);
    const int status = response.status;
    if (!backend::is_json_media(response)) {
        // An HTML 404 is a page of some other server: the address is wrong, not the ticket.
        if (status == 404)
            return std::unexpected(backend::make_error(
                ApiErrorKind::not_found,
                backend::in_context(context, *host_ + " has no BrightStar ticket API at this address; check the server "
                                                      "address (it ends with /v1)."),
                status));
        return std::unexpected(backend::bad_answer(context, *host_, backend::not_json_words(response), status));
    }
    const auto parsed = pretix::parse_json_text(response.body, "the answer");
    if (!parsed || !parsed->is_object())
        return std::unexpected(backend::bad_answer(
            context, *host_, "sent an answer that is not a JSON object (empty, cut off or garbled)", status));
    // Either flag on either call (our assumption for /checkin's errors): the one present decides.
    const auto flag = parsed->find(parsed->contains("success") ? "success" : "valid");
    if (flag == parsed->end() || !flag->is_boolean())
        return std::unexpected(backend::bad_answer(
            context, *host_, "answered without a true or false \"valid\" or \"success\" (HTTP " + std::to_string(status) + ")",
            status));
    if (flag->get<bool>()) {
        if (status != 200)
            return std::unexpected(backend::bad_answer(
                context, *host_, "said yes with HTTP " + std::to_string(status) + ", which BrightStar uses for refusals", status));
        return accepted(*parsed, ticket_id, context, status);
    }
    return refused(*parsed, context, status);
}

ApiResult<TicketAnswer> BrightStarClient::accepted(const json& body, const std::string& ticket_id,
                                                   std::string_view context, int status) const {
    const auto ticket = body.find("ticket");
    if (ticket == body.end() || !ticket->is_object())
        return std::unexpected(backend::bad_answer(context, *host_, "said yes without the ticket's details", status));
    const auto id = optional_string(*ticket, "id");
    const auto name = optional_string(*ticket, "attendee_name");
    const auto type = optional_string(*ticket, "type");
    if (!id || !name || !type)
        return std::unexpected(backend::bad_answer(context, *host_, "sent a ticket whose id, type or name is not text", status));
    // An answer about another ticket is no answer about ours (a proxy's cache, a server bug).
    if (!id->empty() && *id != ticket_id)
        return std::unexpected(backend::bad_answer(context, *host_, "answered about another ticket than the one scanned", status));
    TicketAnswer answer;
    answer.status = VerdictStatus::ok;
    answer.attendee_name = std::move(*name);
    answer.ticket_type = std::move(*type);
    return answer;
}

ApiResult<TicketAnswer> BrightStarClient::refused(const json& body, std::string_view context, int status) const {
    const auto code = body.find("error");
    if (code == body.end() || !code->is_string() || code->get_ref<const std::string&>().empty())
        return std::unexpected(backend::bad_answer(
            context, *host_, "refused the ticket without an error code (HTTP " + std::to_string(status) + ")", status));
    TicketAnswer answer;
    answer.status = VerdictStatus::error;
    const KnownCode* known = known_code(code->get_ref<const std::string&>());
    if (known == nullptr) {
        // A code the seed does not list: the server decided against the ticket; we cannot say why.
        answer.reason = RejectReason::error;
        answer.explanation = "BrightStar refused the ticket with an error we do not know: " +
                             one_line(code->get<std::string>()) + ".";
        if (const auto words = optional_string(body, "message"); words && !words->empty())
            answer.explanation += " It said: " + one_line(*words);
        return answer;
    }
    answer.reason = known->reason;
    answer.explanation = std::string(known->explanation);
    if (known->reason == RejectReason::already_redeemed) {
        // Lenient on the time (see the header): the refusal stands without one.
        const auto at = optional_string(body, "checked_in_at");
        if (at && !at->empty()) answer.checked_in_at = parse_iso8601(*at);
        answer.explanation += answer.checked_in_at ? " at " + format_iso8601_utc(*answer.checked_in_at) + "." : ".";
    }
    return answer;
}

// A server's sentence on one line for staff, never the token.
std::string BrightStarClient::one_line(std::string text) const {
    return backend::one_line(std::move(text), {connection_.token});
}

} // namespace kiosk::brightstar
