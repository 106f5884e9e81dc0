// [SECTION] App: scans with a backend other than pretix (Constant Contact, Oveit, BrightStar).
//
// What the kiosk does depends on what the backend can do (backend::Capabilities):
// - It keeps no copy of its tickets here (Constant Contact, BrightStar): the server decides every
//   scan and the kiosk records its admission as already sent. When the server cannot be asked the
//   kiosk cannot tell a real ticket from a made-up one: it refuses with "we cannot check tickets
//   right now" (RejectReason::offline), or, when the organiser switched on trust_offline_scans,
//   admits unchecked, records the admission as such and queues it for the backend. This kiosk's own
//   check-ins decide what the server has no call for (decide_by_own_checkins): a repeat, an exit and
//   a re-entry after it (app_ticket_backend.h says how).
// - It downloads its tickets (Oveit): the local copy decides, as for pretix, unless online mode asks
//   the server first (falling back to the copy when it is away); its ticket list has no names, so
//   an admission asks the server for the attendee's name within the deadline, for the screen only.
// After a failed ask the kiosk does not ask again for `retry_after`, so a queue of attendees does not
// wait out the deadline one by one while the venue's network is down.
#include <algorithm>
#include <span>
#include <string_view>

#include "kiosk/app/app.h"
#include "kiosk/app/app_ticket_backend.h"
#include "kiosk/app/decision_reads.h"
#include "kiosk/core/nonce.h"

