// pretix REST API JSON -> domain model.
//
// Everything from outside is untrusted: a field of the wrong type, a missing id or a malformed
// datetime is an error value naming the JSON path ("orders.json: results[3].positions[0].item:
// expected an integer") instead of a guess. The converters are shared by `import` and the sync
// engine; the store never sees pretix's JSON, only the model types made here.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"
#include "netsync/store/store.h"

namespace kiosk::pretix {

// Where a value sits, for error messages: "orders.json: results[3].positions[0]".
struct JsonPath {
    std::string text;
    JsonPath operator/(std::string_view key) const;
    JsonPath operator/(size_t index) const;
};

// Each converter returns the model value or one line naming the path and what was wrong.
template <class T> using Converted = std::expected<T, std::string>;

// pretix nests a few levels; thousands of levels are an attack on the stack, not data.
constexpr int kMaxJsonDepth = 64;

// Parses untrusted JSON text without exceptions and with the depth limit above. The error names
// `what` (a file name, "the server's answer"): "orders.json: not valid JSON".
Converted<nlohmann::json> parse_json_text(std::string_view text, std::string_view what);

Converted<Event> event_from_json(const nlohmann::json& json, const std::string& organizer, const JsonPath& path);
Converted<SubEvent> subevent_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Converted<Item> item_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Converted<CheckinList> checkin_list_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Converted<Question> question_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Converted<ImportedOrder> order_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);

// Secrets from revokedsecrets.json / blockedsecrets.json (blocked ones only when "blocked" is true).
Converted<std::string> revoked_secret_from_json(const nlohmann::json& json, const JsonPath& path);
Converted<BlockedSecret> blocked_secret_from_json(const nlohmann::json& json, const JsonPath& path);

// The entries of a pretix list page {"results": [...]} or of a bare array.
Converted<const nlohmann::json*> list_results(const nlohmann::json& page, const JsonPath& path);

} // namespace kiosk::pretix
