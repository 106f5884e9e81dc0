#include "netsync/store/store.h"

#include <sqlite3.h>

#include "netsync/store/catalog_codec.h"
#include "netsync/store/schema.h"
#include "netsync/store/search_text.h"
#include "netsync/store/store_impl.h"

namespace kiosk {

using nlohmann::json;
using namespace store_detail;

namespace store_detail {

std::optional<Timestamp> optional_time(const sqlite::Statement& row, int column) {
    const auto micros = row.optional_int64(column);
    return micros ? std::optional<Timestamp>(from_micros(*micros)) : std::nullopt;
}

json parse_stored_json(const std::string& text) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw StoreError(std::string("corrupt JSON in the store: ") + e.what());
    }
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* const kPositionColumns =
    "id, event_id, order_code, positionid, item, variation, subevent, secret, attendee_name, attendee_email, "
    "addon_to, blocked, valid_from, valid_until, canceled";
const char* const kPositionColumnsOfP =
    "p.id, p.event_id, p.order_code, p.positionid, p.item, p.variation, p.subevent, p.secret, p.attendee_name, "
    "p.attendee_email, p.addon_to, p.blocked, p.valid_from, p.valid_until, p.canceled";

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

std::vector<int64_t> option_ids(const std::string& stored) {
    std::vector<int64_t> ids;
    for (const auto& option : parse_stored_json(stored)) ids.push_back(option.get<int64_t>());
    return ids;
}

} // namespace store_detail

