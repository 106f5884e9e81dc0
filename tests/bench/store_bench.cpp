// Store and decision-engine benchmark: prints one JSON object on stdout (progress goes to stderr).
// It calls the app layer (kiosk::App) only; the peer baselines open their own connection.
//
// [SECTION] Synthetic event (pretix API JSON, imported through the app)
// [SECTION] Baseline decision path (fresh prepare per lookup; with or without indexes)
// [SECTION] Main: build, measure, report
//
// What is measured (docs/BENCHMARKS.md, "Store and decision engine"):
//  - import: App::import_pretix_directory, what `kioskctl import DIR` calls: one batch of 100k
//    positions written as pretix API JSON (not timed), then read, parsed, converted and imported
//    in one transaction (timed) into an empty store (the target); the time to build the whole
//    store (default 1M positions) batch by batch, with each batch's read/write syscalls from
//    /proc/self/io; and, at the end, a re-sync: the first batch imported again while the
//    admissions below sit in the check-ins table;
//  - verdict: scan-to-verdict on a fresh connection through App::check, which decides exactly as
//    App::scan does (catalog generation check, list resolution, the snapshot's reads,
//    kiosk::decide) inside a read transaction (BEGIN DEFERRED) and records nothing. Known codes
//    (admitted: every position is paid and has its check-in answers) and unknown codes;
//  - admit with commit: App::scan end to end on tickets never scanned before, so each
//    sample is BEGIN IMMEDIATE, decision, check-in + upload-queue row, COMMIT with
//    synchronous=FULL (an fsync of the WAL). Right before it, the disk's own floor: a 4 KiB
//    append + fdatasync in the same directory;
//  - baselines in the same run: the same decision in the same kind of read transaction with every
//    lookup prepared afresh, once against our indexed tables and once against copies without
//    indexes (CREATE TABLE ... AS SELECT).
// Percentiles are nearest-rank over the sorted samples of std::chrono::steady_clock. The machine's
// load average is reported at start and end: on a shared 2-core box, other processes' CPU and disk
// use show up directly in p99 and in fsync latency. The JSON names no path of the machine.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "kiosk/core/engine.h"
#include "kiosk/core/time.h"
#include "netsync/store/sqlite.h"
#include "tests/bench/bench_stats.h"

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;
using kiosk::bench::Clock;
using kiosk::bench::micros_since;
using kiosk::bench::seconds_since;

nlohmann::ordered_json summarize(std::vector<double> samples) {   // n, p50, p90, p99, max
    return kiosk::bench::summarize(std::move(samples), kiosk::bench::Summary::brief);
}

// [SECTION] Synthetic event

constexpr int64_t kItems[] = {1001, 1002, 1003};
constexpr int64_t kMainList = 2001;         // all products, one entry per ticket
constexpr int64_t kRuleList = 2002;         // JsonLogic rule: fewer than 3 entries
constexpr int64_t kCompanyQuestion = 3001;  // S, required, asked at check-in, answered on every position
constexpr int64_t kMealQuestion = 3002;     // C, required, asked at check-in, answered on every position
constexpr int64_t kMealOptions[] = {4001, 4002};
constexpr size_t kSecretLength = 32;
constexpr const char* kOrganizer = "bench-org";

// All secrets in one flat buffer: 1M std::strings would cost more memory than the data.
struct Secrets {
    std::string bytes;
    size_t count() const { return bytes.size() / kSecretLength; }
    std::string_view at(size_t i) const { return std::string_view(bytes).substr(i * kSecretLength, kSecretLength); }
};

std::string random_secret(std::mt19937_64& random) {
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    std::string secret(kSecretLength, ' ');
    for (char& c : secret) c = alphabet[pick(random)];
    return secret;
}

// pretix-looking five-character codes, distinct for distinct n < 36^5 (7919 is coprime to 36).
std::string order_code(int64_t n) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    constexpr int64_t space = 36LL * 36 * 36 * 36 * 36;
    int64_t value = (n * 7919) % space;
    std::string code(5, 'A');
    for (size_t i = 0; i < code.size(); ++i) {
        code[code.size() - 1 - i] = alphabet[static_cast<size_t>(value % 36)];
        value /= 36;
    }
    return code;
}

// The event as the pretix REST API gives it: event.json and the list pages of its items, check-in
// lists and questions (the layout `kioskctl import DIR` reads through App::import_pretix_directory).
// Written once; each batch then replaces orders.json beside them.
ojson list_page(ojson results) {
    const size_t count = results.size();
    return {{"count", count}, {"next", nullptr}, {"previous", nullptr}, {"results", std::move(results)}};
}

