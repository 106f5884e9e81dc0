// The store: schema migrations, import atomicity and upserts, durable admissions and undo,
// staff queries. Real SQLite files in a temp directory.
#include "netsync/store/store.h"

#include <gtest/gtest.h>

#include "kiosk/core/time.h"
#include "netsync/store/schema.h"
#include "netsync/store/sqlite.h"
#include "tests/support/db_dump.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

Timestamp at(const char* iso) { return *parse_iso8601(iso); }

// A small event built the way the importer builds it: parsed objects plus the JSON they came from.
EventImport small_event(const std::string& slug = "conf", int64_t id_base = 0) {
    EventImport import;
    import.event_raw = {{"slug", slug}, {"name", {{"en", "Conf"}}}, {"timezone", "Europe/Berlin"}};
    import.event = pretix::event_from_json(import.event_raw, "org", {"event"});
    const json item = {{"id", id_base + 1}, {"name", {{"en", "Ticket"}}}, {"admission", true}};
    import.items.push_back({pretix::item_from_json(item, 0, {"item"}), item});
    const json list = {{"id", id_base + 10}, {"name", "Entrance"}, {"all_products", true}};
    import.lists.push_back({pretix::checkin_list_from_json(list, 0, {"list"}), list});
    const json order = {
        {"code", "ABC12"},
        {"status", "p"},
        {"positions",
         {{{"id", id_base + 100}, {"item", id_base + 1}, {"secret", slug + "-secret-1"}, {"attendee_name", "Ada Lovelace"},
           {"answers", json::array()},
           {"checkins", {{{"list", id_base + 10}, {"datetime", "2026-05-04T09:00:00Z"}, {"type", "entry"}}}}},
          {{"id", id_base + 101}, {"item", id_base + 1}, {"secret", slug + "-secret-2"}, {"attendee_name", "Мария Иванова"}}}}};
    import.orders.push_back(pretix::order_from_json(order, 0, {"order"}));
    return import;
}

NewCheckin admission(int64_t event_id, int64_t list_id, int64_t position_id, const std::string& secret, const char* when) {
    NewCheckin checkin;
    checkin.event_id = event_id;
    checkin.list_id = list_id;
    checkin.position_id = position_id;
    checkin.secret = secret;
    checkin.datetime = at(when);
    checkin.nonce = "nonce-" + secret + "-" + when;
    return checkin;
}

class StoreTest : public ::testing::Test {
protected:
    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
};

TEST_F(StoreTest, NewStoreIsAtLatestSchemaInWalModeWithFullSync) {
    Store store(path);
    EXPECT_EQ(store.schema_version(), schema::kLatestVersion);
    sqlite::Database db(path);
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.text(0), "wal");
}

TEST_F(StoreTest, MigratesVersionOneStoreKeepingItsData) {
    {
        sqlite::Database db(path);
        schema::migrate(db, 1);
        ASSERT_EQ(schema::current_version(db), 1);
        db.exec("INSERT INTO events(id, organizer, slug, raw) VALUES (1, 'org', 'old', "
                "'{\"slug\": \"old\", \"timezone\": \"UTC\"}')");
        db.exec("INSERT INTO checkins(list_id, position_id, secret, type, datetime, nonce, origin) "
                "VALUES (10, 100, 's', 'entry', 0, 'n1', 'local')");
        db.exec("INSERT INTO upload_queue(kind, event_id, list_id, checkin_id, secret, type, datetime, nonce, answers) "
                "VALUES ('checkin', 1, 10, 1, 's', 'entry', 0, 'n1', '{}')");
    }
    Store store(path);
    EXPECT_EQ(store.schema_version(), schema::kLatestVersion);
    EXPECT_EQ(store.checkins_of_position(10, 100).size(), 1u);
    EXPECT_FALSE(store.checkins_of_position(10, 100).front().gate.has_value());
    const QueueSnapshot queue = store.queue();
    ASSERT_EQ(queue.pending.size(), 1u);
    EXPECT_EQ(queue.pending.front().nonce, "n1");
    EXPECT_TRUE(queue.failed.empty()); // the failed_scans table arrived with version 2
    ASSERT_TRUE(store.catalog(1).has_value());
    EXPECT_EQ(store.catalog(1)->event.slug, "old");
}

TEST_F(StoreTest, RefusesAStoreFromANewerProgram) {
    {
        sqlite::Database db(path);
        db.exec("PRAGMA user_version = 99");
    }
    EXPECT_THROW(Store{path}, StoreError);
}

