// [SECTION] Sync: cursors, skipped records, and the upload queue's life (due, sent, refused, later).
#include "netsync/store/store_impl.h"

namespace kiosk {

using namespace store_detail;

void Store::relax_durability_for_sync(bool relaxed) {
    impl_->db.exec(relaxed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
    impl_->durability_relaxed = relaxed;
}

std::optional<int64_t> Store::event_id(std::string_view organizer, std::string_view slug) {
    auto query = impl_->db.prepare("SELECT id FROM events WHERE organizer = ?1 AND slug = ?2");
    query.bind(1, organizer).bind(2, slug);
    if (!query.step()) return std::nullopt;
    return query.int64(0);
}

std::optional<std::string> Store::sync_cursor(int64_t event_id, std::string_view name) {
    auto query = impl_->db.prepare("SELECT value FROM sync_cursors WHERE event_id = ?1 AND name = ?2");
    query.bind(1, event_id).bind(2, name);
    if (!query.step()) return std::nullopt;
    return query.text(0);
}

std::vector<SkippedRecord> Store::skipped_records(int64_t event_id) {
    auto query = impl_->db.prepare(
        "SELECT resource, record, message FROM sync_skipped WHERE event_id = ?1 ORDER BY resource, record");
    query.bind(1, event_id);
    std::vector<SkippedRecord> records;
    while (query.step()) records.push_back({query.text(0), query.text(1), query.text(2)});
    return records;
}

// [SECTION] The upload queue
// One statement is one transaction in SQLite; only changes of several rows open their own.

std::vector<UploadJob> Store::due_uploads(Timestamp now, size_t limit) {
    // An undo waits for the check-in it reverts while that is still queued and not refused: pretix
    // can only annul a check-in it has.
    auto query = impl_->db.prepare(
        "SELECT q.id, q.kind, q.event_id, e.organizer, e.slug, q.list_id, q.secret, q.type, q.datetime, q.nonce, "
        "q.answers, q.attempts, coalesce(c.nonce, '') FROM upload_queue q JOIN events e ON e.id = q.event_id "
        "LEFT JOIN checkins c ON c.id = q.checkin_id "
        "WHERE q.refused_at IS NULL AND q.next_attempt_at <= ?1 AND NOT (q.kind = 'undo' AND EXISTS ("
        "SELECT 1 FROM upload_queue earlier WHERE earlier.checkin_id = q.checkin_id AND earlier.kind = 'checkin' "
        "AND earlier.refused_at IS NULL)) ORDER BY q.id LIMIT ?2");
    query.bind(1, to_micros(now)).bind(2, static_cast<int64_t>(limit));
    std::vector<UploadJob> jobs;
    while (query.step()) {
        UploadJob job;
        job.id = query.int64(0);
        job.kind = query.text(1);
        job.event_id = query.int64(2);
        job.organizer = query.text(3);
        job.event_slug = query.text(4);
        job.list_id = query.int64(5);
        job.secret = query.text(6);
        job.type = checkin_type_from_name(query.text(7)).value_or(CheckinType::entry);
        job.datetime = from_micros(query.int64(8));
        job.nonce = query.text(9);
        job.answers = parse_stored_json(query.text(10));
        job.attempts = static_cast<int>(query.int64(11));
        job.checkin_nonce = query.text(12);
        jobs.push_back(std::move(job));
    }
    return jobs;
}

std::vector<int64_t> Store::mark_upload_attempts(std::span<const int64_t> ids) {
    auto& db = impl_->db;
    if (impl_->durability_relaxed) db.exec("PRAGMA synchronous = FULL");
    std::vector<int64_t> still_queued;
    {
        sqlite::Transaction transaction(db);
        auto update = db.prepare("UPDATE upload_queue SET attempts = attempts + 1 WHERE id = ?1");
        for (const int64_t id : ids) {
            update.bind(1, id);
            update.run();
            if (db.changes() == 1) still_queued.push_back(id);
        }
        transaction.commit();
    }
    if (impl_->durability_relaxed) db.exec("PRAGMA synchronous = NORMAL");
    return still_queued;
}

void Store::finish_upload(int64_t id) {
    sqlite::Transaction transaction(impl_->db);
    auto mark = impl_->db.prepare("UPDATE checkins SET uploaded = 1 WHERE id = (SELECT checkin_id FROM upload_queue "
                                  "WHERE id = ?1 AND kind = 'checkin')");
    mark.bind(1, id);
    mark.run();
    auto remove = impl_->db.prepare("DELETE FROM upload_queue WHERE id = ?1");
    remove.bind(1, id);
    remove.run();
    transaction.commit();
}

void Store::refuse_upload(int64_t id, const std::string& reason, Timestamp at) {
    auto update = impl_->db.prepare("UPDATE upload_queue SET refused_at = ?2, last_error = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, to_micros(at)).bind(3, reason);
    update.run();
}

void Store::postpone_upload(int64_t id, const std::string& error, Timestamp next_attempt) {
    auto update = impl_->db.prepare("UPDATE upload_queue SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, to_micros(next_attempt)).bind(3, error);
    update.run();
}

size_t Store::pending_upload_count() {
    auto query = impl_->db.prepare("SELECT count(*) FROM upload_queue WHERE refused_at IS NULL");
    query.step();
    return static_cast<size_t>(query.int64(0));
}

Store::QueueCounts Store::queue_counts() {
    auto query = impl_->db.prepare(
        "SELECT (SELECT count(*) FROM upload_queue WHERE refused_at IS NULL), "
        "(SELECT count(*) FROM upload_queue WHERE refused_at IS NOT NULL), "
        "(SELECT count(*) FROM failed_scans WHERE uploaded = 0), (SELECT count(*) FROM sync_skipped)");
    query.step();
    return {static_cast<size_t>(query.int64(0)), static_cast<size_t>(query.int64(1)),
            static_cast<size_t>(query.int64(2)), static_cast<size_t>(query.int64(3))};
}

std::optional<std::string> Store::note(std::string_view key) {
    auto query = impl_->db.prepare("SELECT value FROM meta WHERE key = ?1");
    query.bind(1, std::string("note:") + std::string(key));
    if (!query.step()) return std::nullopt;
    return query.text(0);
}

void Store::set_note(std::string_view key, std::string_view value) {
    auto upsert = impl_->db.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, std::string("note:") + std::string(key)).bind(2, value);
    upsert.run();
}

// [SECTION] Failed scans

std::vector<FailedScanJob> Store::due_failed_scans(Timestamp now, size_t limit) {
    auto query = impl_->db.prepare(
        "SELECT f.id, f.raw, f.reason, f.event_id, f.list_id, f.type, f.datetime, f.nonce, f.position_id, "
        "coalesce(e.organizer, ''), coalesce(e.slug, '') FROM failed_scans f "
        "LEFT JOIN checkin_lists l ON l.id = f.list_id "
        "LEFT JOIN events e ON e.id = coalesce(f.event_id, l.event_id) "
        "WHERE f.uploaded = 0 AND f.next_attempt_at <= ?1 ORDER BY f.id LIMIT ?2");
    query.bind(1, to_micros(now)).bind(2, static_cast<int64_t>(limit));
    std::vector<FailedScanJob> jobs;
    while (query.step()) {
        FailedScanJob job;
        job.id = query.int64(0);
        job.scan.raw = query.text(1);
        job.scan.reason = query.text(2);
        job.scan.event_id = query.optional_int64(3);
        job.scan.list_id = query.int64(4);
        job.scan.type = checkin_type_from_name(query.text(5)).value_or(CheckinType::entry);
        job.scan.datetime = from_micros(query.int64(6));
        job.scan.nonce = query.text(7);
        job.scan.position_id = query.optional_int64(8);
        job.organizer = query.text(9);
        job.event_slug = query.text(10);
        jobs.push_back(std::move(job));
    }
    return jobs;
}

void Store::finish_failed_scan(int64_t id, const std::optional<std::string>& refusal) {
    auto update = impl_->db.prepare("UPDATE failed_scans SET uploaded = 1, last_error = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, refusal);
    update.run();
}

void Store::postpone_failed_scan(int64_t id, const std::string& error, Timestamp next_attempt) {
    auto update = impl_->db.prepare(
        "UPDATE failed_scans SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, to_micros(next_attempt)).bind(3, error);
    update.run();
}

} // namespace kiosk