void write_json(const std::filesystem::path& file, const ojson& value) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << value.dump();
    if (!out.flush()) throw std::runtime_error("cannot write " + file.filename().string());
}

void write_catalog(const std::filesystem::path& dir) {
    write_json(dir / "event.json", {{"name", {{"en", "Benchmark conference"}}}, {"slug", "bench"},
                                    {"timezone", "Europe/Berlin"}, {"date_from", "2025-06-01T09:00:00+02:00"},
                                    {"date_to", "2025-06-03T18:00:00+02:00"}, {"has_subevents", false},
                                    {"valid_keys", {{"pretix_sig1", ojson::array()}}}});
    const char* names[] = {"Conference ticket", "Workshop ticket", "Speaker pass"};
    ojson items = ojson::array();
    for (size_t i = 0; i < std::size(kItems); ++i)
        items.push_back({{"id", kItems[i]}, {"name", {{"en", names[i]}}}, {"admission", true},
                         {"variations", ojson::array()}});
    write_json(dir / "items.json", list_page(std::move(items)));
    ojson lists = ojson::array();
    lists.push_back({{"id", kMainList}, {"name", "Main entrance"}, {"all_products", true},
                     {"allow_multiple_entries", false}, {"rules", ojson::object()}});
    lists.push_back({{"id", kRuleList}, {"name", "Workshops (3 entries)"}, {"all_products", true},
                     {"allow_multiple_entries", true}, {"rules", {{"<", {{{"var", "entries_number"}}, 3}}}}});
    write_json(dir / "checkinlists.json", list_page(std::move(lists)));
    const std::vector<int64_t> all_items(std::begin(kItems), std::end(kItems));
    ojson questions = ojson::array();
    questions.push_back({{"id", kCompanyQuestion}, {"question", {{"en", "Company"}}}, {"type", "S"},
                         {"required", true}, {"ask_during_checkin", true}, {"position", 1}, {"items", all_items},
                         {"options", ojson::array()}});
    ojson meal_options = ojson::array();
    meal_options.push_back({{"id", kMealOptions[0]}, {"identifier", "VEG"}, {"answer", {{"en", "Vegetarian"}}}});
    meal_options.push_back({{"id", kMealOptions[1]}, {"identifier", "MEAT"}, {"answer", {{"en", "Meat"}}}});
    questions.push_back({{"id", kMealQuestion}, {"question", {{"en", "Meal"}}}, {"type", "C"}, {"required", true},
                         {"ask_during_checkin", true}, {"position", 2}, {"items", all_items},
                         {"options", std::move(meal_options)}});
    write_json(dir / "questions.json", list_page(std::move(questions)));
}

// One batch as orders.json: `count` positions from `first_position_id` on, in orders of one or two
// positions (3 of every 7 orders have two), i.e. 70k orders per 100k positions. Every order is paid
// and every position answers both check-in questions. Only the fields the importer reads are
// written: a real pretix order has many more (payments, fees, invoice address, URLs), so real pages
// take longer to read than these. The same arguments give the same batch, so a batch can be
// imported again (a re-sync). Returns the number of orders.
size_t write_batch_orders(const std::filesystem::path& dir, int64_t first_position_id, size_t count,
                          int64_t first_order, uint64_t seed, Secrets* secrets) {
    std::mt19937_64 random(seed);
    ojson orders = ojson::array();
    size_t made = 0;
    for (int64_t order_number = first_order; made < count; ++order_number) {
        const std::string code = order_code(order_number);
        ojson positions = ojson::array();
        const size_t size = std::min<size_t>(order_number % 7 < 3 ? 2 : 1, count - made);
        for (size_t p = 0; p < size; ++p) {
            const int64_t id = first_position_id + static_cast<int64_t>(made);
            const std::string secret = random_secret(random);
            const int64_t meal = kMealOptions[static_cast<size_t>(id) % 2];
            ojson answers = ojson::array();
            answers.push_back({{"question", kCompanyQuestion}, {"answer", "Company " + std::to_string(id % 997)},
                               {"options", ojson::array()}});
            answers.push_back({{"question", kMealQuestion}, {"answer", meal == kMealOptions[0] ? "Vegetarian" : "Meat"},
                               {"options", ojson::array({meal})}});
            // (appending, not "a" + to_string(): GCC 12 reports a false -Wrestrict on the latter)
            std::string attendee_email = std::string("a").append(std::to_string(id)).append("@example.org");
            positions.push_back({{"id", id}, {"order", code}, {"positionid", p + 1},
                                 {"item", kItems[static_cast<size_t>(id) % std::size(kItems)]}, {"variation", nullptr},
                                 {"subevent", nullptr}, {"secret", secret},
                                 {"attendee_name", "Attendee " + std::to_string(id)},
                                 {"attendee_email", std::move(attendee_email)}, {"addon_to", nullptr},
                                 {"blocked", nullptr}, {"canceled", false}, {"answers", std::move(answers)},
                                 {"checkins", ojson::array()}});
            if (secrets != nullptr) secrets->bytes += secret;
            ++made;
        }
        orders.push_back({{"code", code}, {"status", "p"},
                          {"email", "buyer" + std::to_string(order_number) + "@example.org"}, {"locale", "en"},
                          {"positions", std::move(positions)}});
    }
    const size_t order_count = orders.size();
    write_json(dir / "orders.json", list_page(std::move(orders)));
    return order_count;
}

