#include "netsync/oveit/oveit_client.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "netsync/backend/client_options.h"
#include "netsync/backend/wire_text.h"
#include "netsync/oveit/oveit_download.h"

// [SECTION] Text and requests
// [SECTION] Refusals
// [SECTION] OveitClient

namespace kiosk::oveit {

using backend::ApiError;
using backend::ApiErrorKind;
using backend::ApiResult;
using backend::lowercase;
using backend::refused_ticket;
using backend::TicketAnswer;
using backend::TicketCall;

namespace {

//-----------------------------------------------------------------------------
// [SECTION] Text and requests
//-----------------------------------------------------------------------------

bool contains(std::string_view text, std::string_view word) { return text.find(word) != std::string_view::npos; }

// application/x-www-form-urlencoded, each name and value percent-encoded: a scanned code can never
// add a field.
std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += '&';
        body += backend::percent_encode(name) + '=' + backend::percent_encode(value);
    }
    return body;
}

// What an unreadable answer was, for staff: a web page says more than "not JSON".
std::string unreadable(const http::Response& response, std::string_view what) {
    const auto type = response.header("Content-Type");
    if (type && contains(lowercase(*type), "html"))
        return "answered with a web page instead of Oveit's answer (a Wi-Fi login page or a proxy in between?)";
    if (response.body.empty()) return "answered with an empty page instead of Oveit's answer";
    return std::string(what);
}

//-----------------------------------------------------------------------------
// [SECTION] Refusals
//-----------------------------------------------------------------------------

// What Oveit's error words mean for the ticket (our assumption: see the header).
enum class Problem { unknown_ticket, already_used, canceled, wrong_entry, other };

Problem problem_of(std::string_view words) {
    const std::string text = lowercase(words);
    if (contains(text, "already")) return Problem::already_used;
    if (contains(text, "cancel")) return Problem::canceled;
    if (contains(text, "does not exist") || contains(text, "not found") || contains(text, "invalid ticket"))
        return Problem::unknown_ticket;
    if (contains(text, "ticket type") || contains(text, "addon") || contains(text, "access")) return Problem::wrong_entry;
    return Problem::other;
}

TicketAnswer answer_from(const TicketDetails& details) {
    TicketAnswer answer;
    answer.status = VerdictStatus::ok;
    answer.attendee_name = details.attendee_name;
    answer.ticket_type = details.ticket_type;
    return answer;
}

// The ticket belongs to another Oveit event than the one the kiosk checks: nullopt when it is
// this one (or either is not told).
std::optional<std::string> other_event(const TicketDetails& details, const TicketCall& call) {
    if (!details.event_id || call.event.empty() || std::to_string(*details.event_id) == call.event) return std::nullopt;
    return details.event_name.empty() ? "Oveit event " + std::to_string(*details.event_id)
                                      : details.event_name + " (Oveit event " + std::to_string(*details.event_id) + ")";
}

Timestamp now() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

} // namespace

//-----------------------------------------------------------------------------
// [SECTION] OveitClient
//-----------------------------------------------------------------------------

OveitClient::OveitClient(const backend::Connection& connection) : OveitClient(connection, connection.retry) {}

OveitClient::OveitClient(const backend::Connection& connection, http::RetryPolicy retry)
    // No ApiToken: Oveit's token is a form field, not a header (see post()).
    : connection_(connection), host_(backend::host_of(connection.url)), client_(backend::client_options(connection, retry)) {
    while (connection_.url.ends_with('/')) connection_.url.pop_back();
}

ApiResult<TicketAnswer> OveitClient::check_in(const TicketCall& call) {
    const std::string context = "checking a ticket in at Oveit";
    auto sent = ask("/tickets/checkin", call, /*with_entry=*/true, context);
    if (!sent) return std::unexpected(sent.error());
    if (const auto* refused = std::get_if<Refused>(&sent->reply)) return refusal(*refused, call, sent->field);
    const auto& details = std::get<TicketDetails>(sent->reply);
    if (const auto other = other_event(details, call)) {
        TicketAnswer answer = refused_ticket(RejectReason::invalid,
                                             "This ticket is for " + one_line(*other) +
                                                 ", not this event; Oveit recorded its check-in there.");
        answer.attendee_name = details.attendee_name;
        answer.ticket_type = details.ticket_type;
        return answer;
    }
    return answer_from(details);
}

ApiResult<TicketAnswer> OveitClient::look_up(const TicketCall& call) {
    const std::string context = "looking a ticket up at Oveit";
    auto sent = ask("/tickets/scan", call, /*with_entry=*/false, context);
    if (!sent) return std::unexpected(sent.error());
    if (const auto* refused = std::get_if<Refused>(&sent->reply)) return refusal(*refused, call, sent->field);
    const auto& details = std::get<TicketDetails>(sent->reply);
    TicketAnswer answer = answer_from(details);
    const auto fail = [&](RejectReason reason, std::string explanation) {
        answer.status = VerdictStatus::error;
        answer.reason = reason;
        answer.explanation = std::move(explanation);
        return answer;
    };
    if (const auto other = other_event(details, call))
        return fail(RejectReason::invalid, "This ticket is for " + one_line(*other) + ", not this event.");
    if (call.ticket_type && details.ticket_type_id && *call.ticket_type != *details.ticket_type_id)
        return fail(RejectReason::product, "This ticket's type does not grant access here.");
    if (const auto first = first_checkin(details.checkins, call.addon)) {
        answer.checked_in_at = first;
        return fail(RejectReason::already_redeemed, "This ticket has already been checked in here.");
    }
    return answer;
}

