// RAII over the SQLite C API, private to netsync (sqlite3.h stays out of public headers).
//
// Database owns a connection, Statement a prepared statement, Transaction a BEGIN..COMMIT that
// rolls back in its destructor unless committed. Thread rule: a Database and its Statements belong
// to one thread; every thread opens its own connection (WAL lets them read while one writes).
// Failures of the machine (disk full, corrupt file, I/O) throw StoreError; "no row" is a value.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "netsync/store/store_error.h"

namespace kiosk::sqlite {

class Error : public StoreError {
public:
    Error(const std::string& what, int code) : StoreError(what), code_(code) {}
    int code() const { return code_; }
private:
    int code_;
};

struct ConnectionCloser { void operator()(sqlite3* db) const { sqlite3_close_v2(db); } };
struct StatementFinalizer { void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); } };

class Statement;

// How a connection waits for another writer: polls every 100 us up to the timeout. SQLite's own
// busy timeout sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries, so a scan that met a sync page
// being written woke up to 8 ms after the page had committed; the scan's wait is now the page's.
struct BusyWait {
    std::chrono::milliseconds timeout{30000};
    std::chrono::steady_clock::time_point started{};   // of the current wait (SQLite counts its tries)
};

// How many connections of this process are in BEGIN IMMEDIATE right now, most of them waiting for
// another's write lock. A long writer (a sync applying several pages in one transaction) asks
// between pages and commits early, so an admission waits for one page rather than the whole batch.
// Connections of other processes are not counted; their wait is bounded by the writer's own budget.
int writers_waiting();

class Database {
public:
    // Opens or creates the file. `busy_timeout_ms` is how long a write waits for another writer.
    explicit Database(const std::string& path, int busy_timeout_ms = 30000);

    void exec(const char* sql);                            // fixed SQL only: no values in it
    Statement prepare(std::string_view sql) const;
    int64_t last_insert_rowid() const;
    int changes() const;
    sqlite3* handle() const { return db_.get(); }
    [[noreturn]] void fail(const std::string& context, int code) const;

private:
    std::unique_ptr<BusyWait> busy_;        // before db_: the connection is closed before its handler's state goes
    std::unique_ptr<sqlite3, ConnectionCloser> db_;
};

// A prepared statement with 1-based binds and 0-based columns, reset for reuse after each run.
class Statement {
public:
    Statement(const Database& db, std::string_view sql);

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value ? 1 : 0)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);     // bytes kept as they are
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);
    template <class T> Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }

    bool step();                                           // true while a row is available
    void run();                                            // step to completion, then reset
    void reset();                                          // ready to run again; binds cleared

    bool is_null(int column) const;
    int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::optional<int64_t> optional_int64(int column) const;

private:
    const Database* db_;
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

// BEGIN IMMEDIATE takes the write lock up front, so a decision's reads and its writes cannot be
// interleaved with another writer's (two kiosks on one store never admit a ticket twice).
class Transaction {
public:
    enum class Kind { deferred, immediate };
    explicit Transaction(Database& db, Kind kind = Kind::immediate);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool open_ = true;
};

// A savepoint inside a transaction, Transaction's nested form (these two types are the only code
// that writes transaction SQL): a catalog object, a chunk of orders, or one order after a refusal
// in its chunk is written under one, so what the store refuses is undone alone and the rest still
// lands. Rolled back and released in its destructor unless released.
class Savepoint {
public:
    explicit Savepoint(Database& db);
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release();

private:
    Database& db_;
    bool open_ = true;
};

} // namespace kiosk::sqlite
