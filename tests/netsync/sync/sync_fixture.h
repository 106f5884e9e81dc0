// Shared set-up of the sync tests: a pretix emulator with a small generated event, a kiosk store in
// a temporary directory, and the ways the tests reach both (the Downloader and Uploader on an Api
// with quick retries, sync_once with SyncSettings, the App as the kiosk's front end, plain SQLite
// reads of the store, and the emulator's admin API for what the server holds and recorded).
//
// Every test has its own emulator and store: tests change the server's data and compare the whole
// store with it. Nothing waits on a clock: waits poll with a deadline (eventually()).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "kiosk/core/time.h"
#include "netsync/pretix/pretix_api.h"
#include "netsync/store/store.h"
#include "netsync/sync/pretix_download.h"
#include "netsync/sync/pretix_upload.h"
#include "netsync/sync/sync_engine.h"
#include "tests/netsync/http/http_test_options.h"
#include "tests/support/pretix_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk::sync::testing {

using kiosk::testing::PretixEmulator;
using kiosk::testing::PretixEmulatorOptions;
using kiosk::testing::TempDir;
using nlohmann::json;

// event1 of the emulator's generated data (ids 1000 * k + n).
constexpr const char* kEvent = "event1";
constexpr int64_t kConferencePass = 1001;
constexpr int64_t kDayPass = 1002;
constexpr int64_t kMainEntrance = 1021;   // every product, no rules
constexpr int64_t kLounge = 1023;         // speakers' lounge, with a rule
constexpr int64_t kRetryAttempts = 3;     // the tests' Api sends a failing request this often in all

inline Timestamp at(const char* iso) { return *parse_iso8601(iso); }
inline Timestamp wall_now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}
inline int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }

// Polls `condition` until it holds or `limit` passes; the result says which.
inline bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// Every row of `sql` on a read-only connection of its own, columns as text ("NULL" for null).
inline std::vector<std::vector<std::string>> sql_rows(const std::string& path, const std::string& sql) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(raw);
        throw std::runtime_error("cannot open " + path);
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string(sqlite3_errmsg(db.get())) + ": " + sql);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owned(statement, &sqlite3_finalize);
    std::vector<std::vector<std::string>> rows;
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            const auto* text = sqlite3_column_text(statement, column);
            row.push_back(text ? std::string(reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(statement, column)))
                               : std::string("NULL"));
        }
        rows.push_back(std::move(row));
    }
    if (step != SQLITE_DONE) throw std::runtime_error(std::string(sqlite3_errmsg(db.get())) + ": " + sql);
    return rows;
}

inline int64_t sql_count(const std::string& path, const std::string& sql) { return std::stoll(sql_rows(path, sql).at(0).at(0)); }

class SyncTest : public ::testing::Test {
protected:
    explicit SyncTest(std::vector<std::string> args = {"--positions", "300"})
        : pretix(PretixEmulatorOptions{.args = std::move(args)}) {}

    //-------------------------------------------------------------------------
    // The kiosk side
    //-------------------------------------------------------------------------
    pretix::Connection team_connection() const {
        return {pretix.url(), pretix.organizer(), {http::ApiToken::Kind::team, pretix.team_token()}};
    }
    // Quick retries (kRetryAttempts in all), timeouts for loopback; `total` shorter for slow answers.
    static http::ClientOptions client_options(std::chrono::milliseconds total = std::chrono::seconds(10)) {
        http::ClientOptions options = http::testing::loopback_options();
        options.total_timeout = total;
        options.retry.max_attempts = static_cast<int>(kRetryAttempts);
        return options;
    }
    pretix::Api api(std::chrono::milliseconds total = std::chrono::seconds(10)) const {
        return pretix::Api(team_connection(), client_options(total));
    }
    pretix::ApiResult<EventDownload> download(std::chrono::milliseconds total = std::chrono::seconds(10)) {
        pretix::Api client = api(total);
        Downloader downloader(client, store);
        return downloader.event(kEvent);
    }
    EventDownload download_ok() {
        auto report = download();
        EXPECT_TRUE(report) << (report ? "" : report.error().message);
        return report ? *report : EventDownload{};
    }
    // One upload round at `now` (real time by default: rows postponed by a failure are not due yet).
    UploadRound upload(Timestamp now = wall_now(), std::chrono::milliseconds total = std::chrono::seconds(10)) {
        pretix::Api client = api(total);
        Uploader uploader(client, store);
        return uploader.round(now);
    }
    // Every row that is queued, whenever it is due.
    UploadRound upload_all() { return upload(wall_now() + std::chrono::hours(24)); }

