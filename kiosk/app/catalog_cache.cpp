#include "kiosk/app/catalog_cache.h"

namespace kiosk {

void CatalogCache::refresh(Store& store) {
    const int64_t generation = store.catalog_generation();
    if (generation == generation_) return;
    events_.clear();
    list_events_.clear();
    generation_ = generation;
}

std::shared_ptr<const EventCatalog> CatalogCache::event(Store& store, int64_t event_id) {
    auto it = events_.find(event_id);
    if (it == events_.end()) {
        auto catalog = store.catalog(event_id);
        it = events_.emplace(event_id, catalog ? std::make_shared<const EventCatalog>(std::move(*catalog)) : nullptr).first;
    }
    return it->second;
}

std::shared_ptr<const EventCatalog> CatalogCache::event_of_list(Store& store, int64_t list_id) {
    auto it = list_events_.find(list_id);
    if (it == list_events_.end()) {
        const auto event_id = store.event_of_list(list_id);
        if (!event_id) return nullptr;
        it = list_events_.emplace(list_id, *event_id).first;
    }
    return event(store, it->second);
}

} // namespace kiosk
