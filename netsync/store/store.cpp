#include "netsync/store/store.h"

#include <algorithm>
#include <set>

#include "netsync/store/schema.h"
#include "netsync/store/sqlite.h"

namespace kiosk {

using nlohmann::json;

namespace {

int64_t to_micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_micros(int64_t micros) { return Timestamp{std::chrono::microseconds{micros}}; }
std::optional<int64_t> to_micros(const std::optional<Timestamp>& t) {
    return t ? std::optional<int64_t>(to_micros(*t)) : std::nullopt;
}
std::optional<Timestamp> optional_time(const sqlite::Statement& row, int column) {
    const auto micros = row.optional_int64(column);
    return micros ? std::optional<Timestamp>(from_micros(*micros)) : std::nullopt;
}

std::string_view order_status_code(OrderStatus status) {
    switch (status) {
    case OrderStatus::pending: return "n";
    case OrderStatus::paid: return "p";
    case OrderStatus::expired: return "e";
    case OrderStatus::canceled: return "c";
    }
    return "p";
}

// Our own JSON written back out; a store that fails to parse it is corrupt, not bad input.
json parse_stored_json(const std::string& text) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw StoreError(std::string("corrupt JSON in the store: ") + e.what());
    }
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Column order read_position expects; the search query spells the same list with a table alias.
constexpr const char* kPositionColumns =
    "id, event_id, order_code, positionid, item, variation, subevent, secret, attendee_name, attendee_email, "
    "addon_to, blocked, valid_from, valid_until, canceled";

Position read_position(const sqlite::Statement& row) {
    Position position;
    position.id = row.int64(0);
    position.event_id = row.int64(1);
    position.order = row.text(2);
    position.positionid = row.int64(3);
    position.item = row.int64(4);
    position.variation = row.optional_int64(5);
    position.subevent = row.optional_int64(6);
    position.secret = row.text(7);
    position.attendee_name = row.text(8);
    position.attendee_email = row.text(9);
    position.addon_to = row.optional_int64(10);
    position.blocked = row.int64(11) != 0;
    position.valid_from = optional_time(row, 12);
    position.valid_until = optional_time(row, 13);
    position.canceled = row.int64(14) != 0;
    return position;
}

Checkin read_checkin(const sqlite::Statement& row, int first_column) {
    Checkin checkin;
    checkin.list = row.int64(first_column);
    checkin.type = checkin_type_from_name(row.text(first_column + 1)).value_or(CheckinType::entry);
    checkin.datetime = from_micros(row.int64(first_column + 2));
    if (!row.is_null(first_column + 3)) checkin.gate = row.text(first_column + 3);
    return checkin;
}

json answers_to_json(const std::vector<Answer>& answers) {
    json out = json::object();
    for (const Answer& answer : answers) {
        if (answer.options.empty()) {
            out[std::to_string(answer.question)] = answer.answer;
        } else {
            std::string ids;
            for (int64_t option : answer.options) {
                if (!ids.empty()) ids += ',';
                ids += std::to_string(option);
            }
            out[std::to_string(answer.question)] = ids;
        }
    }
    return out;
}

} // namespace

struct Store::Impl {
    explicit Impl(const std::string& path) : db(path) {
        db.exec("PRAGMA journal_mode = WAL");
        // FULL: in WAL mode a commit is on disk when COMMIT returns, which is the promise we make
        // before the screen says welcome.
        db.exec("PRAGMA synchronous = FULL");
        db.exec("PRAGMA foreign_keys = ON");
        // A sync's big transaction otherwise spills its statement journals to /var/tmp and
        // thrashes a 2 MB page cache: measured 30 s -> 20 s for a 1M-position build.
        db.exec("PRAGMA temp_store = MEMORY");
        db.exec("PRAGMA cache_size = -65536");
        schema::migrate(db);
    }

    sqlite::Database db;