// [SECTION] Baseline decision path
//
// The peer: a second connection does the same lookups with raw sqlite3 calls, preparing every
// statement afresh (sqlite3_prepare_v2 + bind + step + finalize per lookup), where the app keeps
// its statements prepared on its connection. Values are still bound, never spliced into SQL; the
// table names come from the two fixed sets below. The connection and its read transaction are the
// store's own RAII types (sqlite::Database, sqlite::Transaction), so only the lookups differ.

struct Stmt { void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); } };
using StmtHandle = std::unique_ptr<sqlite3_stmt, Stmt>;

[[noreturn]] void sqlite_fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error(what + ": " + sqlite3_errmsg(db));
}

StmtHandle prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) sqlite_fail(db, sql);
    return StmtHandle(raw);
}

void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* stmt, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return text != nullptr ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, column))) : std::string();
}

std::optional<int64_t> column_optional(sqlite3_stmt* stmt, int column) {
    if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt, column);
}

std::optional<kiosk::Timestamp> column_time(sqlite3_stmt* stmt, int column) {
    const auto micros = column_optional(stmt, column);
    if (!micros) return std::nullopt;
    return kiosk::Timestamp{std::chrono::microseconds{*micros}};
}

struct BaselineSql {
    const char* list;
    const char* generation;
    const char* by_secret;
    const char* answers;
    const char* order;
    const char* checkins;
    const char* blocked;
    const char* revoked;
    const char* unsynced;
};

#define KIOSK_BENCH_POSITION_COLUMNS                                                                                  \
    "id, event_id, order_code, positionid, item, variation, subevent, secret, attendee_name, attendee_email, "        \
    "addon_to, blocked, valid_from, valid_until, canceled"
#define KIOSK_BENCH_CHECKIN_TAIL "reverted_at IS NULL ORDER BY datetime, id"

constexpr BaselineSql kIndexedSql = {
    "SELECT event_id, model FROM checkin_lists WHERE id = ?1",
    "SELECT value FROM meta WHERE key = 'catalog_generation'",
    "SELECT " KIOSK_BENCH_POSITION_COLUMNS " FROM positions WHERE secret = ?1",
    "SELECT question_id, answer, options FROM answers WHERE position_id = ?1",
    "SELECT status, require_approval, valid_if_pending, checkin_attention, email, locale FROM orders "
    "WHERE event_id = ?1 AND code = ?2",
    "SELECT list_id, type, datetime, gate FROM checkins WHERE list_id = ?1 AND position_id = ?2 AND "
    KIOSK_BENCH_CHECKIN_TAIL,
    "SELECT 1 FROM blocked_secrets WHERE event_id = ?1 AND secret = ?2",
    "SELECT 1 FROM revoked_secrets WHERE event_id = ?1 AND secret = ?2",
    "SELECT list_id, type, datetime, gate FROM checkins WHERE list_id = ?1 AND secret = ?2 AND position_id IS NULL "
    "AND " KIOSK_BENCH_CHECKIN_TAIL,
};
// The hot tables copied without any index or key: what a schema without our indexes would do.
constexpr BaselineSql kUnindexedSql = {
    kIndexedSql.list,
    kIndexedSql.generation,
    "SELECT " KIOSK_BENCH_POSITION_COLUMNS " FROM positions_naive WHERE secret = ?1",
    "SELECT question_id, answer, options FROM answers_naive WHERE position_id = ?1",
    "SELECT status, require_approval, valid_if_pending, checkin_attention, email, locale FROM orders_naive "
    "WHERE event_id = ?1 AND code = ?2",
    kIndexedSql.checkins,
    kIndexedSql.blocked,
    kIndexedSql.revoked,
    kIndexedSql.unsynced,
};
#undef KIOSK_BENCH_POSITION_COLUMNS
#undef KIOSK_BENCH_CHECKIN_TAIL

