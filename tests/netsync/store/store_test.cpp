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

// A small event in model types, as a backend adapter hands it to the store.
EventImport small_event(const std::string& slug = "conf", int64_t id_base = 0) {
    EventImport import;
    Event& event = import.catalog.event;
    event.organizer = "org";
    event.slug = slug;
    event.name = {{"en", "Conf"}};
    event.timezone = "Europe/Berlin";
    Item item;
    item.id = id_base + 1;
    item.name = {{"en", "Ticket"}};
    import.catalog.items.push_back(item);
    CheckinList list;
    list.id = id_base + 10;
    list.name = "Entrance";
    import.catalog.lists.push_back(list);

    ImportedOrder order;
    order.order.code = "ABC12";
    order.order.status = OrderStatus::paid;
    order.order.email = "buyer@example.org";
    Position first;
    first.id = id_base + 100;
    first.order = "ABC12";
    first.item = id_base + 1;
    first.secret = slug + "-secret-1";
    first.attendee_name = "Ada Lovelace";
    Position second = first;
    second.id = id_base + 101;
    second.positionid = 2;
    second.secret = slug + "-secret-2";
    second.attendee_name = "Мария Иванова";
    order.positions = {first, second};
    order.checkins.push_back({first.id, Checkin{id_base + 10, *parse_iso8601("2026-05-04T09:00:00Z"), CheckinType::entry, {}}});
    import.orders.push_back(order);
    return import;
}

int64_t import_ok(Store& store, const EventImport& import) {
    const auto summary = store.import_event(import);
    EXPECT_TRUE(summary) << summary.error();
    return summary ? summary->event_id : 0;
}

CheckinList list_of(Store& store, int64_t list_id) {
    const auto event_id = store.event_of_list(list_id);
    EXPECT_TRUE(event_id);
    return *store.catalog(*event_id)->list(list_id);
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
    // Its catalog was pretix's JSON, which the store no longer reads: the event waits for the
    // next import, and says so by having no catalog.
    EXPECT_FALSE(store.catalog(1).has_value());
    EXPECT_TRUE(store.catalogs().empty());
    import_ok(store, small_event("old"));
    ASSERT_TRUE(store.catalog(1).has_value());
    EXPECT_EQ(store.catalog(1)->event.slug, "old");
}

TEST_F(StoreTest, MigrationFiveIndexesExistingPositionsForSearch) {
    {
        sqlite::Database db(path);
        schema::migrate(db, 4);
        db.exec("INSERT INTO events(id, organizer, slug, raw) VALUES (1, 'org', 'old', '{}')");
        db.exec("INSERT INTO orders VALUES (1, 'ABC12', 'p', 0, 0, 0, 'buyer@example.org', 'de')");
        db.exec("INSERT INTO positions(id, event_id, order_code, positionid, item, secret, attendee_name, "
                "attendee_email, blocked, canceled) VALUES (100, 1, 'ABC12', 1, 1, 's1', 'Jürgen Groß', '', 0, 0)");
    }
    Store store(path);
    CheckinList list;
    list.id = 10;
    list.event_id = 1;
    const std::vector<CheckinList> lists{list};
    ASSERT_EQ(store.search("GROSS", lists).size(), 1u);
    EXPECT_EQ(store.search("jurgen", lists).front().position.id, 100);
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
    const auto imported = store.import_event(small_event());
    ASSERT_TRUE(imported) << imported.error();
    const ImportSummary& summary = *imported;
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
    const int64_t event_id = import_ok(store, small_event());
    {
        Store::WriteTransaction lock(store);
        store.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        lock.commit();
    }
    EventImport again = small_event();
    again.orders.front().order.status = OrderStatus::canceled;
    again.orders.front().checkins.clear(); // the server annulled its check-in
    import_ok(store, again);
    EXPECT_EQ(store.order(event_id, "ABC12")->status, OrderStatus::canceled);
    EXPECT_TRUE(store.checkins_of_position(10, 100).empty());
    EXPECT_EQ(store.checkins_of_position(10, 101).size(), 1u);
    EXPECT_EQ(store.queue().pending.size(), 1u);
}

