#include "kiosk/app/checkin_service.h"

#include <algorithm>
#include <set>

#include "kiosk/core/nonce.h"

namespace kiosk {

std::variant<std::vector<CheckinList>, std::string> CheckinService::resolve_lists(std::span<const int64_t> list_ids) {
    std::vector<CheckinList> lists;
    std::set<int64_t> events;
    if (list_ids.empty()) return std::string("at least one check-in list is required (--list ID)");
    drop_stale_caches();
    for (int64_t id : list_ids) {
        auto cached = list_cache_.find(id);
        if (cached == list_cache_.end()) {
            auto list = store_.checkin_list(id);
            if (!list) return "unknown check-in list " + std::to_string(id) + " (import its event first)";
            cached = list_cache_.emplace(id, std::move(*list)).first;
        }
        if (!events.insert(cached->second.event_id).second)
            return "check-in list " + std::to_string(id) + " is a second list of the same event; select one list per event";
        lists.push_back(cached->second);
    }
    return lists;
}

void CheckinService::drop_stale_caches() {
    const int64_t generation = store_.catalog_generation();
    if (generation == cached_generation_) return;
    catalog_cache_.clear();
    list_cache_.clear();
    cached_generation_ = generation;
}

const Event& CheckinService::event(int64_t event_id) { return event_catalog(event_id).event; }

const DecisionSnapshot::EventData& CheckinService::event_catalog(int64_t event_id) {
    drop_stale_caches();
    auto it = catalog_cache_.find(event_id);
    if (it == catalog_cache_.end()) {
        DecisionSnapshot::EventData data;
        if (auto catalog = store_.catalog(event_id)) {
            data.event = std::move(catalog->event);
            data.subevents = std::move(catalog->subevents);
            data.items = std::move(catalog->items);
            data.questions = std::move(catalog->questions);
        }
        it = catalog_cache_.emplace(event_id, std::move(data)).first;
    }
    return it->second;
}

DecisionSnapshot CheckinService::load_snapshot(const std::string& secret, const std::vector<CheckinList>& lists) {
    DecisionSnapshot snapshot;
    snapshot.lists = lists;
    for (const CheckinList& list : lists) snapshot.events.emplace(list.event_id, event_catalog(list.event_id));
    if (secret.empty()) return snapshot;

    auto list_of_event = [&](int64_t event_id) -> const CheckinList* {
        for (const CheckinList& list : lists)
            if (list.event_id == event_id) return &list;
        return nullptr;
    };
    auto candidate = [&](Position position, const CheckinList& list) -> std::optional<CandidateTicket> {
        auto order = store_.order(position.event_id, position.order);
        if (!order) return std::nullopt; // a position without its order is half-synced: unknown
        CandidateTicket ticket{std::move(position), std::move(*order), {}};
        ticket.checkins = store_.checkins_of_position(list.id, ticket.position.id);
        return ticket;
    };

    for (Position& position : store_.positions_by_secret(secret)) {
        const CheckinList* list = list_of_event(position.event_id);
        if (list == nullptr) continue;
        const int64_t position_id = position.id;
        if (auto ticket = candidate(std::move(position), *list)) snapshot.matches.push_back(std::move(*ticket));
        if (list->addon_match)
            for (Position& addon : store_.addons_of(position_id))
                if (auto ticket = candidate(std::move(addon), *list)) snapshot.addons.push_back(std::move(*ticket));
    }
    for (auto& [event_id, data] : snapshot.events) {
        data.secret_blocked = store_.secret_blocked(event_id, secret);
        if (!snapshot.matches.empty()) continue;
        // Only an offline-signed ticket can still be valid; it needs these.
        data.secret_revoked = store_.secret_revoked(event_id, secret);
        data.unsynced_checkins = store_.checkins_of_unsynced_secret(list_of_event(event_id)->id, secret);
    }
    return snapshot;
}

ScanOutcome CheckinService::scan(const ScanRequest& request) {
    auto resolved = resolve_lists(request.lists);
    if (auto* error = std::get_if<std::string>(&resolved)) {
        ScanOutcome outcome;
        outcome.verdict.status = VerdictStatus::error;
        outcome.verdict.reason = RejectReason::error;
        outcome.verdict.explanation = *error;
        return outcome;
    }
    const auto& lists = std::get<std::vector<CheckinList>>(resolved);
    const CleanedScan cleaned = clean_scanned_text(request.raw);

    Store::WriteLock lock(store_);
    ScanOutcome outcome;
    outcome.verdict = decide(load_snapshot(cleaned.text, lists), request);
    const Verdict& verdict = outcome.verdict;
    if (verdict.status == VerdictStatus::ok) {
        NewCheckin checkin;
        checkin.event_id = verdict.event.value_or(0);
        checkin.list_id = verdict.list.value_or(0);
        if (!verdict.offline_signed) checkin.position_id = verdict.position->id;
        checkin.secret = verdict.position->secret;
        checkin.type = request.type;
        checkin.datetime = request.now;
        checkin.gate = request.gate;
        checkin.nonce = make_nonce();
        checkin.answers = verdict.accepted_answers;
        const int64_t id = store_.record_checkin(checkin);
        outcome.checkin = RecordedCheckin{id, checkin.datetime, checkin.type, checkin.nonce};
    } else if (verdict.status == VerdictStatus::error) {
        FailedScan failed;
        failed.raw = request.raw.substr(0, kMaxScanBytes); // the rest of a 10 MB paste is noise
        failed.reason = std::string(reject_reason_name(verdict.reason));
        failed.event_id = verdict.event;
        failed.list_id = verdict.list.value_or(lists.front().id);
        failed.type = request.type;
        failed.datetime = request.now;
        failed.nonce = make_nonce();
        if (verdict.position && !verdict.offline_signed) failed.position_id = verdict.position->id;
        store_.record_failed_scan(failed);
    }
    lock.commit();
    return outcome;
}

UndoOutcome CheckinService::undo(std::string_view raw, int64_t list_id, Timestamp at) {
    UndoOutcome outcome;
    const int64_t ids[] = {list_id};
    auto resolved = resolve_lists(ids);
    if (auto* error = std::get_if<std::string>(&resolved)) {
        outcome.error = *error;
        return outcome;
    }
    const CheckinList list = std::get<std::vector<CheckinList>>(resolved).front();
    const CleanedScan cleaned = clean_scanned_text(raw);
    if (!cleaned.usable) {
        outcome.error = "nothing usable was scanned";
        return outcome;
    }
    Store::WriteLock lock(store_);
    std::optional<int64_t> position_id;
    for (Position& position : store_.positions_by_secret(cleaned.text)) {
        if (position.event_id != list.event_id) continue;
        position_id = position.id;
        outcome.position = std::move(position);
    }
    outcome.checkin = store_.revert_latest_checkin(list.event_id, list.id, position_id, cleaned.text, at, make_nonce());
    if (!outcome.checkin) {
        outcome.error = "this ticket has no check-in on list " + std::to_string(list.id) + " to undo";
        return outcome;
    }
    lock.commit();
    outcome.reverted = true;
    return outcome;
}

} // namespace kiosk
