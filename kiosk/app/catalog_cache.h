// Event catalogs change only with an import or a sync, not per scan: each is read and decoded
// once and shared read-only while the store's catalog generation stays the same.
//
// Thread rule: one cache per App (per thread). `refresh` reads the generation from the store, so
// a caller that decides calls it inside its write transaction: the lists and catalogs a decision
// reads are then the ones committed when the transaction began, never a sync's half.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "kiosk/core/model.h"
#include "netsync/store/store.h"

namespace kiosk {

class CatalogCache {
public:
    void refresh(Store& store);             // drops every catalog when an import changed them
    // The event's catalog, or null when the store has none (unknown, or imported by an old schema).
    std::shared_ptr<const EventCatalog> event(Store& store, int64_t event_id);
    // The catalog of the event that owns the list, or null for an unknown list.
    std::shared_ptr<const EventCatalog> event_of_list(Store& store, int64_t list_id);

private:
    int64_t generation_ = -1;
    std::map<int64_t, std::shared_ptr<const EventCatalog>> events_;   // null entries remember "none"
    std::map<int64_t, int64_t> list_events_;                          // list id -> event id
};

} // namespace kiosk
