// The kiosk's local copy of its events: a SQLite file in WAL mode.
//
// [SECTION] Opening and schema
// [SECTION] Import (one event, one transaction)
// [SECTION] Reads for a decision (inside a WriteTransaction)
// [SECTION] Writes of a decision (inside a WriteTransaction)
// [SECTION] Staff queries: lists, search, list status, upload queue
// [SECTION] Sync: pages, cursors, the upload queue's life (store_sync.cpp)
// [SECTION] Print jobs (store_print.cpp)
// [SECTION] Webhooks: the outbox and each receiver's cursor (store_webhooks.cpp)
//
// The store keeps model types (kiosk/core/model.h) and includes no backend's JSON layer: catalog
// objects are kept in the store's own JSON encoding of the model (catalog_codec), orders,
// positions and check-ins in real columns. Two things are kept as the backend sent them, opaque to
// the store: a question's full object (Question::raw, which `kioskctl scan` echoes in an
// `incomplete` answer, as pretix's redeem API does) and the event's badge layouts (read by printer/).
//
// Thread rule: a Store is one SQLite connection and belongs to the thread that opened it; other
// threads open their own Store on the same file. Every statement is prepared with bound values;
// no SQL text is ever built from data. Outcomes: machine failures (disk, corrupt file) throw
// StoreError; "not found" is an empty optional or vector; data that cannot be stored as it is
// (an id that belongs to another event) is an std::expected error in words, nothing written.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/core/model.h"
#include "netsync/store/store_error.h"