TEST_F(StoreTest, AnImportSkipsARecordOfAnotherEventAloneAndReportsIt) {
    Store store(path);
    import_ok(store, small_event("first"));
    // Same position id in another event: pretix ids are global, so this order is inconsistent.
    EventImport clash = small_event("second", 500);
    ImportedOrder good = clash.orders.front();
    good.order.code = "GOOD1";
    for (Position& position : good.positions) {
        position.id += 10;
        position.order = "GOOD1";
        position.secret += "-good";
    }
    good.checkins.clear();
    clash.orders.push_back(good);
    clash.orders.front().positions.back().id = 100;
    const auto summary = store.import_event(clash);
    ASSERT_TRUE(summary);
    ASSERT_EQ(summary->skipped.size(), 1u);
    EXPECT_EQ(summary->skipped.front().resource, "orders");
    EXPECT_EQ(summary->skipped.front().id, clash.orders.front().order.code);
    EXPECT_EQ(summary->skipped.front().message, "position 100 already belongs to another event");
    EXPECT_EQ(summary->orders, clash.orders.size() - 1);
    // Nothing of the skipped order landed (its other positions and the order row were undone with
    // it); position 100 still belongs to the first event; the other orders are there.
    EXPECT_FALSE(store.order(summary->event_id, clash.orders.front().order.code));
    EXPECT_TRUE(store.positions_by_secret("second-secret-1").empty());
    EXPECT_TRUE(store.positions_by_secret("second-secret-2").empty());
    ASSERT_EQ(store.positions_by_secret("first-secret-1").size(), 1u);
    EXPECT_EQ(store.positions_by_secret("first-secret-1").front().id, 100);
    EXPECT_TRUE(store.order(summary->event_id, "GOOD1"));
    EXPECT_EQ(store.positions_by_secret("second-secret-1-good").size(), 1u);
    EXPECT_EQ(store.skipped_records(summary->event_id).size(), 1u);
    // A catalog object of another event is skipped the same way.
    EventImport list_clash = small_event("third", 1000);
    list_clash.catalog.lists.front().id = 10;
    const auto third = store.import_event(list_clash);
    ASSERT_TRUE(third);
    ASSERT_EQ(third->skipped.size(), 1u);
    EXPECT_EQ(third->skipped.front().resource, "checkinlists");
    EXPECT_EQ(store.event_of_list(10), summary->event_id - 1);
}

// A large import is written in chunks of orders, each under its own savepoint: a refused order
// in a later chunk undoes only itself, and the chunks before and after it land.
TEST_F(StoreTest, ARefusedOrderInALargeImportIsSkippedAloneWhateverItsChunk) {
    Store store(path);
    import_ok(store, small_event("first"));          // owns position 100
    EventImport large = small_event("large", 5000);
    const ImportedOrder model = large.orders.front();
    large.orders.clear();
    constexpr int kOrders = 700;
    for (int i = 0; i < kOrders; ++i) {
        ImportedOrder order = model;
        order.order.code = "L" + std::to_string(i);
        order.checkins.clear();
        for (size_t k = 0; k < order.positions.size(); ++k) {
            Position& position = order.positions[k];
            position.id = 10000 + i * 2 + static_cast<int64_t>(k);
            position.order = order.order.code;
            position.secret = "large-" + std::to_string(i) + "-" + std::to_string(k);
        }
        large.orders.push_back(std::move(order));
    }
    large.orders[400].positions.back().id = 100;     // the first event's: refused
    const auto summary = store.import_event(large);
    ASSERT_TRUE(summary) << summary.error();
    ASSERT_EQ(summary->skipped.size(), 1u);
    EXPECT_EQ(summary->skipped.front().id, "L400");
    EXPECT_EQ(summary->orders, static_cast<size_t>(kOrders - 1));
    EXPECT_EQ(summary->positions, static_cast<size_t>(2 * (kOrders - 1)));
    EXPECT_FALSE(store.order(summary->event_id, "L400"));
    EXPECT_TRUE(store.positions_by_secret("large-400-0").empty());
    for (const char* code : {"L0", "L255", "L256", "L399", "L401", "L511", "L512", "L699"})
        EXPECT_TRUE(store.order(summary->event_id, code)) << code;
    EXPECT_EQ(store.positions_by_secret("large-699-1").size(), 1u);
}