TEST_F(StoreTest, ImportThenReadBackEverything) {
    Store store(path);
    const ImportSummary summary = store.import_event(small_event());
    EXPECT_EQ(summary.positions, 2u);
    EXPECT_EQ(summary.checkins, 1u);
    const auto catalog = store.catalog(summary.event_id);
    ASSERT_TRUE(catalog);
    EXPECT_EQ(catalog->event.timezone, "Europe/Berlin");
    ASSERT_EQ(catalog->items.size(), 1u);
    ASSERT_EQ(catalog->lists.size(), 1u);
    const auto positions = store.positions_by_secret("conf-secret-2");
    ASSERT_EQ(positions.size(), 1u);
    EXPECT_EQ(positions.front().attendee_name, "Мария Иванова");
    EXPECT_EQ(store.order(summary.event_id, "ABC12")->status, OrderStatus::paid);
    EXPECT_EQ(store.checkins_of_position(10, 100).size(), 1u);
    EXPECT_TRUE(store.positions_by_secret("conf-secret-3").empty());
}

TEST_F(StoreTest, ReimportKeepsLocalCheckinsAndQueueAndReplacesServerCheckins) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    {
        Store::WriteLock lock(store);
        store.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        lock.commit();
    }
    EventImport again = small_event();
    again.orders.front().order.status = OrderStatus::canceled;
    again.orders.front().checkins.clear(); // the server annulled its check-in
    store.import_event(again);
    EXPECT_EQ(store.order(event_id, "ABC12")->status, OrderStatus::canceled);
    EXPECT_TRUE(store.checkins_of_position(10, 100).empty());
    EXPECT_EQ(store.checkins_of_position(10, 101).size(), 1u);
    EXPECT_EQ(store.queue().pending.size(), 1u);
}

TEST_F(StoreTest, ImportIsOneTransaction) {
    Store store(path);
    store.import_event(small_event("first"));
    const std::string before = testing::dump_database(path);
    // Same position ids in another event: pretix ids are global, so this dump is inconsistent.
    EventImport clash = small_event("second");
    clash.orders.front().positions.back().id = 100;
    EXPECT_THROW(store.import_event(clash), pretix::FormatError);
    EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(StoreTest, UncommittedAdmissionLeavesNoTrace) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    const std::string before = testing::dump_database(path);
    {
        Store::WriteLock lock(store);
        store.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        // No commit: e.g. the process failed between decision and commit.
    }
    EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(StoreTest, AdmissionWritesCheckinQueueRowAndAnswersTogether) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    NewCheckin checkin = admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z");
    checkin.answers.push_back(Answer{7, "M", {42}});
    checkin.gate = "3";
    {
        Store::WriteLock lock(store);
        store.record_checkin(checkin);
        lock.commit();
    }
    const auto checkins = store.checkins_of_position(10, 101);
    ASSERT_EQ(checkins.size(), 1u);
    EXPECT_EQ(checkins.front().gate, "3");
    const auto queue = store.queue();
    ASSERT_EQ(queue.pending.size(), 1u);
    EXPECT_EQ(queue.pending.front().kind, "checkin");
    EXPECT_EQ(queue.pending.front().nonce, checkin.nonce);
    EXPECT_EQ(queue.pending.front().answers, json({{"7", "42"}}));
    const auto position = store.positions_by_secret("conf-secret-2").front();
    ASSERT_EQ(position.answers.size(), 1u);
    EXPECT_EQ(position.answers.front().options, std::vector<int64_t>{42});
}

TEST_F(StoreTest, SameInstantCheckinsKeepInsertionOrderAndUndoRevertsTheLatest) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    {
        Store::WriteLock lock(store);
        NewCheckin entry = admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z");
        NewCheckin exit = entry;
        exit.type = CheckinType::exit;
        exit.nonce += "-exit";
        store.record_checkin(entry);
        store.record_checkin(exit);
        lock.commit();
    }
    auto checkins = store.checkins_of_position(10, 101);
    ASSERT_EQ(checkins.size(), 2u);
    EXPECT_EQ(checkins[1].type, CheckinType::exit);
    {
        Store::WriteLock lock(store);
        const auto reverted = store.revert_latest_checkin(event_id, 10, 101, "conf-secret-2", at("2026-05-04T11:00:00Z"), "undo-1");
        ASSERT_TRUE(reverted);
        EXPECT_EQ(reverted->type, CheckinType::exit);
        lock.commit();
    }
    checkins = store.checkins_of_position(10, 101);
    ASSERT_EQ(checkins.size(), 1u);
    EXPECT_EQ(checkins.front().type, CheckinType::entry);
    const auto queue = store.queue();
    ASSERT_EQ(queue.pending.size(), 3u);
    EXPECT_EQ(queue.pending.back().kind, "undo");
    EXPECT_EQ(queue.pending.back().nonce, "undo-1");
}

