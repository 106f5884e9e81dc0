// The kiosk's local copy of its events: a SQLite file in WAL mode.
//
// [SECTION] Opening and schema
// [SECTION] Import (one event, one transaction)
// [SECTION] Reads for a decision
// [SECTION] Writes of a decision (inside a WriteLock)
// [SECTION] Staff queries: search, list status, upload queue
//
// Thread rule: a Store is one SQLite connection and belongs to the thread that opened it; other
// threads open their own Store on the same file. Every statement is prepared with bound values;
// no SQL text is ever built from data. Machine failures (disk, corrupt file) throw
// sqlite::Error-derived StoreError; "not found" is an empty optional or vector.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"
#include "netsync/pretix/pretix_json.h"
#include "netsync/store/store_error.h"

namespace kiosk {

// One event as read from pretix: parsed objects plus, for catalog objects, the JSON as sent.
template <class T> struct WithRaw {
    T value;
    nlohmann::json raw;
};
struct EventImport {
    Event event;
    nlohmann::json event_raw;
    std::vector<WithRaw<SubEvent>> subevents;
    std::vector<WithRaw<Item>> items;
    std::vector<WithRaw<CheckinList>> lists;
    std::vector<Question> questions;        // Question keeps its own raw JSON
    std::vector<pretix::ImportedOrder> orders;
    std::vector<std::string> revoked_secrets;
    std::vector<pretix::BlockedSecret> blocked_secrets;
    std::optional<nlohmann::json> badge_layouts;
};

struct ImportSummary {
    int64_t event_id = 0;
    size_t items = 0, lists = 0, questions = 0, subevents = 0, orders = 0, positions = 0, checkins = 0;
};

// Everything about an event the engine needs that changes only with a sync.
struct EventCatalog {
    Event event;
    std::vector<SubEvent> subevents;
    std::vector<Item> items;
    std::vector<CheckinList> lists;
    std::vector<Question> questions;
};

struct NewCheckin {
    int64_t event_id = 0;
    int64_t list_id = 0;
    std::optional<int64_t> position_id;     // none for an offline-signed ticket never synced
    std::string secret;
    CheckinType type = CheckinType::entry;
    Timestamp datetime{};
    std::optional<std::string> gate;
    std::string nonce;
    std::vector<Answer> answers;            // validated answers given with this scan
};

struct FailedScan {
    std::string raw;                        // bytes as scanned
    std::string reason;                     // pretix error_reason
    std::optional<int64_t> event_id;
    int64_t list_id = 0;
    CheckinType type = CheckinType::entry;
    Timestamp datetime{};
    std::string nonce;
    std::optional<int64_t> position_id;
};

struct RevertedCheckin {
    int64_t checkin_id = 0;
    CheckinType type = CheckinType::entry;
    Timestamp checkin_datetime{};           // when the reverted check-in happened
    std::string nonce;                      // of the queued undo
};

struct SearchHit {
    Position position;
    OrderStatus order_status = OrderStatus::paid;
    bool order_checkin_attention = false;
    bool redeemed = false;                  // has a live check-in on one of the searched lists
};

struct ListStatus {
    struct Counts { int64_t id = 0; int64_t checkin_count = 0, position_count = 0, inside_count = 0; };
    Counts total;
    std::vector<std::pair<Counts, std::vector<Counts>>> items;  // per item, with its variations
};

struct QueuedUpload {
    std::string kind;                       // "checkin" or "undo"
    int64_t event_id = 0;
    int64_t list_id = 0;
    std::string secret;
    CheckinType type = CheckinType::entry;
    Timestamp datetime{};
    std::string nonce;
    nlohmann::json answers;                 // {"question id": "value"}
    std::optional<std::string> gate;
};
struct QueueSnapshot {
    std::vector<QueuedUpload> pending;
    std::vector<FailedScan> failed;
};

class Store {
public:
    // [SECTION] Opening and schema
    // Opens or creates `path`, turns on WAL and synchronous=FULL, and migrates to the latest schema.
    explicit Store(const std::string& path);
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    int schema_version();

    // [SECTION] Import
    // Upserts the event and everything in it in one transaction: all of it lands or none of it.
    // Local check-ins and the upload queue are kept; check-ins the server reports replace the ones
    // it reported before for the same position.
    ImportSummary import_event(const EventImport& import);

    // [SECTION] Reads for a decision
    std::optional<CheckinList> checkin_list(int64_t list_id);
    std::optional<EventCatalog> catalog(int64_t event_id);
    int64_t catalog_generation();           // changes whenever an import touched the catalog
    std::vector<Position> positions_by_secret(std::string_view secret);  // with their answers
    std::vector<Position> addons_of(int64_t parent_position_id);         // with their answers
    std::optional<Order> order(int64_t event_id, std::string_view code);
    std::vector<Checkin> checkins_of_position(int64_t list_id, int64_t position_id);
    std::vector<Checkin> checkins_of_unsynced_secret(int64_t list_id, std::string_view secret);
    bool secret_revoked(int64_t event_id, std::string_view secret);
    bool secret_blocked(int64_t event_id, std::string_view secret);

    // [SECTION] Writes of a decision
    // Holds the write lock (BEGIN IMMEDIATE) from before the decision's reads until commit, so a
    // decision and its admission are atomic across processes. Rolls back if not committed.
    class WriteLock {
    public:
        explicit WriteLock(Store& store);
        ~WriteLock();
        WriteLock(const WriteLock&) = delete;
        WriteLock& operator=(const WriteLock&) = delete;
        void commit();                      // durable on return (synchronous=FULL)
    private:
        Store& store_;
        bool open_ = true;
    };
    int64_t record_checkin(const NewCheckin& checkin);   // check-in + queue row + answers; returns id
    void record_failed_scan(const FailedScan& scan);
    // Marks the latest live check-in of the ticket on the list as reverted and queues the undo.
    std::optional<RevertedCheckin> revert_latest_checkin(int64_t event_id, int64_t list_id,
                                                         std::optional<int64_t> position_id, std::string_view secret,
                                                         Timestamp at, const std::string& nonce);

    // [SECTION] Staff queries
    std::vector<SearchHit> search(std::string_view query, std::span<const CheckinList> lists, size_t limit = 50);
    // Counts positions of `items` (the admission products the list covers) as pretix's list status.
    ListStatus list_status(const CheckinList& list, std::span<const int64_t> items);
    QueueSnapshot queue();

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk
