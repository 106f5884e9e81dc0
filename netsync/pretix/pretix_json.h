// pretix REST API JSON -> domain model.
//
// Everything from outside is untrusted: a field of the wrong type, a missing id or a malformed
// datetime is reported with the file and JSON path ("orders.json: results[3].positions[0].item:
// expected an integer") instead of being guessed. The converters are shared by `import`, the sync
// engine and the store (which keeps catalog objects as the JSON pretix sent).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"

namespace kiosk::pretix {

// Thrown inside the parser only; import_event_dir turns it into an error value.
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where a value sits, for error messages: "orders.json: results[3].positions[0]".
struct JsonPath {
    std::string text;
    JsonPath operator/(std::string_view key) const;
    JsonPath operator/(size_t index) const;
};

struct ImportedOrder {
    Order order;
    std::vector<Position> positions;
    std::vector<std::pair<int64_t, Checkin>> checkins;   // (position id, check-in) as the server has them
};

Event event_from_json(const nlohmann::json& json, const std::string& organizer, const JsonPath& path);
SubEvent subevent_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Item item_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
CheckinList checkin_list_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
Question question_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);
ImportedOrder order_from_json(const nlohmann::json& json, int64_t event_id, const JsonPath& path);

// Secrets from revokedsecrets.json / blockedsecrets.json (blocked ones only when "blocked" is true).
std::string revoked_secret_from_json(const nlohmann::json& json, const JsonPath& path);
struct BlockedSecret { std::string secret; bool blocked = true; };
BlockedSecret blocked_secret_from_json(const nlohmann::json& json, const JsonPath& path);

// A pretix list page {"results": [...]} or a bare array; anything else is a FormatError.
const nlohmann::json& list_results(const nlohmann::json& page, const JsonPath& path);

} // namespace kiosk::pretix
