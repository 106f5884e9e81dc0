// Downloading an event from the pretix emulator into a real store: a full sync equals the
// server's data, incremental syncs pick up every kind of change, an interrupted full sync resumes,
// a malformed record is skipped by id, and every fault leaves the store as it was or a whole page
// further, never half a page. What the server holds is read through its admin API.
#include "tests/netsync/sync/sync_fixture.h"

#include <gmock/gmock.h>

#include "tests/support/db_dump.h"

namespace kiosk::sync::testing {
namespace {

using ::testing::HasSubstr;

class DownloadTest : public SyncTest {};

// The store without its cursors (a sync that found nothing new still moves them).
std::string dump_without_cursors(const std::string& path) {
    std::string dump = kiosk::testing::dump_database(path);
    const size_t start = dump.find("[sync_cursors]\n");
    if (start == std::string::npos) return dump;
    const size_t end = dump.find("\n[", start + 1);
    return dump.erase(start, end == std::string::npos ? std::string::npos : end + 1 - start);
}

//-----------------------------------------------------------------------------
// Full and incremental
//-----------------------------------------------------------------------------

TEST_F(DownloadTest, FullSyncEqualsTheServersData) {
    // Some of each: a canceled position, a blocked one, an order canceled, a check-in the server has.
    const json order = new_order(json::array({{{"item", kConferencePass}, {"attendee_name", "Ada Kept"}},
                                              {{"item", kDayPass}, {"attendee_name", "Bo Canceled"}}}));
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(order["positions"][1]["id"].get<int64_t>()) + "/cancel");
    const json blocked = new_ticket("Cy Blocked");
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(blocked["id"].get<int64_t>()) + "/block", {{"blocked", true}});
    const json canceled = new_order();
    pretix.admin("POST", "/events/event1/orders/" + canceled["code"].get<std::string>() + "/cancel");

    const EventDownload report = download_ok();
    EXPECT_TRUE(report.full);
    EXPECT_TRUE(report.catalog_changed);
    EXPECT_TRUE(report.skipped.empty());

    const std::set<std::string> server = server_positions();
    ASSERT_GE(server.size(), 300u);
    EXPECT_EQ(stored_positions(), server);
    EXPECT_EQ(report.positions, server.size());
    const json orders = server_orders();
    EXPECT_EQ(report.orders, orders.size());
    EXPECT_EQ(sql_count(db_path, "SELECT count(*) FROM orders WHERE event_id = " + std::to_string(event_id())),
              static_cast<int64_t>(orders.size()));
    const auto server_checkins = checkins_in(orders);
    ASSERT_FALSE(server_checkins.empty()) << "the generated event has check-ins from the first morning";
    EXPECT_EQ(stored_server_checkins(), server_checkins);
    EXPECT_TRUE(store.secret_blocked(event_id(), blocked["secret"].get<std::string>()));
    EXPECT_EQ(report.revoked, 3u) << "the generated event revokes 3 secrets";

    // The catalog: every item, list and question the server lists, and the badge layouts with
    // their item assignments.
    const json info = pretix.admin("GET", "/info")["events"][0];
    const auto catalog = store.catalog(event_id());
    ASSERT_TRUE(catalog);
    std::vector<int64_t> items, lists, questions;
    for (const Item& item : catalog->items) items.push_back(item.id);
    for (const CheckinList& list : catalog->lists) lists.push_back(list.id);
    for (const Question& question : catalog->questions) questions.push_back(question.id);
    std::ranges::sort(items);
    std::ranges::sort(lists);
    auto server_items = info["items"].get<std::vector<int64_t>>();
    auto server_lists = info["checkinlists"].get<std::vector<int64_t>>();
    std::ranges::sort(server_items);
    std::ranges::sort(server_lists);
    EXPECT_EQ(items, server_items);
    EXPECT_EQ(lists, server_lists);
    EXPECT_EQ(questions.size(), 7u);
    EXPECT_FALSE(catalog->event.sig1_keys.empty());
    const auto layouts = sql_rows(db_path, "SELECT value FROM meta WHERE key = 'badgelayouts:" + std::to_string(event_id()) + "'");
    ASSERT_EQ(layouts.size(), 1u);
    const json stored_layouts = json::parse(layouts[0][0]);
    ASSERT_EQ(stored_layouts.size(), 1u);
    EXPECT_EQ(stored_layouts[0]["id"], 1001);
    EXPECT_FALSE(stored_layouts[0]["layout"].empty());
    EXPECT_EQ(stored_layouts[0]["item_assignments"].size(), 3u);

