// Sending the upload queue to pretix: check-ins, undos and failed scans.
//
// - A check-in goes to checkinrpc/redeem with force (it already happened at the kiosk), its real
//   datetime, its answers and its nonce; pretix makes one check-in of any number of sends with one
//   nonce, so a send whose answer was lost is simply sent again.
// - An undo of a check-in that reached the server goes to checkinrpc/annul with that check-in's
//   nonce; the store holds it back until the check-in itself has gone.
// - A failed scan goes to the list's failed_checkins.
// A row leaves the queue when the server accepted it, or is kept as refused (for staff, in words)
// when the server rejected it for good (400 / 404). Anything else leaves it queued with a later
// retry time, growing with its attempts, and the round goes on with the next row: one row the
// server chokes on never holds up the rest. When the server cannot be reached at all the round
// stops (every other row would wait for the same timeout); a refused token stops it too.
//
// Thread rule: an Uploader uses the caller's Api and Store and belongs to the caller's thread.
#pragma once

#include <chrono>
#include <optional>

#include "netsync/pretix/pretix_api.h"
#include "netsync/store/store.h"

namespace kiosk::sync {

struct UploadRound {
    size_t sent = 0;                        // accepted by the server
    size_t refused = 0;                     // rejected for good: kept for staff
    size_t postponed = 0;                   // to try again later
    std::optional<pretix::ApiError> stopped_by;   // the error that ended the round early
    std::optional<pretix::ApiError> last_postponement;  // why the last postponed row did not go (TicketUploader)
};

// When a row that failed `attempts` times is tried again: 5 s doubling to 10 min, with jitter.
std::chrono::seconds retry_delay(int attempts);

class Uploader {
public:
    Uploader(pretix::Api& api, Store& store) : api_(api), store_(store) {}

    // Sends what is due at `now`, oldest first, at most `limit` rows of each kind.
    UploadRound round(Timestamp now, size_t limit = 500);

private:
    enum class Next { go_on, stop };
    Next checkin(const UploadJob& job, Timestamp now, UploadRound& round);
    Next undo(const UploadJob& job, Timestamp now, UploadRound& round);
    Next failed_scan(const FailedScanJob& job, Timestamp now, UploadRound& round);
    Next failure(const pretix::ApiError& error, int64_t id, int attempts, bool failed_scan, Timestamp now,
                 UploadRound& round);

    pretix::Api& api_;
    Store& store_;
};

} // namespace kiosk::sync