TEST_F(StoreTest, UncommittedAdmissionLeavesNoTrace) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    const std::string before = testing::dump_database(path);
    {
        Store::WriteTransaction lock(store);
        store.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        // No commit: e.g. the process failed between decision and commit.
    }
    EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(StoreTest, AdmissionWritesCheckinQueueRowAndAnswersTogether) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    NewCheckin checkin = admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z");
    checkin.answers.push_back(Answer{7, "M", {42}});
    checkin.gate = "3";
    {
        Store::WriteTransaction lock(store);
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
    const int64_t event_id = import_ok(store, small_event());
    {
        Store::WriteTransaction lock(store);
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
        Store::WriteTransaction lock(store);
        const auto reverted = store.revert_latest_checkin(event_id, 10, 101, "conf-secret-2", at("2026-05-04T11:00:00Z"), "undo-1");
        ASSERT_TRUE(reverted);
        EXPECT_EQ(reverted->type, CheckinType::exit);
        lock.commit();
    }
    checkins = store.checkins_of_position(10, 101);
    ASSERT_EQ(checkins.size(), 1u);
    EXPECT_EQ(checkins.front().type, CheckinType::entry);
    // The exit was never sent: it is settled here, and neither it nor an undo goes to the server.
    const auto queue = store.queue();
    ASSERT_EQ(queue.pending.size(), 1u);
    EXPECT_EQ(queue.pending.front().kind, "checkin");
    EXPECT_EQ(queue.pending.front().type, CheckinType::entry);
}

TEST_F(StoreTest, ReimportAfterUndoingASyncedCheckinKeepsItRevertedAndQueued) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event()); // position 100 has a server check-in
    ASSERT_EQ(store.checkins_of_position(10, 100).size(), 1u);
    {
        Store::WriteTransaction lock(store);
        ASSERT_TRUE(store.revert_latest_checkin(event_id, 10, 100, "conf-secret-1", at("2026-05-04T11:00:00Z"), "undo-1"));
        lock.commit();
    }
    // The server still reports the check-in until the undo reaches it.
    import_ok(store, small_event());
    EXPECT_TRUE(store.checkins_of_position(10, 100).empty());
    ASSERT_EQ(store.queue().pending.size(), 1u);
    EXPECT_EQ(store.queue().pending.front().kind, "undo");
}

TEST_F(StoreTest, ImportAdoptsCheckinsOfTheSameSecretMadeBeforeTheOrderSynced) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    {
        // Admitted offline from a signed ticket: no position known yet.
        Store::WriteTransaction lock(store);
        NewCheckin offline = admission(event_id, 10, 0, "signed-ticket-text", "2026-05-04T10:00:00Z");
        offline.position_id.reset();
        store.record_checkin(offline);
        lock.commit();
    }
    EventImport synced = small_event();
    synced.orders.front().positions.back().secret = "signed-ticket-text"; // position 101 arrives
    import_ok(store, synced);
    EXPECT_EQ(store.checkins_of_position(10, 101).size(), 1u);
    EXPECT_TRUE(store.checkins_of_unsynced_secret(10, "signed-ticket-text").empty());
}

TEST_F(StoreTest, UndoWithoutCheckinChangesNothing) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    Store::WriteTransaction lock(store);
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
        Store::WriteTransaction lock(store);
        store.record_failed_scan(scan);
        lock.commit();
    }
    const auto failed = store.queue().failed;
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().raw, scan.raw);
}

TEST_F(StoreTest, SearchNeedsFourCharactersAndTreatsWildcardsLiterally) {
    Store store(path);
    import_ok(store, small_event());
    const auto lists = std::vector<CheckinList>{list_of(store, 10)};
    EXPECT_TRUE(store.search("Ada", lists).empty());
    EXPECT_TRUE(store.search("Мар", lists).empty());          // characters, not bytes
    EXPECT_EQ(store.search("Lovelace", lists).size(), 1u);
    EXPECT_EQ(store.search("Мария", lists).size(), 1u);
    EXPECT_EQ(store.search("abc12", lists).size(), 2u);       // order code, any case
    EXPECT_EQ(store.search("conf-secret-2", lists).size(), 1u); // secret prefix
    EXPECT_TRUE(store.search("%%%%", lists).empty());
    EXPECT_TRUE(store.search("____", lists).empty());
    EXPECT_TRUE(store.search("' OR '1'='1", lists).empty());
    EXPECT_TRUE(store.search("\"Ada\" OR \"Lov\"", lists).empty());  // no FTS syntax either
}

