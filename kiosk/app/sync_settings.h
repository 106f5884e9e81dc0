// Where the kiosk syncs from and how: command-line flags over the configuration file over the
// device credentials `kioskctl setup` saved.
//
// Tokens: a token given on the command line or in the configuration is a team API token
// (`Authorization: Token`); the device file's api_token is a device's (`Authorization: Device`).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/app/config.h"
#include "kiosk/app/outcome.h"
#include "netsync/sync/sync_engine.h"

namespace kiosk {

// What `kioskctl sync` was given on its command line; empty means "not given".
struct SyncFlags {
    std::string url, token, organizer;
    std::vector<std::string> events;
};

// The device credentials file of the store at `db_path`, unless the configuration names one.
std::filesystem::path device_file_path(const KioskConfig& config, const std::string& db_path);

// The settings of a pretix sync, or a sentence saying what is missing ("run kioskctl setup ...").
Outcome<sync::SyncSettings> resolve_sync_settings(const SyncFlags& flags, const KioskConfig& config,
                                                  const std::string& db_path);

} // namespace kiosk
