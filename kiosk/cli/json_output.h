// The JSON shapes of the kioskctl contract (DESIGN.md): pretix's redeem answer, search results,
// list status and the upload queue. Pure conversions; printing is main's job.
#pragma once

#include <nlohmann/json.hpp>

#include "kiosk/app/checkin_service.h"

namespace kiosk::cli {

nlohmann::json position_json(const Position& position, bool offline_signed = false);
// `event_slug` names the deciding event (verdict.event), empty when none decided.
nlohmann::json scan_json(const ScanOutcome& outcome, const std::string& event_slug);
nlohmann::json undo_json(const UndoOutcome& outcome, int64_t list_id);
nlohmann::json search_json(const std::vector<SearchHit>& hits, const std::map<int64_t, EventCatalog>& catalogs);
nlohmann::json stats_json(const ListStatus& status, const EventCatalog& catalog);
nlohmann::json queue_json(const QueueSnapshot& queue);
nlohmann::json import_json(const ImportSummary& summary, const Event& event);

// One line of JSON; invalid UTF-8 from a scanned code never makes the writer throw.
std::string dump_line(const nlohmann::json& value);

} // namespace kiosk::cli