TEST_F(StoreTest, SearchIgnoresCaseAndAccentsInEveryScript) {
    Store store(path);
    EventImport import = small_event();
    import.orders.front().positions[0].attendee_name = "Brigitte Müller-Strauß";
    import.orders.front().positions[1].attendee_name = "ΣΩΚΡΆΤΗΣ Παπαδόπουλος";
    ImportedOrder cyrillic = import.orders.front();
    cyrillic.order.code = "DEF34";
    cyrillic.checkins.clear();
    cyrillic.positions.resize(1);
    cyrillic.positions[0].id = 102;
    cyrillic.positions[0].order = "DEF34";
    cyrillic.positions[0].secret = "conf-secret-3";
    cyrillic.positions[0].attendee_name = "Михаил Фёдоров";
    import.orders.push_back(cyrillic);
    import_ok(store, import);
    const auto lists = std::vector<CheckinList>{list_of(store, 10)};
    auto names = [&](std::string_view query) {
        std::vector<std::string> found;
        for (const SearchHit& hit : store.search(query, lists)) found.push_back(hit.position.attendee_name);
        return found;
    };
    EXPECT_EQ(names("MÜLLER"), std::vector<std::string>{"Brigitte Müller-Strauß"});
    EXPECT_EQ(names("muller"), std::vector<std::string>{"Brigitte Müller-Strauß"});
    EXPECT_EQ(names("σωκρατης"), std::vector<std::string>{"ΣΩΚΡΆΤΗΣ Παπαδόπουλος"});
    EXPECT_EQ(names("ΠΑΠΑΔΟΠΟΥΛΟΣ"), std::vector<std::string>{"ΣΩΚΡΆΤΗΣ Παπαδόπουλος"});
    EXPECT_EQ(names("ФЁДОРОВ"), std::vector<std::string>{"Михаил Фёдоров"});
    EXPECT_EQ(names("федоров"), std::vector<std::string>{"Михаил Фёдоров"});
    EXPECT_EQ(names("BUYER@EXAMPLE").size(), 3u);              // the order's email, any case
    // Four characters as typed: folding that lengthens a query ("ß" to "ss") does not let a
    // three-character one through.
    EXPECT_EQ(names("STRAUSS"), std::vector<std::string>{"Brigitte Müller-Strauß"});
    EXPECT_TRUE(names("auß").empty());                          // folds to "auss", but three typed
}

TEST_F(StoreTest, SearchFollowsAReimportedName) {
    Store store(path);
    EventImport import = small_event();
    import_ok(store, import);
    const auto lists = std::vector<CheckinList>{list_of(store, 10)};
    import.orders.front().positions[0].attendee_name = "Grace Hopper";
    import_ok(store, import);
    EXPECT_TRUE(store.search("Lovelace", lists).empty());
    EXPECT_EQ(store.search("hopper", lists).size(), 1u);
}

TEST_F(StoreTest, ListStatusCountsCheckinsAndWhoIsInside) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    {
        Store::WriteTransaction lock(store);
        NewCheckin exit = admission(event_id, 10, 100, "conf-secret-1", "2026-05-04T10:00:00Z");
        exit.type = CheckinType::exit;
        store.record_checkin(exit);
        lock.commit();
    }
    const ListStatus status = store.list_status(list_of(store, 10));
    EXPECT_EQ(status.total.position_count, 2);
    EXPECT_EQ(status.total.checkin_count, 1);  // the server's entry; the local exit is no check-in
    EXPECT_EQ(status.total.inside_count, 0);   // entered, then left
}

