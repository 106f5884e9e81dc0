#include "vision/dedupe.h"

#include <algorithm>

namespace kiosk {

bool Deduplicator::admit(const std::string& code, Clock::time_point now) {
    // Forget codes that left the view long ago so the map stays small on a busy day.
    for (auto it = seen_.begin(); it != seen_.end();) {
        if (now - it->second.last_seen > options_.gone_after && now - it->second.first_reported > options_.repeat_after)
            it = seen_.erase(it);
        else
            ++it;
    }
    auto [it, inserted] = seen_.try_emplace(code, Sighting{now, now});
    if (inserted) return true;
    Sighting& sighting = it->second;
    const bool left_view = now - sighting.last_seen > options_.gone_after;
    const bool held_long = now - sighting.first_reported > options_.repeat_after;
    // Never moved back: a late or out-of-order frame must not make a held code look gone.
    sighting.last_seen = std::max(sighting.last_seen, now);
    if (left_view || held_long) {
        sighting.first_reported = now;
        return true;
    }
    return false;
}

} // namespace kiosk
