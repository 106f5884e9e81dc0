// Private to the store: the connection with its prepared statements, and the row readers the
// decision reads, the import and the staff queries share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netsync/store/sqlite.h"
#include "netsync/store/store.h"

namespace kiosk::store_detail {

inline int64_t to_micros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_micros(int64_t micros) { return Timestamp{std::chrono::microseconds{micros}}; }
inline std::optional<int64_t> to_micros(const std::optional<Timestamp>& t) {
    return t ? std::optional<int64_t>(to_micros(*t)) : std::nullopt;
}
std::optional<Timestamp> optional_time(const sqlite::Statement& row, int column);

// Our own JSON written back out; a store that fails to parse it is corrupt, not bad input.
nlohmann::json parse_stored_json(const std::string& text);
std::string dump(const nlohmann::json& value);

// Column order read_position expects, unqualified and with the alias `p.`.
extern const char* const kPositionColumns;
extern const char* const kPositionColumnsOfP;
constexpr int kPositionColumnCount = 15;
Position read_position(const sqlite::Statement& row);
Checkin read_checkin(const sqlite::Statement& row, int first_column);
std::vector<int64_t> option_ids(const std::string& stored);

} // namespace kiosk::store_detail

namespace kiosk {

struct Store::Impl {
    explicit Impl(const std::string& path);

    sqlite::Database db;
    bool durability_relaxed = false;        // relax_durability_for_sync(true) is in force
    // apply_orders_pages: when another writer last waited for this connection's lock or held it.
    std::chrono::steady_clock::time_point other_writer_seen{};

    // Prepared once per connection; the hot path never re-parses SQL.
    sqlite::Statement& statement(std::unique_ptr<sqlite::Statement>& slot, std::string_view sql) {
        if (!slot) slot = std::make_unique<sqlite::Statement>(db, sql);
        return *slot;
    }
    std::unique_ptr<sqlite::Statement> by_secret, addons, order_by_code, answers_of, checkins_by_position,
        checkins_by_secret, revoked, blocked, insert_checkin, insert_queue, upsert_answer, insert_failed,
        latest_checkin_by_position, latest_checkin_by_secret, mark_reverted, settle_unsent, list_event, generation;
    // The importer's (store_import.cpp): a sync applies thousands of pages on one connection.
    std::unique_ptr<sqlite::Statement> import_order, import_position, import_answer, import_search,
        import_drop_server_checkins, import_server_checkin, import_adopt_checkins, import_cursor, import_cursor_erase,
        import_skipped, import_forget_skipped;

    std::vector<Answer> answers(int64_t position_id);
    std::vector<Position> positions(sqlite::Statement& query);   // runs a bound query, with answers
    static bool any_row(sqlite::Statement& query);               // runs a bound query: had a row?
    static std::vector<Checkin> checkins(sqlite::Statement& query);
    void upsert_answer_row(int64_t position_id, const Answer& answer);
    void queue_upload(std::string_view kind, int64_t event_id, int64_t list_id, int64_t checkin_id,
                      std::string_view secret, CheckinType type, Timestamp datetime, const std::string& nonce,
                      const std::string& answers_json, const std::optional<std::string>& gate);
    void bump_generation();
};

} // namespace kiosk