    // Nothing changed: the next sync asks for changes only and rewrites nothing.
    const std::string before = dump_without_cursors(db_path);
    const EventDownload again = download_ok();
    EXPECT_FALSE(again.full);
    EXPECT_FALSE(again.catalog_changed);
    EXPECT_EQ(again.orders, 0u);
    EXPECT_EQ(again.revoked + again.blocked, 0u);
    EXPECT_EQ(dump_without_cursors(db_path), before);
}

TEST_F(DownloadTest, IncrementalSyncPicksUpOrderChanges) {
    const json renamed = new_ticket("Old Name");
    const json canceled = new_ticket();
    const json two = new_order(json::array({{{"item", kConferencePass}}, {{"item", kDayPass}}}));
    const json regenerated = new_ticket();
    const json to_block = new_ticket();
    const json to_unblock = new_ticket();
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(to_unblock["id"].get<int64_t>()) + "/block", {{"blocked", true}});
    download_ok();
    ASSERT_EQ(check(to_unblock["secret"]).reason, RejectReason::blocked);
    ASSERT_EQ(check(renamed["secret"]).status, VerdictStatus::ok);

    const json added = new_ticket("Newly Sold");
    pretix.admin("PATCH", "/events/event1/orders/" + renamed["order"].get<std::string>(),
                 {{"positions", {{std::to_string(renamed["id"].get<int64_t>()), {{"attendee_name", "New Name"}}}}}});
    pretix.admin("POST", "/events/event1/orders/" + canceled["order"].get<std::string>() + "/cancel");
    const int64_t canceled_position = two["positions"][1]["id"];
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(canceled_position) + "/cancel");
    const json secrets = pretix.admin("POST", "/events/event1/positions/" + std::to_string(regenerated["id"].get<int64_t>()) + "/regenerate_secret");
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(to_block["id"].get<int64_t>()) + "/block", {{"blocked", true}});
    pretix.admin("POST", "/events/event1/positions/" + std::to_string(to_unblock["id"].get<int64_t>()) + "/block", {{"blocked", false}});

    const EventDownload report = download_ok();
    EXPECT_FALSE(report.full);
    EXPECT_FALSE(report.catalog_changed);
    EXPECT_GE(report.orders, 6u);   // each changed order at least once
    EXPECT_EQ(report.revoked, 1u);
    EXPECT_EQ(report.blocked, 2u);
    EXPECT_EQ(stored_positions(), server_positions());

    EXPECT_EQ(check(added["secret"]).status, VerdictStatus::ok);
    const auto stored_renamed = store.positions_by_secret(renamed["secret"].get<std::string>());
    ASSERT_EQ(stored_renamed.size(), 1u);
    EXPECT_EQ(stored_renamed[0].attendee_name, "New Name");
    EXPECT_EQ(check(canceled["secret"]).reason, RejectReason::canceled);
    EXPECT_EQ(check(two["positions"][1]["secret"]).reason, RejectReason::canceled);
    EXPECT_EQ(check(two["positions"][0]["secret"]).status, VerdictStatus::ok) << "the order's other position stays valid";
    EXPECT_TRUE(store.secret_revoked(event_id(), secrets["old"].get<std::string>()));
    EXPECT_NE(check(secrets["old"]).status, VerdictStatus::ok);
    EXPECT_EQ(check(secrets["new"]).status, VerdictStatus::ok);
    EXPECT_TRUE(store.secret_blocked(event_id(), to_block["secret"].get<std::string>()));
    EXPECT_EQ(check(to_block["secret"]).reason, RejectReason::blocked);
    EXPECT_FALSE(store.secret_blocked(event_id(), to_unblock["secret"].get<std::string>()));
    EXPECT_EQ(check(to_unblock["secret"]).status, VerdictStatus::ok);
}

