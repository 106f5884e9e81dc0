// [SECTION] Webhooks: the outbox the check-in triggers fill (schema 9) and each receiver's cursor.
//
// Every call is one short transaction of its own: the webhook sender's connection never holds the
// write lock across a network call, so admissions on other connections wait for it at most for
// one of these statements.
#include <algorithm>

#include "netsync/store/store_impl.h"

namespace kiosk {

using namespace store_detail;

namespace {

// Events every registered target has acknowledged are no longer needed; with no target at all,
// none are (the triggers stop recording, and what is left would never be sent).
void prune_delivered(sqlite::Database& db) {
    db.exec("DELETE FROM webhook_events WHERE NOT EXISTS (SELECT 1 FROM webhook_targets) "
            "OR id <= (SELECT MIN(delivered_through) FROM webhook_targets)");
}

} // namespace

void Store::register_webhook_targets(std::span<const std::string> keys) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    auto insert = db.prepare("INSERT INTO webhook_targets(key, delivered_through) "
                             "VALUES (?1, (SELECT COALESCE(MAX(id), 0) FROM webhook_events)) ON CONFLICT(key) DO NOTHING");
    for (const std::string& key : keys) {
        insert.bind(1, key);
        insert.run();
    }
    transaction.commit();
}

void Store::drop_webhook_targets_except(std::span<const std::string> keys) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    std::vector<std::string> drop;
    auto all = db.prepare("SELECT key FROM webhook_targets");
    while (all.step()) {
        std::string key = all.text(0);
        if (std::ranges::find(keys, key) == keys.end()) drop.push_back(std::move(key));
    }
    auto erase = db.prepare("DELETE FROM webhook_targets WHERE key = ?1");
    for (const std::string& key : drop) {
        erase.bind(1, key);
        erase.run();
    }
    prune_delivered(db);
    transaction.commit();
}

std::vector<WebhookTargetState> Store::webhook_targets() {
    auto query = impl_->db.prepare(
        "SELECT t.key, t.delivered_through, t.attempts, t.next_attempt_at, t.last_error, t.last_success_at, "
        "(SELECT COUNT(*) FROM webhook_events e WHERE e.id > t.delivered_through) FROM webhook_targets t ORDER BY t.key");
    std::vector<WebhookTargetState> out;
    while (query.step()) {
        WebhookTargetState target;
        target.key = query.text(0);
        target.delivered_through = query.int64(1);
        target.attempts = static_cast<int>(query.int64(2));
        target.next_attempt_at = from_micros(query.int64(3));
        if (!query.is_null(4)) target.last_error = query.text(4);
        target.last_success = optional_time(query, 5);
        target.pending = static_cast<size_t>(query.int64(6));
        out.push_back(std::move(target));
    }
    return out;
}

std::vector<WebhookEvent> Store::webhook_events_after(int64_t seq, size_t limit) {
    // A check-in always outlives its events (local check-ins are never deleted); LEFT JOINs all the
    // same, so a store edited by hand yields an event with less in it rather than a lost one.
    auto query = impl_->db.prepare(
        "SELECT e.id, e.uid, e.kind, e.created_at, e.checkin_id, c.list_id, c.secret, p.attendee_name, c.type, "
        "c.datetime, c.gate FROM webhook_events e LEFT JOIN checkins c ON c.id = e.checkin_id "
        "LEFT JOIN positions p ON p.id = c.position_id WHERE e.id > ?1 ORDER BY e.id LIMIT ?2");
    query.bind(1, seq).bind(2, static_cast<int64_t>(limit));
    std::vector<WebhookEvent> out;
    while (query.step()) {
        WebhookEvent event;
        event.seq = query.int64(0);
        event.id = query.text(1);
        event.kind = query.text(2);
        event.created_at = from_micros(query.int64(3));
        event.checkin_id = query.int64(4);
        event.list_id = query.optional_int64(5).value_or(0);
        event.secret = query.is_null(6) ? std::string() : query.text(6);
        if (!query.is_null(7)) event.attendee_name = query.text(7);
        if (!query.is_null(8)) event.type = checkin_type_from_name(query.text(8)).value_or(CheckinType::entry);
        event.checkin_datetime = from_micros(query.optional_int64(9).value_or(0));
        if (!query.is_null(10)) event.gate = query.text(10);
        out.push_back(std::move(event));
    }
    return out;
}

bool Store::lease_webhook_target(std::string_view key, std::string_view owner, Timestamp now, Timestamp until) {
    auto& db = impl_->db;
    auto lease = db.prepare("UPDATE webhook_targets SET lease_owner = ?2, leased_until = ?4 "
                            "WHERE key = ?1 AND (leased_until <= ?3 OR lease_owner = ?2)");
    lease.bind(1, key).bind(2, owner).bind(3, to_micros(now)).bind(4, to_micros(until));
    lease.run();
    return db.changes() > 0;
}

void Store::release_webhook_target(std::string_view key, std::string_view owner) {
    auto release = impl_->db.prepare(
        "UPDATE webhook_targets SET lease_owner = NULL, leased_until = 0 WHERE key = ?1 AND lease_owner = ?2");
    release.bind(1, key).bind(2, owner);
    release.run();
}

void Store::webhook_delivered(std::string_view key, int64_t seq, Timestamp now) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    auto done = db.prepare("UPDATE webhook_targets SET delivered_through = MAX(delivered_through, ?2), attempts = 0, "
                           "next_attempt_at = 0, last_error = NULL, last_success_at = ?3 WHERE key = ?1");
    done.bind(1, key).bind(2, seq).bind(3, to_micros(now));
    done.run();
    prune_delivered(db);
    transaction.commit();
}

void Store::webhook_failed(std::string_view key, const std::string& error, Timestamp next_attempt) {
    auto failed = impl_->db.prepare("UPDATE webhook_targets SET attempts = attempts + 1, next_attempt_at = ?3, "
                                    "last_error = ?2 WHERE key = ?1");
    failed.bind(1, key).bind(2, error).bind(3, to_micros(next_attempt));
    failed.run();
}

} // namespace kiosk
