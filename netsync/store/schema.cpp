#include "netsync/store/schema.h"

#include <string>

#include "netsync/store/sqlite.h"

namespace kiosk::schema {

namespace {

// Times are INTEGER microseconds since the Unix epoch (UTC). Catalog objects (events, items,
// lists, questions, subevents) are kept in `model`, the store's own JSON encoding of the model
// types (catalog_codec.h; before version 5 they were pretix's JSON in `raw`); the hot tables
// (orders, positions, check-ins) have real columns and indexes. Migrations may call the SQL
// function search_key(), which every connection registers before migrating.
constexpr const char* kMigrations[kLatestVersion] = {
    // 1: the pretix-shaped model, check-ins and the upload queue.
    R"SQL(
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    organizer TEXT NOT NULL,
    slug TEXT NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (organizer, slug)
);
CREATE TABLE subevents (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    raw TEXT NOT NULL
);
CREATE INDEX subevents_by_event ON subevents(event_id);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    raw TEXT NOT NULL
);
CREATE INDEX items_by_event ON items(event_id);
CREATE TABLE checkin_lists (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    raw TEXT NOT NULL
);
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    raw TEXT NOT NULL
);
CREATE INDEX questions_by_event ON questions(event_id);
CREATE TABLE orders (
    event_id INTEGER NOT NULL REFERENCES events(id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    require_approval INTEGER NOT NULL,
    valid_if_pending INTEGER NOT NULL,
    checkin_attention INTEGER NOT NULL,
    email TEXT NOT NULL,
    locale TEXT NOT NULL,
    PRIMARY KEY (event_id, code)
) WITHOUT ROWID;
CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    order_code TEXT NOT NULL,
    positionid INTEGER NOT NULL,
    item INTEGER NOT NULL,
    variation INTEGER,
    subevent INTEGER,
    secret TEXT NOT NULL,
    attendee_name TEXT NOT NULL,
    attendee_email TEXT NOT NULL,
    addon_to INTEGER,
    blocked INTEGER NOT NULL,
    valid_from INTEGER,
    valid_until INTEGER,
    canceled INTEGER NOT NULL
);
CREATE INDEX positions_by_secret ON positions(secret);
CREATE INDEX positions_by_parent ON positions(addon_to) WHERE addon_to IS NOT NULL;
CREATE INDEX positions_by_order ON positions(event_id, order_code);
CREATE TABLE answers (
    position_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    answer TEXT NOT NULL,
    options TEXT NOT NULL,
    PRIMARY KEY (position_id, question_id)
) WITHOUT ROWID;
CREATE TABLE revoked_secrets (
    event_id INTEGER NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (event_id, secret)
) WITHOUT ROWID;
CREATE TABLE blocked_secrets (
    event_id INTEGER NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (event_id, secret)
) WITHOUT ROWID;
-- id orders check-ins at the same instant by insertion. origin: 'server' rows are replaced by
-- the next import of their position; 'local' rows were made here and are never dropped by a sync.
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id INTEGER NOT NULL,
    position_id INTEGER,
    secret TEXT NOT NULL,
    type TEXT NOT NULL,
    datetime INTEGER NOT NULL,
    nonce TEXT,
    origin TEXT NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    reverted_at INTEGER
);
CREATE INDEX checkins_by_position ON checkins(list_id, position_id);
CREATE INDEX checkins_by_secret ON checkins(list_id, secret) WHERE position_id IS NULL;
CREATE TABLE upload_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    list_id INTEGER NOT NULL,
    checkin_id INTEGER NOT NULL REFERENCES checkins(id),
    secret TEXT NOT NULL,
    type TEXT NOT NULL,
    datetime INTEGER NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    answers TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)SQL",
    // 2: gates on check-ins (rules may name a gate) and failed scans, reported to the backend for
    // statistics. Existing check-ins have no gate.
    R"SQL(