TEST_F(DownloadTest, IncrementalSyncPicksUpAChangedListItsRulesAndADeletedList) {
    const json ticket = new_ticket();
    download_ok();
    ASSERT_EQ(check(ticket["secret"]).status, VerdictStatus::ok);
    ASSERT_TRUE(app().check(scan_of(ticket["secret"], "2027-03-16T10:05:00+01:00", kLounge)));

    // Only day passes may enter the main entrance now, under its new name; the lounge is gone.
    const json day_only = json::parse(R"({"inList": [{"var": "product"},
                                                     {"objectList": [{"lookup": ["product", "1002", "Day pass"]}]}]})");
    pretix.admin("PATCH", "/events/event1/checkinlists/" + std::to_string(kMainEntrance),
                 {{"name", "Main entrance (north)"}, {"rules", day_only}});
    pretix.admin("DELETE", "/events/event1/checkinlists/" + std::to_string(kLounge));

    const EventDownload report = download_ok();
    EXPECT_TRUE(report.catalog_changed);
    EXPECT_FALSE(report.full);
    const auto catalog = store.catalog(event_id());
    ASSERT_TRUE(catalog);
    ASSERT_TRUE(catalog->list(kMainEntrance));
    EXPECT_EQ(catalog->list(kMainEntrance)->name, "Main entrance (north)");
    EXPECT_EQ(catalog->list(kLounge), nullptr);
    EXPECT_EQ(catalog->items.size(), 5u) << "unchanged kinds stay";
    EXPECT_EQ(catalog->questions.size(), 7u);

    EXPECT_EQ(check(ticket["secret"]).reason, RejectReason::rules);
    const auto lounge = app().check(scan_of(ticket["secret"], "2027-03-16T10:05:00+01:00", kLounge));
    ASSERT_FALSE(lounge);
    EXPECT_THAT(lounge.error(), HasSubstr("unknown check-in list"));

    // The rule lifted again: admitted again.
    pretix.admin("PATCH", "/events/event1/checkinlists/" + std::to_string(kMainEntrance), {{"rules", json::object()}});
    EXPECT_TRUE(download_ok().catalog_changed);
    EXPECT_EQ(check(ticket["secret"]).status, VerdictStatus::ok);
}

//-----------------------------------------------------------------------------
// Interrupted, malformed
//-----------------------------------------------------------------------------

TEST_F(DownloadTest, InterruptedFullSyncResumesWhereItStopped) {
    // Pages 1 and 2 of the orders come; page 3 fails on every attempt.
    pretix.fault({{"path", orders_path()}, {"kind", "status"}, {"status", 500}, {"skip", 2}, {"count", kRetryAttempts}});
    const auto first = download();
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, pretix::ApiErrorKind::busy);
    EXPECT_THAT(first.error().message, HasSubstr("server error"));

    const json orders = server_orders();
    ASSERT_GT(orders.size(), 150u) << "more than 3 pages";
    const auto landed = sql_rows(db_path, "SELECT count(*), (SELECT count(*) FROM positions WHERE event_id = " +
                                              std::to_string(event_id()) + ") FROM orders WHERE event_id = " + std::to_string(event_id()));
    EXPECT_EQ(landed[0][0], "100") << "two whole pages of 50 orders";
    int64_t positions_of_first_pages = 0;
    for (size_t i = 0; i < 100; ++i) positions_of_first_pages += static_cast<int64_t>(orders[i]["positions"].size());
    EXPECT_EQ(std::stoll(landed[0][1]), positions_of_first_pages);
    // The cursors say where it stopped: the newest order time stored, and no incremental cursor yet.
    const auto resume = store.sync_cursor(event_id(), "orders.full.created_since");
    ASSERT_TRUE(resume);
    EXPECT_EQ(*parse_iso8601(*resume), *parse_iso8601(orders[99]["datetime"].get<std::string>()));
    EXPECT_TRUE(store.sync_cursor(event_id(), "orders.full.page_generated"));
    EXPECT_FALSE(store.sync_cursor(event_id(), "orders.modified_since"));
    // A ticket of a page that landed decides already.
    EXPECT_TRUE(known(orders[0]["positions"][0]["secret"]));

    pretix.clear_faults();
    const EventDownload second = download_ok();
    EXPECT_TRUE(second.full);
    EXPECT_LT(second.orders, orders.size() - 90) << "it resumed instead of starting over";
    EXPECT_EQ(stored_positions(), server_positions());
    EXPECT_EQ(sql_count(db_path, "SELECT count(*) FROM orders WHERE event_id = " + std::to_string(event_id())),
              static_cast<int64_t>(orders.size()));
    EXPECT_EQ(stored_server_checkins(), checkins_in(orders));
    EXPECT_FALSE(store.sync_cursor(event_id(), "orders.full.created_since"));
    EXPECT_TRUE(store.sync_cursor(event_id(), "orders.modified_since"));
    EXPECT_FALSE(download_ok().full);
}