std::vector<kiosk::Checkin> baseline_checkins(sqlite3_stmt* stmt) {
    std::vector<kiosk::Checkin> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        kiosk::Checkin checkin;
        checkin.list = sqlite3_column_int64(stmt, 0);
        checkin.type = kiosk::checkin_type_from_name(column_text(stmt, 1)).value_or(kiosk::CheckinType::entry);
        checkin.datetime = kiosk::Timestamp{std::chrono::microseconds{sqlite3_column_int64(stmt, 2)}};
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) checkin.gate = column_text(stmt, 3);
        out.push_back(std::move(checkin));
    }
    return out;
}

// The baseline looks the list up as the app does (a row by id); the list object itself, like the
// rest of the catalog, comes already decoded from the app's cache.
kiosk::Verdict decide_baseline(sqlite3* db, const BaselineSql& sql,
                               const std::shared_ptr<const kiosk::EventCatalog>& catalog,
                               const kiosk::ScanRequest& request) {
    kiosk::DecisionSnapshot snapshot;
    for (int64_t list_id : request.lists) {
        auto query = prepare(db, sql.list);
        sqlite3_bind_int64(query.get(), 1, list_id);
        if (sqlite3_step(query.get()) != SQLITE_ROW) throw std::runtime_error("baseline: list not found");
        snapshot.lists.push_back(*catalog->list(list_id));
    }
    {
        auto query = prepare(db, sql.generation);
        sqlite3_step(query.get());
    }
    snapshot.scanned = kiosk::clean_scanned_text(request.raw);
    const std::string& secret = snapshot.scanned.text;
    const kiosk::CheckinList& list = snapshot.lists.front();
    snapshot.events[list.event_id].catalog = catalog;

    std::vector<kiosk::Position> positions;
    {
        auto query = prepare(db, sql.by_secret);
        bind_text(query.get(), 1, secret);
        while (sqlite3_step(query.get()) == SQLITE_ROW) {
            sqlite3_stmt* row = query.get();
            kiosk::Position position;
            position.id = sqlite3_column_int64(row, 0);
            position.event_id = sqlite3_column_int64(row, 1);
            position.order = column_text(row, 2);
            position.positionid = sqlite3_column_int64(row, 3);
            position.item = sqlite3_column_int64(row, 4);
            position.variation = column_optional(row, 5);
            position.subevent = column_optional(row, 6);
            position.secret = column_text(row, 7);
            position.attendee_name = column_text(row, 8);
            position.attendee_email = column_text(row, 9);
            position.addon_to = column_optional(row, 10);
            position.blocked = sqlite3_column_int64(row, 11) != 0;
            position.valid_from = column_time(row, 12);
            position.valid_until = column_time(row, 13);
            position.canceled = sqlite3_column_int64(row, 14) != 0;
            positions.push_back(std::move(position));
        }
    }
    for (kiosk::Position& position : positions) {
        auto answers = prepare(db, sql.answers);
        sqlite3_bind_int64(answers.get(), 1, position.id);
        while (sqlite3_step(answers.get()) == SQLITE_ROW) {
            kiosk::Answer answer;
            answer.question = sqlite3_column_int64(answers.get(), 0);
            answer.answer = column_text(answers.get(), 1);
            for (const auto& option : json::parse(column_text(answers.get(), 2))) answer.options.push_back(option.get<int64_t>());
            position.answers.push_back(std::move(answer));
        }
    }
    for (kiosk::Position& position : positions) {
        if (position.event_id != list.event_id) continue;
        auto order_query = prepare(db, sql.order);
        sqlite3_bind_int64(order_query.get(), 1, position.event_id);
        bind_text(order_query.get(), 2, position.order);
        if (sqlite3_step(order_query.get()) != SQLITE_ROW) continue;
        kiosk::Order order;
        order.code = position.order;
        order.event_id = position.event_id;
        order.status = kiosk::order_status_from_code(column_text(order_query.get(), 0)).value_or(kiosk::OrderStatus::paid);
        order.require_approval = sqlite3_column_int64(order_query.get(), 1) != 0;
        order.valid_if_pending = sqlite3_column_int64(order_query.get(), 2) != 0;
        order.checkin_attention = sqlite3_column_int64(order_query.get(), 3) != 0;
        order.email = column_text(order_query.get(), 4);
        order.locale = column_text(order_query.get(), 5);
        auto checkins = prepare(db, sql.checkins);
        sqlite3_bind_int64(checkins.get(), 1, list.id);
        sqlite3_bind_int64(checkins.get(), 2, position.id);
        kiosk::CandidateTicket ticket{std::move(position), std::move(order), baseline_checkins(checkins.get())};
        snapshot.matches.push_back(std::move(ticket));
    }
    for (auto& [event_id, data] : snapshot.events) {
        auto blocked = prepare(db, sql.blocked);
        sqlite3_bind_int64(blocked.get(), 1, event_id);
        bind_text(blocked.get(), 2, secret);
        data.secret_blocked = sqlite3_step(blocked.get()) == SQLITE_ROW;
        if (!snapshot.matches.empty()) continue;
        auto revoked = prepare(db, sql.revoked);
        sqlite3_bind_int64(revoked.get(), 1, event_id);
        bind_text(revoked.get(), 2, secret);
        data.secret_revoked = sqlite3_step(revoked.get()) == SQLITE_ROW;
        auto unsynced = prepare(db, sql.unsynced);
        sqlite3_bind_int64(unsynced.get(), 1, list.id);
        bind_text(unsynced.get(), 2, secret);
        data.unsynced_checkins = baseline_checkins(unsynced.get());
    }
    return kiosk::decide(snapshot, request);
}