namespace kiosk {

namespace {

std::optional<int64_t> oveit_addon(const CheckinList& list, const EventCatalog& catalog) {
    // Oveit's multiple access: an addon is a list of its own whose id is the addon's; the main
    // entry is the event's local list.
    if (list.id == backend::local_list_id(backend::Kind::oveit, catalog.event.slug)) return std::nullopt;
    return list.id;
}

Verdict rejection(RejectReason reason, std::string explanation) {
    Verdict verdict;
    verdict.status = VerdictStatus::error;
    verdict.reason = reason;
    verdict.explanation = std::move(explanation);
    return verdict;
}

// What every verdict of this file says about the scanned ticket: its list, event and code, and the
// ticket itself: the store's position in the list's event when it has one (Oveit downloads them),
// else one made from the code alone (position_from_backend: Constant Contact and BrightStar keep no
// tickets here, so the store knows none of theirs). Read inside the caller's write transaction.
Verdict verdict_about(Store& store, const CheckinList& list, const std::string& code) {
    Verdict verdict;
    verdict.list = list.id;
    verdict.event = list.event_id;
    verdict.secret = code;
    for (Position& stored : store.positions_by_secret(code))
        if (stored.event_id == list.event_id) verdict.position = std::move(stored);
    if (!verdict.position) {
        Position told;
        told.event_id = list.event_id;
        told.secret = code;
        verdict.position = std::move(told);
        verdict.position_from_backend = true;
    }
    return verdict;
}

// How the backend hears of an admission recorded here.
enum class Delivery {
    by_server,          // the server decided and checked it in: nothing to send
    queued_unchecked,   // admitted while the server was away (trust_offline_scans): queued for it
    kept_here,          // an exit or a re-entry: the backend has no call for it, never sent (the store
                        // keeps it as one the server has: nothing is queued)
};

// What this kiosk's live check-ins of a ticket (`own`, oldest first) decide on a list of a backend
// that keeps no tickets here, or nullopt: the server decides (an entry of a ticket not inside).
// Only status, reason, explanation and first_checkin are set.
std::optional<Verdict> decide_by_own_checkins(std::span<const Checkin> own, const CheckinList& list, CheckinType type,
                                              std::string_view backend_name) {
    const std::string backend(backend_name);
    Verdict verdict;
    if (type == CheckinType::exit) {
        // Leaving is always possible (as pretix's engine: no validity or history check for an
        // exit), but only a ticket this kiosk knows can be counted out.
        if (own.empty())
            return rejection(RejectReason::error, "this kiosk has no check-in of this ticket, and " + backend +
                                                      " has no exit call: its exit cannot be recorded here");
        verdict.status = VerdictStatus::ok;
        verdict.reason = RejectReason::none;
        verdict.explanation = "exit recorded on this kiosk only: " + backend + " has no exit call";
        return verdict;
    }
    const auto first_entry =
        std::ranges::find_if(own, [](const Checkin& checkin) { return checkin.type == CheckinType::entry; });
    if (first_entry == own.end()) return std::nullopt;   // never admitted here: the server decides
    if (own.back().type == CheckinType::exit && (list.allow_entry_after_exit || list.allow_multiple_entries)) {
        // Asking again would be wrong: BrightStar answers "already checked in", Constant Contact
        // checks it in a second time without a word.
        verdict.status = VerdictStatus::ok;
        verdict.reason = RejectReason::none;
        verdict.explanation = "re-entry after an exit recorded on this kiosk: " + backend + " has its check-in already";
        return verdict;
    }
    if (list.allow_multiple_entries) return std::nullopt;
    verdict = rejection(RejectReason::already_redeemed, "this kiosk already admitted this ticket");
    verdict.first_checkin = first_entry->datetime;
    return verdict;
}

FailedScan failed_scan(const ScanRequest& request, const Verdict& verdict, const CheckinList& list) {
    FailedScan failed;
    failed.raw = request.raw.substr(0, kMaxScanBytes);
    failed.reason = std::string(reject_reason_name(verdict.reason));
    failed.event_id = list.event_id;
    failed.list_id = list.id;
    failed.type = request.type;
    failed.datetime = request.now;
    failed.nonce = make_nonce();
    if (verdict.position_stored()) failed.position_id = verdict.position->id;
    return failed;
}

// Writes the verdict as pretix's path does (App::decide_locally): an admission's check-in row (and
// its upload, unless the server already has it), or a failed scan. The caller holds the write
// transaction.
ScanOutcome record_verdict(Store& store, const ScanRequest& request, const CheckinList& list,
                           const EventCatalog& catalog, Verdict verdict, Delivery delivery) {
    ScanOutcome outcome;
    outcome.event_slug = catalog.event.slug;
    outcome.verdict = std::move(verdict);
    const Verdict& decided = outcome.verdict;
    if (decided.status != VerdictStatus::ok) {
        store.record_failed_scan(failed_scan(request, decided, list));
        return outcome;
    }
    NewCheckin checkin;
    checkin.event_id = list.event_id;
    checkin.list_id = list.id;
    if (decided.position_stored()) checkin.position_id = decided.position->id;
    checkin.secret = decided.secret;
    checkin.type = request.type;
    checkin.datetime = request.now;
    checkin.gate = request.gate;
    checkin.nonce = request.nonce.empty() ? make_nonce() : request.nonce;
    checkin.accepted_by_server = delivery != Delivery::queued_unchecked;   // nothing to upload
    checkin.trusted_offline = delivery == Delivery::queued_unchecked;
    const int64_t id = store.record_checkin(checkin);
    outcome.checkin = RecordedCheckin{id, checkin.datetime, checkin.type, checkin.nonce};
    outcome.trusted_offline = checkin.trusted_offline;
    return outcome;
}

} // namespace

void App::use_ticket_backend(const TicketBackendOptions& options, std::unique_ptr<backend::TicketClient> client) {
    auto state = std::make_unique<TicketBackend>();
    state->options = options;
    state->client = client ? std::move(client) : backend::make_ticket_client(options.kind, options.connection);
    ticket_backend_ = std::move(state);
}

std::optional<sync::OnlineState> App::online_state() const {
    if (online_) return online_->state();
    // A backend with a copy here (Oveit) is asked first only in online mode; otherwise the store decides.
    if (ticket_backend_ && (ticket_backend_->options.online ||
                            !backend::capabilities_of(ticket_backend_->options.kind).download_tickets))
        return ticket_backend_->state;
    return std::nullopt;
}

Outcome<std::optional<App::BackendList>> App::backend_list(const ScanRequest& request) {
    catalogs_.refresh(store_);
    const auto lists = resolve_lists(store_, catalogs_, request.lists);
    if (!lists) return std::unexpected(lists.error());
    const std::string_view organizer = backend::kind_name(ticket_backend_->options.kind);
    for (const CheckinList& candidate : *lists)
        if (auto catalog = catalogs_.event(store_, candidate.event_id); catalog && catalog->event.organizer == organizer)
            return BackendList{candidate, std::move(catalog)};
    return std::nullopt;
}

namespace {

// What a record_* step says when the list it was asked for left the store while the server was
// asked (a sync removed it): the admission the server may have made is the server's to keep.
// (A template: App::BackendList is private to the app, and only its name is.)
template <class Target>
Outcome<Target> still_there(Outcome<std::optional<Target>> read) {
    if (!read) return std::unexpected(read.error());
    if (!*read) return std::unexpected(std::string("the check-in list changed while the server was asked: scan again"));
    return std::move(**read);
}

} // namespace

std::optional<Outcome<ScanOutcome>> App::scan_with_ticket_backend(const ScanRequest& request, const CleanedScan& scanned) {
    if (!scanned.usable) return std::nullopt;   // the local decision says why
    // Which list and event to ask about; read again where the answer is recorded.
    const auto routed = backend_list(request);
    if (!routed) return std::unexpected(routed.error());
    if (!*routed) return std::nullopt;          // none of the lists is this backend's
    const BackendList& target = **routed;
    const backend::Kind kind = ticket_backend_->options.kind;
    const backend::Capabilities can = backend::capabilities_of(kind);
    // A copy decides exits as pretix's does, and entries unless online mode asks the server first.
    if (can.download_tickets && (request.type != CheckinType::entry || !ticket_backend_->options.online))
        return std::nullopt;
    if (!can.download_tickets)
        if (auto decided = record_own_decision(request, scanned.text)) return decided;

    backend::TicketCall call;
    call.code = scanned.text;
    call.event = target.catalog->event.slug;
    call.datetime = request.now;
    if (kind == backend::Kind::oveit) call.addon = oveit_addon(target.list, *target.catalog);
    auto answer = ticket_backend_->ask(call, /*check_in=*/true);
    if (answer && *answer) return record_backend_answer(request, scanned.text, **answer);
    if (can.download_tickets) return std::nullopt;   // the downloaded copy decides
    const backend::ApiError why = answer ? answer->error()
                                         : backend::make_error(backend::ApiErrorKind::unreachable,
                                                               ticket_backend_->state.why_offline);
    return record_unchecked(request, scanned.text, why);
}

std::optional<Outcome<ScanOutcome>> App::record_own_decision(const ScanRequest& request, const std::string& code) {
    Store::WriteTransaction transaction(store_);   // read and written together: two doors, one ticket
    const auto target = still_there(backend_list(request));
    if (!target) return std::unexpected(target.error());
    const CheckinList& list = target->list;
    const std::vector<Checkin> own = store_.checkins_of_unsynced_secret(list.id, code);
    const auto decided =
        decide_by_own_checkins(own, list, request.type, backend::kind_name(ticket_backend_->options.kind));
    if (!decided) return std::nullopt;
    Verdict verdict = verdict_about(store_, list, code);
    verdict.status = decided->status;
    verdict.reason = decided->reason;
    verdict.explanation = decided->explanation;
    verdict.first_checkin = decided->first_checkin;
    ScanOutcome outcome = record_verdict(store_, request, list, *target->catalog, std::move(verdict), Delivery::kept_here);
    transaction.commit();
    return outcome;
}

Outcome<ScanOutcome> App::record_backend_answer(const ScanRequest& request, const std::string& code,
                                                const backend::TicketAnswer& answer) {
    Store::WriteTransaction transaction(store_);
    const auto target = still_there(backend_list(request));
    if (!target) return std::unexpected(target.error());
    Verdict verdict = verdict_about(store_, target->list, code);
    verdict.status = answer.status;
    verdict.reason = answer.status == VerdictStatus::ok ? RejectReason::none : answer.reason;
    verdict.explanation = answer.explanation;
    verdict.first_checkin = answer.checked_in_at;
    if (verdict.position->attendee_name.empty()) verdict.position->attendee_name = answer.attendee_name;
    ScanOutcome outcome =
        record_verdict(store_, request, target->list, *target->catalog, std::move(verdict), Delivery::by_server);
    outcome.decided_by_server = true;
    transaction.commit();
    return outcome;
}

Outcome<ScanOutcome> App::record_unchecked(const ScanRequest& request, const std::string& code,
                                           const backend::ApiError& why) {
    const std::string backend_name(backend::kind_name(ticket_backend_->options.kind));
    const bool trusted = ticket_backend_->options.trust_offline_scans;
    Store::WriteTransaction transaction(store_);
    const auto target = still_there(backend_list(request));
    if (!target) return std::unexpected(target.error());
    Verdict verdict = verdict_about(store_, target->list, code);
    if (trusted) {
        verdict.status = VerdictStatus::ok;
        verdict.reason = RejectReason::none;
        verdict.explanation = "admitted without a check: " + backend_name + " could not be asked (" + why.message +
                              ") and this kiosk trusts offline scans";
    } else {
        verdict.status = VerdictStatus::error;
        verdict.reason = RejectReason::offline;
        verdict.explanation = backend_name + " could not be asked, and this kiosk keeps no copy of its tickets: " + why.message;
    }
    ScanOutcome outcome = record_verdict(store_, request, target->list, *target->catalog, std::move(verdict),
                                         Delivery::queued_unchecked);
    transaction.commit();
    return outcome;
}

void App::add_backend_name(ScanOutcome& outcome) {
    Verdict& verdict = outcome.verdict;
    if (!ticket_backend_ || verdict.status != VerdictStatus::ok || !verdict.position) return;
    if (!verdict.position->attendee_name.empty() || outcome.decided_by_server) return;
    const backend::Kind kind = ticket_backend_->options.kind;
    if (!backend::capabilities_of(kind).attendee_names || !verdict.list) return;
    const auto catalog = catalogs_.event(store_, verdict.event.value_or(0));
    if (!catalog || catalog->event.organizer != backend::kind_name(kind)) return;
    backend::TicketCall call;
    call.code = verdict.secret;
    call.event = catalog->event.slug;
    call.datetime = outcome.checkin ? outcome.checkin->datetime : Timestamp{};
    if (kind == backend::Kind::oveit)
        if (const CheckinList* list = catalog->list(*verdict.list)) call.addon = oveit_addon(*list, *catalog);
    if (const auto answer = ticket_backend_->ask(call, /*check_in=*/false); answer && *answer)
        verdict.position->attendee_name = (*answer)->attendee_name;
}

std::optional<std::string> App::backend_refuses_undo(const CheckinList& list, const RevertedCheckin& reverted) {
    if (reverted.settled_locally) return std::nullopt;   // the backend never heard of it
    const auto catalog = catalogs_.event(store_, list.event_id);
    const auto kind = catalog ? backend::kind_from_name(catalog->event.organizer) : std::nullopt;
    if (!kind || *kind == backend::Kind::pretix) return std::nullopt;
    // An exit here was never sent (it is kept as one the server has): an undo sent for it would
    // revert the ticket's check-in at Constant Contact. Refused, in words, until the store can
    // settle it locally.
    if (reverted.type == CheckinType::exit && !backend::capabilities_of(*kind).download_tickets)
        return "this exit is recorded on this kiosk only (" + std::string(backend::kind_name(*kind)) +
               " has no exit call) and cannot be undone: scan the ticket at the entry to count the attendee in again";
    if (backend::capabilities_of(*kind).undo) return std::nullopt;
    return std::string(backend::kind_name(*kind)) +
           " offers no way to undo a check-in it has: the ticket stays checked in there (the organiser can change it "
           "in " + std::string(backend::kind_name(*kind)) + "'s own tools)";
}

} // namespace kiosk