TEST_F(DownloadTest, MalformedRecordIsSkippedByIdAndLandsOnceFixed) {
    const json raw = {{"code", "BRKN1"}, {"status", "p"}, {"email", "broken@example.com"}, {"locale", "en"},
                      {"positions", json::array({{{"id", 990000001}, {"order", "BRKN1"}, {"positionid", 1},
                                                  {"item", "abc"}, {"variation", nullptr}, {"secret", "brokensecret0001"},
                                                  {"attendee_name", "Broken Record"}, {"checkins", json::array()},
                                                  {"answers", json::array()}, {"canceled", false}}})}};
    const json stored_raw = pretix.admin("POST", "/events/event1/orders", {{"raw", raw}})["orders"][0];
    ASSERT_EQ(stored_raw["code"], "BRKN1");

    const EventDownload report = download_ok();
    ASSERT_EQ(report.skipped.size(), 1u);
    EXPECT_EQ(report.skipped[0].resource, "orders");
    EXPECT_EQ(report.skipped[0].id, "BRKN1");
    EXPECT_THAT(report.skipped[0].message, HasSubstr("item"));
    const auto skipped = store.skipped_records(event_id());
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].id, "BRKN1");
    EXPECT_EQ(read_sync_status(store).skipped_records, 1u);
    // Everything else landed.
    std::set<std::string> expected = server_positions();
    std::erase_if(expected, [](const std::string& row) { return row.starts_with("990000001|"); });
    EXPECT_EQ(stored_positions(), expected);
    EXPECT_FALSE(store.order(event_id(), "BRKN1"));

    pretix.admin("PATCH", "/events/event1/orders/BRKN1", {{"positions", {{"990000001", {{"item", kConferencePass}}}}}});
    const EventDownload fixed = download_ok();
    EXPECT_TRUE(fixed.skipped.empty());
    EXPECT_TRUE(store.skipped_records(event_id()).empty());
    EXPECT_TRUE(store.order(event_id(), "BRKN1"));
    EXPECT_EQ(stored_positions(), server_positions());
    EXPECT_EQ(check("brokensecret0001").status, VerdictStatus::ok);
}

//-----------------------------------------------------------------------------
// Faults
//-----------------------------------------------------------------------------

// Every fault the emulator injects. One emulator serves all of them in turn (an emulator per
// fault kind would cost more than the tests themselves).
struct DownloadFault {
    const char* name;
    json spec;                              // path, match and count are added
};

const std::vector<DownloadFault>& every_fault() {
    static const std::vector<DownloadFault> faults = {
        {"status 500", {{"kind", "status"}, {"status", 500}}},
        {"429 with Retry-After", {{"kind", "rate_limit"}, {"retry_after", 120}}},
        {"slower than the request timeout", {{"kind", "slow"}, {"seconds", 1.5}}},
        {"connection reset mid-body", {{"kind", "reset"}}},
        {"truncated JSON", {{"kind", "truncate"}}},
        {"captive portal's HTML", {{"kind", "content_type"}}},
        {"401", {{"kind", "unauthorized"}}},
    };
    return faults;
}

class DownloadFaultTest : public SyncTest {
protected:
    static constexpr auto kShortTimeout = std::chrono::milliseconds(400);
    static json spec_on(const DownloadFault& fault, const std::string& path) {
        json spec = fault.spec;
        spec["path"] = path;
        spec["match"] = "exact";
        spec["count"] = kRetryAttempts;   // every attempt of the request
        return spec;
    }
    static void expect_error_of_its_kind(const DownloadFault& fault, const pretix::ApiError& error) {
        const std::string kind = fault.spec["kind"];
        if (kind == "unauthorized") {
            EXPECT_EQ(error.kind, pretix::ApiErrorKind::unauthorized);
            EXPECT_THAT(error.message, HasSubstr("token"));
        } else {
            EXPECT_TRUE(error.retry_later()) << error.message;
        }
        if (kind == "rate_limit") {
            EXPECT_EQ(error.kind, pretix::ApiErrorKind::busy);
            EXPECT_EQ(error.retry_after, std::chrono::seconds(120));
        }
        if (kind == "content_type") {
            EXPECT_THAT(error.message, HasSubstr("text/html"));
        }
    }
};

