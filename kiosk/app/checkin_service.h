// Scans in, verdicts out: loads what the engine needs from the store, decides, and makes an
// admission durable before anyone is told "welcome".
//
// One scan is one write transaction (BEGIN IMMEDIATE ... COMMIT with synchronous=FULL): the
// decision's reads and the admission's writes cannot interleave with another process's, so two
// kiosks on one store never admit a ticket twice. A busy store is waited for, not failed.
// Thread rule: a CheckinService uses its Store's connection and belongs to the same thread.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "kiosk/core/engine.h"
#include "netsync/store/store.h"

namespace kiosk {

struct RecordedCheckin {
    int64_t id = 0;
    Timestamp datetime{};
    CheckinType type = CheckinType::entry;
    std::string nonce;
};

struct ScanOutcome {
    Verdict verdict;
    std::optional<RecordedCheckin> checkin; // set exactly when the verdict is ok; already on disk
};

struct UndoOutcome {
    bool reverted = false;
    std::string error;                      // why nothing was reverted
    std::optional<Position> position;
    std::optional<RevertedCheckin> checkin;
};

class CheckinService {
public:
    explicit CheckinService(Store& store) : store_(store) {}

    // The selected lists, validated: every id known, at most one list per event. On failure the
    // string says which id is wrong.
    std::variant<std::vector<CheckinList>, std::string> resolve_lists(std::span<const int64_t> list_ids);

    // The event of a list, from the same cache the decisions use (slug, time zone for --at).
    const Event& event(int64_t event_id);

    // Decides and, when admitted, records the check-in and its upload; rejections are recorded
    // as failed scans. Throws StoreError when the disk fails.
    ScanOutcome scan(const ScanRequest& request);

    // Reverts the latest live check-in of the scanned ticket on `list_id` and queues the undo.
    UndoOutcome undo(std::string_view raw, int64_t list_id, Timestamp at);

private:
    DecisionSnapshot load_snapshot(const std::string& secret, const std::vector<CheckinList>& lists);
    const DecisionSnapshot::EventData& event_catalog(int64_t event_id);
    void drop_stale_caches();               // after an import or sync changed the catalog

    Store& store_;
    // Lists and event catalogs change only with an import or sync, not per scan: parsed once and
    // kept while the store's catalog generation stays the same.
    int64_t cached_generation_ = -1;
    std::map<int64_t, DecisionSnapshot::EventData> catalog_cache_; // per event
    std::map<int64_t, CheckinList> list_cache_;                    // per list id
};

} // namespace kiosk