    // Prepared once per connection; the hot path never re-parses SQL.
    sqlite::Statement& statement(std::unique_ptr<sqlite::Statement>& slot, std::string_view sql) {
        if (!slot) slot = std::make_unique<sqlite::Statement>(db, sql);
        return *slot;
    }
    std::unique_ptr<sqlite::Statement> by_secret, addons, order_by_code, answers_of, checkins_by_position,
        checkins_by_secret, revoked, blocked, insert_checkin, insert_queue, upsert_answer, insert_failed,
        latest_checkin_by_position, latest_checkin_by_secret, mark_reverted, list_by_id, generation;

    std::vector<Answer> answers(int64_t position_id) {
        auto& query = statement(answers_of, "SELECT question_id, answer, options FROM answers WHERE position_id = ?1");
        query.bind(1, position_id);
        std::vector<Answer> out;
        while (query.step()) {
            Answer answer;
            answer.question = query.int64(0);
            answer.answer = query.text(1);
            const json options = parse_stored_json(query.text(2));
            for (const auto& option : options) answer.options.push_back(option.get<int64_t>());
            out.push_back(std::move(answer));
        }
        query.reset();
        return out;
    }

    // Runs a bound query and resets it: whether it had a row / its check-in rows.
    static bool any_row(sqlite::Statement& query) {
        const bool found = query.step();
        query.reset();
        return found;
    }
    static std::vector<Checkin> checkins(sqlite::Statement& query) {
        std::vector<Checkin> out;
        while (query.step()) out.push_back(read_checkin(query, 0));
        query.reset();
        return out;
    }

    std::vector<Position> positions(sqlite::Statement& query) {
        std::vector<Position> out;
        while (query.step()) out.push_back(read_position(query));
        query.reset();
        for (Position& position : out) position.answers = answers(position.id);
        return out;
    }

