#include "kiosk/app/decision_reads.h"

#include <set>

namespace kiosk {

namespace {

const CheckinList* list_of_event(const std::vector<CheckinList>& lists, int64_t event_id) {
    for (const CheckinList& list : lists)
        if (list.event_id == event_id) return &list;
    return nullptr;
}

// A position with its order and its history on `list`; none when its order has not arrived (a
// position without its order is half-synced: unknown).
std::optional<CandidateTicket> candidate(Store& store, Position position, const CheckinList& list) {
    auto order = store.order(position.event_id, position.order);
    if (!order) return std::nullopt;
    CandidateTicket ticket{std::move(position), std::move(*order), {}};
    ticket.checkins = store.checkins_of_position(list.id, ticket.position.id);
    return ticket;
}

void load_matches(Store& store, DecisionSnapshot& snapshot) {
    for (Position& position : store.positions_by_secret(snapshot.scanned.text)) {
        const CheckinList* list = list_of_event(snapshot.lists, position.event_id);
        if (list == nullptr) continue;
        const int64_t position_id = position.id;
        if (auto ticket = candidate(store, std::move(position), *list)) snapshot.matches.push_back(std::move(*ticket));
        if (!list->addon_match) continue;
        for (Position& addon : store.addons_of(position_id))
            if (auto ticket = candidate(store, std::move(addon), *list)) snapshot.addons.push_back(std::move(*ticket));
    }
}

void load_secret_facts(Store& store, DecisionSnapshot& snapshot) {
    const std::string& secret = snapshot.scanned.text;
    for (auto& [event_id, facts] : snapshot.events) {
        facts.secret_blocked = store.secret_blocked(event_id, secret);
        if (!snapshot.matches.empty()) continue;
        // Only an offline-signed ticket can still be valid; it needs these.
        facts.secret_revoked = store.secret_revoked(event_id, secret);
        facts.unsynced_checkins = store.checkins_of_unsynced_secret(list_of_event(snapshot.lists, event_id)->id, secret);
    }
}

} // namespace

Outcome<std::vector<CheckinList>> resolve_lists(Store& store, CatalogCache& catalogs, std::span<const int64_t> list_ids) {
    if (list_ids.empty()) return std::unexpected("at least one check-in list is required (--list ID)");
    std::vector<CheckinList> lists;
    std::set<int64_t> events;
    for (int64_t id : list_ids) {
        const auto catalog = catalogs.event_of_list(store, id);
        const CheckinList* list = catalog ? catalog->list(id) : nullptr;
        if (list == nullptr)
            return std::unexpected("unknown check-in list " + std::to_string(id) + " (import or sync its event first)");
        if (!events.insert(list->event_id).second)
            return std::unexpected("check-in list " + std::to_string(id) +
                                   " is a second list of the same event; select one list per event");
        lists.push_back(*list);
    }
    return lists;
}

DecisionSnapshot load_decision_snapshot(Store& store, CatalogCache& catalogs, const CleanedScan& scanned,
                                        std::vector<CheckinList> lists) {
    DecisionSnapshot snapshot;
    snapshot.scanned = scanned;
    snapshot.lists = std::move(lists);
    for (const CheckinList& list : snapshot.lists)
        snapshot.events[list.event_id].catalog = catalogs.event(store, list.event_id);
    if (!scanned.usable) return snapshot;
    load_matches(store, snapshot);
    load_secret_facts(store, snapshot);
    return snapshot;
}

} // namespace kiosk
