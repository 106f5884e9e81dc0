// The reads a decision depends on: the selected lists and what the store holds about the scanned
// text. Callers make them inside one transaction, after CatalogCache::refresh: a scan's write
// transaction (Store::WriteTransaction), or check()'s read snapshot (Store::ReadTransaction), so
// nothing a sync commits meanwhile can mix into one decision.
#pragma once

#include <span>
#include <vector>

#include "kiosk/app/catalog_cache.h"
#include "kiosk/app/outcome.h"
#include "kiosk/core/engine.h"
#include "netsync/store/store.h"

namespace kiosk {

// The selected lists, validated: at least one, every id known, at most one list per event.
Outcome<std::vector<CheckinList>> resolve_lists(Store& store, CatalogCache& catalogs, std::span<const int64_t> list_ids);

// Everything decide() reads about `scanned` in the lists' events.
DecisionSnapshot load_decision_snapshot(Store& store, CatalogCache& catalogs, const CleanedScan& scanned,
                                        std::vector<CheckinList> lists);

} // namespace kiosk
