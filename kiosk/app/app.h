// The app layer: the one API both front ends call. kioskctl (kiosk/cli) and the touchscreen's
// workers (flow_worker.h, print_queue.h) each make an App on the store and call its operations;
// front ends parse their input, call one operation and show its value, and never meet the store's
// SQL or a backend's JSON. What needs the configuration too (which backend, `kioskctl sync` and
// `status`, the kiosk's background sync) is in backend_sync.h and sync_settings.h, built on this.
//
// [SECTION] Results of the operations
// [SECTION] App
//
// What is a value and what is an exception: outcome.h.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "image/image.h"
#include "kiosk/app/catalog_cache.h"
#include "kiosk/app/outcome.h"
#include "kiosk/core/engine.h"
#include "netsync/backend/ticket_client.h"
#include "netsync/store/store.h"
#include "netsync/sync/online_check.h"
#include "netsync/sync/sync_engine.h"

namespace kiosk::pretix { struct Connection; }
namespace kiosk::webhooks { struct WebhookStatus; }

namespace kiosk {

// [SECTION] Results of the operations

struct RecordedCheckin {
    int64_t id = 0;
    Timestamp datetime{};
    CheckinType type = CheckinType::entry;
    std::string nonce;
};

struct ScanOutcome {
    Verdict verdict;
    std::string event_slug;                 // of verdict.event; empty when no event decided
    std::optional<RecordedCheckin> checkin; // set exactly when the verdict is ok; already on disk
    bool decided_by_server = false;         // the backend decided (online mode, or a backend that keeps no tickets here)
    bool trusted_offline = false;           // admitted unchecked: the backend was away and the organiser trusts offline scans
};

struct UndoRequest {
    std::string raw;                        // the ticket's code as scanned
    int64_t list = 0;
    Timestamp now{};
};

struct UndoOutcome {
    bool reverted = false;
    std::string explanation;                // why nothing was reverted
    std::optional<Position> position;
    std::optional<RevertedCheckin> checkin;
};

struct SearchResult {
    Position position;
    std::string event_slug;
    OrderStatus order_status = OrderStatus::paid;
    bool redeemed = false;                  // a live check-in on one of the searched lists
    bool require_attention = false;         // the order's or the product's check-in attention flag
};

struct ListSummary {
    CheckinList list;
    std::shared_ptr<const EventCatalog> catalog;   // its event (slug, name, products)
};

struct ListStatusReport {
    ListStatus counts;
    std::shared_ptr<const EventCatalog> catalog;   // names of the event, its products and variations
};

struct PrintRequest {
    std::string raw;                        // the ticket's code
    int64_t list = 0;                       // the list whose event holds the ticket
    std::string printer_uri;                // printer/printer_driver.h; ignored with out_file
    std::optional<std::filesystem::path> layout_file;   // a pretix layout JSON replacing the event's
    std::optional<std::filesystem::path> out_file;      // write the badge here (.pdf or .png) instead
    std::string language;                   // "" = the order's language
};

struct PrintReport {
    PrintJobState state = PrintJobState::failed;
    std::string printer;                    // the URI, or the file written
    int pages = 0;
    std::string reason;                     // why not printed, in words
    int64_t job = 0;
};

struct ImportReport {
    ImportSummary summary;
    Event event;
};

// The device pretix made of this kiosk (App::setup_device). Its token stays in the device file.
struct DeviceSetup {
    std::string url;                        // the pretix installation
    std::string organizer;
    int64_t device_id = 0;
    std::string name;                       // the device's name in pretix
    std::optional<std::string> gate;
};

// How scans use a backend other than pretix (netsync/backend/ticket_client.h). A backend that keeps
// no copy of its tickets here (Constant Contact, BrightStar) is asked about every scan; one that
// downloads (Oveit) is asked first only in online mode, and told of nothing but names otherwise.
struct TicketBackendOptions {
    backend::Kind kind = backend::Kind::constantcontact;
    backend::Connection connection;         // this thread's client; request_timeout is a scan's deadline
    bool online = false;                    // a backend that downloads: let the server decide first
    bool trust_offline_scans = false;       // admit unchecked when a backend without a copy is away
    std::chrono::seconds retry_after{30};   // after a failed ask, do not wait on the server this long
};

// [SECTION] App
// Thread rule: an App owns one store connection and belongs to the thread that made it; every
// thread that needs the store makes its own App on the same file (WAL lets them work together).
class App {
public:
    explicit App(const std::string& db_path);
    ~App();

    // Reads one event dumped in pretix API JSON and imports it (one transaction: all or nothing).
    Outcome<ImportReport> import_pretix_directory(const std::filesystem::path& directory, const std::string& organizer);

    // Every check-in list in the store with its event, by event then list id.
    std::vector<ListSummary> lists();
    // The list a kiosk uses until staff pick one, among the first event's lists: a backend's own
    // entry list when the event is one it made (Oveit's "Entry" before its addons' lists), else
    // the first list of every product, else the first; nullopt when the store holds none.
    std::optional<int64_t> default_list();

    // A time as staff at the venue of `list_id` write it: ISO 8601, without an offset read as the
    // event's wall clock.
    Outcome<Timestamp> venue_time(std::string_view text, int64_t list_id);

    // Cleans the scanned text once, then resolves the lists, reads what the decision needs,
    // decides and records the outcome in one write transaction: an admission is on disk before
    // this returns, a rejection is queued as a failed scan.
    Outcome<ScanOutcome> scan(const ScanRequest& request);

    // Decides exactly as scan() does and records nothing, on a read snapshot that never waits for a
    // writer: for staff checking a ticket without admitting it, and for the decision's benchmark.
    Outcome<Verdict> check(const ScanRequest& request);

