// Sync with a backend other than pretix (Constant Contact, Oveit, BrightStar) through its
// TicketClient (netsync/backend/ticket_client.h): the same upload queue, the same retry rules and the
// same status as pretix's sync, on what the backend can do.
//
// - Upload: queued check-ins (admissions this kiosk made while it could not ask the server, or
//   decided from a downloaded copy) go to the backend's check-in call, in batches where the backend
//   takes several tickets at once; queued undos to its undo call, or, for a backend without undo,
//   are kept as refused with a sentence that says so, for staff. A row leaves the queue only when the
//   server accepted it, or is kept as refused when the server said no for good (the ticket was
//   canceled, or used elsewhere meanwhile); "already checked in" after an earlier send of the same
//   row counts as delivered (that send may have landed with its answer lost). An unreachable server or a refused token ends the round;
//   other failures postpone the row (retry_delay) and the round goes on.
// - Failed scans: none of the three backends has a call for them (pretix's failed_checkins): they stay
//   on the kiosk for staff and leave the queue, marked as not reported.
// - Download: the backend's download() for each configured event (Oveit: its ticket list; the
//   others: the local event and its list, so that `lists` shows it).
//
// Thread rule: runs on the caller's thread with the caller's Store.
#pragma once

#include <atomic>

#include "netsync/backend/ticket_client.h"
#include "netsync/store/store.h"
#include "netsync/sync/pretix_upload.h"

namespace kiosk::sync {

class TicketUploader {
public:
    TicketUploader(backend::TicketClient& client, Store& store) : client_(client), store_(store) {}

    // Sends what is due at `now`, oldest first, at most `limit` rows.
    UploadRound round(Timestamp now, size_t limit = 500);

private:
    enum class Next { go_on, stop };
    Next send(std::span<const UploadJob> jobs, bool undo, Timestamp now, UploadRound& round);
    Next failure(const backend::ApiError& error, const UploadJob& job, Timestamp now, UploadRound& round);
    void drop_failed_scans(Timestamp now, size_t limit);

    backend::TicketClient& client_;
    Store& store_;
};

// The call a queued row makes: its code, the backend's event, and (Oveit) the addon its list grants.
backend::TicketCall ticket_call(backend::Kind kind, const UploadJob& job);

} // namespace kiosk::sync