TEST_F(StoreTest, ReimportAfterUndoingASyncedCheckinKeepsItRevertedAndQueued) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id; // position 100 has a server check-in
    ASSERT_EQ(store.checkins_of_position(10, 100).size(), 1u);
    {
        Store::WriteLock lock(store);
        ASSERT_TRUE(store.revert_latest_checkin(event_id, 10, 100, "conf-secret-1", at("2026-05-04T11:00:00Z"), "undo-1"));
        lock.commit();
    }
    // The server still reports the check-in until the undo reaches it.
    EXPECT_NO_THROW(store.import_event(small_event()));
    EXPECT_TRUE(store.checkins_of_position(10, 100).empty());
    ASSERT_EQ(store.queue().pending.size(), 1u);
    EXPECT_EQ(store.queue().pending.front().kind, "undo");
}

TEST_F(StoreTest, ImportAdoptsCheckinsOfTheSameSecretMadeBeforeTheOrderSynced) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    {
        // Admitted offline from a signed ticket: no position known yet.
        Store::WriteLock lock(store);
        NewCheckin offline = admission(event_id, 10, 0, "signed-ticket-text", "2026-05-04T10:00:00Z");
        offline.position_id.reset();
        store.record_checkin(offline);
        lock.commit();
    }
    EventImport synced = small_event();
    synced.orders.front().positions.back().secret = "signed-ticket-text"; // position 101 arrives
    store.import_event(synced);
    EXPECT_EQ(store.checkins_of_position(10, 101).size(), 1u);
    EXPECT_TRUE(store.checkins_of_unsynced_secret(10, "signed-ticket-text").empty());
}

TEST_F(StoreTest, UndoWithoutCheckinChangesNothing) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    Store::WriteLock lock(store);
    EXPECT_FALSE(store.revert_latest_checkin(event_id, 10, 101, "conf-secret-2", at("2026-05-04T11:00:00Z"), "u"));
}

TEST_F(StoreTest, FailedScansKeepRawBytes) {
    Store store(path);
    FailedScan scan;
    scan.raw = std::string("\x00\xff' OR 1=1; --", 15);
    scan.reason = "invalid";
    scan.list_id = 10;
    scan.nonce = "f1";
    {
        Store::WriteLock lock(store);
        store.record_failed_scan(scan);
        lock.commit();
    }
    const auto failed = store.queue().failed;
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().raw, scan.raw);
}

TEST_F(StoreTest, SearchNeedsFourCharactersAndTreatsWildcardsLiterally) {
    Store store(path);
    store.import_event(small_event());
    const auto lists = std::vector<CheckinList>{*store.checkin_list(10)};
    EXPECT_TRUE(store.search("Ada", lists).empty());
    EXPECT_EQ(store.search("Lovelace", lists).size(), 1u);
    EXPECT_EQ(store.search("Мария", lists).size(), 1u);
    EXPECT_EQ(store.search("abc12", lists).size(), 2u);       // order code, any case
    EXPECT_EQ(store.search("conf-secret-2", lists).size(), 1u); // secret prefix
    EXPECT_TRUE(store.search("%%%%", lists).empty());
    EXPECT_TRUE(store.search("____", lists).empty());
    EXPECT_TRUE(store.search("' OR '1'='1", lists).empty());
}

TEST_F(StoreTest, ListStatusCountsCheckinsAndWhoIsInside) {
    Store store(path);
    const int64_t event_id = store.import_event(small_event()).event_id;
    {
        Store::WriteLock lock(store);
        NewCheckin exit = admission(event_id, 10, 100, "conf-secret-1", "2026-05-04T10:00:00Z");
        exit.type = CheckinType::exit;
        store.record_checkin(exit);
        lock.commit();
    }
    const std::vector<int64_t> items{1};
    const ListStatus status = store.list_status(*store.checkin_list(10), items);
    EXPECT_EQ(status.total.position_count, 2);
    EXPECT_EQ(status.total.checkin_count, 1);
    EXPECT_EQ(status.total.inside_count, 0); // entered, then left
}

TEST_F(StoreTest, TwoConnectionsSeeEachOthersCommits) {
    Store writer(path);
    const int64_t event_id = writer.import_event(small_event()).event_id;
    Store reader(path);
    {
        Store::WriteLock lock(writer);
        writer.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        EXPECT_TRUE(reader.checkins_of_position(10, 101).empty()); // not committed yet
        lock.commit();
    }
    EXPECT_EQ(reader.checkins_of_position(10, 101).size(), 1u);
}

} // namespace
} // namespace kiosk
