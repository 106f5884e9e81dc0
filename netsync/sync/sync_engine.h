// The sync engine: downloads and uploads on their own thread, with their own store connection, so
// that the kiosk decides locally and never waits on the network.
//
// [SECTION] Settings and status
// [SECTION] One sync, on the caller's thread (kioskctl sync)
// [SECTION] The engine thread (the kiosk)
//
// The status is what staff read on the kiosk and in `kioskctl status`: online or offline, the last
// success, pending uploads, the last error in words, and how far a running full sync has come. It is
// kept in memory for the UI (status()) and written to the store after every sync, so another process
// on the same store reads it too (read_sync_status()).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "netsync/backend/ticket_client.h"
#include "netsync/pretix/pretix_api.h"
#include "netsync/store/store.h"
#include "netsync/sync/pretix_download.h"
#include "netsync/sync/pretix_upload.h"

namespace kiosk::sync {

//-----------------------------------------------------------------------------
// [SECTION] Settings and status
//-----------------------------------------------------------------------------

struct SyncSettings {
    backend::Kind kind = backend::Kind::pretix;
    pretix::Connection connection;          // the other backends: url (API base) and token.secret only
    std::vector<std::string> events;        // pretix: slugs, empty = every event the token may see;
                                            // the others: the backend's event ids (at least one)
    std::string scanner_id;                 // how this kiosk names itself to the backend (BrightStar)
    std::string ca_file;                    // "" = the system's CAs
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds request_timeout{30'000};
    std::chrono::seconds upload_interval{5};
    std::chrono::seconds download_interval{60};
};

struct SyncStatus {
    bool online = false;                    // the server answered the last time we asked
    bool stopped = false;                   // the token or organizer was refused: no sync until set up again
    std::optional<Timestamp> last_attempt;
    std::optional<Timestamp> last_success;  // the last sync that downloaded and uploaded everything
    std::string last_error;                 // in words; empty after a success
    size_t pending_uploads = 0;             // check-ins and undos not yet accepted
    size_t refused_uploads = 0;             // rejected for good: for staff
    size_t pending_failed_scans = 0;
    size_t skipped_records = 0;             // server records a download could not store
    bool full_sync_running = false;
    std::string progress_event;             // the event being downloaded
    size_t progress_done = 0;               // its orders stored so far
    int64_t progress_total = 0;             // of the server's count
};

nlohmann::json to_json(const SyncStatus& status);
SyncStatus read_sync_status(Store& store);  // as the last sync on this store left it, with live queue counts

//-----------------------------------------------------------------------------
// [SECTION] One sync
//-----------------------------------------------------------------------------

struct SyncReport {
    std::vector<EventDownload> events;
    UploadRound upload;
    std::optional<pretix::ApiError> error;  // what stopped it, if anything
};

// Uploads what is due, then downloads every event (when `download`), then uploads again (what was
// admitted meanwhile). Records the outcome in the store's sync status. `progress` (optional) sees
// each page as it lands. pretix syncs through its own adapter; the other backends through their
// TicketClient (ticket_sync.h).
SyncReport sync_once(const SyncSettings& settings, Store& store, bool download,
                     const std::atomic<bool>* cancel = nullptr,
                     const std::function<void(const DownloadProgress&)>& progress = {});

//-----------------------------------------------------------------------------
// The connection a TicketClient of `settings` uses (backends other than pretix).
backend::Connection ticket_connection(const SyncSettings& settings, const std::atomic<bool>* cancel);

// [SECTION] The engine thread
//-----------------------------------------------------------------------------
// Thread rule: start(), request_*() and status() may be called from any thread (the UI thread calls
// them every frame at most); the engine's own thread does every network call and store write.
// Machine failures on the engine thread (a store that cannot be written) are caught there and shown
// in the status as the last error; the thread goes on trying.
class SyncEngine {
public:
    SyncEngine(SyncSettings settings, std::string db_path);
    ~SyncEngine();                          // stops and joins the thread; an upload in flight is cancelled
    SyncEngine(const SyncEngine&) = delete;
    SyncEngine& operator=(const SyncEngine&) = delete;

    void start();
    void request_upload();                  // an admission was just recorded: upload within seconds
    void request_sync();                    // staff pressed "sync now": download and upload now
    SyncStatus status() const;

private:
    void run();
    void run_once(Store& store, bool download);

    SyncSettings settings_;
    std::string db_path_;
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool upload_requested_ = false, sync_requested_ = false, stopping_ = false;
    SyncStatus status_;
    std::thread thread_;
};

} // namespace kiosk::sync
