// A position's badge as the store knows it: which layout its product prints with (the event's
// badge layouts and their item assignments, or our default), and the texts it shows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "kiosk/app/outcome.h"
#include "netsync/store/store.h"
#include "printer/badge_data.h"
#include "printer/badge_layout.h"

namespace kiosk {

struct Badge {
    printer::BadgeLayout layout;
    printer::BadgeData data;
};

// The badge of the job's ticket; nullopt when its product gets no badge (pretix layout null).
// `layout_file` (a pretix layout JSON file) replaces the event's layouts when given.
Outcome<std::optional<Badge>> badge_of(Store& store, const PrintJob& job,
                                       const std::optional<std::filesystem::path>& layout_file = std::nullopt);

} // namespace kiosk
