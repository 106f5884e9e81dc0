// The offline check-in decision: a pure function of what the store knows and what was scanned.
//
// The order of checks is pretix's (reference/pretix.md, "Offline decision"): the first failing
// check wins. The engine never reads a clock or a file; the caller (kiosk/app) cleans the scanned
// text once, loads a DecisionSnapshot for it and commits an `ok` verdict itself.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/model.h"

namespace kiosk {

enum class VerdictStatus { ok, incomplete, error };
// pretix's reasons, and `offline`: a backend that keeps no copy of its tickets here could not be
// asked, and the organiser does not trust offline scans (netsync/backend/ticket_client.h).
enum class RejectReason { none, invalid, unpaid, blocked, invalid_time, canceled, already_redeemed, product, rules,
                          ambiguous, revoked, unapproved, error, offline };
std::string_view verdict_status_name(VerdictStatus status);
std::string_view reject_reason_name(RejectReason reason);          // pretix's wire names; "" for none
std::optional<RejectReason> reject_reason_from_name(std::string_view name);  // a wire name we know, else nullopt

constexpr size_t kMaxScanBytes = 4096;     // longer input is no ticket we issue; refuse before any lookup

// Step 0 of the decision: the text a ticket lookup uses, or why there is none. Strips the ECI
// designator ZXing puts in front of a code ("\000026"), and the spaces, tabs and line ends a
// keyboard-wedge scanner or a paste adds around it; keeps every other byte (binary codes are
// matched as bytes).
struct CleanedScan {
    std::string text;
    bool usable = false;                   // false: empty or longer than kMaxScanBytes
    bool too_long = false;
};
CleanedScan clean_scanned_text(std::string_view raw);

struct ScanRequest {
    std::string raw;                       // as scanned; reported back in failed scans
    std::vector<int64_t> lists;            // selected lists, at most one per event
    CheckinType type = CheckinType::entry;
    Timestamp now{};                       // decision time and recorded check-in time
    std::optional<std::string> gate;
    std::map<int64_t, std::string> answers; // question id -> answer as text (choice: option ids)
    bool questions_supported = true;
    bool ignore_unpaid = false;
    std::string nonce;                     // this scan's idempotency key; empty: the app makes one
};

// A position that matched, with what the decision needs around it.
struct CandidateTicket {
    Position position;
    Order order;
    std::vector<Checkin> checkins;         // live check-ins on the list of its event, oldest first
                                           // (by datetime, then insertion)
};

// What the store knew at decision time, read inside the scan's write transaction. Catalog data
// comes from the selected lists' events only.
struct DecisionSnapshot {
    // One selected list's event: its catalog (shared with the app layer's cache, never copied per
    // scan) and what the store holds about the scanned text there.
    struct EventFacts {
        std::shared_ptr<const EventCatalog> catalog;
        bool secret_revoked = false;       // the cleaned text is in revokedsecrets
        bool secret_blocked = false;       // ... in blockedsecrets
        std::vector<Checkin> unsynced_checkins; // check-ins of the text as an offline-signed ticket, oldest first
    };
    CleanedScan scanned;                   // the text every lookup used, cleaned once by the caller
    std::vector<CheckinList> lists;        // the selected lists, in request order
    std::map<int64_t, EventFacts> events;  // by local event id
    std::vector<CandidateTicket> matches;  // positions whose secret is the cleaned text
    std::vector<CandidateTicket> addons;   // non-canceled add-ons of matches on addon_match lists
};

struct Verdict {
    VerdictStatus status = VerdictStatus::error;
    RejectReason reason = RejectReason::invalid;
    std::string explanation;               // reason_explanation; human English
    std::optional<int64_t> list;           // the list that decided
    std::optional<int64_t> event;          // its event
    std::optional<Position> position;      // the ticket (signed tickets: secret, item, variation, subevent)
    bool offline_signed = false;           // admitted from a pretix_sig1 signature, no synced position
    bool position_from_backend = false;    // what a backend that keeps no tickets here told of it: no local id
    bool require_attention = false;
    std::vector<Question> questions;       // `incomplete`: still to answer, in display order
    std::map<int64_t, std::string> answer_errors; // given answers that were invalid, by question id
    std::vector<Answer> accepted_answers;  // validated answers to store with an admission
    std::optional<Timestamp> first_checkin; // `already_redeemed`: when the ticket was first used
    std::string secret;                    // the cleaned text that decided
    std::string order_locale;              // the order's language (pretix `locale`), "" when unknown

    bool position_stored() const { return position && !offline_signed && !position_from_backend; }
};

// Decides on `snapshot.scanned` (the raw text in `request` is only reported back).
Verdict decide(const DecisionSnapshot& snapshot, const ScanRequest& request);

} // namespace kiosk
