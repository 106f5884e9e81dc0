// [SECTION] Print jobs: the badge queue, kept across restarts.
#include "netsync/store/store_impl.h"

namespace kiosk {

using namespace store_detail;

namespace {

constexpr const char* kJobColumns =
    "id, event_id, position_id, secret, language, reprint, state, attempts, last_error";

std::optional<PrintJobState> print_job_state_from_name(std::string_view name) {
    for (const auto state : {PrintJobState::queued, PrintJobState::printing, PrintJobState::done, PrintJobState::failed})
        if (print_job_state_name(state) == name) return state;
    return std::nullopt;
}

PrintJob read_job(const sqlite::Statement& row) {
    PrintJob job;
    job.id = row.int64(0);
    job.event_id = row.int64(1);
    job.position_id = row.optional_int64(2);
    job.secret = row.text(3);
    job.language = row.text(4);
    job.reprint = row.int64(5) != 0;
    const auto state = print_job_state_from_name(row.text(6));
    if (!state) throw StoreError("print job " + std::to_string(job.id) + " has an unknown state");
    job.state = *state;
    job.attempts = static_cast<int>(row.int64(7));
    if (!row.is_null(8)) job.last_error = row.text(8);
    return job;
}

std::optional<PrintJob> one_job(sqlite::Statement& query) {
    if (!query.step()) return std::nullopt;
    return read_job(query);
}

} // namespace

std::string_view print_job_state_name(PrintJobState state) {
    switch (state) {
    case PrintJobState::queued: return "queued";
    case PrintJobState::printing: return "printing";
    case PrintJobState::done: return "done";
    case PrintJobState::failed: return "failed";
    }
    return "failed";
}

PrintJob Store::queue_print(const NewPrintJob& job, Timestamp now) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    if (!job.reprint) {
        // The same ticket scanned twice gets its first job back, not a second badge.
        auto existing = db.prepare(std::string("SELECT ") + kJobColumns + " FROM print_jobs WHERE "
                                   "position_id IS ?1 AND secret = ?2 AND reprint = 0 ORDER BY id LIMIT 1");
        existing.bind(1, job.position_id).bind(2, job.secret);
        if (auto found = one_job(existing)) return *found;
    }
    auto insert = db.prepare("INSERT INTO print_jobs(event_id, position_id, secret, language, reprint, state, "
                             "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
    insert.bind(1, job.event_id).bind(2, job.position_id).bind(3, job.secret).bind(4, job.language)
        .bind(5, job.reprint)
        .bind(6, print_job_state_name(job.printing_now ? PrintJobState::printing : PrintJobState::queued))
        .bind(7, to_micros(now));
    insert.run();
    const int64_t id = db.last_insert_rowid();
    transaction.commit();
    return *print_job(id);
}

std::optional<PrintJob> Store::print_job(int64_t id) {
    auto query = impl_->db.prepare(std::string("SELECT ") + kJobColumns + " FROM print_jobs WHERE id = ?1");
    query.bind(1, id);
    return one_job(query);
}

std::optional<PrintJob> Store::next_print_job(Timestamp now) {
    auto query = impl_->db.prepare(std::string("SELECT ") + kJobColumns + " FROM print_jobs WHERE state IN "
                                   "('queued', 'failed') AND next_attempt_at <= ?1 ORDER BY id LIMIT 1");
    query.bind(1, to_micros(now));
    return one_job(query);
}

void Store::set_print_state(int64_t id, PrintJobState state, const std::optional<std::string>& error, Timestamp now,
                            Timestamp next_attempt) {
    auto update = impl_->db.prepare(
        "UPDATE print_jobs SET state = ?2, last_error = ?3, updated_at = ?4, next_attempt_at = ?5, "
        "attempts = attempts + (?2 = 'printing') WHERE id = ?1");
    update.bind(1, id).bind(2, print_job_state_name(state)).bind(3, error).bind(4, to_micros(now))
        .bind(5, to_micros(next_attempt));
    update.run();
}

int64_t Store::print_count(std::optional<int64_t> position_id, std::string_view secret) {
    auto query = impl_->db.prepare(
        "SELECT count(*) FROM print_jobs WHERE position_id IS ?1 AND secret = ?2 AND state = 'done'");
    query.bind(1, position_id).bind(2, secret);
    query.step();
    return query.int64(0);
}

size_t Store::requeue_interrupted_prints(Timestamp now) {
    auto update = impl_->db.prepare(
        "UPDATE print_jobs SET state = 'queued', updated_at = ?1, last_error = 'interrupted by a restart' "
        "WHERE state = 'printing'");
    update.bind(1, to_micros(now));
    update.run();
    return static_cast<size_t>(impl_->db.changes());
}

std::vector<PrintJob> Store::print_jobs(size_t limit) {
    auto query = impl_->db.prepare(std::string("SELECT ") + kJobColumns + " FROM print_jobs ORDER BY id DESC LIMIT ?1");
    query.bind(1, static_cast<int64_t>(limit));
    std::vector<PrintJob> jobs;
    while (query.step()) jobs.push_back(read_job(query));
    return jobs;
}

std::optional<nlohmann::json> Store::badge_layouts(int64_t event_id) {
    auto query = impl_->db.prepare("SELECT value FROM meta WHERE key = ?1");
    query.bind(1, "badgelayouts:" + std::to_string(event_id));
    if (!query.step()) return std::nullopt;
    return parse_stored_json(query.text(0));
}

} // namespace kiosk