namespace kiosk {

namespace sqlite { class Transaction; }

// An order as a backend reports it: the order, its positions, and the check-ins the server knows.
struct ImportedOrder {
    Order order;
    std::vector<Position> positions;
    std::vector<std::pair<int64_t, Checkin>> checkins;   // (position id, check-in)
};

// A secret the backend lists as blocked (or no longer blocked: `blocked` false lifts it).
struct BlockedSecret {
    std::string secret;
    bool blocked = true;
};

// One event as a backend adapter read it, in model types. `catalog.event.id` is ignored: the store
// assigns local event ids by organizer + slug, and the catalog objects' event_id follow.
struct EventImport {
    EventCatalog catalog;
    std::vector<ImportedOrder> orders;
    std::vector<std::string> revoked_secrets;
    std::vector<BlockedSecret> blocked_secrets;
    std::optional<nlohmann::json> badge_layouts;   // the backend's layout objects, kept as sent
};

// A record a download or an import left out, by id, with the reason in words: one bad order never
// keeps the other 99,999 out of the store.
struct SkippedRecord {
    std::string resource;                   // "orders", "items", ...
    std::string id;                         // the record's id or code as the backend wrote it
    std::string message;
};

struct ImportSummary {
    int64_t event_id = 0;
    size_t items = 0, lists = 0, questions = 0, subevents = 0, orders = 0, positions = 0, checkins = 0;
    std::vector<SkippedRecord> skipped;
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
    bool accepted_by_server = false;        // decided online: the server has it, nothing to upload
    bool trusted_offline = false;           // admitted unchecked: the backend was away (trust_offline_scans)
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
    std::string nonce;                      // of the queued undo; empty when settled locally
    bool settled_locally = false;           // the check-in had not been sent: neither will be
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
    int attempts = 0;
    std::optional<std::string> last_error;  // why the last attempt did not go through, in words
};
struct QueueSnapshot {
    std::vector<QueuedUpload> pending;
    std::vector<FailedScan> failed;
    std::vector<QueuedUpload> refused;      // the server said no for good: for staff to settle
};

// [SECTION] Sync
// A named value of an event's incremental download ("orders.modified_since", ...); nullopt erases.
struct CursorUpdate {
    std::string name;
    std::optional<std::string> value;
};

// One row of the upload queue, ready to send: everything the backend call needs.
struct UploadJob {
    int64_t id = 0;
    std::string kind;                       // "checkin" or "undo"
    int64_t event_id = 0;
    std::string organizer, event_slug;
    int64_t list_id = 0;
    std::string secret;
    CheckinType type = CheckinType::entry;
    Timestamp datetime{};                   // when it happened at the kiosk
    std::string nonce;
    nlohmann::json answers;                 // {"question id": "value"}
    int attempts = 0;                       // sends tried before this one
    std::string checkin_nonce;              // undo: the nonce of the check-in to annul ("" = not made here)
};

struct FailedScanJob {
    int64_t id = 0;
    FailedScan scan;
    std::string organizer, event_slug;      // empty when the scan matched no event
};

// [SECTION] Print jobs
enum class PrintJobState { queued, printing, done, failed };
std::string_view print_job_state_name(PrintJobState state);     // "queued", "printing", "done", "failed"

struct PrintJob {
    int64_t id = 0;
    int64_t event_id = 0;
    std::optional<int64_t> position_id;     // none for an offline-signed ticket never synced
    std::string secret;
    std::string language;                   // the attendee's, for the badge's texts
    bool reprint = false;                   // staff asked for another copy
    PrintJobState state = PrintJobState::queued;
    int attempts = 0;
    std::optional<std::string> last_error;  // the printer's trouble, in words
};

struct NewPrintJob {
    int64_t event_id = 0;
    std::optional<int64_t> position_id;
    std::string secret;
    std::string language;
    bool reprint = false;
    bool printing_now = false;              // the caller prints it at once: created `printing`, never
                                            // queued, so no print queue takes it too
};

struct PageApplied {
    size_t orders = 0, positions = 0, checkins = 0;
    std::vector<SkippedRecord> skipped;     // by the store (an id owned by another event)
};

// One downloaded page for apply_orders_pages: its orders, the records the adapter could not read,
// and the cursors that follow it.
struct OrdersPage {
    std::vector<ImportedOrder> orders;
    std::vector<SkippedRecord> skipped;
    std::vector<CursorUpdate> cursors;
};

// [SECTION] Webhooks
// One event of the webhook outbox with what its body needs, read from the check-in at send time.
struct WebhookEvent {
    int64_t seq = 0;                        // the outbox's order: every receiver gets events in it
    std::string id;                         // unique, the same on every retry (receivers dedupe on it)
    std::string kind;                       // "ticket.checked_in" or "ticket.check_in_reverted"
    Timestamp created_at{};                 // when it happened: the check-in's time, or the undo's
    int64_t checkin_id = 0;
    int64_t list_id = 0;
    std::string secret;                     // the ticket's code as scanned
    std::optional<std::string> attendee_name;   // none when the store knows no position for it
    CheckinType type = CheckinType::entry;
    Timestamp checkin_datetime{};
    std::optional<std::string> gate;
};

// A receiver's place in the outbox. `key` is what the caller registered (the webhook sender uses
// a hash of the URL: the URL itself, which may hold a secret, is never stored).
struct WebhookTargetState {
    std::string key;
    int64_t delivered_through = 0;          // the last event it acknowledged
    size_t pending = 0;                     // events after that
    int attempts = 0;                       // failed sends of the event at its head
    Timestamp next_attempt_at{};            // not before this after a failure
    std::optional<std::string> last_error;  // in words; none after a success
    std::optional<Timestamp> last_success;
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
    // it reported before for the same position. An id owned by another event is refused (pretix
    // ids are global, so that means two backends or a corrupt dump) and nothing changes.
    std::expected<ImportSummary, std::string> import_event(const EventImport& import);

    // [SECTION] Reads for a decision
    // Events imported by a schema older than 5 have no catalog until they are imported again.
    std::optional<int64_t> event_of_list(int64_t list_id);
    std::optional<EventCatalog> catalog(int64_t event_id);
    std::vector<EventCatalog> catalogs();   // every event with a catalog, by local id
    int64_t catalog_generation();           // changes whenever an import touched the catalog
    std::vector<Position> positions_by_secret(std::string_view secret);  // with their answers
    std::vector<Position> addons_of(int64_t parent_position_id);         // with their answers
    std::optional<Order> order(int64_t event_id, std::string_view code);
    std::vector<Checkin> checkins_of_position(int64_t list_id, int64_t position_id);
    std::vector<Checkin> checkins_of_unsynced_secret(int64_t list_id, std::string_view secret);
    bool secret_revoked(int64_t event_id, std::string_view secret);
    bool secret_blocked(int64_t event_id, std::string_view secret);

