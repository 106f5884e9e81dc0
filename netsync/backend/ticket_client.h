// The ticketing backends the kiosk speaks, what each can do, and the one interface the backends
// other than pretix implement (Constant Contact, Oveit, BrightStar: ../shared/seeds/).
//
// [SECTION] Kinds and capabilities
// [SECTION] Calls and answers
// [SECTION] TicketClient
//
// The kiosk adapts to what a backend can do instead of pretending (Capabilities): a backend that
// cannot download its tickets cannot decide a scan offline, so such a scan is refused with "we
// cannot check tickets right now" unless the organiser trusts offline scans; a backend without undo
// tells staff so. pretix keeps its own, richer adapter (device set-up, incremental download,
// questions, annulment by nonce: netsync/pretix, netsync/sync); it declares its capabilities here
// like the others.
//
// Thread rule: a TicketClient owns one HTTP connection and belongs to one thread at a time; the
// sync thread and the scanning thread each make their own (make_ticket_client).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/engine.h"
#include "netsync/backend/api_error.h"
#include "netsync/http/retry_policy.h"
#include "netsync/store/store.h"

namespace kiosk::backend {

//-----------------------------------------------------------------------------
// [SECTION] Kinds and capabilities
//-----------------------------------------------------------------------------

enum class Kind { pretix, constantcontact, oveit, brightstar };

std::string_view kind_name(Kind kind);                      // "pretix", "constantcontact", "oveit", "brightstar"
std::optional<Kind> kind_from_name(std::string_view name);  // exact, lower case

struct Capabilities {
    bool download_tickets = false;          // a synced copy decides scans while the backend is unreachable
    bool validate_only = false;             // can ask about a ticket without checking it in
    bool check_in = false;
    bool undo = false;                      // can revert a check-in the server already has
    bool attendee_names = false;            // tells the attendee's name (for "Welcome, NAME" and badges)
    bool questions = false;                 // asks the organiser's questions before admission
};

Capabilities capabilities_of(Kind kind);

//-----------------------------------------------------------------------------
// [SECTION] Calls and answers
//-----------------------------------------------------------------------------

// How to reach a backend other than pretix.
struct Connection {
    std::string url;                        // the API base up to its version segment, as the seed writes it
    std::string token;                      // Constant Contact: OAuth access token (Bearer); Oveit: the
                                            // `token` parameter; BrightStar: Bearer when not empty
    std::string scanner_id;                 // BrightStar's scanner_id: this kiosk's name
    std::string ca_file;                    // "" = the system's CAs
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds request_timeout{30'000};   // per request (an online decision passes its deadline)
    http::RetryPolicy retry;                // a scan at the kiosk tries once: the attendee is waiting
    const std::atomic<bool>* cancel = nullptr;
};

// One ticket, as a check-in, an undo or a question about it.
struct TicketCall {
    std::string code;                       // the ticket's code as scanned, cleaned (clean_scanned_text)
    std::string event;                      // the backend's event id (the store's event slug)
    std::optional<int64_t> addon;           // Oveit: the addon whose access is granted; nullopt = the main entry
    std::optional<int64_t> ticket_type;     // Oveit: the ticket type granted, when the list names one
    Timestamp datetime{};                   // when it happened at the kiosk
};

// What the server said about one ticket, in the kiosk's vocabulary (reject reasons as pretix names
// them, so the screen and the failed-scan log read the same for every backend).
struct TicketAnswer {
    VerdictStatus status = VerdictStatus::error;    // ok, or error with `reason`
    RejectReason reason = RejectReason::none;
    std::string explanation;                // the server's words, for staff (the screen shows `reason`)
    std::optional<Timestamp> checked_in_at; // already_redeemed: when the ticket was first used
    std::string attendee_name;              // "" when the backend does not tell
    std::string ticket_type;                // the product's name, "" when not told
};

// The backend refused the ticket: status error with our reason and its words.
TicketAnswer refused_ticket(RejectReason reason, std::string explanation);

// How a download went, for the sync report.
struct DownloadSummary {
    int64_t event_id = 0;                   // local id
    size_t tickets = 0;                     // stored by this download (unchanged ones are not rewritten)
    bool changed = false;                   // false: the backend's list was what the store held
    std::vector<SkippedRecord> skipped;
};

//-----------------------------------------------------------------------------
// [SECTION] TicketClient
//-----------------------------------------------------------------------------

class TicketClient {
public:
    virtual ~TicketClient() = default;

    virtual Kind kind() const = 0;
    Capabilities capabilities() const { return capabilities_of(kind()); }

    // Checks the ticket in at the server, which decides: an admission (status ok) or a refusal with
    // its reason. A server that cannot be asked, or answers garbage, is an ApiError.
    virtual ApiResult<TicketAnswer> check_in(const TicketCall& call) = 0;

    // What the server would decide, recording nothing (capabilities().validate_only), or what it
    // knows of the ticket for the screen (Oveit's scan: the attendee's name). A backend without such
    // a call answers ApiErrorKind::refused.
    virtual ApiResult<TicketAnswer> look_up(const TicketCall& call) = 0;

    // Queued check-ins made at the kiosk, sent later (uploads): one answer per call, in order, or
    // fewer when the server could not be reached (or refused the token): the calls without an
    // answer were not sent, and are not tried against a server known to be away.
    // A backend that takes several tickets in one request (Constant Contact) sends up to
    // max_batch() at once; when the server refuses a batch of several for good, each is sent
    // alone so that one bad ticket does not hold back the others. Default: one by one.
    virtual size_t max_batch() const { return 1; }
    virtual std::vector<ApiResult<TicketAnswer>> check_in_queued(std::span<const TicketCall> calls);

    // Reverts check-ins the server has (capabilities().undo); answers as check_in_queued's. A
    // backend without undo answers ApiErrorKind::refused with a sentence for staff.
    virtual std::vector<ApiResult<TicketAnswer>> undo_queued(std::span<const TicketCall> calls);

    // Backends that download (capabilities().download_tickets): brings the event's tickets into the
    // store, as events, items, check-in lists, orders and positions of the store's model, each page
    // in one transaction. Others: makes sure the event and its one check-in list exist locally
    // (ensure_local_event), so that scans have a list to be decided on.
    virtual ApiResult<DownloadSummary> download(Store& store, const std::string& event) = 0;
};

// An error after which no other ticket of the round is sent: the server cannot be reached, the
// sync is stopping, or the token or event was refused.
bool ends_round(const ApiError& error);

// A client for `kind` (not pretix: netsync/pretix has its own Api). Throws std::invalid_argument for
// Kind::pretix: a programming error, never a configuration one (config checks the kind first).
std::unique_ptr<TicketClient> make_ticket_client(Kind kind, const Connection& connection);

// The local event for a backend that cannot download: organizer = kind_name(kind), slug = the
// backend's event id, one check-in list for every product with id local_list_id(kind, event).
// Idempotent. Returns the local event id.
int64_t ensure_local_event(Store& store, Kind kind, const std::string& event, const std::string& event_name = {});

// A stable list id for an event of a backend that has no lists of its own (and for Oveit's main
// entry): derived from kind and event, above 2^40 so it never meets a pretix or Oveit id.
int64_t local_list_id(Kind kind, std::string_view event);

} // namespace kiosk::backend
