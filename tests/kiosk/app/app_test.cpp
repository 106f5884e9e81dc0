// The app layer in process, on the demo event in a real SQLite file: what every front end calls.
// Scans decide and commit in one write transaction, requests that cannot be served are values
// that change nothing, and a second connection racing the first never admits a ticket twice.
#include "kiosk/app/app.h"

#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "kiosk/core/time.h"
#include "tests/support/db_dump.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

const std::filesystem::path kDemo = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "demo";
constexpr const char* kRegular = "8bmub2af8hgcku36aguwaaxpxzuhkdcq";   // paid, every answer present
constexpr const char* kUnpaid = "5dtgwmm9m27uk3t6jpqnm4rbbqrxy82y";
constexpr int64_t kMainEntrance = 11;
constexpr int64_t kWorkshop = 12;

Timestamp at(const char* iso) { return *parse_iso8601(iso); }

ScanRequest scan_of(std::string raw, std::vector<int64_t> lists = {kMainEntrance},
                    const char* when = "2027-03-16T09:30:00+01:00") {
    ScanRequest request;
    request.raw = std::move(raw);
    request.lists = std::move(lists);
    request.now = at(when);
    return request;
}

class AppTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto imported = app.import_pretix_directory(kDemo, "demo");
        ASSERT_TRUE(imported) << imported.error();
    }
    ScanOutcome scan(const ScanRequest& request) {
        auto outcome = app.scan(request);
        EXPECT_TRUE(outcome) << outcome.error();
        return outcome ? *outcome : ScanOutcome{};
    }

    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
    App app{path};
};

TEST_F(AppTest, AdmissionIsOnDiskWhenScanReturns) {
    const ScanOutcome outcome = scan(scan_of(kRegular));
    ASSERT_EQ(outcome.verdict.status, VerdictStatus::ok);
    ASSERT_TRUE(outcome.checkin);
    EXPECT_EQ(outcome.event_slug, "kioskconf27");
    EXPECT_EQ(outcome.checkin->datetime, at("2027-03-16T09:30:00+01:00"));

    App other(path);   // another connection, as another process would have
    const QueueSnapshot queue = other.queue();
    ASSERT_FALSE(queue.pending.empty());
    EXPECT_EQ(queue.pending.back().nonce, outcome.checkin->nonce);
    EXPECT_EQ(queue.pending.back().secret, kRegular);
    const ScanOutcome again = *other.scan(scan_of(kRegular, {kMainEntrance}, "2027-03-16T10:00:00+01:00"));
    EXPECT_EQ(again.verdict.reason, RejectReason::already_redeemed);
    EXPECT_EQ(again.verdict.explanation, "Already checked in at 2027-03-16 09:30");
}

TEST_F(AppTest, ScannedTextIsCleanedOnceAndTheRawBytesAreWhatFailedScansKeep) {
    EXPECT_EQ(scan(scan_of(std::string("\\000026") + kRegular + "\r\n")).verdict.status, VerdictStatus::ok);
    const std::string garbage = std::string("\\000026no such ticket\r\n");
    EXPECT_EQ(scan(scan_of(garbage)).verdict.reason, RejectReason::invalid);
    const QueueSnapshot queue = app.queue();
    ASSERT_FALSE(queue.failed.empty());
    EXPECT_EQ(queue.failed.back().raw, garbage);
    EXPECT_EQ(queue.failed.back().reason, "invalid");
}

TEST_F(AppTest, RejectionIsAFailedScanNotACheckin) {
    const size_t pending_before = app.queue().pending.size();
    const ScanOutcome outcome = scan(scan_of(kUnpaid));
    EXPECT_EQ(outcome.verdict.reason, RejectReason::unpaid);
    EXPECT_FALSE(outcome.checkin);
    EXPECT_EQ(app.queue().pending.size(), pending_before);
    EXPECT_EQ(app.queue().failed.back().reason, "unpaid");
}