// pretix's list status: every product of the list, admission or not; canceled positions and
// orders left out; pending orders only where the list or the order admits them.
TEST_F(StoreTest, ListStatusCountsWhatPretixCounts) {
    Store store(path);
    EventImport import = small_event();
    Item merchandise;
    merchandise.id = 2;
    merchandise.admission = false;
    import.catalog.items.push_back(merchandise);
    Item other;
    other.id = 3;
    import.catalog.items.push_back(other);
    import.catalog.lists.front().all_products = false;
    import.catalog.lists.front().limit_products = {1, 2};
    ImportedOrder& order = import.orders.front();
    order.positions[1].item = 2;                   // the non-admission product counts
    Position canceled = order.positions[0];
    canceled.id = 102;
    canceled.secret = "canceled";
    canceled.canceled = true;
    Position not_on_list = order.positions[0];
    not_on_list.id = 103;
    not_on_list.secret = "other-product";
    not_on_list.item = 3;
    order.positions.push_back(canceled);
    order.positions.push_back(not_on_list);
    // A copy: the lambda's push_back into import.orders would leave `order` dangling.
    const Position first_position = order.positions[0];
    auto pending_order = [&](const std::string& code, int64_t id, bool valid_if_pending) {
        ImportedOrder pending;
        pending.order.code = code;
        pending.order.status = OrderStatus::pending;
        pending.order.valid_if_pending = valid_if_pending;
        Position position = first_position;
        position.id = id;
        position.order = code;
        position.secret = code;
        pending.positions = {position};
        return pending;
    };
    import.orders.push_back(pending_order("PEND1", 104, false));
    import.orders.push_back(pending_order("PEND2", 105, true));
    import_ok(store, import);

    const ListStatus status = store.list_status(list_of(store, 10));
    EXPECT_EQ(status.total.position_count, 3);     // 100, 101 and the valid_if_pending 105
    ASSERT_EQ(status.items.size(), 2u);
    EXPECT_EQ(status.items[0].first.id, 1);
    EXPECT_EQ(status.items[0].first.position_count, 2);
    EXPECT_EQ(status.items[1].first.id, 2);
    EXPECT_EQ(status.items[1].first.position_count, 1);

    import.catalog.lists.front().include_pending = true;
    import_ok(store, import);
    EXPECT_EQ(store.list_status(list_of(store, 10)).total.position_count, 4);
}

TEST_F(StoreTest, TwoConnectionsSeeEachOthersCommits) {
    Store writer(path);
    const int64_t event_id = import_ok(writer, small_event());
    Store reader(path);
    {
        Store::WriteTransaction lock(writer);
        writer.record_checkin(admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
        EXPECT_TRUE(reader.checkins_of_position(10, 101).empty()); // not committed yet
        lock.commit();
    }
    EXPECT_EQ(reader.checkins_of_position(10, 101).size(), 1u);
}

// [SECTION] Sync: pages, cursors, the upload queue's life

int64_t admit(Store& store, const NewCheckin& checkin) {
    Store::WriteTransaction lock(store);
    const int64_t id = store.record_checkin(checkin);
    lock.commit();
    return id;
}

std::optional<RevertedCheckin> revert(Store& store, int64_t event_id, int64_t position_id, const std::string& secret,
                                      const std::string& nonce) {
    Store::WriteTransaction lock(store);
    auto reverted = store.revert_latest_checkin(event_id, 10, position_id, secret, at("2026-05-04T11:00:00Z"), nonce);
    lock.commit();
    return reverted;
}

TEST_F(StoreTest, AnOrdersPageLandsWithItsCursorsAndSkipsOnlyTheBadOrder) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    import_ok(store, small_event("other", 500));
    EventImport page = small_event();
    ImportedOrder bad = page.orders.front();
    bad.order.code = "BAD99";
    bad.positions.front().id = 600;   // belongs to the other event
    bad.positions.pop_back();
    bad.checkins.clear();
    page.orders.front().order.email = "changed@example.org";
    page.orders.push_back(bad);
    const std::vector<SkippedRecord> unreadable = {{"orders", "XYZ00", "positions[0].item: expected an integer"}};
    const std::vector<CursorUpdate> cursors = {{"orders.modified_since", "2026-05-04T12:00:00Z"}};
    const PageApplied applied = store.apply_orders_page(event_id, page.orders, unreadable, cursors);
    EXPECT_EQ(applied.orders, 1u);
    ASSERT_EQ(applied.skipped.size(), 1u);
    EXPECT_EQ(applied.skipped.front().id, "BAD99");
    EXPECT_EQ(store.order(event_id, "ABC12")->email, "changed@example.org");
    EXPECT_FALSE(store.order(event_id, "BAD99"));
    EXPECT_EQ(store.sync_cursor(event_id, "orders.modified_since"), "2026-05-04T12:00:00Z");
    const auto skipped = store.skipped_records(event_id);
    ASSERT_EQ(skipped.size(), 2u);
    EXPECT_EQ(skipped[0].id, "BAD99");
    EXPECT_EQ(skipped[1].id, "XYZ00");
    // Erasing a cursor, and a skipped order that lands later is forgotten.
    bad.positions.front().id = 700;
    store.apply_orders_page(event_id, std::vector<ImportedOrder>{bad}, {},
                            std::vector<CursorUpdate>{{"orders.modified_since", std::nullopt}});
    EXPECT_FALSE(store.sync_cursor(event_id, "orders.modified_since"));
    ASSERT_EQ(store.skipped_records(event_id).size(), 1u);
    EXPECT_EQ(store.skipped_records(event_id).front().id, "XYZ00");
}

