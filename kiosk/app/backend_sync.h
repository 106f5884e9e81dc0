// Syncing with the backend a store is connected to, the same way for both front ends: `kioskctl
// status` and `kioskctl sync` are one call each with one report value back (kiosk/cli only prints
// it), and the kiosk syncs in the background through a BackgroundSync started here. Which backend
// and its settings follow sync_settings.h's rules; this file runs them on an App.
//
// [SECTION] The backend in use
// [SECTION] Status (kioskctl status)
// [SECTION] Sync now (kioskctl sync)
// [SECTION] In the background (the kiosk)
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kiosk/app/app.h"
#include "kiosk/app/config.h"
#include "kiosk/app/outcome.h"
#include "kiosk/app/sync_settings.h"
#include "netsync/sync/sync_engine.h"
#include "netsync/webhooks/webhook_sender.h"

namespace kiosk {

// [SECTION] The backend in use

// The backend the store syncs with and its settings, or the sentence saying what is missing
// ("run kioskctl setup ..."). The settings hold the token: show them through a front end's own
// redaction (kioskctl's backend_json), never as they are.
struct BackendInUse {
    BackendChoice choice;
    Outcome<sync::SyncSettings> settings;
};

BackendInUse backend_in_use(const SyncFlags& flags, const KioskConfig& config, const std::string& db_path);

// [SECTION] Status (kioskctl status)

struct KioskStatus {
    sync::SyncStatus sync;                  // App::sync_status(): as the last sync on this store left it
    BackendInUse backend;                   // with no flags: the configuration, then what is saved
    std::optional<webhooks::WebhookStatus> webhooks;   // nullopt: no [webhooks] urls configured
};

// The sync state, the backend in use (or why there is none) and the webhooks' outbox. Reads only:
// nothing is sent and nothing saved.
KioskStatus kiosk_status(App& app, const KioskConfig& config, const std::string& db_path);

// [SECTION] Sync now (kioskctl sync)

struct BackendSyncReport {
    BackendChoice choice;
    sync::SyncSettings settings;            // what it synced with
    sync::SyncReport sync;                  // sync.error: what stopped the sync, if anything
    bool saved = false;                     // the connection is saved next to the store (remember_backend)
    std::optional<webhooks::WebhookStatus> webhooks;   // after one delivery round; nullopt: no [webhooks] urls
};

// One sync with the backend in use (App::sync, on the caller's thread); then its connection saved
// when the sync proved it worth keeping (connection_worth_saving), so later commands and the kiosk
// on this store reach it without the token; then one delivery round of the webhooks' due events, as
// the kiosk's sender would send them. A failed sync is a report with sync.error; unexpected: the
// settings are incomplete (nothing was sent) or the connection could not be saved.
Outcome<BackendSyncReport> sync_backend(App& app, const SyncFlags& flags, const KioskConfig& config,
                                        const std::string& db_path);

// [SECTION] In the background (the kiosk)

// The kiosk's sync: a sync::SyncEngine on its own thread with its own store connection, for the
// backend in use as kioskctl works it out. The decision worker asks for uploads and staff's "sync
// now"; the UI thread reads status() once per frame (in memory, never the disk).
// Thread rule: every member from any thread; the destructor stops and joins the engine's thread.
class BackgroundSync {
public:
    // Starts syncing. nullptr: no backend is configured or saved next to the store (a kiosk that
    // only decides from its store); unexpected: one is, but its settings are incomplete (in words).
    static Outcome<std::shared_ptr<BackgroundSync>> start(const KioskConfig& config, const std::string& db_path);

    BackendKind kind() const { return kind_; }
    // also_saved_note(): which connection syncs when several are saved next to the store; "" otherwise.
    const std::string& note() const { return note_; }
    void request_upload();                  // an admission was just recorded: upload within seconds
    void request_sync();                    // staff's "sync now": download and upload now
    sync::SyncStatus status() const;

private:
    BackgroundSync(sync::SyncSettings settings, const BackendChoice& choice, const std::string& db_path);

    BackendKind kind_;
    std::string note_;
    sync::SyncEngine engine_;
};

} // namespace kiosk