ApiResult<backend::DownloadSummary> OveitClient::download(Store& store, const std::string& event) {
    const std::string context = "downloading Oveit's ticket list";
    if (event.empty())
        return std::unexpected(backend::make_error(
            ApiErrorKind::refused, backend::in_context(context, "no Oveit event id is set; give the event's id in the settings.")));
    auto response = post("/events/tickets", {{"token", connection_.token}, {"id", event}}, context, /*idempotent=*/true);
    if (!response) return std::unexpected(response.error());
    if (const auto words = error_words(response->body)) {
        const bool about_event = contains(lowercase(*words), "event");
        return std::unexpected(backend::make_error(
            about_event ? ApiErrorKind::not_found : ApiErrorKind::refused,
            backend::in_context(context, host_ + " refused the ticket list of event \"" + one_line(event) +
                                             "\": " + one_line(*words) +
                                             (about_event ? "; check the event id the kiosk is set up for." : "")),
            response->status));
    }
    const auto list = read_ticket_list(response->body);
    if (!list) return std::unexpected(backend::bad_answer(context, host_, unreadable(*response, list.error()), response->status));
    return store_ticket_list(store, event, *list, response->body, now());
}

ApiResult<OveitClient::Reply> OveitClient::ask(std::string_view path, const TicketCall& call, bool with_entry,
                                              std::string_view context) {
    Reply first;
    for (const CodeField field : {CodeField::ticket_code, CodeField::rfid_code}) {
        std::vector<std::pair<std::string, std::string>> fields = {
            {"token", connection_.token}, {field == CodeField::ticket_code ? "ticket_code" : "rfid_code", call.code}};
        if (with_entry && call.ticket_type) fields.emplace_back("ticket_type_id", std::to_string(*call.ticket_type));
        if (with_entry && call.addon) fields.emplace_back("addon_id", std::to_string(*call.addon));
        // A check-in sent twice would answer "already checked in" the second time: only the list
        // and the scan, which change nothing, are sent again after a lost answer.
        auto response = post(path, std::move(fields), context, /*idempotent=*/!with_entry);
        if (!response) return std::unexpected(response.error());
        auto reply = read_ticket_reply(response->body);
        if (!reply)
            return std::unexpected(backend::bad_answer(context, host_, unreadable(*response, reply.error()), response->status));
        const auto* refused = std::get_if<Refused>(&*reply);
        const bool unknown = refused && problem_of(refused->words) == Problem::unknown_ticket;
        if (field == CodeField::ticket_code && !unknown) return Reply{std::move(*reply), field};
        if (field == CodeField::rfid_code) return unknown ? first : Reply{std::move(*reply), field};
        first = Reply{std::move(*reply), field};    // unknown as a ticket code: try it as an RFID tag
    }
    return first;
}

ApiResult<http::Response> OveitClient::post(std::string_view path, std::vector<std::pair<std::string, std::string>> fields,
                                            std::string_view context, bool idempotent) {
    if (!backend::is_http_url(connection_.url))
        return std::unexpected(backend::not_an_http_url(context, one_line(connection_.url)));
    http::Request request;
    request.method = http::Method::post;
    request.url = connection_.url + std::string(path);
    // Scanned text may hold any byte: form_body escapes each one.
    request.body = form_body(fields);
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"},
                       {"Accept-Language", "en"}};   // Oveit's error words, read in English (see the header)
    request.idempotent = idempotent;
    request.answer_statuses = {403};
    auto response = client_.send(request);
    if (!response) return std::unexpected(error_of(response.error(), context));
    if (response->status == 403)
        return std::unexpected(backend::make_error(
            ApiErrorKind::unauthorized,
            backend::in_context(context, host_ + " refused the access token (wrong, or expired after 48 hours "
                                                 "unused); sign in to Oveit again and set the new token."),
            response->status));
    return std::move(*response);
}

TicketAnswer OveitClient::refusal(const Refused& refused, const TicketCall& call, CodeField field) {
    const std::string words = one_line(refused.words);
    switch (problem_of(refused.words)) {
    case Problem::unknown_ticket: return refused_ticket(RejectReason::invalid, words);
    case Problem::canceled: return refused_ticket(RejectReason::canceled, words);
    case Problem::wrong_entry: return refused_ticket(RejectReason::product, words);
    case Problem::other: return refused_ticket(RejectReason::error, words);
    case Problem::already_used: break;
    }
    // When: the refusal does not say; the scan (which records nothing) lists the ticket's
    // check-ins. Without it the refusal stands without a time.
    TicketAnswer answer = refused_ticket(RejectReason::already_redeemed, words);
    const std::string context = "looking a ticket up at Oveit";
    auto response = post("/tickets/scan",
                         {{"token", connection_.token}, {field == CodeField::ticket_code ? "ticket_code" : "rfid_code", call.code}},
                         context, /*idempotent=*/true);
    if (!response) return answer;
    const auto reply = read_ticket_reply(response->body);
    if (!reply) return answer;
    if (const auto* details = std::get_if<TicketDetails>(&*reply)) {
        answer.checked_in_at = first_checkin(details->checkins, call.addon);
        answer.attendee_name = details->attendee_name;
        answer.ticket_type = details->ticket_type;
    }
    return answer;
}

ApiError OveitClient::error_of(const http::Error& error, std::string_view context) const {
    ApiError out = backend::from_http(error, context);
    out.message = http::redact(std::move(out.message), {connection_.token});
    return out;
}

// A server's sentence on one line for staff, never the token.
std::string OveitClient::one_line(std::string text) const { return backend::one_line(std::move(text), {connection_.token}); }

} // namespace kiosk::oveit