TEST_F(StoreTest, ApplyCatalogDropsWhatTheServerNoLongerLists) {
    Store store(path);
    EventImport event = small_event();
    CheckinList second;
    second.id = 11;
    second.name = "Exit";
    event.catalog.lists.push_back(second);
    const int64_t event_id = import_ok(store, event);
    ASSERT_EQ(store.catalog(event_id)->lists.size(), 2u);
    event.catalog.lists.pop_back();
    event.catalog.lists.front().name = "Main entrance";
    const auto applied = store.apply_catalog(event.catalog, std::nullopt, std::vector<CursorUpdate>{{"items.last_modified", "x"}});
    ASSERT_TRUE(applied);
    EXPECT_EQ(applied->event_id, event_id);
    const auto catalog = store.catalog(event_id);
    ASSERT_EQ(catalog->lists.size(), 1u);
    EXPECT_EQ(catalog->lists.front().name, "Main entrance");
    EXPECT_FALSE(store.event_of_list(11));
    EXPECT_EQ(store.sync_cursor(event_id, "items.last_modified"), "x");
    EXPECT_EQ(store.event_id("org", "conf"), event_id);
    EXPECT_FALSE(store.event_id("org", "nope"));
}

TEST_F(StoreTest, UploadsAreDueOldestFirstAndLeaveTheQueueOnlyWhenSettled) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    admit(store, admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z"));
    NewCheckin exit = admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:05:00Z");
    exit.type = CheckinType::exit;
    admit(store, exit);
    const Timestamp now = at("2026-05-04T10:10:00Z");
    auto due = store.due_uploads(now, 10);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].type, CheckinType::entry);
    EXPECT_EQ(due[0].organizer, "org");
    EXPECT_EQ(due[0].event_slug, "conf");
    // The first one fails for now: it waits, and does not hold up the second.
    store.mark_upload_attempts(std::vector<int64_t>{due[0].id});
    store.postpone_upload(due[0].id, "the server did not answer", now + std::chrono::seconds(30));
    due = store.due_uploads(now, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].type, CheckinType::exit);
    store.mark_upload_attempts(std::vector<int64_t>{due[0].id});
    store.finish_upload(due[0].id);
    EXPECT_EQ(store.pending_upload_count(), 1u);
    due = store.due_uploads(now + std::chrono::seconds(31), 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 1);
    store.refuse_upload(due[0].id, "unknown ticket", now);
    EXPECT_TRUE(store.due_uploads(now + std::chrono::hours(1), 10).empty());
    const auto queue = store.queue();
    EXPECT_TRUE(queue.pending.empty());
    ASSERT_EQ(queue.refused.size(), 1u);
    EXPECT_EQ(queue.refused.front().last_error, "unknown ticket");
}

TEST_F(StoreTest, AnUndoOfASentCheckinAnnulsItsNonceAndWaitsForIt) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    const NewCheckin entry = admission(event_id, 10, 101, "conf-secret-2", "2026-05-04T10:00:00Z");
    admit(store, entry);
    const Timestamp now = at("2026-05-04T12:00:00Z");
    const auto sending = store.due_uploads(now, 10);
    ASSERT_EQ(sending.size(), 1u);
    store.mark_upload_attempts(std::vector<int64_t>{sending[0].id});   // the answer never came: it may be on the server
    store.postpone_upload(sending[0].id, "connection reset", now);
    const auto reverted = revert(store, event_id, 101, "conf-secret-2", "undo-1");
    ASSERT_TRUE(reverted);
    EXPECT_FALSE(reverted->settled_locally);
    // The undo waits while its check-in is still queued, then annuls the check-in's nonce.
    auto due = store.due_uploads(now, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].kind, "checkin");
    store.finish_upload(due[0].id);
    due = store.due_uploads(now, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].kind, "undo");
    EXPECT_EQ(due[0].nonce, "undo-1");
    EXPECT_EQ(due[0].checkin_nonce, entry.nonce);
}