    // [SECTION] Writes of a decision
    // The store's write lock: the one RAII transaction (BEGIN IMMEDIATE, rolled back in its
    // destructor unless committed) held from before a decision's reads until its commit, so a
    // decision and its admission are atomic across processes. A busy store is waited on.
    class WriteTransaction {
    public:
        explicit WriteTransaction(Store& store);
        ~WriteTransaction();
        WriteTransaction(const WriteTransaction&) = delete;
        WriteTransaction& operator=(const WriteTransaction&) = delete;
        void commit();                      // durable on return (synchronous=FULL)
    private:
        std::unique_ptr<sqlite::Transaction> transaction_;
    };
    // A consistent read of the store that never waits for a writer (WAL): for decisions that record
    // nothing (App::check). Ended, rolled back, by its destructor.
    class ReadTransaction {
    public:
        explicit ReadTransaction(Store& store);
        ~ReadTransaction();
        ReadTransaction(const ReadTransaction&) = delete;
        ReadTransaction& operator=(const ReadTransaction&) = delete;
    private:
        std::unique_ptr<sqlite::Transaction> transaction_;
    };
    int64_t record_checkin(const NewCheckin& checkin);   // check-in + queue row + answers; returns id
    void record_failed_scan(const FailedScan& scan);
    // Marks the latest live check-in of the ticket on the list as reverted and queues the undo.
    std::optional<RevertedCheckin> revert_latest_checkin(int64_t event_id, int64_t list_id,
                                                         std::optional<int64_t> position_id, std::string_view secret,
                                                         Timestamp at, const std::string& nonce);

    // [SECTION] Staff queries
    // Name or email (any script, case and accents ignored: search_text.h), order code, or secret
    // prefix. Queries shorter than 4 characters find nothing: a short query would let anyone at
    // the kiosk enumerate attendees.
    std::vector<SearchHit> search(std::string_view query, std::span<const CheckinList> lists, size_t limit = 50);
    // Counts the positions the list covers as pretix's list status does: every product of the list
    // (admission or not), paid orders or pending ones the list or the order admits, canceled
    // positions left out; checked in = has an entry on the list.
    ListStatus list_status(const CheckinList& list);
    QueueSnapshot queue();

    // [SECTION] Sync
    // Each apply_* call is one transaction with the cursors it is given: a scan never sees half a
    // page, and a sync that stops between pages resumes from the cursors of the last page that landed.
    // Writes of this connection that a backend can send again (downloaded pages with their cursors,
    // upload bookkeeping) need not wait for the disk: in WAL mode a power cut may lose the last of
    // them, never half of one, and the cursor lost with a page asks for it again. Admissions on
    // other connections stay synchronous=FULL. The sync turns this on for its own connection.
    void relax_durability_for_sync(bool relaxed);
    std::optional<int64_t> event_id(std::string_view organizer, std::string_view slug);
    std::optional<std::string> sync_cursor(int64_t event_id, std::string_view name);
    // The event and its catalog as the backend lists it now: objects it no longer lists are dropped.
    // Returns the local event id and the objects left out (an id owned by another event).
    std::expected<ImportSummary, std::string> apply_catalog(const EventCatalog& catalog,
                                                            const std::optional<nlohmann::json>& badge_layouts,
                                                            std::span<const CursorUpdate> cursors);
    // One page of orders; an order the store refuses is skipped (and reported) alone. `skipped` are
    // the records the adapter could not read, remembered for staff with the store's own.
    PageApplied apply_orders_page(int64_t event_id, std::span<const ImportedOrder> orders,
                                  std::span<const SkippedRecord> skipped, std::span<const CursorUpdate> cursors);
    // Several pages in one transaction (fewer commits and checkpoints for a full sync), in order,
    // each with its cursors. Stops after the page during which the transaction reached `budget`, or
    // another connection of this process started waiting to write (an admission waits for one page,
    // not the batch); one page only while other writers of this process were seen in the last 2 s.
    // Returns one PageApplied per page that landed: at least the first.
    std::vector<PageApplied> apply_orders_pages(int64_t event_id, std::span<const OrdersPage> pages,
                                                std::chrono::milliseconds budget);
    void apply_secrets_page(int64_t event_id, std::span<const std::string> revoked,
                            std::span<const BlockedSecret> blocked, std::span<const CursorUpdate> cursors);
    std::vector<SkippedRecord> skipped_records(int64_t event_id);

