// Where the kiosk syncs from and how: command-line flags over the configuration file over the
// connections saved next to the store: pretix's device credentials (`kioskctl setup`) and the
// connections `kioskctl sync --backend` saved (Constant Contact, Oveit, BrightStar).
//
// [SECTION] Which backend
// [SECTION] Its settings
// [SECTION] Scans
//
// Which backend, when nothing names one (no --backend, no backend.kind other than pretix, no
// pretix URL): the connection saved last. A store that was set up for pretix and then synced with
// `kioskctl sync --backend oveit` follows Oveit, and `kioskctl sync --backend pretix` (or
// constantcontact, ... without the token: the saved one is reused) switches back. "Saved last" is
// the file's modification time (every save replaces the file; a sync of pretix from its device file
// touches it), so copying files without their times can change the choice: what is used, and what
// else is saved, is in `kioskctl status` and on the kiosk's standard error.
//
// When a connection is saved: only once the backend accepted it (remember_backend is called after a
// sync that got past authentication) or could not be asked at all (network down, busy, garbage:
// staff set kiosks up before the venue's network works). A token, organizer or event the server
// refused is never saved, and an earlier good connection of that kind stays.
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

// [SECTION] Which backend

// The name staff read: "pretix", "Constant Contact", "Oveit", "BrightStar" (brand names: never translated).
std::string_view backend_display_name(BackendKind kind);

// A connection saved next to the store: pretix's device file or `<db>.<kind>.json`.
struct SavedConnection {
    BackendKind kind = BackendKind::pretix;
    std::filesystem::path file;
    std::filesystem::file_time_type saved_at{};   // the file's modification time
};

// Newest first; equal times in the order pretix, Constant Contact, Oveit, BrightStar.
std::vector<SavedConnection> saved_connections(const KioskConfig& config, const std::string& db_path);

enum class BackendSource { command_line, configuration, saved, none };
std::string_view backend_source_name(BackendSource source);   // "command_line", "configuration", "saved", "none"

struct BackendChoice {
    BackendKind kind = BackendKind::pretix;
    BackendSource source = BackendSource::none;   // none: nothing configured or saved (pretix, not connected)
    std::vector<BackendKind> also_saved;          // saved connections of other kinds, not used; newest first
};

// --backend (flags.backend_named: the caller put it in config.backend.kind) or a pretix --url, then
// the configuration's backend.kind other than pretix or its backend.url, then the connection saved last.
BackendChoice choose_backend(const SyncFlags& flags, const KioskConfig& config, const std::string& db_path);

// "" when nothing else is saved; else one sentence for staff: "Using Oveit (saved last); also saved
// next to the store: Constant Contact. kioskctl sync --backend KIND switches."
std::string also_saved_note(const BackendChoice& choice);

// [SECTION] Its settings

// The settings of a sync, or a sentence saying what is missing ("run kioskctl setup ...").
Outcome<sync::SyncSettings> resolve_sync_settings(const BackendChoice& choice, const SyncFlags& flags,
                                                  const KioskConfig& config, const std::string& db_path);
Outcome<sync::SyncSettings> resolve_sync_settings(const SyncFlags& flags, const KioskConfig& config,
                                                  const std::string& db_path);

// Whether a sync that ended with `error` proved the connection worth keeping: it got past
// authentication (no error, or a later one), or the server could not be asked (unreachable, busy,
// an answer we could not read). A refused token, organizer or event (stops_sync) or any other
// refusal is not.
bool connection_worth_saving(const std::optional<backend::ApiError>& error);

// Saves the connection next to the store, 0600, so later commands and the kiosk on the same store
// reach it without the token on their command line, and makes it the one saved last. pretix keeps
// its device file (kioskctl setup): a sync from it only marks it saved last; a team token given on
// the command line is never saved. Whether the connection is saved now (false: a pretix team
// token). Call it only when connection_worth_saving(); sync_backend() (backend_sync.h) does.
Outcome<bool> remember_backend(const sync::SyncSettings& settings, const KioskConfig& config, const std::string& db_path);

// [SECTION] Scans

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