// [SECTION] Main

struct Options {
    size_t positions = 1'000'000;
    size_t batch = 100'000;
    size_t samples = 20'000;    // verdicts of known and of unknown codes
    size_t admits = 2'000;      // admissions with commit
    size_t naive = 50;          // baseline verdicts without indexes (each scans the tables)
    size_t fsyncs = 200;        // 4 KiB append + fdatasync in the store's directory: the disk's floor
    std::filesystem::path dir;
    std::filesystem::path raw;  // optional: every sample of every row, for plots and outlier hunts
    bool keep = false;
};

size_t parse_count(std::string_view flag, const char* text) {
    size_t value = 0;
    const std::string_view view(text);
    const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (error != std::errc() || end != view.data() + view.size())
        throw std::invalid_argument(std::string(flag) + " expects a whole number, got \"" + std::string(view) + "\"");
    return value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
            return argv[++i];
        };
        if (flag == "--positions") options.positions = parse_count(flag, value());
        else if (flag == "--batch") options.batch = parse_count(flag, value());
        else if (flag == "--samples") options.samples = parse_count(flag, value());
        else if (flag == "--admits") options.admits = parse_count(flag, value());
        else if (flag == "--naive") options.naive = parse_count(flag, value());
        else if (flag == "--fsyncs") options.fsyncs = parse_count(flag, value());
        else if (flag == "--dir") options.dir = value();
        else if (flag == "--raw") options.raw = value();
        else if (flag == "--keep") options.keep = true;
        else if (flag == "--help" || flag == "-h") {
            std::cout << "usage: store_bench [--positions N] [--batch N] [--samples N] [--admits N] [--naive N]\n"
                         "                   [--fsyncs N] [--dir PATH] [--keep] [--raw FILE]\n";
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown flag " + std::string(flag) + " (see --help)");
        }
    }
    if (options.positions == 0 || options.batch == 0) throw std::invalid_argument("--positions and --batch must be > 0");
    return options;
}

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
        }
    return "unknown";
}

// Syscall and byte counters of this process (Linux /proc/self/io): where an import's time goes.
struct IoCounters {
    int64_t rchar = 0, wchar = 0, syscr = 0, syscw = 0;
    static IoCounters now() {
        IoCounters out;
        std::ifstream io("/proc/self/io");
        std::string key;
        int64_t value = 0;
        while (io >> key >> value) {
            if (key == "rchar:") out.rchar = value;
            else if (key == "wchar:") out.wchar = value;
            else if (key == "syscr:") out.syscr = value;
            else if (key == "syscw:") out.syscw = value;
        }
        return out;
    }
    nlohmann::ordered_json since(const IoCounters& before) const {
        return {{"read_calls", syscr - before.syscr}, {"read_mb", static_cast<double>(rchar - before.rchar) / 1e6},
                {"write_calls", syscw - before.syscw}, {"write_mb", static_cast<double>(wchar - before.wchar) / 1e6}};
    }
};

