// Reads one event dumped from the pretix REST API into an EventImport (model types), validating
// everything before the store is touched. Layout: DESIGN.md, "import DIR".
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "netsync/store/store.h"

namespace kiosk::pretix {

// The event, or one line naming the file and the JSON path that was wrong.
std::expected<EventImport, std::string> read_event_directory(const std::filesystem::path& directory,
                                                             const std::string& organizer);

} // namespace kiosk::pretix