ALTER TABLE checkins ADD COLUMN gate TEXT;
ALTER TABLE upload_queue ADD COLUMN gate TEXT;
CREATE TABLE failed_scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    raw BLOB NOT NULL,
    reason TEXT NOT NULL,
    event_id INTEGER,
    list_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    datetime INTEGER NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    position_id INTEGER,
    uploaded INTEGER NOT NULL DEFAULT 0
);
)SQL",
    // 3: check-in lookups by position first. An import replaces a position's server check-ins
    // (WHERE position_id = ?), which the old (list_id, position_id) index could not serve: every
    // re-synced position scanned the whole table. Ending on (datetime, id) also hands decisions
    // their history already in order.
    R"SQL(
DROP INDEX checkins_by_position;
CREATE INDEX checkins_by_position ON checkins(position_id, list_id, datetime, id);
DROP INDEX checkins_by_secret;
CREATE INDEX checkins_by_secret ON checkins(list_id, secret, datetime, id) WHERE position_id IS NULL;
)SQL",
    // 4: an import must not drop a check-in a queued upload still refers to (an undo of a synced
    // check-in), and adopts check-ins of signed tickets whose position just arrived. Both ask per
    // imported position, so both need an index.
    R"SQL(
CREATE INDEX upload_queue_by_checkin ON upload_queue(checkin_id);
CREATE INDEX unsynced_checkins_by_secret ON checkins(secret) WHERE position_id IS NULL;
)SQL",
    // 5: the store keeps model types, not a backend's JSON: catalog objects in the store's own
    // encoding (catalog_codec) in `model`. The JSON pretix sent cannot be converted here (that is
    // the adapter's job), so catalogs written before are dropped and their events read as not
    // imported until the next import or sync; orders, positions, check-ins and the upload queue
    // stay. And search in every script under search_key (case and accents folded, search_text.h):
    // names in a trigram index, so any part of a name is a lookup; emails (the attendee's and the
    // order's) as indexed keys found by prefix. A trigram index of the emails as well doubled the
    // store and slowed a 1M-position build about fourfold.
    R"SQL(
ALTER TABLE events ADD COLUMN model TEXT;
ALTER TABLE events DROP COLUMN raw;
DROP TABLE subevents;
CREATE TABLE subevents (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    model TEXT NOT NULL
);
CREATE INDEX subevents_by_event ON subevents(event_id);
DROP TABLE items;
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    model TEXT NOT NULL
);
CREATE INDEX items_by_event ON items(event_id);
DROP TABLE checkin_lists;
CREATE TABLE checkin_lists (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    model TEXT NOT NULL
);
CREATE INDEX checkin_lists_by_event ON checkin_lists(event_id);
DROP TABLE questions;
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    model TEXT NOT NULL
);
CREATE INDEX questions_by_event ON questions(event_id);
CREATE VIRTUAL TABLE position_search USING fts5(key, tokenize = 'trigram');
INSERT INTO position_search(rowid, key) SELECT id, search_key(attendee_name) FROM positions;
ALTER TABLE positions ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE positions SET email_key = search_key(attendee_email);
CREATE INDEX positions_by_email ON positions(event_id, email_key) WHERE email_key <> '';
ALTER TABLE orders ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE orders SET email_key = search_key(email);
CREATE INDEX orders_by_email ON orders(event_id, email_key) WHERE email_key <> '';
)SQL",
    // 6: sync with a backend. Cursors of the incremental download per event (X-Page-Generated,
    // Last-Modified, where an interrupted full sync stopped), written in the transaction of the page
    // they describe. Records a sync skipped, by id, for staff. The upload queue learns when to try a
    // row again and that the server refused it for good (kept for staff, never sent again); failed
    // scans are retried the same way.
    R"SQL(