std::string loadavg() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

uintmax_t db_bytes(const std::filesystem::path& file) {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code error;
        const auto size = std::filesystem::file_size(file.string() + suffix, error);
        if (!error) total += size;
    }
    return total;
}

// What one durable commit cannot beat on this disk: append 4 KiB (a WAL frame) and fdatasync.
std::vector<double> fsync_floor(const std::filesystem::path& file, size_t count) {
    std::vector<double> out;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + file.string());
    const std::string page(4096, 'x');
    for (size_t i = 0; i < count; ++i) {
        const auto start = Clock::now();
        const auto written = ::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i * page.size()));
        const int synced = ::fdatasync(fd);
        out.push_back(micros_since(start));
        if (written != static_cast<ssize_t>(page.size()) || synced != 0) {
            ::close(fd);
            throw std::runtime_error("write + fdatasync failed on " + file.string());
        }
    }
    ::close(fd);
    std::filesystem::remove(file);
    return out;
}

// `want` distinct random indexes into [0, count), in the order drawn.
std::vector<size_t> pick_distinct(size_t count, size_t want, std::mt19937_64& random) {
    want = std::min(want, count);
    std::unordered_set<size_t> seen;
    std::vector<size_t> out;
    std::uniform_int_distribution<size_t> pick(0, count - 1);
    while (out.size() < want)
        if (const size_t i = pick(random); seen.insert(i).second) out.push_back(i);
    return out;
}

