// Reads one event dumped from the pretix REST API into an EventImport, validating everything
// before the store is touched. Layout: DESIGN.md, "import DIR".
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "netsync/store/store.h"

namespace kiosk::pretix {

struct DirectoryRead {
    std::optional<EventImport> import;      // set on success
    std::string error;                      // one line naming the file and the JSON path
};

DirectoryRead read_event_directory(const std::filesystem::path& directory, const std::string& organizer);

} // namespace kiosk::pretix
