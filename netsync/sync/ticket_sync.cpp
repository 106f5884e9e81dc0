#include "netsync/sync/ticket_sync.h"

#include <algorithm>
#include <vector>

namespace kiosk::sync {

namespace {

// Check-ins and undos leave in the order they were made; a run of one kind goes in one batch call.
std::vector<std::span<const UploadJob>> runs_of_one_kind(const std::vector<UploadJob>& jobs, size_t max_batch) {
    std::vector<std::span<const UploadJob>> runs;
    size_t first = 0;
    for (size_t i = 1; i <= jobs.size(); ++i)
        if (i == jobs.size() || jobs[i].kind != jobs[first].kind || i - first == max_batch) {
            runs.push_back(std::span(jobs).subspan(first, i - first));
            first = i;
        }
    return runs;
}

} // namespace

backend::TicketCall ticket_call(backend::Kind kind, const UploadJob& job) {
    backend::TicketCall call;
    call.code = job.secret;
    call.event = job.event_slug;
    call.datetime = job.datetime;
    // Oveit's multiple access: each addon is a check-in list of its own, whose id is the addon's id;
    // the main entry is the event's local list.
    if (kind == backend::Kind::oveit && job.list_id != backend::local_list_id(kind, job.event_slug))
        call.addon = job.list_id;
    return call;
}

UploadRound TicketUploader::round(Timestamp now, size_t limit) {
    UploadRound round;
    std::vector<UploadJob> due = store_.due_uploads(now, limit);
    // None of these APIs has an exit call (seeds 000-004): an exit, and the undo of one, is this
    // kiosk's own record and leaves the queue unsent, instead of reaching the backend as a check-in.
    std::erase_if(due, [&](const UploadJob& job) {
        if (job.type != CheckinType::exit) return false;
        store_.finish_upload(job.id);
        return true;
    });
    std::vector<int64_t> ids;
    for (const UploadJob& job : due) ids.push_back(job.id);
    // Marked before sending, as pretix's uploader does: from then on an undo of these rows goes to
    // the backend instead of settling them locally. A row an undo settled meanwhile is not sent.
    const std::vector<int64_t> marked = store_.mark_upload_attempts(ids);
    std::erase_if(due, [&](const UploadJob& job) { return std::ranges::find(marked, job.id) == marked.end(); });
    for (const auto run : runs_of_one_kind(due, std::max<size_t>(1, client_.max_batch())))
        if (send(run, run.front().kind == "undo", now, round) == Next::stop) return round;
    drop_failed_scans(now, limit);
    return round;
}

TicketUploader::Next TicketUploader::send(std::span<const UploadJob> jobs, bool undo, Timestamp now,
                                          UploadRound& round) {
    std::vector<backend::TicketCall> calls;
    for (const UploadJob& job : jobs) calls.push_back(ticket_call(client_.kind(), job));
    const auto answers = undo ? client_.undo_queued(calls) : client_.check_in_queued(calls);
    Next next = Next::go_on;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const UploadJob& job = jobs[i];
        // Not sent (the client stopped at an unreachable server): untouched, due again in its place.
        if (i >= answers.size()) break;
        const auto& answer = answers[i];
        if (!answer) {
            if (failure(answer.error(), job, now, round) == Next::stop) next = Next::stop;
            continue;
        }
        if (answer->status == VerdictStatus::ok) {
            store_.finish_upload(job.id);
            ++round.sent;
            continue;
        }
        // Oveit and BrightStar say nothing that ties a check-in to its sender: after a send whose
        // answer was lost, the next one hears "already checked in" about our own check-in. That
        // counts as delivered (it may also be another door's, which the server has either way).
        if (!undo && answer->reason == RejectReason::already_redeemed && job.attempts > 0) {
            store_.finish_upload(job.id);
            ++round.sent;
            continue;
        }
        // The server decided against a ticket this kiosk admitted (canceled since, or used at
        // another door meanwhile): sending it again would not change that; staff must know.
        std::string why = std::string(backend::kind_name(client_.kind())) + " refused this " +
                          (undo ? "undo" : "check-in") + " (" + std::string(reject_reason_name(answer->reason)) + ")";
        if (!answer->explanation.empty()) why += ": " + answer->explanation;
        store_.refuse_upload(job.id, why, now);
        ++round.refused;
    }
    return next;
}

TicketUploader::Next TicketUploader::failure(const backend::ApiError& error, const UploadJob& job, Timestamp now,
                                             UploadRound& round) {
    if (error.kind == backend::ApiErrorKind::refused) {
        store_.refuse_upload(job.id, error.message, now);
        ++round.refused;
        return Next::go_on;
    }
    const Timestamp later =
        error.kind == backend::ApiErrorKind::unauthorized
            ? now
            : now + std::max(retry_delay(job.attempts + 1), error.retry_after.value_or(std::chrono::seconds(0)));
    store_.postpone_upload(job.id, error.message, later);
    ++round.postponed;
    round.last_postponement = error;
    if (!backend::ends_round(error)) return Next::go_on;   // busy or garbage for this row: the next may pass
    if (!round.stopped_by) round.stopped_by = error;
    return Next::stop;
}

void TicketUploader::drop_failed_scans(Timestamp now, size_t limit) {
    const std::string note = "not reported: " + std::string(backend::kind_name(client_.kind())) +
                             " has no call for failed scans; kept on this kiosk";
    for (const FailedScanJob& job : store_.due_failed_scans(now, limit)) store_.finish_failed_scan(job.id, note);
}

} // namespace kiosk::sync