// In the middle of a full sync: the pages before stay, none half, the next sync completes it.
TEST_F(DownloadFaultTest, DuringAFullSyncLeavesWholePagesAndTheNextSyncCompletes) {
    const json orders = server_orders();
    for (const DownloadFault& fault : every_fault()) {
        SCOPED_TRACE(fault.name);
        use_new_store();
        json spec = spec_on(fault, orders_path());
        spec["match"] = "prefix";
        spec["skip"] = 1;   // the first page comes, the second fails
        pretix.fault(spec);
        const auto first = download(kShortTimeout);
        ASSERT_FALSE(first);
        expect_error_of_its_kind(fault, first.error());
        pretix.clear_faults();
        EXPECT_EQ(sql_count(db_path, "SELECT count(*) FROM orders"), 50) << "the first page, whole";
        EXPECT_TRUE(known(orders[0]["positions"][0]["secret"])) << "a ticket of the page that landed decides";
        EXPECT_EQ(check(orders[orders.size() - 1]["positions"][0]["secret"]).reason, RejectReason::invalid) << "not there yet";

        const EventDownload second = download_ok();
        EXPECT_TRUE(second.full);
        EXPECT_EQ(stored_positions(), server_positions());
        EXPECT_EQ(stored_server_checkins(), checkins_in(orders));
    }
}

// In an incremental sync, wherever it fails (the catalog, the orders, the secrets): what it had
// not reached is not there, nothing is half there, scans go on deciding, and the next sync brings
// everything.
TEST_F(DownloadFaultTest, DuringAnIncrementalSyncLandsNothingHalfAndTheNextSyncBringsIt) {
    const json ticket = new_ticket("Before The Fault");
    download_ok();
    for (const DownloadFault& fault : every_fault())
        for (const std::string resource : {"checkinlists/", "orders/", "revokedsecrets/"}) {
            SCOPED_TRACE(std::string(fault.name) + " on " + resource);
            const json added = new_ticket("Sold During " + resource);
            const std::string revoked = "revoked-" + std::string(fault.name) + resource;
            pretix.admin("POST", "/events/event1/revokedsecrets", {{"secret", revoked}});
            const std::string lounge = "Lounge " + std::string(fault.name) + resource;
            pretix.admin("PATCH", "/events/event1/checkinlists/" + std::to_string(kLounge), {{"name", lounge}});
            const std::string before = kiosk::testing::dump_database(db_path);
            const std::set<std::string> positions_before = stored_positions();
            pretix.fault(spec_on(fault, api_path("events/event1/" + resource)));

            const auto failed = download(kShortTimeout);
            ASSERT_FALSE(failed);
            expect_error_of_its_kind(fault, failed.error());
            if (resource == "checkinlists/") {
                EXPECT_EQ(kiosk::testing::dump_database(db_path), before) << "the catalog lands whole or not at all";
            } else {
                EXPECT_EQ(store.catalog(event_id())->list(kLounge)->name, lounge) << "the catalog came before";
            }
            if (resource != "revokedsecrets/") {
                EXPECT_EQ(stored_positions(), positions_before) << "no order of the failed page";
                EXPECT_EQ(check(added["secret"]).reason, RejectReason::invalid);
            }
            EXPECT_FALSE(store.secret_revoked(event_id(), revoked));
            EXPECT_EQ(check(ticket["secret"]).status, VerdictStatus::ok) << "scans go on deciding";

            pretix.clear_faults();
            download_ok();
            EXPECT_EQ(check(added["secret"]).status, VerdictStatus::ok);
            EXPECT_TRUE(store.secret_revoked(event_id(), revoked));
            EXPECT_EQ(store.catalog(event_id())->list(kLounge)->name, lounge);
            EXPECT_EQ(stored_positions(), server_positions());
        }
}

} // namespace
} // namespace kiosk::sync::testing
