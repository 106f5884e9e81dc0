// The kiosk's pretix device credentials on disk, between `kioskctl setup` and every later sync.
//
// The api_token is a password: the file is created readable and writable by the kiosk's user only
// (mode 0600 whatever the umask), and replaced atomically, so a crash or power cut in the middle
// of a save leaves the old credentials or the new ones, never half a file. The format is one JSON
// object: {"url", "organizer", "device_id", "unique_serial", "api_token", "name", "gate"}.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "netsync/pretix/pretix_api.h"

namespace kiosk::pretix {

// Writes `credentials` to `path` (a temporary file in the same folder, fsync, rename, fsync of the
// folder). The error is one sentence naming the path and the system's reason, never the token.
std::expected<void, std::string> save_device_credentials(const std::filesystem::path& path,
                                                         const DeviceCredentials& credentials);

// nullopt when there is no file (the kiosk was never set up); an unreadable or malformed file is an
// error in words. A file others may read is still loaded: refusing it would stop check-in, and
// the next save makes it 0600 again.
std::expected<std::optional<DeviceCredentials>, std::string> load_device_credentials(const std::filesystem::path& path);

} // namespace kiosk::pretix
