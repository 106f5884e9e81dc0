#include "netsync/backend/ticket_client.h"

#include <array>
#include <utility>

namespace kiosk::backend {

namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 4> kNames{{
    {Kind::pretix, "pretix"},
    {Kind::constantcontact, "constantcontact"},
    {Kind::oveit, "oveit"},
    {Kind::brightstar, "brightstar"},
}};

} // namespace

bool ends_round(const ApiError& error) {
    return error.kind == ApiErrorKind::unreachable || error.kind == ApiErrorKind::cancelled || error.stops_sync();
}

std::string_view kind_name(Kind kind) {
    for (const auto& [k, name] : kNames)
        if (k == kind) return name;
    return "pretix";
}

std::optional<Kind> kind_from_name(std::string_view name) {
    for (const auto& [k, known] : kNames)
        if (known == name) return k;
    return std::nullopt;
}

// From the seeds: Constant Contact checks in and undoes by order ticket key and lists nothing;
// Oveit lists an event's tickets (codes, types, check-ins: no names) and tells one ticket's details
// (its attendee fields) by /tickets/scan, and documents no undo; BrightStar validates and checks in
// one ticket at a time, names its attendee, and documents no undo (only a webhook that reports one).
Capabilities capabilities_of(Kind kind) {
    switch (kind) {
    case Kind::pretix: return {.download_tickets = true, .validate_only = true, .check_in = true, .undo = true,
                               .attendee_names = true, .questions = true};
    case Kind::constantcontact: return {.download_tickets = false, .validate_only = false, .check_in = true,
                                        .undo = true, .attendee_names = false, .questions = false};
    case Kind::oveit: return {.download_tickets = true, .validate_only = true, .check_in = true, .undo = false,
                              .attendee_names = true, .questions = false};
    case Kind::brightstar: return {.download_tickets = false, .validate_only = true, .check_in = true,
                                   .undo = false, .attendee_names = true, .questions = false};
    }
    return {};
}

TicketAnswer refused_ticket(RejectReason reason, std::string explanation) {
    TicketAnswer answer;
    answer.status = VerdictStatus::error;
    answer.reason = reason;
    answer.explanation = std::move(explanation);
    return answer;
}

std::vector<ApiResult<TicketAnswer>> TicketClient::check_in_queued(std::span<const TicketCall> calls) {
    std::vector<ApiResult<TicketAnswer>> answers;
    answers.reserve(calls.size());
    for (const TicketCall& call : calls) {
        answers.push_back(check_in(call));
        if (!answers.back() && ends_round(answers.back().error())) break;
    }
    return answers;
}

std::vector<ApiResult<TicketAnswer>> TicketClient::undo_queued(std::span<const TicketCall> calls) {
    const std::string sentence = std::string(kind_name(kind())) +
                                 " offers no way to undo a check-in: the ticket stays checked in there; "
                                 "the organiser can change it in the backend.";
    return std::vector<ApiResult<TicketAnswer>>(calls.size(),
                                                std::unexpected(make_error(ApiErrorKind::refused, sentence)));
}

int64_t local_list_id(Kind kind, std::string_view event) {
    // FNV-1a over "kind:event", folded into [2^40, 2^52): stable across runs and machines, above
    // any id pretix or Oveit hand out, and exact in a JSON double.
    uint64_t hash = 1469598103934665603ull;
    const auto mix = [&hash](std::string_view text) {
        for (const unsigned char c : text) {
            hash ^= c;
            hash *= 1099511628211ull;
        }
    };
    mix(kind_name(kind));
    mix(":");
    mix(event);
    constexpr uint64_t kBase = 1ull << 40, kSpan = (1ull << 52) - (1ull << 40);
    return static_cast<int64_t>(kBase + hash % kSpan);
}

int64_t ensure_local_event(Store& store, Kind kind, const std::string& event, const std::string& event_name) {
    const std::string organizer(kind_name(kind));
    if (const auto id = store.event_id(organizer, event))
        if (store.catalog(*id)) return *id;
    EventCatalog catalog;
    catalog.event.organizer = organizer;
    catalog.event.slug = event;
    // No name is better on the kiosk's screen than a backend's id (Constant Contact's is a UUID).
    catalog.event.name = event_name.empty() ? nlohmann::json::object() : nlohmann::json{{"en", event_name}};
    CheckinList list;
    list.id = local_list_id(kind, event);
    list.name = "Entry";
    list.all_products = true;
    list.allow_multiple_entries = false;
    catalog.lists.push_back(list);
    auto applied = store.apply_catalog(catalog, std::nullopt, {});
    // Our own catalog of one list cannot clash with another event unless the store was built by a
    // different program: that is a failure of the machine, not of the attendee's ticket.
    if (!applied) throw StoreError("could not create the local event " + organizer + "/" + event + ": " + applied.error());
    return applied->event_id;
}

} // namespace kiosk::backend
