#include "netsync/constantcontact/constantcontact_client.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "netsync/backend/client_options.h"
#include "netsync/backend/wire_text.h"
#include "netsync/pretix/pretix_json.h"

// [SECTION] Wording
// [SECTION] Error arrays
// [SECTION] ConstantContactClient

namespace kiosk::constantcontact {

using nlohmann::json;
using backend::ApiError;
using backend::ApiErrorKind;
using backend::ApiResult;
using backend::lowercase;
using backend::refused_ticket;
using backend::TicketAnswer;
using backend::TicketCall;

namespace {

constexpr std::string_view kName = "Constant Contact";

//-----------------------------------------------------------------------------
// [SECTION] Wording
//-----------------------------------------------------------------------------

std::string context_of(bool undo) {
    return undo ? "undoing check-ins at Constant Contact" : "checking tickets in at Constant Contact";
}

//-----------------------------------------------------------------------------
// [SECTION] Error arrays
//-----------------------------------------------------------------------------

// What an error_key means for the ticket (our assumption: see the header).
enum class Problem { event_closed, ticket_cancelled, ticket_unknown, other };

Problem problem_of(std::string_view error_key) {
    const std::string key = lowercase(error_key);
    if (key.find("cancel") != std::string::npos) return Problem::ticket_cancelled;
    if (key.find("status") != std::string::npos) return Problem::event_closed;
    if (key.find("not_found") != std::string::npos) return Problem::ticket_unknown;
    return Problem::other;
}

TicketAnswer accepted_ticket() {
    TicketAnswer answer;
    answer.status = VerdictStatus::ok;
    return answer;
}

} // namespace

//-----------------------------------------------------------------------------
// [SECTION] ConstantContactClient
//-----------------------------------------------------------------------------

// [{"error_key": "...", "error_message": "..."}] (or one such object), or nullopt when the body is
// anything else: not JSON, empty, an entry without a string error_key, a message that is no string.
std::optional<std::vector<ConstantContactClient::ServerError>> ConstantContactClient::error_array(std::string_view body,
                                                                                                 const std::string& token) {
    const auto parsed = pretix::parse_json_text(body, "the answer");
    if (!parsed) return std::nullopt;
    const json entries = parsed->is_object() ? json::array({*parsed}) : *parsed;
    if (!entries.is_array() || entries.empty()) return std::nullopt;
    std::vector<ServerError> errors;
    for (const json& entry : entries) {
        if (!entry.is_object()) return std::nullopt;
        const auto key = entry.find("error_key");
        const auto message = entry.find("error_message");
        if (key == entry.end() || !key->is_string()) return std::nullopt;
        if (message != entry.end() && !message->is_string() && !message->is_null()) return std::nullopt;
        ServerError error;
        error.key = backend::one_line(key->get<std::string>(), {token});
        if (message != entry.end() && message->is_string()) error.message = backend::one_line(message->get<std::string>(), {token});
        errors.push_back(std::move(error));
    }
    return errors;
}

ConstantContactClient::ConstantContactClient(const backend::Connection& connection)
    : ConstantContactClient(connection, connection.retry) {}

ConstantContactClient::ConstantContactClient(const backend::Connection& connection, http::RetryPolicy retry)
    : connection_(connection), host_(backend::host_of(connection.url)), client_([&] {
          http::ClientOptions options = backend::client_options(connection, retry);
          options.token = http::ApiToken{http::ApiToken::Kind::bearer, connection.token};
          return options;
      }()) {
    while (connection_.url.ends_with('/')) connection_.url.pop_back();
}

ApiResult<TicketAnswer> ConstantContactClient::check_in(const TicketCall& call) {
    return send_one(Call::check_in, call);
}

ApiResult<TicketAnswer> ConstantContactClient::look_up(const TicketCall& /*call*/) {
    return std::unexpected(backend::make_error(
        ApiErrorKind::refused, "Constant Contact cannot look a ticket up without checking it in; scan it to check it in."));
}

std::vector<ApiResult<TicketAnswer>> ConstantContactClient::check_in_queued(std::span<const TicketCall> calls) {
    return queued(Call::check_in, calls);
}

std::vector<ApiResult<TicketAnswer>> ConstantContactClient::undo_queued(std::span<const TicketCall> calls) {
    return queued(Call::undo, calls);
}

ApiResult<backend::DownloadSummary> ConstantContactClient::download(Store& store, const std::string& event) {
    if (event.empty())
        return std::unexpected(backend::make_error(
            ApiErrorKind::refused, "No Constant Contact event id is set; give the event's id (a UUID) in the settings."));
    const bool existed = store.event_id(backend::kind_name(kind()), event).has_value();
    backend::DownloadSummary summary;
    summary.event_id = backend::ensure_local_event(store, kind(), event);
    summary.changed = !existed;
    return summary;
}

std::vector<ApiResult<TicketAnswer>> ConstantContactClient::queued(Call call, std::span<const TicketCall> calls) {
    std::vector<ApiResult<TicketAnswer>> answers;
    answers.reserve(calls.size());
    for (size_t begin = 0; begin < calls.size();) {
        // A request names one event: a batch is a run of calls of the same event.
        size_t end = begin + 1;
        while (end < calls.size() && end - begin < kMaxBatch && calls[end].event == calls[begin].event) ++end;
        if (!send_batch(call, calls.subspan(begin, end - begin), answers)) break;
        begin = end;
    }
    return answers;
}

bool ConstantContactClient::send_batch(Call call, std::span<const TicketCall> batch,
                                       std::vector<ApiResult<TicketAnswer>>& answers) {
    const auto send_each = [&] {
        for (const TicketCall& ticket : batch) {
            answers.push_back(send_one(call, ticket));
            if (!answers.back() && backend::ends_round(answers.back().error())) return false;
        }
        return true;
    };
    if (batch.size() == 1) return send_each();
    const auto sent = post_keys(call, batch.front().event, batch);
    if (!sent) {
        for (size_t i = 0; i < batch.size(); ++i) answers.push_back(std::unexpected(sent.error()));
        return !backend::ends_round(sent.error());
    }
    if (sent->accepted) {
        answers.insert(answers.end(), batch.size(), accepted_ticket());
        return true;
    }
    // A closed event refuses every key alike: sending them one by one would only repeat that.
    if (std::ranges::any_of(sent->errors, [](const ServerError& e) { return problem_of(e.key) == Problem::event_closed; })) {
        const auto answer = refusal(*sent, context_of(call == Call::undo));
        answers.insert(answers.end(), batch.size(), answer);
        return true;
    }
    // All or nothing: one bad key refused the batch. Alone, each good key passes and each bad
    // one gets its own reason (the error array names keys only in its words).
    return send_each();
}

ApiResult<TicketAnswer> ConstantContactClient::send_one(Call call, const TicketCall& ticket) {
    const auto sent = post_keys(call, ticket.event, std::span(&ticket, 1));
    if (!sent) return std::unexpected(sent.error());
    if (sent->accepted) return accepted_ticket();
    return refusal(*sent, context_of(call == Call::undo));
}

ApiResult<ConstantContactClient::Sent> ConstantContactClient::post_keys(Call call, const std::string& event,
                                                                        std::span<const TicketCall> batch) {
    const std::string context = context_of(call == Call::undo);
    if (!backend::is_http_url(connection_.url)) return std::unexpected(backend::not_an_http_url(context, connection_.url));
    if (event.empty())
        return std::unexpected(backend::make_error(
            ApiErrorKind::refused,
            backend::in_context(context, "no Constant Contact event id is set; give the event's id in the settings.")));
    json keys = json::array();
    for (const TicketCall& ticket : batch) keys.push_back(ticket.code);
    const std::string path = call == Call::undo ? "/undo_check_in/tickets" : "/check_in/tickets";
    // Scanned text may be invalid UTF-8: such a key matches no ticket, but must not throw here.
    http::Request request = http::Request::post_json(
        connection_.url + "/events/" + backend::percent_encode(event) + path,
        json{{"order_ticket_keys", std::move(keys)}}.dump(-1, ' ', false, json::error_handler_t::replace));
    // Marking a set of tickets as (not) checked in twice leaves them as once: safe to send again
    // after a lost answer.
    request.idempotent = true;
    request.headers.push_back({"Accept", "application/json"});
    request.answer_statuses = {400, 404, 409, 422};
    const auto response = client_.send(request);
    if (!response) return std::unexpected(backend::from_http(response.error(), context));
    return read_answer(*response, event, context);
}

ApiResult<ConstantContactClient::Sent> ConstantContactClient::read_answer(const http::Response& response,
                                                                          const std::string& event,
                                                                          std::string_view context) const {
    Sent sent;
    sent.status = response.status;
    if (response.status >= 200 && response.status < 300) {
        // 204 No Content is the documented success. A body here is no Constant Contact answer: most
        // often a Wi-Fi login page answering in the server's place, and then nothing was recorded.
        if (!backend::trim(response.body).empty())
            return std::unexpected(backend::bad_answer(
                context, host_, "answered with content instead of 204 No Content (a Wi-Fi login page or a proxy in between?)",
                response.status));
        sent.accepted = true;
        return sent;
    }
    if (response.status == 404)
        return std::unexpected(backend::make_error(
            ApiErrorKind::not_found,
            backend::in_context(context, host_ + " knows no event \"" + backend::one_line(event, {connection_.token}) +
                                             "\"; check the event id the kiosk is set up for."),
            response.status));
    auto errors = error_array(response.body, connection_.token);
    if (!errors)
        return std::unexpected(backend::bad_answer(
            context, host_,
            "refused the request (HTTP " + std::to_string(response.status) + ") without Constant Contact's list of errors",
            response.status));
    sent.errors = std::move(*errors);
    return sent;
}

ApiResult<TicketAnswer> ConstantContactClient::refusal(const Sent& sent, std::string_view context) const {
    const auto find = [&](Problem problem) -> const ServerError* {
        const auto it = std::ranges::find_if(sent.errors, [&](const ServerError& e) { return problem_of(e.key) == problem; });
        return it == sent.errors.end() ? nullptr : &*it;
    };
    const auto words = [](const ServerError& error, std::string_view otherwise) {
        return error.message.empty() ? std::string(otherwise) : error.message;
    };
    if (const ServerError* error = find(Problem::event_closed))
        return refused_ticket(RejectReason::invalid_time,
                              "Check-in for this event is not open; " + std::string(kName) + " said: " +
                                  words(*error, "the event is not in ACTIVE or COMPLETE status."));
    if (const ServerError* error = find(Problem::ticket_cancelled))
        return refused_ticket(RejectReason::canceled, words(*error, "This ticket was cancelled."));
    if (const ServerError* error = find(Problem::ticket_unknown))
        return refused_ticket(RejectReason::invalid, words(*error, "Constant Contact knows no such ticket for this event."));
    // A refusal we cannot place on the ticket (a validation error of the request): for good, in
    // the server's words, never guessed into a reason.
    const ServerError& first = sent.errors.front();
    return std::unexpected(backend::make_error(
        ApiErrorKind::refused,
        backend::in_context(context, host_ + " refused the request: " + words(first, first.key)), sent.status));
}

} // namespace kiosk::constantcontact