TEST_F(StoreTest, FailedScansAreDueUntilSentOrRefused) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    FailedScan scan;
    scan.raw = std::string("\x01\xff binary", 9);
    scan.reason = "invalid";
    scan.event_id = event_id;
    scan.list_id = 10;
    scan.datetime = at("2026-05-04T10:00:00Z");
    scan.nonce = "f1";
    {
        Store::WriteTransaction lock(store);
        store.record_failed_scan(scan);
        scan.nonce = "f2";
        scan.event_id.reset();
        scan.list_id = 99;   // a list the store does not know: no event to report it to
        store.record_failed_scan(scan);
        lock.commit();
    }
    const Timestamp now = at("2026-05-04T10:01:00Z");
    auto due = store.due_failed_scans(now, 10);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].scan.raw, scan.raw);
    EXPECT_EQ(due[0].event_slug, "conf");
    EXPECT_EQ(due[1].event_slug, "");
    store.postpone_failed_scan(due[0].id, "timeout", now + std::chrono::seconds(60));
    store.finish_failed_scan(due[1].id, std::string("no event"));
    EXPECT_TRUE(store.due_failed_scans(now, 10).empty());
    due = store.due_failed_scans(now + std::chrono::seconds(60), 10);
    ASSERT_EQ(due.size(), 1u);
    store.finish_failed_scan(due[0].id, std::nullopt);
    EXPECT_TRUE(store.queue().failed.empty());
}

// [SECTION] Print jobs

TEST_F(StoreTest, ABadgePrintsOnceUnlessStaffReprintIt) {
    Store store(path);
    const int64_t event_id = import_ok(store, small_event());
    const Timestamp now = at("2026-05-04T10:00:00Z");
    const NewPrintJob badge{event_id, 101, "conf-secret-2", "de", false};
    const PrintJob first = store.queue_print(badge, now);
    EXPECT_EQ(first.state, PrintJobState::queued);
    EXPECT_EQ(store.queue_print(badge, now).id, first.id);   // scanned twice: the same job
    ASSERT_EQ(store.next_print_job(now)->id, first.id);
    store.set_print_state(first.id, PrintJobState::printing, std::nullopt, now, now);
    EXPECT_FALSE(store.next_print_job(now));
    store.set_print_state(first.id, PrintJobState::done, std::nullopt, now, now);
    EXPECT_EQ(store.print_count(101, "conf-secret-2"), 1);
    EXPECT_EQ(store.queue_print(badge, now).id, first.id);   // done stays done
    NewPrintJob again = badge;
    again.reprint = true;
    const PrintJob reprint = store.queue_print(again, now);
    EXPECT_NE(reprint.id, first.id);
    EXPECT_TRUE(reprint.reprint);
    EXPECT_EQ(store.print_job(first.id)->attempts, 1);
}

TEST_F(StoreTest, AFailedPrintWaitsForItsRetryAndAnInterruptedOneIsQueuedAgain) {
    const Timestamp now = at("2026-05-04T10:00:00Z");
    int64_t failed_id = 0, interrupted_id = 0;
    {
        Store store(path);
        const int64_t event_id = import_ok(store, small_event());
        failed_id = store.queue_print({event_id, 100, "conf-secret-1", "en", false}, now).id;
        interrupted_id = store.queue_print({event_id, 101, "conf-secret-2", "en", false}, now).id;
        store.set_print_state(failed_id, PrintJobState::failed, std::string("The printer is out of labels."), now,
                              now + std::chrono::seconds(30));
        store.set_print_state(interrupted_id, PrintJobState::printing, std::nullopt, now, now);
    }   // the kiosk stops here
    Store store(path);
    EXPECT_EQ(store.requeue_interrupted_prints(now), 1u);
    const auto next = store.next_print_job(now);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->id, interrupted_id);
    store.set_print_state(interrupted_id, PrintJobState::done, std::nullopt, now, now);
    EXPECT_FALSE(store.next_print_job(now));
    const auto retry = store.next_print_job(now + std::chrono::seconds(30));
    ASSERT_TRUE(retry);
    EXPECT_EQ(retry->id, failed_id);
    EXPECT_EQ(retry->last_error, "The printer is out of labels.");
    EXPECT_EQ(store.print_jobs(10).size(), 2u);
}

TEST_F(StoreTest, BadgeLayoutsAreKeptAsImported) {
    Store store(path);
    EventImport event = small_event();
    event.badge_layouts = nlohmann::json::array({{{"id", 1}, {"layout", nlohmann::json::array()}}});
    const int64_t event_id = import_ok(store, event);
    EXPECT_EQ(store.badge_layouts(event_id), event.badge_layouts);
    EXPECT_FALSE(store.badge_layouts(event_id + 1));
}

} // namespace
} // namespace kiosk
