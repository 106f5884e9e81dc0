#include "netsync/store/sqlite.h"

#include <atomic>
#include <thread>

namespace kiosk::sqlite {

namespace {

// Connections of this process inside BEGIN IMMEDIATE (see writers_waiting).
std::atomic<int> writers_beginning{0};

// Counts a connection in writers_beginning for as long as it exists.
struct BeginningWriter {
    BeginningWriter() { writers_beginning.fetch_add(1, std::memory_order_relaxed); }
    ~BeginningWriter() { writers_beginning.fetch_sub(1, std::memory_order_relaxed); }
    BeginningWriter(const BeginningWriter&) = delete;
    BeginningWriter& operator=(const BeginningWriter&) = delete;
};

int wait_for_writer(void* context, int tries) {
    auto& wait = *static_cast<BusyWait*>(context);
    const auto now = std::chrono::steady_clock::now();
    if (tries == 0) wait.started = now;
    if (now - wait.started >= wait.timeout) return 0;   // give up: SQLITE_BUSY reaches the caller
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    return 1;
}

} // namespace

int writers_waiting() { return writers_beginning.load(std::memory_order_relaxed); }

Database::Database(const std::string& path, int busy_timeout_ms)
    : busy_(std::make_unique<BusyWait>(BusyWait{std::chrono::milliseconds(busy_timeout_ms), {}})) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    db_.reset(raw); // even a failed open returns a handle that must be closed
    if (rc != SQLITE_OK) fail("cannot open database " + path, rc);
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_handler(raw, wait_for_writer, busy_.get());
}

void Database::fail(const std::string& context, int code) const {
    const char* detail = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(code);
    throw Error(context + ": " + (detail ? detail : "unknown SQLite error"), code);
}

void Database::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string detail = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw Error(std::string("SQL failed: ") + detail, rc);
    }
}

Statement Database::prepare(std::string_view sql) const { return Statement(*this, sql); }
int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
int Database::changes() const { return sqlite3_changes(db_.get()); }

Statement::Statement(const Database& db, std::string_view sql) : db_(&db) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) db.fail("cannot prepare statement", rc);
}

Statement& Statement::bind(int index, int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
    if (rc != SQLITE_OK) db_->fail("bind failed", rc);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    const int rc = sqlite3_bind_double(stmt_.get(), index, value);
    if (rc != SQLITE_OK) db_->fail("bind failed", rc);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    const int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail("bind failed", rc);
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    const int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail("bind failed", rc);
    return *this;
}

Statement& Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(stmt_.get(), index);
    if (rc != SQLITE_OK) db_->fail("bind failed", rc);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_.get());
    db_->fail("statement failed", rc);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_.get(), column); }

std::string Statement::text(int column) const {
    // Blob access keeps embedded NULs and invalid UTF-8 exactly as stored.
    const void* data = sqlite3_column_blob(stmt_.get(), column);
    const int size = sqlite3_column_bytes(stmt_.get(), column);
    if (data == nullptr || size <= 0) return {};
    return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

std::optional<int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
    if (kind == Kind::deferred) {
        db_.exec("BEGIN DEFERRED");
        return;
    }
    const BeginningWriter beginning;
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

Savepoint::Savepoint(Database& db) : db_(db) { db_.exec("SAVEPOINT record"); }

Savepoint::~Savepoint() {
    if (open_) {
        sqlite3_exec(db_.handle(), "ROLLBACK TO record", nullptr, nullptr, nullptr);
        sqlite3_exec(db_.handle(), "RELEASE record", nullptr, nullptr, nullptr);
    }
}

void Savepoint::release() {
    db_.exec("RELEASE record");
    open_ = false;
}

} // namespace kiosk::sqlite
