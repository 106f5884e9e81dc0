#include "kiosk/app/app.h"

#include "kiosk/app/app_ticket_backend.h"
#include "kiosk/app/decision_reads.h"
#include "kiosk/core/nonce.h"
#include "kiosk/core/time.h"
#include "netsync/pretix/import_dir.h"

namespace kiosk {

namespace {

NewCheckin admission_of(const Verdict& verdict, const ScanRequest& request) {
    NewCheckin checkin;
    checkin.event_id = verdict.event.value_or(0);
    checkin.list_id = verdict.list.value_or(0);
    if (verdict.position_stored()) checkin.position_id = verdict.position->id;
    checkin.secret = verdict.position->secret;
    checkin.type = request.type;
    checkin.datetime = request.now;
    checkin.gate = request.gate;
    checkin.nonce = request.nonce.empty() ? make_nonce() : request.nonce;
    checkin.answers = verdict.accepted_answers;
    return checkin;
}

FailedScan failed_scan_of(const Verdict& verdict, const ScanRequest& request, int64_t fallback_list) {
    FailedScan failed;
    failed.raw = request.raw.substr(0, kMaxScanBytes);   // the rest of a 10 MB paste is noise
    failed.reason = std::string(reject_reason_name(verdict.reason));
    failed.event_id = verdict.event;
    failed.list_id = verdict.list.value_or(fallback_list);
    failed.type = request.type;
    failed.datetime = request.now;
    failed.nonce = make_nonce();
    if (verdict.position_stored()) failed.position_id = verdict.position->id;
    return failed;
}

bool needs_attention(const SearchHit& hit, const EventCatalog* catalog) {
    if (hit.order_checkin_attention) return true;
    const Item* item = catalog ? catalog->item(hit.position.item) : nullptr;
    return item != nullptr && item->checkin_attention;
}

} // namespace

App::App(const std::string& db_path) : store_(db_path) {}

App::~App() = default;

Outcome<ImportReport> App::import_pretix_directory(const std::filesystem::path& directory, const std::string& organizer) {
    auto import = pretix::read_event_directory(directory, organizer);
    if (!import) return std::unexpected("import failed, nothing changed: " + import.error());
    auto summary = store_.import_event(*import);
    if (!summary) return std::unexpected("import failed, nothing changed: " + summary.error());
    return ImportReport{*summary, import->catalog.event};
}

std::vector<ListSummary> App::lists() {
    std::vector<ListSummary> out;
    for (EventCatalog& catalog : store_.catalogs()) {
        auto shared = std::make_shared<const EventCatalog>(std::move(catalog));
        for (const CheckinList& list : shared->lists) out.push_back(ListSummary{list, shared});
    }
    return out;
}

std::optional<int64_t> App::default_list() {
    const std::vector<ListSummary> all = lists();
    if (all.empty()) return std::nullopt;
    const EventCatalog& first_event = *all.front().catalog;
    const auto kind = backend::kind_from_name(first_event.event.organizer);
    if (kind && *kind != backend::Kind::pretix)
        if (const CheckinList* own = first_event.list(backend::local_list_id(*kind, first_event.event.slug))) return own->id;
    for (const CheckinList& list : first_event.lists)
        if (list.all_products) return list.id;
    return all.front().list.id;
}

Outcome<Timestamp> App::venue_time(std::string_view text, int64_t list_id) {
    catalogs_.refresh(store_);
    const int64_t ids[] = {list_id};
    const auto lists = resolve_lists(store_, catalogs_, ids);
    if (!lists) return std::unexpected(lists.error());
    const auto catalog = catalogs_.event(store_, lists->front().event_id);
    const auto parsed = parse_iso8601(std::string(text), find_time_zone(catalog->event.timezone));
    if (!parsed) return std::unexpected("not an ISO 8601 datetime: \"" + std::string(text) + "\"");
    return *parsed;
}

Outcome<DecisionSnapshot> App::read_for_decision(const ScanRequest& request, const CleanedScan& scanned) {
    catalogs_.refresh(store_);
    auto lists = resolve_lists(store_, catalogs_, request.lists);
    if (!lists) return std::unexpected(lists.error());
    return load_decision_snapshot(store_, catalogs_, scanned, std::move(*lists));
}

Outcome<Verdict> App::check(const ScanRequest& request) {
    const CleanedScan scanned = clean_scanned_text(request.raw);
    // Nothing is recorded, so a read snapshot does: a check never waits behind a sync page.
    Store::ReadTransaction transaction(store_);
    const auto snapshot = read_for_decision(request, scanned);
    if (!snapshot) return std::unexpected(snapshot.error());
    return decide(*snapshot, request);
}

Outcome<ScanOutcome> App::scan(const ScanRequest& request) {
    const CleanedScan scanned = clean_scanned_text(request.raw);
    if (online_) {
        ScanRequest with_nonce = request;
        if (auto decided = scan_online(with_nonce, scanned)) return std::move(*decided);
        return decide_locally(with_nonce, scanned);
    }
    if (ticket_backend_) {
        if (auto decided = scan_with_ticket_backend(request, scanned)) return std::move(*decided);
        auto outcome = decide_locally(request, scanned);
        if (outcome) add_backend_name(*outcome);
        return outcome;
    }
    return decide_locally(request, scanned);
}

Outcome<ScanOutcome> App::decide_locally(const ScanRequest& request, const CleanedScan& scanned) {
    Store::WriteTransaction transaction(store_);
    const auto read = read_for_decision(request, scanned);
    if (!read) return std::unexpected(read.error());
    const DecisionSnapshot& snapshot = *read;
    const int64_t first_list = snapshot.lists.front().id;

    ScanOutcome outcome;
    outcome.verdict = decide(snapshot, request);
    const Verdict& verdict = outcome.verdict;
    if (verdict.event)
        if (const auto facts = snapshot.events.find(*verdict.event); facts != snapshot.events.end())
            outcome.event_slug = facts->second.catalog->event.slug;
    if (verdict.status == VerdictStatus::ok) {
        const NewCheckin checkin = admission_of(verdict, request);
        const int64_t id = store_.record_checkin(checkin);
        outcome.checkin = RecordedCheckin{id, checkin.datetime, checkin.type, checkin.nonce};
    } else if (verdict.status == VerdictStatus::error) {
        store_.record_failed_scan(failed_scan_of(verdict, request, first_list));
    }
    transaction.commit();
    return outcome;
}

Outcome<UndoOutcome> App::undo(const UndoRequest& request) {
    const CleanedScan scanned = clean_scanned_text(request.raw);
    Store::WriteTransaction transaction(store_);
    catalogs_.refresh(store_);
    const int64_t ids[] = {request.list};
    auto lists = resolve_lists(store_, catalogs_, ids);
    if (!lists) return std::unexpected(lists.error());
    const CheckinList& list = lists->front();

    UndoOutcome outcome;
    if (!scanned.usable) {
        outcome.explanation = "nothing usable was scanned";
        return outcome;
    }
    std::optional<int64_t> position_id;
    for (Position& position : store_.positions_by_secret(scanned.text)) {
        if (position.event_id != list.event_id) continue;
        position_id = position.id;
        outcome.position = std::move(position);
    }
    outcome.checkin =
        store_.revert_latest_checkin(list.event_id, list.id, position_id, scanned.text, request.now, make_nonce());
    if (!outcome.checkin) {
        outcome.explanation = "this ticket has no check-in on list " + std::to_string(list.id) + " to undo";
        return outcome;
    }
    // Reverting here what the backend keeps would only make the two disagree: left as it was.
    if (auto refused = backend_refuses_undo(list, *outcome.checkin)) {
        outcome.checkin.reset();
        outcome.explanation = std::move(*refused);
        return outcome;
    }
    transaction.commit();
    outcome.reverted = true;
    return outcome;
}

Outcome<std::vector<SearchResult>> App::search(std::string_view query, std::span<const int64_t> list_ids) {
    catalogs_.refresh(store_);
    auto lists = resolve_lists(store_, catalogs_, list_ids);
    if (!lists) return std::unexpected(lists.error());
    std::vector<SearchResult> results;
    for (SearchHit& hit : store_.search(query, *lists)) {
        const auto catalog = catalogs_.event(store_, hit.position.event_id);
        SearchResult result;
        result.event_slug = catalog ? catalog->event.slug : std::string();
        result.order_status = hit.order_status;
        result.redeemed = hit.redeemed;
        result.require_attention = needs_attention(hit, catalog.get());
        result.position = std::move(hit.position);
        results.push_back(std::move(result));
    }
    return results;
}

Outcome<ListStatusReport> App::list_status(int64_t list_id) {
    catalogs_.refresh(store_);
    const int64_t ids[] = {list_id};
    auto lists = resolve_lists(store_, catalogs_, ids);
    if (!lists) return std::unexpected(lists.error());
    const CheckinList& list = lists->front();
    return ListStatusReport{store_.list_status(list), catalogs_.event(store_, list.event_id)};
}

QueueSnapshot App::queue() { return store_.queue(); }

} // namespace kiosk
