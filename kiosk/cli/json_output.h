// The JSON shapes of the kioskctl contract (DESIGN.md and the README): pretix's redeem answer,
// search results, list status, the upload queue, the lists, sync and status. Pure conversions of
// the app layer's results; printing is main's job.
#pragma once

#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "kiosk/app/backend_sync.h"

namespace kiosk::cli {

nlohmann::json position_json(const Position& position, bool not_stored = false);   // not_stored: no local id, order
nlohmann::json scan_json(const ScanOutcome& outcome);
nlohmann::json undo_json(const UndoOutcome& outcome, int64_t list_id);
nlohmann::json search_json(const std::vector<SearchResult>& results);
nlohmann::json stats_json(const ListStatusReport& report);
nlohmann::json queue_json(const QueueSnapshot& queue);
nlohmann::json import_json(const ImportReport& report);
nlohmann::json lists_json(const std::vector<ListSummary>& lists);
// `sync`: the sync's report, "backend" (backend_json with "saved") and, with webhooks configured,
// "webhooks" after the delivery round.
nlohmann::json sync_json(const BackendSyncReport& report);
// `status`: the sync status, "backend" (or null and "backend_error" in words), "webhooks" (null when
// none are configured).
nlohmann::json status_json(const KioskStatus& status);
nlohmann::json print_json(const PrintReport& report);
// The backend a store syncs with, for `status` and `sync`: {"kind", "name", "url", "events", "from",
// "also_saved": [kinds], "note"?, "organizer" (pretix), "scanner_id" (BrightStar)}. Never the token;
// the URL without user info, query or fragment.
nlohmann::json backend_json(const sync::SyncSettings& settings, const BackendChoice& choice);
nlohmann::json setup_json(const DeviceSetup& device, const std::string& device_file);

// One line of JSON; invalid UTF-8 from a scanned code never makes the writer throw.
std::string dump_line(const nlohmann::json& value);

} // namespace kiosk::cli