    SyncSettings settings(pretix::Connection connection) const {
        SyncSettings s;
        s.connection = std::move(connection);
        s.events = {kEvent};
        s.connect_timeout = std::chrono::seconds(5);
        s.request_timeout = std::chrono::seconds(10);
        return s;
    }
    SyncSettings settings() const { return settings(team_connection()); }

    int64_t event_id() {
        const auto id = store.event_id(pretix.organizer(), kEvent);
        if (!id) throw std::runtime_error("event1 is not in the store");
        return *id;
    }

    // A scan at the kiosk, as the front end makes it (questions off: the tests' tickets lack the
    // answers pretix asks at check-in).
    static ScanRequest scan_of(const std::string& secret, const char* when = "2027-03-16T10:05:00+01:00",
                               int64_t list = kMainEntrance) {
        ScanRequest request;
        request.raw = secret;
        request.lists = {list};
        request.now = at(when);
        request.questions_supported = false;
        return request;
    }
    Verdict check(const std::string& secret, int64_t list = kMainEntrance) {
        auto verdict = app().check(scan_of(secret, "2027-03-16T10:05:00+01:00", list));
        EXPECT_TRUE(verdict) << verdict.error();
        return verdict ? *verdict : Verdict{};
    }
    // Admits the ticket and returns the check-in's nonce.
    std::string admit(const std::string& secret, const char* when = "2027-03-16T10:05:00+01:00") {
        auto outcome = app().scan(scan_of(secret, when));
        if (!outcome) throw std::runtime_error(outcome.error());
        if (outcome->verdict.status != VerdictStatus::ok || !outcome->checkin)
            throw std::runtime_error("not admitted: " + std::string(reject_reason_name(outcome->verdict.reason)));
        return outcome->checkin->nonce;
    }
    // The store knows the ticket: whatever the verdict, it is not "no such ticket".
    bool known(const std::string& secret) {
        const Verdict verdict = check(secret);
        return verdict.status == VerdictStatus::ok || verdict.reason != RejectReason::invalid;
    }
    // Starts over with an empty store (another file in the same directory).
    void use_new_store() {
        app_.reset();
        db_path = dir.file("kiosk-" + std::to_string(++stores_) + ".db");
        store = Store(db_path);
    }
    App& app() {
        if (!app_) app_ = std::make_unique<App>(db_path);   // a second connection, as the kiosk's UI has
        return *app_;
    }

    //-------------------------------------------------------------------------
    // The server side
    //-------------------------------------------------------------------------
    std::string api_path(const std::string& rest) const {
        return "/api/v1/organizers/" + pretix.organizer() + "/" + rest;
    }
    std::string orders_path() const { return api_path("events/" + std::string(kEvent) + "/orders/"); }
    std::string redeem_path() const { return api_path("checkinrpc/redeem/"); }

    // A paid order of new tickets nobody has scanned; returns the order as the emulator stored it.
    json new_order(json positions = json::array({{{"item", kConferencePass}}}), json fields = json::object()) {
        fields["positions"] = std::move(positions);
        return pretix.admin("POST", "/events/" + std::string(kEvent) + "/orders", fields)["orders"][0];
    }
    json new_ticket(const std::string& name = "Walk-in Guest") {
        return new_order(json::array({{{"item", kConferencePass}, {"attendee_name", name}}}))["positions"][0];
    }

    // New tickets, downloaded into the store.
    std::vector<json> synced_tickets(size_t n) {
        std::vector<json> tickets;
        for (size_t i = 0; i < n; ++i) tickets.push_back(new_ticket("Guest " + std::to_string(i)));
        download_ok();
        return tickets;
    }
    json synced_ticket() { return synced_tickets(1).at(0); }