CREATE TABLE sync_cursors (
    event_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (event_id, name)
) WITHOUT ROWID;
CREATE TABLE sync_skipped (
    event_id INTEGER NOT NULL,
    resource TEXT NOT NULL,
    record TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (event_id, resource, record)
) WITHOUT ROWID;
ALTER TABLE upload_queue ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE upload_queue ADD COLUMN refused_at INTEGER;
CREATE INDEX upload_queue_due ON upload_queue(next_attempt_at, id) WHERE refused_at IS NULL;
ALTER TABLE failed_scans ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE failed_scans ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE failed_scans ADD COLUMN last_error TEXT;
CREATE INDEX failed_scans_due ON failed_scans(next_attempt_at, id) WHERE uploaded = 0;
)SQL",
    // 7: the print queue. A badge job per admission (reprints by staff are jobs of their own), kept
    // across restarts; `state` queued -> printing -> done, or failed with the printer's words and a
    // time to try again. Done jobs count the badges a position has had.
    R"SQL(
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL,
    position_id INTEGER,
    secret TEXT NOT NULL,
    language TEXT NOT NULL,
    reprint INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX print_jobs_by_position ON print_jobs(position_id, secret);
CREATE INDEX print_jobs_due ON print_jobs(next_attempt_at, id) WHERE state IN ('queued', 'failed');
)SQL",
    // 8: an admission made without any check (a backend that keeps no tickets here was away and the
    // organiser trusts offline scans) is recorded as such, for staff and for the organiser's counts.
    R"SQL(
ALTER TABLE checkins ADD COLUMN trusted_offline INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 9: local webhooks (netsync/webhooks/webhook_sender.h). An outbox filled by triggers in the very
    // transaction of an admission made here (a 'local' check-in, whatever decided it) or of an undo
    // (reverted_at set), so no event is lost or invented by a crash and the app layer is unchanged.
    // Events are recorded only while a receiver is registered in webhook_targets: a kiosk without
    // webhooks keeps nothing. A receiver's place is a cursor (the last event it acknowledged with a
    // 2xx): receivers get events in order, so everything after the cursor is what it still needs;
    // events every receiver has are deleted. AUTOINCREMENT: ids are never reused after that, so a
    // cursor always means the same events. A receiver is known by the SHA-256 of its URL, never the
    // URL (which may carry its own secret). The body is built at send time from the check-in.
    R"SQL(
CREATE TABLE webhook_targets (
    key TEXT PRIMARY KEY,
    delivered_through INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_success_at INTEGER,
    lease_owner TEXT,
    leased_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    checkin_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TRIGGER webhook_checked_in AFTER INSERT ON checkins
WHEN NEW.origin = 'local' AND EXISTS (SELECT 1 FROM webhook_targets)
BEGIN
    INSERT INTO webhook_events(uid, kind, checkin_id, created_at)
    VALUES (lower(hex(randomblob(16))), 'ticket.checked_in', NEW.id, NEW.datetime);
END;
CREATE TRIGGER webhook_check_in_reverted AFTER UPDATE OF reverted_at ON checkins
WHEN OLD.reverted_at IS NULL AND NEW.reverted_at IS NOT NULL AND EXISTS (SELECT 1 FROM webhook_targets)
BEGIN
    INSERT INTO webhook_events(uid, kind, checkin_id, created_at)
    VALUES (lower(hex(randomblob(16))), 'ticket.check_in_reverted', NEW.id, NEW.reverted_at);
END;
)SQL",
};

} // namespace

int current_version(sqlite::Database& db) {
    auto statement = db.prepare("PRAGMA user_version");
    statement.step();
    return static_cast<int>(statement.int64(0));
}

void migrate(sqlite::Database& db, int target) {
    int version = current_version(db);
    if (version > kLatestVersion)
        throw sqlite::Error("the store has schema version " + std::to_string(version) +
                                ", newer than this program understands (" + std::to_string(kLatestVersion) + ")",
                            0);
    while (version < target) {
        sqlite::Transaction transaction(db);
        db.exec(kMigrations[version]);
        // PRAGMA takes no bound parameters; the value is our own loop counter, not input.
        const std::string set_version = "PRAGMA user_version = " + std::to_string(version + 1);
        db.exec(set_version.c_str());
        transaction.commit();
        ++version;
    }
}

} // namespace kiosk::schema
