#include "netsync/sync/pretix_upload.h"

#include <algorithm>
#include <random>
#include <span>

#include <sodium.h>

#include "image/utf8.h"
#include "kiosk/core/time.h"

namespace kiosk::sync {

namespace {

// A photo taken at the kiosk is answered "file:kiosk-photo/NAME.png" and kept next to the store.
// pretix's redeem takes only files uploaded to it first ("file:" and the upload's id), which this
// uploader does not do yet: the photo stays on the kiosk and the check-in goes up without it,
// rather than being refused for an answer pretix cannot read.
nlohmann::json answers_pretix_takes(const nlohmann::json& answers) {
    if (!answers.is_object()) return answers;
    nlohmann::json kept = nlohmann::json::object();
    for (const auto& [question, value] : answers.items())
        if (!(value.is_string() && value.get<std::string>().rfind("file:kiosk-photo/", 0) == 0)) kept[question] = value;
    return kept;
}

// pretix takes a barcode as text, or binary content as "binary:<base64>".
std::string raw_barcode(const std::string& raw) {
    const bool printable = utf8::is_valid(raw) &&
                           std::none_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (printable) return raw;
    std::string encoded(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    encoded.resize(encoded.find('\0'));
    return "binary:" + encoded;
}

bool unreachable(const pretix::ApiError& error) {
    return error.kind == pretix::ApiErrorKind::unreachable || error.kind == pretix::ApiErrorKind::cancelled;
}

} // namespace

std::chrono::seconds retry_delay(int attempts) {
    constexpr int64_t kFirst = 5, kLongest = 600;
    const int64_t base = std::min<int64_t>(kLongest, kFirst << std::clamp(attempts - 1, 0, 10));
    thread_local std::minstd_rand jitter{std::random_device{}()};
    return std::chrono::seconds(base + static_cast<int64_t>(jitter() % static_cast<uint32_t>(base / 4 + 1)));
}

UploadRound Uploader::round(Timestamp now, size_t limit) {
    // Rows are marked as attempted in batches, one durable commit each, before any of them is sent:
    // from then on an undo annuls them instead of settling them locally.
    constexpr size_t kMarkBatch = 50;
    UploadRound round;
    const std::vector<UploadJob> due = store_.due_uploads(now, limit);
    for (size_t first = 0; first < due.size(); first += kMarkBatch) {
        const auto batch = std::span(due).subspan(first, std::min(kMarkBatch, due.size() - first));
        std::vector<int64_t> ids;
        for (const UploadJob& job : batch) ids.push_back(job.id);
        const std::vector<int64_t> marked = store_.mark_upload_attempts(ids);
        for (const UploadJob& job : batch) {
            if (std::ranges::find(marked, job.id) == marked.end()) continue;   // an undo settled it meanwhile
            const Next next = job.kind == "undo" ? undo(job, now, round) : checkin(job, now, round);
            if (next == Next::stop) return round;
        }
    }
    for (const FailedScanJob& job : store_.due_failed_scans(now, limit))
        if (failed_scan(job, now, round) == Next::stop) return round;
    return round;
}

Uploader::Next Uploader::checkin(const UploadJob& job, Timestamp now, UploadRound& round) {
    pretix::RedeemCall call;
    call.secret = job.secret;
    call.lists = {job.list_id};
    call.type = checkin_type_name(job.type);
    call.datetime = format_iso8601_utc(job.datetime);
    call.force = true;
    call.nonce = job.nonce;
    call.answers = answers_pretix_takes(job.answers);
    auto answer = api_.redeem(call);
    if (!answer) return failure(answer.error(), job.id, job.attempts + 1, false, now, round);
    if (answer->status == "ok") {
        store_.finish_upload(job.id);
        ++round.sent;
        return Next::go_on;
    }
    // With force, pretix refuses only what can never be checked in (an unknown, canceled or blocked
    // ticket): sending it again would not change that.
    const std::string reason = answer->reason.empty() ? answer->status : answer->reason;
    store_.refuse_upload(job.id, "pretix refused this check-in (" + reason + ")", now);
    ++round.refused;
    return Next::go_on;
}

Uploader::Next Uploader::undo(const UploadJob& job, Timestamp now, UploadRound& round) {
    if (job.checkin_nonce.empty()) {
        // Check-ins pretix reported to us (made by another device, or before this kiosk's store)
        // carry no nonce here, and pretix annuls only by nonce and only for the device that made them.
        store_.refuse_upload(job.id, "this check-in was not made by this kiosk: undo it in pretix's back office", now);
        ++round.refused;
        return Next::go_on;
    }
    pretix::AnnulCall call;
    call.lists = {job.list_id};
    call.nonce = job.checkin_nonce;
    call.datetime = format_iso8601_utc(job.datetime);
    call.error_explanation = "undone at the kiosk";
    auto answer = api_.annul(call);
    if (!answer) return failure(answer.error(), job.id, job.attempts + 1, false, now, round);
    if (answer->annulled) {
        store_.finish_upload(job.id);
        ++round.sent;
        return Next::go_on;
    }
    store_.refuse_upload(job.id, "pretix did not undo this check-in: " + answer->message, now);
    ++round.refused;
    return Next::go_on;
}

Uploader::Next Uploader::failed_scan(const FailedScanJob& job, Timestamp now, UploadRound& round) {
    if (job.event_slug.empty()) {
        store_.finish_failed_scan(job.id, std::string("the scan's check-in list is not in the store"));
        ++round.refused;
        return Next::go_on;
    }
    pretix::FailedCheckinCall call;
    call.event_slug = job.event_slug;
    call.list = job.scan.list_id;
    call.error_reason = job.scan.reason;
    call.raw_barcode = raw_barcode(job.scan.raw);
    call.datetime = format_iso8601_utc(job.scan.datetime);
    call.type = checkin_type_name(job.scan.type);
    call.nonce = job.scan.nonce;
    call.position = job.scan.position_id;
    auto answer = api_.failed_checkin(call);
    if (!answer) return failure(answer.error(), job.id, 0, true, now, round);
    store_.finish_failed_scan(job.id, answer->stored ? std::nullopt : std::optional<std::string>(answer->message));
    ++(answer->stored ? round.sent : round.refused);
    return Next::go_on;
}

Uploader::Next Uploader::failure(const pretix::ApiError& error, int64_t id, int attempts, bool failed_scan,
                                 Timestamp now, UploadRound& round) {
    // Another 4xx (409, 413, a 400 without pretix's answer shape) is pretix saying no to this row:
    // sending it again would not change that, and it must not hold up the round.
    if (error.kind == pretix::ApiErrorKind::refused) {
        const std::string reason = "pretix refused this upload: " + error.message;
        if (failed_scan) store_.finish_failed_scan(id, reason);
        else store_.refuse_upload(id, reason, now);
        ++round.refused;
        return Next::go_on;
    }
    // A refused token is no fault of this row: it keeps its place at the head of the queue, due
    // again as soon as the kiosk is set up again (not minutes later, behind rows admitted after it).
    const Timestamp later =
        error.kind == pretix::ApiErrorKind::unauthorized
            ? now
            : now + std::max(retry_delay(std::max(attempts, 1)), error.retry_after.value_or(std::chrono::seconds(0)));
    if (failed_scan) store_.postpone_failed_scan(id, error.message, later);
    else store_.postpone_upload(id, error.message, later);
    ++round.postponed;
    if (error.retry_later() && !unreachable(error)) return Next::go_on;
    round.stopped_by = error;   // no network, or the token or organizer was refused: no row can go
    return Next::stop;
}

} // namespace kiosk::sync