namespace {

// The answers of a check-in as the upload queue keeps them: {"question id": "text or option ids"}.
json answers_to_json(const std::vector<Answer>& answers) {
    json out = json::object();
    for (const Answer& answer : answers) {
        if (answer.options.empty()) {
            out[std::to_string(answer.question)] = answer.answer;
            continue;
        }
        std::string ids;
        for (int64_t option : answer.options) {
            if (!ids.empty()) ids += ',';
            ids += std::to_string(option);
        }
        out[std::to_string(answer.question)] = ids;
    }
    return out;
}

// search_key() in SQL, for the migration that builds the search index from existing rows.
void sql_search_key(sqlite3_context* context, int, sqlite3_value** arguments) {
    const auto* text = sqlite3_value_text(arguments[0]);
    const int size = sqlite3_value_bytes(arguments[0]);
    const std::string key = search_key(
        text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(size)));
    sqlite3_result_text(context, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
}

void register_functions(sqlite::Database& db) {
    const int rc = sqlite3_create_function(db.handle(), "search_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                           sql_search_key, nullptr, nullptr);
    if (rc != SQLITE_OK) db.fail("registering search_key", rc);
}

} // namespace

// [SECTION] Opening and schema

Store::Impl::Impl(const std::string& path) : db(path) {
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: in WAL mode a commit is on disk when COMMIT returns, which is the promise we make
    // before the screen says welcome.
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    // A sync's big transaction otherwise spills its statement journals to /var/tmp and
    // thrashes a 2 MB page cache: measured 30 s -> 20 s for a 1M-position build.
    db.exec("PRAGMA temp_store = MEMORY");
    db.exec("PRAGMA cache_size = -65536");
    register_functions(db);
    schema::migrate(db);
}

std::vector<Answer> Store::Impl::answers(int64_t position_id) {
    auto& query = statement(answers_of, "SELECT question_id, answer, options FROM answers WHERE position_id = ?1");
    query.bind(1, position_id);
    std::vector<Answer> out;
    while (query.step()) out.push_back(Answer{query.int64(0), query.text(1), option_ids(query.text(2))});
    query.reset();
    return out;
}

std::vector<Position> Store::Impl::positions(sqlite::Statement& query) {
    std::vector<Position> out;
    while (query.step()) out.push_back(read_position(query));
    query.reset();
    for (Position& position : out) position.answers = answers(position.id);
    return out;
}

bool Store::Impl::any_row(sqlite::Statement& query) {
    const bool found = query.step();
    query.reset();
    return found;
}

std::vector<Checkin> Store::Impl::checkins(sqlite::Statement& query) {
    std::vector<Checkin> out;
    while (query.step()) out.push_back(read_checkin(query, 0));
    query.reset();
    return out;
}

void Store::Impl::upsert_answer_row(int64_t position_id, const Answer& answer) {
    auto& upsert = statement(upsert_answer,
                             "INSERT INTO answers(position_id, question_id, answer, options) VALUES (?1, ?2, ?3, ?4) "
                             "ON CONFLICT(position_id, question_id) DO UPDATE SET answer = excluded.answer, "
                             "options = excluded.options");
    upsert.bind(1, position_id).bind(2, answer.question).bind(3, answer.answer).bind(4, dump(answer.options));
    upsert.run();
}

void Store::Impl::queue_upload(std::string_view kind, int64_t event_id, int64_t list_id, int64_t checkin_id,
                               std::string_view secret, CheckinType type, Timestamp datetime, const std::string& nonce,
                               const std::string& answers_json, const std::optional<std::string>& gate) {
    auto& queue = statement(insert_queue,
                            "INSERT INTO upload_queue(kind, event_id, list_id, checkin_id, secret, type, datetime, "
                            "nonce, answers, gate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    queue.bind(1, kind).bind(2, event_id).bind(3, list_id).bind(4, checkin_id).bind(5, secret)
        .bind(6, checkin_type_name(type)).bind(7, to_micros(datetime)).bind(8, nonce).bind(9, answers_json)
        .bind(10, gate);
    queue.run();
}

void Store::Impl::bump_generation() {
    db.exec("INSERT INTO meta(key, value) VALUES ('catalog_generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
}

Store::Store(const std::string& path) : impl_(std::make_unique<Impl>(path)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

int Store::schema_version() { return schema::current_version(impl_->db); }

// [SECTION] Reads for a decision

std::optional<int64_t> Store::event_of_list(int64_t list_id) {
    auto& query = impl_->statement(impl_->list_event, "SELECT event_id FROM checkin_lists WHERE id = ?1");
    query.bind(1, list_id);
    std::optional<int64_t> event_id;
    if (query.step()) event_id = query.int64(0);
    query.reset();
    return event_id;
}

std::optional<EventCatalog> Store::catalog(int64_t event_id) {
    auto& db = impl_->db;
    auto event_query = db.prepare("SELECT organizer, slug, model FROM events WHERE id = ?1 AND model IS NOT NULL");
    event_query.bind(1, event_id);
    if (!event_query.step()) return std::nullopt;
    EventCatalog catalog;
    catalog.event = catalog_codec::decode_event(event_query.text(2), event_id, event_query.text(0), event_query.text(1));
    auto load = [&](const char* sql, auto&& add) {
        auto query = db.prepare(sql);
        query.bind(1, event_id);
        while (query.step()) add(query.text(0));
    };
    load("SELECT model FROM subevents WHERE event_id = ?1 ORDER BY id",
         [&](const std::string& model) { catalog.subevents.push_back(catalog_codec::decode_subevent(model, event_id)); });
    load("SELECT model FROM items WHERE event_id = ?1 ORDER BY id",
         [&](const std::string& model) { catalog.items.push_back(catalog_codec::decode_item(model, event_id)); });
    load("SELECT model FROM checkin_lists WHERE event_id = ?1 ORDER BY id",
         [&](const std::string& model) { catalog.lists.push_back(catalog_codec::decode_list(model, event_id)); });
    load("SELECT model FROM questions WHERE event_id = ?1 ORDER BY id",
         [&](const std::string& model) { catalog.questions.push_back(catalog_codec::decode_question(model, event_id)); });
    return catalog;
}

std::vector<EventCatalog> Store::catalogs() {
    std::vector<int64_t> ids;
    auto query = impl_->db.prepare("SELECT id FROM events WHERE model IS NOT NULL ORDER BY id");
    while (query.step()) ids.push_back(query.int64(0));
    std::vector<EventCatalog> out;
    for (int64_t id : ids)
        if (auto catalog = this->catalog(id)) out.push_back(std::move(*catalog));
    return out;
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

Store::WriteTransaction::WriteTransaction(Store& store)
    : transaction_(std::make_unique<sqlite::Transaction>(store.impl_->db, sqlite::Transaction::Kind::immediate)) {}

Store::WriteTransaction::~WriteTransaction() = default;

void Store::WriteTransaction::commit() { transaction_->commit(); }

Store::ReadTransaction::ReadTransaction(Store& store)
    : transaction_(std::make_unique<sqlite::Transaction>(store.impl_->db, sqlite::Transaction::Kind::deferred)) {}

Store::ReadTransaction::~ReadTransaction() = default;

int64_t Store::record_checkin(const NewCheckin& checkin) {
    auto& impl = *impl_;
    auto& insert = impl.statement(impl.insert_checkin,
                                  "INSERT INTO checkins(list_id, position_id, secret, type, datetime, nonce, origin, gate, "
                                  "uploaded, trusted_offline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'local', ?7, ?8, ?9)");
    insert.bind(1, checkin.list_id).bind(2, checkin.position_id).bind(3, checkin.secret)
        .bind(4, checkin_type_name(checkin.type)).bind(5, to_micros(checkin.datetime)).bind(6, checkin.nonce)
        .bind(7, checkin.gate).bind(8, checkin.accepted_by_server).bind(9, checkin.trusted_offline);
    insert.run();
    const int64_t checkin_id = impl.db.last_insert_rowid();
    if (!checkin.accepted_by_server)
        impl.queue_upload("checkin", checkin.event_id, checkin.list_id, checkin_id, checkin.secret, checkin.type,
                          checkin.datetime, checkin.nonce, dump(answers_to_json(checkin.answers)), checkin.gate);
    if (checkin.position_id)
        for (const Answer& answer : checkin.answers) impl.upsert_answer_row(*checkin.position_id, answer);
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
    // A check-in never sent is settled here: its upload leaves the queue and no undo is queued.
    // Once a send was tried it may have reached the server, so the undo must annul it there.
    auto& settle = impl.statement(impl.settle_unsent,
                                  "DELETE FROM upload_queue WHERE checkin_id = ?1 AND kind = 'checkin' "
                                  "AND attempts = 0 AND refused_at IS NULL");
    settle.bind(1, reverted.checkin_id);
    settle.run();
    if (impl.db.changes() > 0) {
        reverted.settled_locally = true;
        reverted.nonce.clear();
        return reverted;
    }
    impl.queue_upload("undo", event_id, list_id, reverted.checkin_id, stored_secret, reverted.type, at, nonce, "{}",
                      std::nullopt);
    return reverted;
}

} // namespace kiosk