int run(const Options& options) {
    namespace fs = std::filesystem;
    const bool own_dir = options.dir.empty();
    const fs::path dir = own_dir ? fs::temp_directory_path() / ("kiosk-store-bench-" + std::to_string(::getpid())) : options.dir;
    fs::create_directories(dir);
    const fs::path file = dir / "store.sqlite";
    if (fs::exists(file)) throw std::runtime_error(file.string() + " already exists; pick another --dir");
    struct Cleanup {
        fs::path dir, file;
        bool own_dir, keep;
        ~Cleanup() {
            if (keep) return;
            std::error_code ignored;
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(file.string() + suffix, ignored);
            fs::remove_all(dir / "pretix-event", ignored);
            if (own_dir) fs::remove(dir, ignored);
        }
    } cleanup{dir, file, own_dir, options.keep};

    constexpr uint64_t kSeed = 20250601;
    std::mt19937_64 random(kSeed - 1);  // picks and unknown codes; batch b uses kSeed + b
    // The batch being imported, as pretix API JSON: the catalog once, orders.json per batch.
    const fs::path event_dir = dir / "pretix-event";
    fs::create_directories(event_dir);
    write_catalog(event_dir);
    uint64_t batch_index = 0;
    nlohmann::ordered_json report;
    report["benchmark"] = "store_bench";
    report["machine"] = {{"nproc", std::thread::hardware_concurrency()}, {"cpu", cpu_model()},
                         {"sqlite", sqlite3_libversion()}};
    // Where the store was, without the machine's path (the committed JSON carries none).
    report["dir"] = own_dir ? "<temporary directory>" : "<--dir>";
    report["loadavg_start"] = loadavg();
    report["positions"] = options.positions;

    // --- Build through App::import_pretix_directory (what `kioskctl import` calls), one call and
    // one transaction per batch. Each timed call reads and parses orders.json, converts it and
    // imports it; writing the JSON is not timed.
    Secrets secrets;
    secrets.bytes.reserve(options.positions * kSecretLength);
    std::vector<double> batch_seconds;
    nlohmann::ordered_json batch_io = nlohmann::ordered_json::array();
    double generate_seconds = 0;
    int64_t event_id = 0;
    auto import_batch = [&](kiosk::App& app) {
        const IoCounters io_before = IoCounters::now();
        const auto start = Clock::now();
        const auto imported = app.import_pretix_directory(event_dir, kOrganizer);
        const double seconds = seconds_since(start);
        if (!imported) throw std::runtime_error("import refused: " + imported.error());
        return std::tuple(seconds, IoCounters::now().since(io_before), imported->summary);
    };
    {
        kiosk::App builder(file.string());
        int64_t next_order = 1;
        for (size_t done = 0; done < options.positions; ++batch_index) {
            const size_t count = std::min(options.batch, options.positions - done);
            const auto start = Clock::now();
            next_order += static_cast<int64_t>(write_batch_orders(event_dir, static_cast<int64_t>(done) + 1, count,
                                                                  next_order, kSeed + batch_index, &secrets));
            generate_seconds += seconds_since(start);
            const auto [seconds, io, summary] = import_batch(builder);
            batch_seconds.push_back(seconds);
            batch_io.push_back(io);
            event_id = summary.event_id;
            done += count;
            std::cerr << "imported " << done << " positions (" << summary.orders << " orders in this batch, "
                      << seconds << " s)\n";
        }
    }   // closing the last connection checkpoints the WAL into the main file
    double build_seconds = 0;
    for (double s : batch_seconds) build_seconds += s;
    report["batch_positions"] = std::min(options.batch, options.positions);
    const bool first_batch_is_100k = std::min(options.batch, options.positions) == 100'000;
    report["import_100k_s"] =
        first_batch_is_100k ? nlohmann::ordered_json(batch_seconds.front()) : nlohmann::ordered_json(nullptr);
    report["import_first_batch_s"] = batch_seconds.front();
    report["import_batches_s"] = batch_seconds;
    report["import_batches_io"] = batch_io;
    report["build_s"] = build_seconds;
    report["generate_s"] = generate_seconds;   // making and writing the JSON (not in any import time)
    report["orders_json_bytes_last_batch"] = fs::file_size(event_dir / "orders.json");
    report["db_bytes"] = db_bytes(file);

    // --- Measurements on a fresh connection, as the kiosk process would have.
    kiosk::App app(file.string());
    const kiosk::Timestamp now = *kiosk::parse_iso8601("2025-06-01T10:00:00+02:00");
    auto request_for = [&](std::string_view raw) {
        kiosk::ScanRequest request;
        request.raw = std::string(raw);
        request.lists = {kRuleList};
        request.type = kiosk::CheckinType::entry;
        request.now = now;
        return request;
    };

    const size_t picks = options.samples + options.admits + options.naive;
    const std::vector<size_t> chosen = pick_distinct(secrets.count(), picks, random);
    const auto verdict_end = chosen.begin() + static_cast<std::ptrdiff_t>(std::min(options.samples, chosen.size()));
    const auto admit_end = verdict_end + static_cast<std::ptrdiff_t>(
                                             std::min<size_t>(options.admits, static_cast<size_t>(chosen.end() - verdict_end)));
    const std::vector<size_t> verdict_picks(chosen.begin(), verdict_end);
    const std::vector<size_t> admit_picks(verdict_end, admit_end);
    const std::vector<size_t> naive_picks(admit_end, chosen.end());
    std::vector<std::string> unknown;
    for (size_t i = 0; i < options.samples; ++i) unknown.push_back(random_secret(random));

    std::map<std::string, int> outcomes;  // verdict status/reason tally, to show what was measured
    auto tally = [&](const std::string& row, const kiosk::Verdict& verdict) {
        std::string key = row + ":" + std::string(kiosk::verdict_status_name(verdict.status));
        if (verdict.reason != kiosk::RejectReason::none) key += "/" + std::string(kiosk::reject_reason_name(verdict.reason));
        ++outcomes[key];
    };
    auto verdict_sample = [&](std::string_view code, const std::string& row) {
        const kiosk::ScanRequest request = request_for(code);
        const auto start = Clock::now();
        const auto verdict = app.check(request);
        const double us = micros_since(start);
        if (!verdict) throw std::runtime_error("check refused: " + verdict.error());
        tally(row, *verdict);
        return us;
    };

    // Warm the catalog cache and the statement cache the way the first scans of a day would.
    for (int i = 0; i < 50; ++i) verdict_sample(random_secret(random), "warmup");
    outcomes.clear();

    std::cerr << "measuring " << verdict_picks.size() << " verdicts of known codes\n";
    std::vector<double> verdict_us, invalid_us, admit_us, naive_us, reprepare_us;
    for (size_t i : verdict_picks) verdict_us.push_back(verdict_sample(secrets.at(i), "verdict"));
    std::cerr << "measuring " << unknown.size() << " verdicts of unknown codes\n";
    for (const std::string& code : unknown) invalid_us.push_back(verdict_sample(code, "verdict_invalid"));

    // The disk's fsync latency varies with what else the machine (or its host) writes: probe it
    // right before the admissions so the two rows describe the same conditions.
    std::cerr << "measuring " << options.fsyncs << " fdatasync calls in " << dir << "\n";
    const std::vector<double> fsync_us = fsync_floor(dir / "fsync-probe", options.fsyncs);
    std::cerr << "measuring " << admit_picks.size() << " admissions with commit\n";
    for (size_t i : admit_picks) {
        const kiosk::ScanRequest request = request_for(secrets.at(i));
        const auto start = Clock::now();
        const auto scanned = app.scan(request);
        admit_us.push_back(micros_since(start));
        if (!scanned) throw std::runtime_error("scan refused: " + scanned.error());
        const kiosk::ScanOutcome& outcome = *scanned;
        tally("admit_commit", outcome.verdict);
        if (!outcome.checkin) throw std::runtime_error("an admission sample was not admitted; the benchmark data is wrong");
    }

    // --- Baselines on their own connection; the unindexed copies are made after db_bytes was taken.
    kiosk::sqlite::Database peer(file.string());
    sqlite3* db = peer.handle();
    std::shared_ptr<const kiosk::EventCatalog> event_catalog;
    for (const kiosk::ListSummary& summary : app.lists())
        if (summary.catalog->event.id == event_id) event_catalog = summary.catalog;
    auto baseline_sample = [&](std::string_view code, const BaselineSql& sql, const std::string& row) {
        const kiosk::ScanRequest request = request_for(code);
        const auto start = Clock::now();
        kiosk::Verdict verdict;
        double us = 0;
        {
            // A read transaction, as App::check takes (BEGIN DEFERRED); rolled back at the end of
            // the block, after the sample's time is taken.
            const kiosk::sqlite::Transaction transaction(peer, kiosk::sqlite::Transaction::Kind::deferred);
            verdict = decide_baseline(db, sql, event_catalog, request);
            us = micros_since(start);
        }
        tally(row, verdict);
        return us;
    };
    std::cerr << "measuring " << verdict_picks.size() << " verdicts with a fresh prepare per lookup\n";
    for (size_t i : verdict_picks) reprepare_us.push_back(baseline_sample(secrets.at(i), kIndexedSql, "reprepare_verdict"));

    std::cerr << "copying positions, answers and orders without indexes\n";
    const auto start = Clock::now();
    peer.exec("CREATE TABLE positions_naive AS SELECT * FROM positions; "
              "CREATE TABLE answers_naive AS SELECT * FROM answers; "
              "CREATE TABLE orders_naive AS SELECT * FROM orders;");
    report["naive_copy_s"] = seconds_since(start);
    std::cerr << "measuring " << naive_picks.size() << " verdicts without indexes, fresh prepare per lookup\n";
    for (size_t i : naive_picks) naive_us.push_back(baseline_sample(secrets.at(i), kUnindexedSql, "naive_verdict"));

    // --- A re-sync during the event: the first batch imported again, now with the admissions above
    // in the check-ins table (an import replaces each position's server check-ins).
    {
        const size_t count = std::min(options.batch, options.positions);
        write_batch_orders(event_dir, 1, count, 1, kSeed, nullptr);
        std::cerr << "re-importing the first " << count << " positions with " << admit_us.size()
                  << " check-ins in the store\n";
        const auto [seconds, io, summary] = import_batch(app);
        report["reimport_first_batch_s"] = seconds;
        report["reimport_first_batch_io"] = io;
        report["reimport_checkins_in_store"] = admit_us.size();
    }

    report["verdict_us"] = summarize(verdict_us);
    report["verdict_invalid_us"] = summarize(invalid_us);
    report["admit_commit_us"] = summarize(admit_us);
    report["reprepare_verdict_us"] = summarize(reprepare_us);
    report["naive_verdict_us"] = summarize(naive_us);
    report["fsync_floor_us"] = summarize(fsync_us);
    report["outcomes"] = outcomes;
    report["loadavg_end"] = loadavg();
    report["targets"] = {{"verdict_p99_us", 1000}, {"admit_commit_p99_us", 5000}, {"import_100k_s", 5}};
    std::cout << report.dump(2) << std::endl;
    if (!options.raw.empty()) {
        std::ofstream raw(options.raw);
        raw << nlohmann::ordered_json{{"verdict_us", verdict_us}, {"verdict_invalid_us", invalid_us},
                                      {"admit_commit_us", admit_us}, {"reprepare_verdict_us", reprepare_us},
                                      {"naive_verdict_us", naive_us}, {"fsync_floor_us", fsync_us}}
                   .dump()
            << "\n";
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "store_bench: " << e.what() << "\n";
        return 1;
    }
}