    void bump_generation() {
        db.exec("INSERT INTO meta(key, value) VALUES ('catalog_generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
    }
};

Store::Store(const std::string& path) : impl_(std::make_unique<Impl>(path)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

int Store::schema_version() { return schema::current_version(impl_->db); }

// [SECTION] Import

ImportSummary Store::import_event(const EventImport& import) {
    auto& db = impl_->db;
    sqlite::Transaction transaction(db);
    ImportSummary summary;

    {
        auto upsert = db.prepare("INSERT INTO events(organizer, slug, raw) VALUES (?1, ?2, ?3) "
                                 "ON CONFLICT(organizer, slug) DO UPDATE SET raw = excluded.raw RETURNING id");
        upsert.bind(1, import.event.organizer).bind(2, import.event.slug).bind(3, dump(import.event_raw));
        if (!upsert.step()) throw StoreError("event upsert returned no id");
        summary.event_id = upsert.int64(0);
        upsert.reset();
    }
    const int64_t event_id = summary.event_id;

    // Catalog tables share a shape: (id, event_id, raw). An id owned by another event is refused:
    // pretix ids are global, so that would mean two backends or a corrupt dump.
    auto upsert_catalog = [&](const char* sql, int64_t id, const json& raw, const char* what) {
        auto statement = db.prepare(sql);
        statement.bind(1, id).bind(2, event_id).bind(3, dump(raw));
        const bool owned_here = statement.step();
        statement.reset();
        if (!owned_here)
            throw pretix::FormatError(std::string(what) + " " + std::to_string(id) + " already belongs to another event");
    };
    for (const auto& subevent : import.subevents)
        upsert_catalog("INSERT INTO subevents(id, event_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET raw = "
                       "excluded.raw WHERE event_id = excluded.event_id RETURNING id",
                       subevent.value.id, subevent.raw, "subevent");
    for (const auto& item : import.items)
        upsert_catalog("INSERT INTO items(id, event_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET raw = "
                       "excluded.raw WHERE event_id = excluded.event_id RETURNING id",
                       item.value.id, item.raw, "item");
    for (const auto& list : import.lists)
        upsert_catalog("INSERT INTO checkin_lists(id, event_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
                       "raw = excluded.raw WHERE event_id = excluded.event_id RETURNING id",
                       list.value.id, list.raw, "check-in list");
    for (const auto& question : import.questions)
        upsert_catalog("INSERT INTO questions(id, event_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
                       "raw = excluded.raw WHERE event_id = excluded.event_id RETURNING id",
                       question.id, question.raw, "question");
    summary.subevents = import.subevents.size();
    summary.items = import.items.size();
    summary.lists = import.lists.size();
    summary.questions = import.questions.size();

    auto upsert_order = db.prepare(
        "INSERT INTO orders(event_id, code, status, require_approval, valid_if_pending, checkin_attention, email, locale) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(event_id, code) DO UPDATE SET status = excluded.status, "
        "require_approval = excluded.require_approval, valid_if_pending = excluded.valid_if_pending, "
        "checkin_attention = excluded.checkin_attention, email = excluded.email, locale = excluded.locale");
    auto upsert_position = db.prepare(
        "INSERT INTO positions(id, event_id, order_code, positionid, item, variation, subevent, secret, attendee_name, "
        "attendee_email, addon_to, blocked, valid_from, valid_until, canceled) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(id) DO UPDATE SET "
        "order_code = excluded.order_code, positionid = excluded.positionid, item = excluded.item, "
        "variation = excluded.variation, subevent = excluded.subevent, secret = excluded.secret, "
        "attendee_name = excluded.attendee_name, attendee_email = excluded.attendee_email, addon_to = excluded.addon_to, "
        "blocked = excluded.blocked, valid_from = excluded.valid_from, valid_until = excluded.valid_until, "
        "canceled = excluded.canceled WHERE event_id = excluded.event_id RETURNING id");
    auto upsert_answer = db.prepare(
        "INSERT INTO answers(position_id, question_id, answer, options) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(position_id, question_id) DO UPDATE SET answer = excluded.answer, options = excluded.options");
    // Check-ins the server reports replace the ones it reported before, except rows a queued upload
    // still refers to or that staff reverted here: those stay until the upload has gone out, and
    // the server's copy of a reverted one is not brought back to life.
    auto drop_server_checkins = db.prepare(
        "DELETE FROM checkins WHERE position_id = ?1 AND origin = 'server' AND reverted_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM upload_queue q WHERE q.checkin_id = checkins.id)");
    // A local check-in the server has confirmed (uploaded) comes back in its list: keep one copy.
    auto drop_uploaded_duplicate = db.prepare(
        "DELETE FROM checkins WHERE position_id = ?1 AND list_id = ?2 AND type = ?3 AND origin = 'local' "
        "AND uploaded = 1 AND abs(datetime - ?4) < 1000000 "
        "AND NOT EXISTS (SELECT 1 FROM upload_queue q WHERE q.checkin_id = checkins.id)");
    auto insert_server_checkin = db.prepare(
        "INSERT INTO checkins(list_id, position_id, secret, type, datetime, origin, uploaded, gate) "
        "SELECT ?1, ?2, ?3, ?4, ?5, 'server', 1, ?6 WHERE NOT EXISTS (SELECT 1 FROM checkins WHERE position_id = ?2 "
        "AND list_id = ?1 AND type = ?4 AND datetime = ?5)");
    // An offline-signed ticket admitted before its order synced: its check-ins now belong to the
    // position, so the entry rules see them (no second admission) and undo finds them.
    auto adopt_unsynced_checkins = db.prepare(
        "UPDATE checkins SET position_id = ?1 WHERE position_id IS NULL AND secret = ?2");

    for (const auto& imported : import.orders) {
        const Order& order = imported.order;
        upsert_order.bind(1, event_id).bind(2, order.code).bind(3, order_status_code(order.status))
            .bind(4, order.require_approval).bind(5, order.valid_if_pending).bind(6, order.checkin_attention)
            .bind(7, order.email).bind(8, order.locale);
        upsert_order.run();
        ++summary.orders;
        for (const Position& position : imported.positions) {
            upsert_position.bind(1, position.id).bind(2, event_id).bind(3, order.code).bind(4, position.positionid)
                .bind(5, position.item).bind(6, position.variation).bind(7, position.subevent).bind(8, position.secret)
                .bind(9, position.attendee_name).bind(10, position.attendee_email).bind(11, position.addon_to)
                .bind(12, position.blocked).bind(13, to_micros(position.valid_from)).bind(14, to_micros(position.valid_until))
                .bind(15, position.canceled);
            const bool owned_here = upsert_position.step();
            upsert_position.reset();
            if (!owned_here)
                throw pretix::FormatError("position " + std::to_string(position.id) + " already belongs to another event");
            for (const Answer& answer : position.answers) {
                upsert_answer.bind(1, position.id).bind(2, answer.question).bind(3, answer.answer).bind(4, dump(answer.options));
                upsert_answer.run();
            }
            drop_server_checkins.bind(1, position.id);
            drop_server_checkins.run();
            adopt_unsynced_checkins.bind(1, position.id).bind(2, position.secret);
            adopt_unsynced_checkins.run();
            ++summary.positions;
        }
        for (const auto& [position_id, checkin] : imported.checkins) {
            const auto position = std::find_if(imported.positions.begin(), imported.positions.end(),
                                               [&](const Position& p) { return p.id == position_id; });
            drop_uploaded_duplicate.bind(1, position_id).bind(2, checkin.list).bind(3, checkin_type_name(checkin.type))
                .bind(4, to_micros(checkin.datetime));
            drop_uploaded_duplicate.run();
            insert_server_checkin.bind(1, checkin.list).bind(2, position_id).bind(3, position->secret)
                .bind(4, checkin_type_name(checkin.type)).bind(5, to_micros(checkin.datetime)).bind(6, checkin.gate);
            insert_server_checkin.run();
            ++summary.checkins;
        }
    }

    auto insert_revoked = db.prepare("INSERT OR IGNORE INTO revoked_secrets(event_id, secret) VALUES (?1, ?2)");
    for (const auto& secret : import.revoked_secrets) {
        insert_revoked.bind(1, event_id).bind(2, secret);
        insert_revoked.run();
    }
    auto insert_blocked = db.prepare("INSERT OR IGNORE INTO blocked_secrets(event_id, secret) VALUES (?1, ?2)");
    auto delete_blocked = db.prepare("DELETE FROM blocked_secrets WHERE event_id = ?1 AND secret = ?2");
    for (const auto& blocked : import.blocked_secrets) {
        auto& statement = blocked.blocked ? insert_blocked : delete_blocked;
        statement.bind(1, event_id).bind(2, blocked.secret);
        statement.run();
    }
    if (import.badge_layouts) {
        auto upsert_meta = db.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        upsert_meta.bind(1, "badgelayouts:" + std::to_string(event_id)).bind(2, dump(*import.badge_layouts));
        upsert_meta.run();
    }
    impl_->bump_generation();
    transaction.commit();
    return summary;
}

// [SECTION] Reads for a decision

std::optional<CheckinList> Store::checkin_list(int64_t list_id) {
    auto& query = impl_->statement(impl_->list_by_id, "SELECT event_id, raw FROM checkin_lists WHERE id = ?1");
    query.bind(1, list_id);
    std::optional<CheckinList> out;
    if (query.step()) {
        const int64_t event_id = query.int64(0);
        out = pretix::checkin_list_from_json(parse_stored_json(query.text(1)), event_id, {"stored list"});
    }
    query.reset();
    return out;
}

std::optional<EventCatalog> Store::catalog(int64_t event_id) {
    auto& db = impl_->db;
    auto event_query = db.prepare("SELECT organizer, raw FROM events WHERE id = ?1");
    event_query.bind(1, event_id);
    if (!event_query.step()) return std::nullopt;
    EventCatalog catalog;
    try {
        catalog.event = pretix::event_from_json(parse_stored_json(event_query.text(1)), event_query.text(0), {"stored event"});
        catalog.event.id = event_id;
        auto load = [&](const char* sql, auto&& add) {
            auto query = db.prepare(sql);
            query.bind(1, event_id);
            while (query.step()) add(parse_stored_json(query.text(0)));
        };
        load("SELECT raw FROM subevents WHERE event_id = ?1 ORDER BY id",
             [&](const json& raw) { catalog.subevents.push_back(pretix::subevent_from_json(raw, event_id, {"stored subevent"})); });
        load("SELECT raw FROM items WHERE event_id = ?1 ORDER BY id",
             [&](const json& raw) { catalog.items.push_back(pretix::item_from_json(raw, event_id, {"stored item"})); });
        load("SELECT raw FROM checkin_lists WHERE event_id = ?1 ORDER BY id",
             [&](const json& raw) { catalog.lists.push_back(pretix::checkin_list_from_json(raw, event_id, {"stored list"})); });
        load("SELECT raw FROM questions WHERE event_id = ?1 ORDER BY id",
             [&](const json& raw) { catalog.questions.push_back(pretix::question_from_json(raw, event_id, {"stored question"})); });
    } catch (const pretix::FormatError& e) {
        throw StoreError(std::string("corrupt catalog in the store: ") + e.what());
    }
    return catalog;
}

int64_t Store::catalog_generation() {
    auto& query = impl_->statement(impl_->generation, "SELECT value FROM meta WHERE key = 'catalog_generation'");
    int64_t generation = 0;
    if (query.step()) generation = std::stoll(query.text(0));
    query.reset();
    return generation;
}

std::vector<Position> Store::positions_by_secret(std::string_view secret) {
    static const std::string sql = std::string("SELECT ") + kPositionColumns + " FROM positions WHERE secret = ?1";
    auto& query = impl_->statement(impl_->by_secret, sql);
    query.bind(1, secret);
    return impl_->positions(query);
}

std::vector<Position> Store::addons_of(int64_t parent_position_id) {
    static const std::string sql =
        std::string("SELECT ") + kPositionColumns + " FROM positions WHERE addon_to = ?1 ORDER BY positionid";
    auto& query = impl_->statement(impl_->addons, sql);
    query.bind(1, parent_position_id);
    return impl_->positions(query);
}

std::optional<Order> Store::order(int64_t event_id, std::string_view code) {
    auto& query = impl_->statement(impl_->order_by_code,
                                   "SELECT status, require_approval, valid_if_pending, checkin_attention, email, locale "
                                   "FROM orders WHERE event_id = ?1 AND code = ?2");
    query.bind(1, event_id).bind(2, code);
    std::optional<Order> out;
    if (query.step()) {
        Order order;
        order.code = std::string(code);
        order.event_id = event_id;
        order.status = order_status_from_code(query.text(0)).value_or(OrderStatus::paid);
        order.require_approval = query.int64(1) != 0;
        order.valid_if_pending = query.int64(2) != 0;
        order.checkin_attention = query.int64(3) != 0;
        order.email = query.text(4);
        order.locale = query.text(5);
        out = std::move(order);
    }
    query.reset();
    return out;
}

std::vector<Checkin> Store::checkins_of_position(int64_t list_id, int64_t position_id) {
    auto& query = impl_->statement(impl_->checkins_by_position,
                                   "SELECT list_id, type, datetime, gate FROM checkins WHERE list_id = ?1 AND "
                                   "position_id = ?2 AND reverted_at IS NULL ORDER BY datetime, id");
    query.bind(1, list_id).bind(2, position_id);
    return Impl::checkins(query);
}

std::vector<Checkin> Store::checkins_of_unsynced_secret(int64_t list_id, std::string_view secret) {
    auto& query = impl_->statement(impl_->checkins_by_secret,
                                   "SELECT list_id, type, datetime, gate FROM checkins WHERE list_id = ?1 AND "
                                   "secret = ?2 AND position_id IS NULL AND reverted_at IS NULL ORDER BY datetime, id");
    query.bind(1, list_id).bind(2, secret);
    return Impl::checkins(query);
}

bool Store::secret_revoked(int64_t event_id, std::string_view secret) {
    auto& query = impl_->statement(impl_->revoked, "SELECT 1 FROM revoked_secrets WHERE event_id = ?1 AND secret = ?2");
    query.bind(1, event_id).bind(2, secret);
    return Impl::any_row(query);
}

bool Store::secret_blocked(int64_t event_id, std::string_view secret) {
    auto& query = impl_->statement(impl_->blocked, "SELECT 1 FROM blocked_secrets WHERE event_id = ?1 AND secret = ?2");
    query.bind(1, event_id).bind(2, secret);
    return Impl::any_row(query);
}

// [SECTION] Writes of a decision

Store::WriteLock::WriteLock(Store& store) : store_(store) { store_.impl_->db.exec("BEGIN IMMEDIATE"); }

Store::WriteLock::~WriteLock() {
    if (open_) sqlite3_exec(store_.impl_->db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Store::WriteLock::commit() {
    store_.impl_->db.exec("COMMIT");
    open_ = false;
}

int64_t Store::record_checkin(const NewCheckin& checkin) {
    auto& impl = *impl_;
    auto& insert = impl.statement(impl.insert_checkin,
                                  "INSERT INTO checkins(list_id, position_id, secret, type, datetime, nonce, origin, gate) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'local', ?7)");
    insert.bind(1, checkin.list_id).bind(2, checkin.position_id).bind(3, checkin.secret)
        .bind(4, checkin_type_name(checkin.type)).bind(5, to_micros(checkin.datetime)).bind(6, checkin.nonce)
        .bind(7, checkin.gate);
    insert.run();
    const int64_t checkin_id = impl.db.last_insert_rowid();

    auto& queue = impl.statement(impl.insert_queue,
                                 "INSERT INTO upload_queue(kind, event_id, list_id, checkin_id, secret, type, datetime, "
                                 "nonce, answers, gate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    queue.bind(1, "checkin").bind(2, checkin.event_id).bind(3, checkin.list_id).bind(4, checkin_id)
        .bind(5, checkin.secret).bind(6, checkin_type_name(checkin.type)).bind(7, to_micros(checkin.datetime))
        .bind(8, checkin.nonce).bind(9, dump(answers_to_json(checkin.answers))).bind(10, checkin.gate);
    queue.run();

    if (checkin.position_id) {
        auto& upsert = impl.statement(impl.upsert_answer,
                                      "INSERT INTO answers(position_id, question_id, answer, options) VALUES (?1, ?2, ?3, ?4) "
                                      "ON CONFLICT(position_id, question_id) DO UPDATE SET answer = excluded.answer, "
                                      "options = excluded.options");
        for (const Answer& answer : checkin.answers) {
            upsert.bind(1, *checkin.position_id).bind(2, answer.question).bind(3, answer.answer).bind(4, dump(answer.options));
            upsert.run();
        }
    }
    return checkin_id;
}

void Store::record_failed_scan(const FailedScan& scan) {
    auto& impl = *impl_;
    auto& insert = impl.statement(impl.insert_failed,
                                  "INSERT INTO failed_scans(raw, reason, event_id, list_id, type, datetime, nonce, position_id) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind_blob(1, scan.raw).bind(2, scan.reason).bind(3, scan.event_id).bind(4, scan.list_id)
        .bind(5, checkin_type_name(scan.type)).bind(6, to_micros(scan.datetime)).bind(7, scan.nonce)
        .bind(8, scan.position_id);
    insert.run();
}

std::optional<RevertedCheckin> Store::revert_latest_checkin(int64_t event_id, int64_t list_id,
                                                            std::optional<int64_t> position_id, std::string_view secret,
                                                            Timestamp at, const std::string& nonce) {
    auto& impl = *impl_;
    sqlite::Statement* latest = nullptr;
    if (position_id) {
        latest = &impl.statement(impl.latest_checkin_by_position,
                                 "SELECT id, type, datetime, secret FROM checkins WHERE list_id = ?1 AND position_id = ?2 "
                                 "AND reverted_at IS NULL ORDER BY datetime DESC, id DESC LIMIT 1");
        latest->bind(1, list_id).bind(2, *position_id);
    } else {
        latest = &impl.statement(impl.latest_checkin_by_secret,
                                 "SELECT id, type, datetime, secret FROM checkins WHERE list_id = ?1 AND secret = ?2 AND "
                                 "position_id IS NULL AND reverted_at IS NULL ORDER BY datetime DESC, id DESC LIMIT 1");
        latest->bind(1, list_id).bind(2, secret);
    }
    if (!latest->step()) {
        latest->reset();
        return std::nullopt;
    }
    RevertedCheckin reverted;
    reverted.checkin_id = latest->int64(0);
    reverted.type = checkin_type_from_name(latest->text(1)).value_or(CheckinType::entry);
    reverted.checkin_datetime = from_micros(latest->int64(2));
    const std::string stored_secret = latest->text(3);
    reverted.nonce = nonce;
    latest->reset();

    auto& mark = impl.statement(impl.mark_reverted, "UPDATE checkins SET reverted_at = ?2 WHERE id = ?1");
    mark.bind(1, reverted.checkin_id).bind(2, to_micros(at));
    mark.run();
    auto& queue = impl.statement(impl.insert_queue,
                                 "INSERT INTO upload_queue(kind, event_id, list_id, checkin_id, secret, type, datetime, "
                                 "nonce, answers, gate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    queue.bind(1, "undo").bind(2, event_id).bind(3, list_id).bind(4, reverted.checkin_id).bind(5, stored_secret)
        .bind(6, checkin_type_name(reverted.type)).bind(7, to_micros(at)).bind(8, nonce).bind(9, "{}").bind_null(10);
    queue.run();
    return reverted;
}

// [SECTION] Staff queries

std::vector<SearchHit> Store::search(std::string_view query_text, std::span<const CheckinList> lists, size_t limit) {
    std::vector<SearchHit> hits;
    // Privacy: a short query would let anyone at the kiosk enumerate attendees. Characters, not
    // bytes: "Mül" is three.
    const auto characters = std::count_if(query_text.begin(), query_text.end(),
                                          [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    if (characters < 4) return hits;
    std::string pattern;
    for (char c : query_text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    std::string upper_code(query_text);
    std::transform(upper_code.begin(), upper_code.end(), upper_code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    auto query = impl_->db.prepare(
        "SELECT p.id, p.event_id, p.order_code, p.positionid, p.item, p.variation, p.subevent, p.secret, "
        "p.attendee_name, p.attendee_email, p.addon_to, p.blocked, p.valid_from, p.valid_until, p.canceled, "
        "o.status, o.checkin_attention "
        "FROM positions p JOIN orders o ON o.event_id = p.event_id AND o.code = p.order_code WHERE p.event_id = ?1 AND "
        "(p.attendee_name LIKE ?2 ESCAPE '\\' OR p.attendee_email LIKE ?2 ESCAPE '\\' OR o.email LIKE ?2 ESCAPE '\\' "
        "OR p.order_code = ?3 OR p.secret LIKE ?4 ESCAPE '\\') ORDER BY p.attendee_name, p.order_code, p.positionid "
        "LIMIT ?5");
    std::set<int64_t> seen_events;
    for (const CheckinList& list : lists) {
        if (!seen_events.insert(list.event_id).second) continue;
        query.bind(1, list.event_id).bind(2, "%" + pattern + "%").bind(3, upper_code).bind(4, pattern + "%")
            .bind(5, static_cast<int64_t>(limit));
        while (query.step() && hits.size() < limit) {
            SearchHit hit;
            hit.position = read_position(query);
            hit.order_status = order_status_from_code(query.text(15)).value_or(OrderStatus::paid);
            hit.order_checkin_attention = query.int64(16) != 0;
            hits.push_back(std::move(hit));
        }
        query.reset();
    }
    for (SearchHit& hit : hits) {
        for (const CheckinList& list : lists)
            if (list.event_id == hit.position.event_id && !checkins_of_position(list.id, hit.position.id).empty())
                hit.redeemed = true;
    }
    return hits;
}

ListStatus Store::list_status(const CheckinList& list, std::span<const int64_t> items) {
    // Positions that belong on the list: not canceled, order paid (or pending when the list
    // includes pending orders), the list's subevent if it has one, and one of `items`.
    auto query = impl_->db.prepare(
        "SELECT p.item, p.variation, COUNT(*), "
        "  SUM(EXISTS (SELECT 1 FROM checkins c WHERE c.list_id = ?1 AND c.position_id = p.id AND c.reverted_at IS NULL)), "
        "  SUM(COALESCE((SELECT c.type = 'entry' FROM checkins c WHERE c.list_id = ?1 AND c.position_id = p.id "
        "        AND c.reverted_at IS NULL ORDER BY c.datetime DESC, c.id DESC LIMIT 1), 0)) "
        "FROM positions p JOIN orders o ON o.event_id = p.event_id AND o.code = p.order_code "
        "WHERE p.event_id = ?2 AND p.canceled = 0 AND (o.status = 'p' OR (?3 AND o.status = 'n')) "
        "  AND (?4 IS NULL OR p.subevent = ?4) "
        "GROUP BY p.item, p.variation ORDER BY p.item, p.variation");
    query.bind(1, list.id).bind(2, list.event_id).bind(3, list.include_pending).bind(4, list.subevent);
    ListStatus status;
    const std::set<int64_t> products(items.begin(), items.end());
    while (query.step()) {
        const int64_t item = query.int64(0);
        if (!products.contains(item)) continue;
        ListStatus::Counts counts{query.optional_int64(1).value_or(0), query.int64(3), query.int64(2), query.int64(4)};
        if (status.items.empty() || status.items.back().first.id != item)
            status.items.push_back({ListStatus::Counts{item, 0, 0, 0}, {}});
        auto& [item_counts, variations] = status.items.back();
        item_counts.checkin_count += counts.checkin_count;
        item_counts.position_count += counts.position_count;
        item_counts.inside_count += counts.inside_count;
        if (!query.is_null(1)) variations.push_back(counts);
        status.total.checkin_count += counts.checkin_count;
        status.total.position_count += counts.position_count;
        status.total.inside_count += counts.inside_count;
    }
    return status;
}

QueueSnapshot Store::queue() {
    QueueSnapshot snapshot;
    auto pending = impl_->db.prepare(
        "SELECT kind, event_id, list_id, secret, type, datetime, nonce, answers, gate FROM upload_queue ORDER BY id");
    while (pending.step()) {
        QueuedUpload upload;
        upload.kind = pending.text(0);
        upload.event_id = pending.int64(1);
        upload.list_id = pending.int64(2);
        upload.secret = pending.text(3);
        upload.type = checkin_type_from_name(pending.text(4)).value_or(CheckinType::entry);
        upload.datetime = from_micros(pending.int64(5));
        upload.nonce = pending.text(6);
        upload.answers = parse_stored_json(pending.text(7));
        if (!pending.is_null(8)) upload.gate = pending.text(8);
        snapshot.pending.push_back(std::move(upload));
    }
    auto failed = impl_->db.prepare("SELECT raw, reason, event_id, list_id, type, datetime, nonce, position_id "
                                    "FROM failed_scans WHERE uploaded = 0 ORDER BY id");
    while (failed.step()) {
        FailedScan scan;
        scan.raw = failed.text(0);
        scan.reason = failed.text(1);
        scan.event_id = failed.optional_int64(2);
        scan.list_id = failed.int64(3);
        scan.type = checkin_type_from_name(failed.text(4)).value_or(CheckinType::entry);
        scan.datetime = from_micros(failed.int64(5));
        scan.nonce = failed.text(6);
        scan.position_id = failed.optional_int64(7);
        snapshot.failed.push_back(std::move(scan));
    }
    return snapshot;
}

} // namespace kiosk
