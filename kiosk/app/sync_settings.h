// Where the kiosk syncs from and how: command-line flags over the configuration file over the
// device credentials `kioskctl setup` saved (pretix), or the connection the last `kioskctl sync
// --backend` saved next to the store (Constant Contact, Oveit, BrightStar).
//
// Tokens: a token given on the command line or in the configuration is a team API token
// (`Authorization: Token`); the device file's api_token is a device's (`Authorization: Device`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kiosk/app/app.h"
#include "kiosk/app/config.h"
#include "kiosk/app/outcome.h"
#include "netsync/sync/sync_engine.h"

namespace kiosk {

// What `kioskctl sync` was given on its command line; empty means "not given".
struct SyncFlags {
    std::string url, token, organizer;
    std::vector<std::string> events;
    bool backend_named = false;   // --backend was given: a connection saved for another backend is not used
};

// The device credentials file of the store at `db_path`, unless the configuration names one.
std::filesystem::path device_file_path(const KioskConfig& config, const std::string& db_path);

// The settings of a sync, or a sentence saying what is missing ("run kioskctl setup ..."). With
// nothing that names pretix (no URL, no device file), a connection `kioskctl sync --backend` saved
// for this store is used.
Outcome<sync::SyncSettings> resolve_sync_settings(const SyncFlags& flags, const KioskConfig& config,
                                                  const std::string& db_path);

// Saves a backend's connection (not pretix's: its device file does that) next to the store, 0600,
// so later commands and the kiosk on the same store reach it without the token on their command line.
Outcome<void> remember_backend(const sync::SyncSettings& settings, const std::string& db_path);

// How scans reach the backend at scan time: not at all (decided from the store), pretix in online
// mode (`sync.online`), or a backend other than pretix (configured, or saved next to the store by
// `kioskctl sync --backend`). Worked out once per process: `kioskctl scan` and the kiosk's decision
// worker both connect their App with it.
struct PretixOnline {
    pretix::Connection connection;
    sync::OnlineSettings settings;
};
using ScanConnection = std::variant<std::monostate, PretixOnline, TicketBackendOptions>;

ScanConnection scan_connection(const KioskConfig& config, const std::string& db_path);
void connect_scans(App& app, const ScanConnection& connection);

// How scans use the backend of `settings` (App::use_ticket_backend); nullopt for pretix.
std::optional<TicketBackendOptions> ticket_backend_options(const sync::SyncSettings& settings, const KioskConfig& config);

} // namespace kiosk