    // Reverts the latest live check-in of the ticket on the list and queues the undo.
    Outcome<UndoOutcome> undo(const UndoRequest& request);

    // Name, email, order code or secret prefix (4 characters at least) in the lists' events.
    Outcome<std::vector<SearchResult>> search(std::string_view query, std::span<const int64_t> list_ids);

    // pretix's list status of one list.
    Outcome<ListStatusReport> list_status(int64_t list_id);

    QueueSnapshot queue();                  // pending uploads and failed scans

    // Badges. queue_badge() queues the badge of an admission for the print queue (once per ticket:
    // a second scan returns the first job); print_badge() prints one now as a staff reprint.
    Outcome<PrintJob> queue_badge(const ScanOutcome& admission, std::string_view language);
    Outcome<PrintReport> print_badge(const PrintRequest& request);
    // The badge an admission would print, as a picture at `dpi` for the attendee to check; nullopt
    // when its product gets no badge.
    Outcome<std::optional<Image>> badge_preview(const ScanOutcome& admission, std::string_view language, double dpi,
                                                const std::optional<std::filesystem::path>& layout_file = std::nullopt);
    // Another copy of a ticket's badge for the print queue (staff's reprint on the touchscreen).
    Outcome<PrintJob> queue_reprint(std::string_view raw, int64_t list, std::string_view language);
    // The IANA time zone of an event in the store ("UTC" when unknown): times on screen use it.
    std::string event_timezone(int64_t event_id);

    // Sync (netsync/sync): set-up as a pretix device, one sync now, and the last sync's status.
    // Initialises the kiosk with pretix's device set-up code (the QR's JSON) and saves the device's
    // credentials to `device_file` (mode 0600). The answer holds no token.
    Outcome<DeviceSetup> setup_device(std::string_view setup_code, const std::filesystem::path& device_file,
                                      const std::string& ca_file = {});
    // Uploads what is queued, downloads every configured event, uploads again. Blocks: kioskctl
    // calls it through sync_backend(), the kiosk runs a BackgroundSync instead (backend_sync.h).
    sync::SyncReport sync(const sync::SyncSettings& settings);
    sync::SyncStatus sync_status();         // as the last sync on this store left it, with live queue counts
    // The webhooks' outbox for these URLs (netsync/webhooks): pending events and errors per URL.
    webhooks::WebhookStatus webhook_status(const std::vector<std::string>& urls);

    // Online mode: from now on scan() asks pretix first (without force, within the deadline) and
    // decides locally only when pretix is slow, down or answers garbage. An admission pretix made
    // is recorded here as already uploaded, with the nonce pretix saw; a local decision after a
    // failed ask reuses that nonce, so a request that did reach pretix is never counted twice.
    void go_online(const pretix::Connection& connection, const sync::OnlineSettings& settings);
    // Whether the backend answered the last ask; nullopt: no backend is asked at scan time.
    std::optional<sync::OnlineState> online_state() const;

    // From now on scan() uses this backend for the events it owns (organizer = its kind's name) as
    // TicketBackendOptions says; `client` replaces the one make_ticket_client would make (tests).
    void use_ticket_backend(const TicketBackendOptions& options, std::unique_ptr<backend::TicketClient> client = {});

private:
    // Every scan path takes the text cleaned once by scan() or check().
    // The reads and the decision of a scan; the caller holds the write transaction.
    Outcome<DecisionSnapshot> read_for_decision(const ScanRequest& request, const CleanedScan& scanned);
    // pretix's decision recorded here, or nullopt when pretix did not decide in time.
    Outcome<ScanOutcome> decide_locally(const ScanRequest& request, const CleanedScan& scanned);
    std::optional<Outcome<ScanOutcome>> scan_online(ScanRequest& request, const CleanedScan& scanned);
    Outcome<ScanOutcome> record_server_verdict(const ScanRequest& request, const CleanedScan& scanned,
                                               const sync::ServerVerdict& server);
    // The ticket with this code in the list's event (a staff reprint).
    Outcome<Position> position_on_list(std::string_view raw, int64_t list);
    // A backend other than pretix decides (app_ticket_backend.cpp); nullopt: decide locally.
    struct TicketBackend;
    struct BackendList;
    std::optional<Outcome<ScanOutcome>> scan_with_ticket_backend(const ScanRequest& request, const CleanedScan& scanned);
    // The first of the request's lists that belongs to the backend, with its event's catalog, as the
    // store holds them now; nullopt: none does. Each record_* below reads it again inside its own
    // write transaction, so a sync committed while the server was asked cannot leave a stale list.
    Outcome<std::optional<BackendList>> backend_list(const ScanRequest& request);
    // Constant Contact, BrightStar: a repeat, an exit or a re-entry decided by this kiosk's own check-ins.
    std::optional<Outcome<ScanOutcome>> record_own_decision(const ScanRequest& request, const std::string& code);
    Outcome<ScanOutcome> record_backend_answer(const ScanRequest& request, const std::string& code,
                                               const backend::TicketAnswer& answer);
    Outcome<ScanOutcome> record_unchecked(const ScanRequest& request, const std::string& code, const backend::ApiError& why);
    void add_backend_name(ScanOutcome& outcome);
    std::optional<std::string> backend_refuses_undo(const CheckinList& list, const RevertedCheckin& reverted);

    Store store_;
    CatalogCache catalogs_;
    std::unique_ptr<sync::OnlineChecker> online_;
    std::unique_ptr<TicketBackend> ticket_backend_;
};

} // namespace kiosk