    // The upload queue's life. Oldest first; a row waits until its next attempt is due; an undo
    // waits while the check-in it reverts is still queued (the server must see them in order).
    std::vector<UploadJob> due_uploads(Timestamp now, size_t limit);
    // Before sending: from now on an undo of these rows annuls instead of settling locally. Written
    // durably (synchronous=FULL even on a relaxed connection: a mark lost to a power cut would let an
    // undo settle locally a check-in pretix has). Returns the ids still queued: a row an undo settled
    // since due_uploads() read it is gone and must not be sent.
    std::vector<int64_t> mark_upload_attempts(std::span<const int64_t> ids);
    void finish_upload(int64_t id);         // the server accepted it: the row leaves the queue
    void refuse_upload(int64_t id, const std::string& reason, Timestamp at);   // for good: kept for staff
    void postpone_upload(int64_t id, const std::string& error, Timestamp next_attempt);
    size_t pending_upload_count();          // rows not refused
    struct QueueCounts { size_t pending = 0, refused = 0, failed_scans = 0, skipped_records = 0; };
    QueueCounts queue_counts();
    // Small named values the sync keeps for other processes on the store (its last status).
    std::optional<std::string> note(std::string_view key);
    void set_note(std::string_view key, std::string_view value);

    std::vector<FailedScanJob> due_failed_scans(Timestamp now, size_t limit);
    void finish_failed_scan(int64_t id, const std::optional<std::string>& refusal);
    void postpone_failed_scan(int64_t id, const std::string& error, Timestamp next_attempt);

    // [SECTION] Print jobs
    // A badge prints once: queueing one for a ticket that already has a job (queued, printing, done
    // or failed) returns that job, unless it is a reprint. Jobs left `printing` by a crash are
    // queued again when the store opens a print queue (requeue_interrupted_prints).
    PrintJob queue_print(const NewPrintJob& job, Timestamp now);
    std::optional<PrintJob> print_job(int64_t id);
    std::optional<PrintJob> next_print_job(Timestamp now);      // oldest queued or failed job that is due
    void set_print_state(int64_t id, PrintJobState state, const std::optional<std::string>& error,
                         Timestamp now, Timestamp next_attempt);
    int64_t print_count(std::optional<int64_t> position_id, std::string_view secret);   // badges printed
    size_t requeue_interrupted_prints(Timestamp now);
    std::vector<PrintJob> print_jobs(size_t limit);             // newest first, for staff
    std::optional<nlohmann::json> badge_layouts(int64_t event_id);   // as the last import or sync stored them

    // [SECTION] Webhooks (store_webhooks.cpp)
    // Triggers on `checkins` (schema 9) queue an event in the admission's or the undo's own
    // transaction, but only while a target is registered. Each target has a cursor: events after it
    // are pending, oldest first; events every target has are deleted. A new target starts at the
    // newest event (it gets what happens from now on). A lease (owner, until) keeps two processes on
    // one store (the kiosk, `kioskctl sync`) from sending a target's events twice at the same time.
    void register_webhook_targets(std::span<const std::string> keys);   // adds the missing ones
    void drop_webhook_targets_except(std::span<const std::string> keys);    // all when empty; prunes
    std::vector<WebhookTargetState> webhook_targets();                  // by key
    std::vector<WebhookEvent> webhook_events_after(int64_t seq, size_t limit);
    bool lease_webhook_target(std::string_view key, std::string_view owner, Timestamp now, Timestamp until);
    void release_webhook_target(std::string_view key, std::string_view owner);
    void webhook_delivered(std::string_view key, int64_t seq, Timestamp now);   // cursor moves; prunes
    void webhook_failed(std::string_view key, const std::string& error, Timestamp next_attempt);

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk
