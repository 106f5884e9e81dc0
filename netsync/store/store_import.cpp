// [SECTION] Import: one event and everything in it, in one transaction; and the sync's pages.
#include <algorithm>
#include <thread>

#include "netsync/store/catalog_codec.h"
#include "netsync/store/search_text.h"
#include "netsync/store/store_impl.h"

namespace kiosk {

using nlohmann::json;
using namespace store_detail;

namespace {

// One import's running summary, on the connection's cached statements (a sync applies thousands
// of pages). A record that cannot be stored as it is (an id owned by another event) is undone alone
// and reported in summary.skipped; the rest of the import or page lands.
class EventImporter {
public:
    EventImporter(Store::Impl& impl, int64_t event_id, ImportSummary& summary)
        : impl_(impl), db_(impl.db), event_id_(event_id), summary_(summary) {}

    // `replace`: objects of the event that `catalog` does not list are dropped (a sync's view).
    void catalog(const EventCatalog& catalog, bool replace);
    // Positions' search keys are staged; index_staged_search() indexes them, once per transaction.
    void orders(std::span<const ImportedOrder> orders);
    void secret_lists(std::span<const std::string> revoked, std::span<const BlockedSecret> blocked);
    void badge_layouts(const json& layouts);

private:
    template <class Object>
    void catalog_rows(const char* table, const std::vector<Object>& objects, const char* resource, bool replace);
    std::expected<void, std::string> catalog_row(const char* table, int64_t id, const std::string& model,
                                                 const char* what);
    std::expected<void, std::string> order(const ImportedOrder& imported);
    std::expected<void, std::string> position(const Position& position, const Order& order);
    void server_checkin(const ImportedOrder& imported, int64_t position_id, const Checkin& checkin);
    void prepare_order_statements();
    bool orders_at_once(std::span<const ImportedOrder> orders);
    void orders_one_by_one(std::span<const ImportedOrder> orders);

    Store::Impl& impl_;
    sqlite::Database& db_;
    int64_t event_id_;
    ImportSummary& summary_;
    sqlite::Statement *upsert_order_ = nullptr, *upsert_position_ = nullptr, *upsert_answer_ = nullptr,
        *index_search_ = nullptr, *drop_server_checkins_ = nullptr, *insert_server_checkin_ = nullptr,
        *adopt_unsynced_checkins_ = nullptr;
};

// FTS5 flushes its pending index data at every statement that writes to it, so one INSERT per
// position wrote a segment per position (an import three times slower), and one per page a segment
// per page for the automerge to rewrite. Keys are staged in a temporary table and indexed by one
// statement per transaction.
constexpr const char* kCreateSearchStaging =
    "CREATE TEMP TABLE IF NOT EXISTS search_staging (id INTEGER PRIMARY KEY, key TEXT NOT NULL)";

void index_staged_search(sqlite::Database& db) {
    db.exec(kCreateSearchStaging);
    db.exec("INSERT OR REPLACE INTO position_search(rowid, key) SELECT id, key FROM temp.search_staging");
    db.exec("DELETE FROM temp.search_staging");
}

// Catalog tables share a shape: (id, event_id, model). pretix ids are global, so an id owned by
// another event means two backends or a corrupt dump.
std::expected<void, std::string> EventImporter::catalog_row(const char* table, int64_t id, const std::string& model,
                                                            const char* what) {
    // The table name is one of our four literals, never data.
    auto statement = db_.prepare(std::string("INSERT INTO ") + table + "(id, event_id, model) VALUES (?1, ?2, ?3) "
                                 "ON CONFLICT(id) DO UPDATE SET model = excluded.model "
                                 "WHERE event_id = excluded.event_id RETURNING id");
    statement.bind(1, id).bind(2, event_id_).bind(3, model);
    if (!statement.step())
        return std::unexpected(std::string(what) + " " + std::to_string(id) + " already belongs to another event");
    return {};
}

const char* object_name(const SubEvent&) { return "subevent"; }
const char* object_name(const Item&) { return "product"; }
const char* object_name(const CheckinList&) { return "check-in list"; }
const char* object_name(const Question&) { return "question"; }

template <class Object>
void EventImporter::catalog_rows(const char* table, const std::vector<Object>& objects, const char* resource,
                                 bool replace) {
    if (replace) {
        // Objects the backend no longer lists. The table name is one of our four literals, never data.
        db_.exec("CREATE TEMP TABLE IF NOT EXISTS listed_ids (id INTEGER PRIMARY KEY)");
        db_.exec("DELETE FROM temp.listed_ids");
        auto listed = db_.prepare("INSERT OR IGNORE INTO temp.listed_ids(id) VALUES (?1)");
        for (const Object& object : objects) {
            listed.bind(1, object.id);
            listed.run();
        }
        auto drop = db_.prepare(std::string("DELETE FROM ") + table +
                                " WHERE event_id = ?1 AND id NOT IN (SELECT id FROM temp.listed_ids)");
        drop.bind(1, event_id_);
        drop.run();
    }
    for (const Object& object : objects) {
        sqlite::Savepoint savepoint(db_);
        if (auto stored = catalog_row(table, object.id, catalog_codec::encode(object), object_name(object)); !stored) {
            summary_.skipped.push_back({resource, std::to_string(object.id), stored.error()});
            continue;
        }
        savepoint.release();
    }
}

void EventImporter::catalog(const EventCatalog& catalog, bool replace) {
    const size_t skipped_before = summary_.skipped.size();
    catalog_rows("subevents", catalog.subevents, "subevents", replace);
    catalog_rows("items", catalog.items, "items", replace);
    catalog_rows("checkin_lists", catalog.lists, "checkinlists", replace);
    catalog_rows("questions", catalog.questions, "questions", replace);
    const auto skipped_of = [&](std::string_view resource) {
        return static_cast<size_t>(std::count_if(summary_.skipped.begin() + static_cast<std::ptrdiff_t>(skipped_before),
                                                 summary_.skipped.end(),
                                                 [&](const SkippedRecord& r) { return r.resource == resource; }));
    };
    summary_.subevents = catalog.subevents.size() - skipped_of("subevents");
    summary_.items = catalog.items.size() - skipped_of("items");
    summary_.lists = catalog.lists.size() - skipped_of("checkinlists");
    summary_.questions = catalog.questions.size() - skipped_of("questions");
}

void EventImporter::prepare_order_statements() {
    upsert_order_ = &impl_.statement(impl_.import_order,
        "INSERT INTO orders(event_id, code, status, require_approval, valid_if_pending, checkin_attention, email, locale, "
        "email_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, search_key(?7)) ON CONFLICT(event_id, code) DO UPDATE SET "
        "status = excluded.status, require_approval = excluded.require_approval, "
        "valid_if_pending = excluded.valid_if_pending, checkin_attention = excluded.checkin_attention, "
        "email = excluded.email, locale = excluded.locale, email_key = excluded.email_key");
    upsert_position_ = &impl_.statement(impl_.import_position,
        "INSERT INTO positions(id, event_id, order_code, positionid, item, variation, subevent, secret, attendee_name, "
        "attendee_email, addon_to, blocked, valid_from, valid_until, canceled, email_key) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, search_key(?10)) "
        "ON CONFLICT(id) DO UPDATE SET "
        "order_code = excluded.order_code, positionid = excluded.positionid, item = excluded.item, "
        "variation = excluded.variation, subevent = excluded.subevent, secret = excluded.secret, "
        "attendee_name = excluded.attendee_name, attendee_email = excluded.attendee_email, addon_to = excluded.addon_to, "
        "blocked = excluded.blocked, valid_from = excluded.valid_from, valid_until = excluded.valid_until, "
        "canceled = excluded.canceled, email_key = excluded.email_key WHERE event_id = excluded.event_id RETURNING id");
    upsert_answer_ = &impl_.statement(impl_.import_answer,
        "INSERT INTO answers(position_id, question_id, answer, options) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(position_id, question_id) DO UPDATE SET answer = excluded.answer, options = excluded.options");
    db_.exec(kCreateSearchStaging);
    index_search_ = &impl_.statement(impl_.import_search,
                                     "INSERT OR REPLACE INTO temp.search_staging(id, key) VALUES (?1, ?2)");
    // Check-ins the server reports replace the ones it reported before, except rows a queued upload
    // still refers to or that staff reverted here: those stay until the upload has gone out, and
    // the server's copy of a reverted one is not brought back to life.
    drop_server_checkins_ = &impl_.statement(impl_.import_drop_server_checkins,
        "DELETE FROM checkins WHERE position_id = ?1 AND origin = 'server' AND reverted_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM upload_queue q WHERE q.checkin_id = checkins.id)");
    // A check-in made here comes back from the server once uploaded (pretix lists it without its
    // nonce): the local copy is kept, as it holds the nonce an undo must annul, and the server's
    // is not added beside it. pretix keeps the time we sent, to the second at least.
    insert_server_checkin_ = &impl_.statement(impl_.import_server_checkin,
        "INSERT INTO checkins(list_id, position_id, secret, type, datetime, origin, uploaded, gate) "
        "SELECT ?1, ?2, ?3, ?4, ?5, 'server', 1, ?6 WHERE NOT EXISTS (SELECT 1 FROM checkins WHERE position_id = ?2 "
        "AND list_id = ?1 AND type = ?4 AND (datetime = ?5 OR (origin = 'local' AND abs(datetime - ?5) < 1000000)))");
    // An offline-signed ticket admitted before its order synced: its check-ins now belong to the
    // position, so the entry rules see them (no second admission) and undo finds them.
    adopt_unsynced_checkins_ = &impl_.statement(impl_.import_adopt_checkins,
        "UPDATE checkins SET position_id = ?1 WHERE position_id IS NULL AND secret = ?2");
}

void EventImporter::orders(std::span<const ImportedOrder> orders) {
    prepare_order_statements();
    // Orders the store refuses are rare: a chunk of them under one savepoint first, and only when
    // one is refused, that chunk again with one savepoint per order (three statements each).
    // Small chunks, not all at once: while a savepoint is open, every statement's reset truncates
    // the sub-journal back, and SQLite walks that in-memory journal (temp_store = MEMORY) from its
    // start to do it; the journal holds a copy of every existing page the savepoint touched. One
    // savepoint over a whole import into a large store made each statement slower than the last (a
    // second 100k batch into an event took 217 s); chunks of 256 orders still spent 19 % of a 100k
    // import in that walk, chunks of 32 under 1 % (perf, store_bench).
    constexpr size_t kOrdersPerSavepoint = 32;
    for (size_t at = 0; at < orders.size(); at += kOrdersPerSavepoint) {
        const auto chunk = orders.subspan(at, std::min(kOrdersPerSavepoint, orders.size() - at));
        if (!orders_at_once(chunk)) orders_one_by_one(chunk);
    }
}

bool EventImporter::orders_at_once(std::span<const ImportedOrder> orders) {
    const ImportSummary before = summary_;
    sqlite::Savepoint savepoint(db_);
    for (const ImportedOrder& imported : orders) {
        if (!order(imported)) {
            summary_ = before;
            return false;   // the savepoint undoes them all
        }
        ++summary_.orders;
    }
    savepoint.release();
    return true;
}

void EventImporter::orders_one_by_one(std::span<const ImportedOrder> orders) {
    for (const ImportedOrder& imported : orders) {
        sqlite::Savepoint savepoint(db_);
        const size_t positions_before = summary_.positions, checkins_before = summary_.checkins;
        if (auto stored = order(imported); !stored) {
            summary_.positions = positions_before;
            summary_.checkins = checkins_before;
            summary_.skipped.push_back({"orders", imported.order.code, stored.error()});
            continue;   // the savepoint undoes this order alone
        }
        savepoint.release();
        ++summary_.orders;
    }
}

std::expected<void, std::string> EventImporter::order(const ImportedOrder& imported) {
    const Order& order = imported.order;
    upsert_order_->bind(1, event_id_).bind(2, order.code).bind(3, order_status_code(order.status))
        .bind(4, order.require_approval).bind(5, order.valid_if_pending).bind(6, order.checkin_attention)
        .bind(7, order.email).bind(8, order.locale);
    upsert_order_->run();
    for (const Position& position : imported.positions)
        if (auto stored = this->position(position, order); !stored) return stored;
    for (const auto& [position_id, checkin] : imported.checkins) server_checkin(imported, position_id, checkin);
    return {};
}

std::expected<void, std::string> EventImporter::position(const Position& position, const Order& order) {
    upsert_position_->bind(1, position.id).bind(2, event_id_).bind(3, order.code).bind(4, position.positionid)
        .bind(5, position.item).bind(6, position.variation).bind(7, position.subevent).bind(8, position.secret)
        .bind(9, position.attendee_name).bind(10, position.attendee_email).bind(11, position.addon_to)
        .bind(12, position.blocked).bind(13, to_micros(position.valid_from)).bind(14, to_micros(position.valid_until))
        .bind(15, position.canceled);
    const bool owned_here = upsert_position_->step();
    upsert_position_->reset();
    if (!owned_here) return std::unexpected("position " + std::to_string(position.id) + " already belongs to another event");
    for (const Answer& answer : position.answers) {
        upsert_answer_->bind(1, position.id).bind(2, answer.question).bind(3, answer.answer).bind(4, dump(answer.options));
        upsert_answer_->run();
    }
    index_search_->bind(1, position.id).bind(2, search_key(position.attendee_name));
    index_search_->run();
    drop_server_checkins_->bind(1, position.id);
    drop_server_checkins_->run();
    adopt_unsynced_checkins_->bind(1, position.id).bind(2, position.secret);
    adopt_unsynced_checkins_->run();
    ++summary_.positions;
    return {};
}

void EventImporter::server_checkin(const ImportedOrder& imported, int64_t position_id, const Checkin& checkin) {
    // The adapter pairs each check-in with a position of the same order.
    const auto position = std::ranges::find(imported.positions, position_id, &Position::id);
    const std::string secret = position == imported.positions.end() ? std::string() : position->secret;
    insert_server_checkin_->bind(1, checkin.list).bind(2, position_id).bind(3, secret)
        .bind(4, checkin_type_name(checkin.type)).bind(5, to_micros(checkin.datetime)).bind(6, checkin.gate);
    insert_server_checkin_->run();
    ++summary_.checkins;
}

void EventImporter::secret_lists(std::span<const std::string> revoked, std::span<const BlockedSecret> blocked_secrets) {
    auto insert_revoked = db_.prepare("INSERT OR IGNORE INTO revoked_secrets(event_id, secret) VALUES (?1, ?2)");
    for (const auto& secret : revoked) {
        insert_revoked.bind(1, event_id_).bind(2, secret);
        insert_revoked.run();
    }
    auto insert_blocked = db_.prepare("INSERT OR IGNORE INTO blocked_secrets(event_id, secret) VALUES (?1, ?2)");
    auto delete_blocked = db_.prepare("DELETE FROM blocked_secrets WHERE event_id = ?1 AND secret = ?2");
    for (const auto& blocked : blocked_secrets) {
        auto& statement = blocked.blocked ? insert_blocked : delete_blocked;
        statement.bind(1, event_id_).bind(2, blocked.secret);
        statement.run();
    }
}

void EventImporter::badge_layouts(const json& layouts) {
    auto upsert_meta = db_.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    upsert_meta.bind(1, "badgelayouts:" + std::to_string(event_id_)).bind(2, dump(layouts));
    upsert_meta.run();
}

int64_t upsert_event(sqlite::Database& db, const Event& event) {
    auto upsert = db.prepare("INSERT INTO events(organizer, slug, model) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT(organizer, slug) DO UPDATE SET model = excluded.model RETURNING id");
    upsert.bind(1, event.organizer).bind(2, event.slug).bind(3, catalog_codec::encode(event));
    if (!upsert.step()) throw StoreError("event upsert returned no id");
    return upsert.int64(0);
}

void write_cursors(Store::Impl& impl, int64_t event_id, std::span<const CursorUpdate> cursors) {
    auto& upsert = impl.statement(impl.import_cursor,
                                  "INSERT INTO sync_cursors(event_id, name, value) VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT(event_id, name) DO UPDATE SET value = excluded.value");
    auto& erase = impl.statement(impl.import_cursor_erase, "DELETE FROM sync_cursors WHERE event_id = ?1 AND name = ?2");
    for (const CursorUpdate& cursor : cursors) {
        if (cursor.value) {
            upsert.bind(1, event_id).bind(2, cursor.name).bind(3, *cursor.value);
            upsert.run();
        } else {
            erase.bind(1, event_id).bind(2, cursor.name);
            erase.run();
        }
    }
}

void remember_skipped(Store::Impl& impl, int64_t event_id, std::span<const SkippedRecord> skipped) {
    if (skipped.empty()) return;
    auto& insert = impl.statement(impl.import_skipped,
                                  "INSERT INTO sync_skipped(event_id, resource, record, message, at) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(event_id, resource, record) DO UPDATE SET "
                                  "message = excluded.message, at = excluded.at");
    const int64_t now = to_micros(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    for (const SkippedRecord& record : skipped) {
        insert.bind(1, event_id).bind(2, record.resource).bind(3, record.id).bind(4, record.message).bind(5, now);
        insert.run();
    }
}

// A record that lands after all is no longer skipped.
void forget_skipped_orders(Store::Impl& impl, int64_t event_id, std::span<const ImportedOrder> orders) {
    auto& erase = impl.statement(impl.import_forget_skipped,
                                 "DELETE FROM sync_skipped WHERE event_id = ?1 AND resource = 'orders' AND record = ?2");
    for (const ImportedOrder& order : orders) {
        erase.bind(1, event_id).bind(2, order.order.code);
        erase.run();
    }
}

// apply_orders_pages applies one page per transaction for this long after another writer of this
// process was seen (an admission between two pages, or one waiting for the lock).
constexpr std::chrono::seconds kOthersWritingWindow{2};

// One page of a download, inside the caller's transaction.
PageApplied apply_page(Store::Impl& impl, int64_t event_id, std::span<const ImportedOrder> orders,
                       std::span<const SkippedRecord> skipped, std::span<const CursorUpdate> cursors) {
    ImportSummary summary;
    summary.event_id = event_id;
    EventImporter importer(impl, event_id, summary);
    forget_skipped_orders(impl, event_id, orders);
    importer.orders(orders);
    remember_skipped(impl, event_id, skipped);
    remember_skipped(impl, event_id, summary.skipped);
    write_cursors(impl, event_id, cursors);
    return PageApplied{summary.orders, summary.positions, summary.checkins, std::move(summary.skipped)};
}

} // namespace

std::expected<ImportSummary, std::string> Store::import_event(const EventImport& import) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    ImportSummary summary;
    summary.event_id = upsert_event(db, import.catalog.event);
    EventImporter importer(*impl_, summary.event_id, summary);
    importer.catalog(import.catalog, /*replace=*/false);
    importer.orders(import.orders);
    index_staged_search(db);
    importer.secret_lists(import.revoked_secrets, import.blocked_secrets);
    if (import.badge_layouts) importer.badge_layouts(*import.badge_layouts);
    remember_skipped(*impl_, summary.event_id, summary.skipped);
    impl_->bump_generation();
    transaction.commit();
    return summary;
}

std::expected<ImportSummary, std::string> Store::apply_catalog(const EventCatalog& catalog,
                                                               const std::optional<nlohmann::json>& badge_layouts,
                                                               std::span<const CursorUpdate> cursors) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    ImportSummary summary;
    summary.event_id = upsert_event(db, catalog.event);
    EventImporter importer(*impl_, summary.event_id, summary);
    importer.catalog(catalog, /*replace=*/true);
    if (badge_layouts) importer.badge_layouts(*badge_layouts);
    write_cursors(*impl_, summary.event_id, cursors);
    remember_skipped(*impl_, summary.event_id, summary.skipped);
    impl_->bump_generation();
    transaction.commit();
    return summary;
}