TEST_F(AppTest, RequestsThatCannotBeServedAreErrorsThatChangeNothing) {
    const std::string before = testing::dump_database(path);
    const auto unknown = app.scan(scan_of(kRegular, {999}));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), "unknown check-in list 999 (import or sync its event first)");
    const auto same_event = app.scan(scan_of(kRegular, {kMainEntrance, kWorkshop}));
    ASSERT_FALSE(same_event);
    EXPECT_NE(same_event.error().find("second list of the same event"), std::string::npos);
    EXPECT_FALSE(app.scan(scan_of(kRegular, {})));
    EXPECT_FALSE(app.undo(UndoRequest{kRegular, 999, at("2027-03-16T09:30:00Z")}));
    EXPECT_FALSE(app.search("Müller", std::vector<int64_t>{999}));
    EXPECT_FALSE(app.list_status(999));
    EXPECT_FALSE(app.venue_time("2027-03-16T09:30", 999));
    EXPECT_FALSE(app.venue_time("yesterday", kMainEntrance));
    EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(AppTest, BrokenDumpIsRefusedAndChangesNothing) {
    const std::string before = testing::dump_database(path);
    testing::TempDir broken;
    std::filesystem::copy(kDemo, broken.path(), std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    std::ofstream(broken.path() / "orders.json", std::ios::trunc) << R"({"results": [{"code": 5}]})";
    const auto imported = app.import_pretix_directory(broken.path(), "demo");
    ASSERT_FALSE(imported);
    EXPECT_EQ(imported.error().rfind("import failed, nothing changed: orders.json: results[0].code", 0), 0u)
        << imported.error();
    EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(AppTest, VenueTimeWithoutOffsetIsTheEventsWallClock) {
    EXPECT_EQ(*app.venue_time("2027-03-16T09:30:00", kMainEntrance), at("2027-03-16T08:30:00Z"));   // Berlin, CET
    EXPECT_EQ(*app.venue_time("2027-03-16T09:30:00Z", kMainEntrance), at("2027-03-16T09:30:00Z"));
}

TEST_F(AppTest, UndoRevertsTheLatestCheckinOnceThenSaysThereIsNothingLeft) {
    ASSERT_EQ(scan(scan_of(kRegular)).verdict.status, VerdictStatus::ok);
    const auto undone = app.undo(UndoRequest{kRegular, kMainEntrance, at("2027-03-16T09:40:00+01:00")});
    ASSERT_TRUE(undone);
    EXPECT_TRUE(undone->reverted);
    ASSERT_TRUE(undone->position);
    EXPECT_EQ(undone->position->secret, kRegular);
    // Never sent, so settled here: neither the check-in nor an undo goes to the server.
    ASSERT_TRUE(undone->checkin);
    EXPECT_TRUE(undone->checkin->settled_locally);
    EXPECT_TRUE(app.queue().pending.empty());

    const auto nothing_left = app.undo(UndoRequest{kRegular, kMainEntrance, at("2027-03-16T09:41:00+01:00")});
    ASSERT_TRUE(nothing_left);
    EXPECT_FALSE(nothing_left->reverted);
    EXPECT_EQ(nothing_left->explanation, "this ticket has no check-in on list 11 to undo");
    EXPECT_EQ(scan(scan_of(kRegular, {kMainEntrance}, "2027-03-16T09:45:00+01:00")).verdict.status, VerdictStatus::ok);
}

TEST_F(AppTest, ListsAreEveryListWithItsEvent) {
    const std::vector<ListSummary> lists = app.lists();
    ASSERT_EQ(lists.size(), 3u);
    EXPECT_EQ(lists[0].list.id, kMainEntrance);
    EXPECT_EQ(lists[0].list.name, "Main entrance");
    EXPECT_EQ(lists[0].catalog->event.slug, "kioskconf27");
    EXPECT_EQ(lists[1].list.limit_products, std::vector<int64_t>{104});
    EXPECT_EQ(app.default_list(), kMainEntrance) << "the first list of every product";
}

TEST(AppDefaultList, NoneInAnEmptyStore) {
    testing::TempDir dir;
    App app(dir.file("kiosk.db"));
    EXPECT_FALSE(app.default_list());
}

TEST_F(AppTest, ListStatusCountsNonAdmissionProductsOfTheList) {
    const auto report = app.list_status(kMainEntrance);   // all products, 105 is not an admission product
    ASSERT_TRUE(report) << report.error();
    bool counted_merchandise = false;
    int64_t sum = 0;
    for (const auto& [item, variations] : report->counts.items) {
        sum += item.position_count;
        if (item.id == 105) counted_merchandise = item.position_count > 0;
    }
    EXPECT_TRUE(counted_merchandise);
    EXPECT_EQ(sum, report->counts.total.position_count);
    EXPECT_EQ(report->catalog->event.slug, "kioskconf27");

    const int64_t checked_in = report->counts.total.checkin_count;
    ASSERT_EQ(scan(scan_of(kRegular)).verdict.status, VerdictStatus::ok);
    EXPECT_EQ(app.list_status(kMainEntrance)->counts.total.checkin_count, checked_in + 1);
}

TEST_F(AppTest, SearchFindsNamesInEveryScriptWithTheirEvent) {
    for (const char* query : {"MÜLLER", "muller", "ФЁДОРОВ", "федоров", "öztürk", "sofia munoz"}) {
        const auto results = app.search(query, std::vector<int64_t>{kMainEntrance});
        ASSERT_TRUE(results) << results.error();
        EXPECT_FALSE(results->empty()) << query;
        for (const SearchResult& result : *results) EXPECT_EQ(result.event_slug, "kioskconf27");
    }
    EXPECT_TRUE(app.search("Mül", std::vector<int64_t>{kMainEntrance})->empty());
}

TEST_F(AppTest, ACatalogChangeByAnotherConnectionDecidesTheNextScan) {
    ASSERT_EQ(scan(scan_of(kRegular)).verdict.status, VerdictStatus::ok);   // list 11 now cached
    // Staff re-import the event with list 11 allowing multiple entries, from another process.
    testing::TempDir changed;
    std::filesystem::copy(kDemo, changed.path(), std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    auto lists = nlohmann::json::parse(std::ifstream(changed.path() / "checkinlists.json"));
    for (auto& list : lists["results"])
        if (list["id"] == kMainEntrance) list["allow_multiple_entries"] = true;
    std::ofstream(changed.path() / "checkinlists.json", std::ios::trunc) << lists.dump();
    App staff(path);
    ASSERT_TRUE(staff.import_pretix_directory(changed.path(), "demo"));
    EXPECT_EQ(scan(scan_of(kRegular, {kMainEntrance}, "2027-03-16T10:00:00+01:00")).verdict.status, VerdictStatus::ok);
}

// Two connections scan the same ticket while one holds the write transaction: the other waits,
// then decides on what the first committed. One admission, one `already_redeemed`.
TEST_F(AppTest, ARacingScanWaitsAndSeesTheFirstAdmission) {
    Store first(path);                      // a connection of the test's own, as another process would hold
    Store::WriteTransaction held(first);
    std::promise<void> started;
    auto racing = std::async(std::launch::async, [&] {
        App second(path);
        started.set_value();
        return second.scan(scan_of(kRegular, {kMainEntrance}, "2027-03-16T09:31:00+01:00"));
    });
    started.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // the racer is now waiting on the lock
    NewCheckin checkin;
    checkin.event_id = 1;
    checkin.list_id = kMainEntrance;
    checkin.position_id = first.positions_by_secret(kRegular).front().id;
    checkin.secret = kRegular;
    checkin.datetime = at("2027-03-16T09:30:00+01:00");
    checkin.nonce = "first-admission";
    first.record_checkin(checkin);
    held.commit();
    const auto second = racing.get();
    ASSERT_TRUE(second) << second.error();
    EXPECT_EQ(second->verdict.reason, RejectReason::already_redeemed);
}

} // namespace
} // namespace kiosk