    // What the emulator accepted for a nonce (0 when nothing).
    int64_t accepted(const std::string& nonce) const {
        const json counted = pretix.counters()["accepted_checkins"];
        return counted.contains(nonce) ? counted[nonce].get<int64_t>() : 0;
    }
    int64_t annulled(const std::string& nonce) const {
        const json counted = pretix.counters()["annulments"];
        return counted.contains(nonce) ? counted[nonce].get<int64_t>() : 0;
    }
    int64_t requests(const std::string& method_and_path) const {
        const json counted = pretix.counters()["requests"];
        return counted.contains(method_and_path) ? counted[method_and_path].get<int64_t>() : 0;
    }

    // Every order of the event as the server lists it (canceled positions included).
    json server_orders() const {
        pretix::Api client = api();
        auto page = client.first_page(kEvent, "orders", {{"include_canceled_positions", "true"}});
        json all = json::array();
        for (;;) {
            if (!page) throw std::runtime_error(page.error().message);
            for (const json& order : page->results) all.push_back(order);
            if (!page->next) return all;
            page = client.next_page(*page);
        }
    }

    // Positions as "id|secret|name|item|order|order status|canceled|blocked", from the emulator's
    // admin listing (server) and from the store's tables (kiosk).
    std::set<std::string> server_positions() const {
        const json listed = pretix.admin("GET", "/events/" + std::string(kEvent) + "/positions?limit=1000000");
        std::set<std::string> rows;
        for (const json& p : listed["results"])
            rows.insert(std::to_string(p["id"].get<int64_t>()) + "|" + p["secret"].get<std::string>() + "|" +
                        (p["attendee_name"].is_string() ? p["attendee_name"].get<std::string>() : "") + "|" +
                        (p["item"].is_number_integer() ? std::to_string(p["item"].get<int64_t>()) : p["item"].dump()) + "|" + p["order"].get<std::string>() + "|" +
                        p["order_status"].get<std::string>() + "|" + (p["canceled"].get<bool>() ? "1" : "0") + "|" +
                        (p["blocked"].get<bool>() ? "1" : "0"));
        return rows;
    }
    std::set<std::string> stored_positions() {
        std::set<std::string> rows;
        for (const auto& r : sql_rows(db_path, "SELECT p.id, p.secret, p.attendee_name, p.item, p.order_code, o.status, "
                                               "p.canceled, p.blocked FROM positions p JOIN orders o ON "
                                               "o.event_id = p.event_id AND o.code = p.order_code WHERE p.event_id = " +
                                                   std::to_string(event_id())))
            rows.insert(r[0] + "|" + r[1] + "|" + r[2] + "|" + r[3] + "|" + r[4] + "|" + r[5] + "|" + r[6] + "|" + r[7]);
        return rows;
    }
    int64_t stored_position_count() {
        return sql_count(db_path, "SELECT count(*) FROM positions WHERE event_id = " + std::to_string(event_id()));
    }
    // The server's check-ins as "position|list|type|micros", from its orders and from the store.
    static std::multiset<std::string> checkins_in(const json& orders) {
        std::multiset<std::string> rows;
        for (const json& order : orders)
            for (const json& position : order["positions"])
                for (const json& checkin : position["checkins"]) {
                    const std::string type = checkin.value("type", std::string("entry"));
                    rows.insert(std::to_string(position["id"].get<int64_t>()) + "|" +
                                std::to_string(checkin["list"].get<int64_t>()) + "|" + type + "|" +
                                std::to_string(micros(*parse_iso8601(checkin["datetime"].get<std::string>()))));
                }
        return rows;
    }
    std::multiset<std::string> stored_server_checkins() {
        std::multiset<std::string> rows;
        for (const auto& r : sql_rows(db_path, "SELECT c.position_id, c.list_id, c.type, c.datetime FROM checkins c "
                                               "JOIN positions p ON p.id = c.position_id WHERE c.reverted_at IS NULL AND "
                                               "p.event_id = " + std::to_string(event_id())))
            rows.insert(r[0] + "|" + r[1] + "|" + r[2] + "|" + r[3]);
        return rows;
    }
    PretixEmulator pretix;
    TempDir dir;
    std::string db_path = dir.file("kiosk.db");
    Store store{db_path};

private:
    std::unique_ptr<App> app_;
    int stores_ = 0;
};

} // namespace kiosk::sync::testing