PageApplied Store::apply_orders_page(int64_t event_id, std::span<const ImportedOrder> orders,
                                     std::span<const SkippedRecord> skipped, std::span<const CursorUpdate> cursors) {
    sqlite::Transaction transaction(impl_->db);
    PageApplied applied = apply_page(*impl_, event_id, orders, skipped, cursors);
    index_staged_search(impl_->db);
    transaction.commit();
    return applied;
}

std::vector<PageApplied> Store::apply_orders_pages(int64_t event_id, std::span<const OrdersPage> pages,
                                                   std::chrono::milliseconds budget) {
    std::vector<PageApplied> applied;
    if (pages.empty()) return applied;
    bool yielding = false;
    {
        const auto asked = std::chrono::steady_clock::now();
        sqlite::Transaction transaction(impl_->db);
        const auto started = std::chrono::steady_clock::now();
        if (started - asked > std::chrono::milliseconds(1)) impl_->other_writer_seen = started;   // we waited
        // While the kiosk admits, its admissions wait for a page and that page's commit, never more:
        // a batch's commit writes all the batch's pages to the WAL.
        const bool others_writing = started - impl_->other_writer_seen < kOthersWritingWindow;
        for (const OrdersPage& page : pages) {
            applied.push_back(apply_page(*impl_, event_id, page.orders, page.skipped, page.cursors));
            yielding = sqlite::writers_waiting() > 0;
            if (yielding) impl_->other_writer_seen = std::chrono::steady_clock::now();
            if (yielding || others_writing || std::chrono::steady_clock::now() - started >= budget) break;
        }
        index_staged_search(impl_->db);
        transaction.commit();
    }
    // Let the waiting writers take the lock before this connection's next BEGIN IMMEDIATE queues
    // behind them (bounded: a writer of this process that is not scheduled does not stop the sync).
    const auto yielded = std::chrono::steady_clock::now();
    while (yielding && sqlite::writers_waiting() > 0 &&
           std::chrono::steady_clock::now() - yielded < std::chrono::milliseconds(20))
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    return applied;
}

void Store::apply_secrets_page(int64_t event_id, std::span<const std::string> revoked,
                               std::span<const BlockedSecret> blocked, std::span<const CursorUpdate> cursors) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    ImportSummary summary;
    EventImporter importer(*impl_, event_id, summary);
    importer.secret_lists(revoked, blocked);
    write_cursors(*impl_, event_id, cursors);
    transaction.commit();
}

} // namespace kiosk
