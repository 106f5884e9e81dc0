// OveitClient::download into a real store: the seed's list as events, items, lists per addon,
// positions and the server's check-ins; 10,000 tickets refreshed without writing when unchanged;
// changed, cancelled and malformed tickets; bad answers.
#include "netsync/oveit/oveit_download.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/core/time.h"
#include "netsync/oveit/oveit_client.h"
#include "tests/support/oveit_emulator.h"
#include "tests/support/temp_dir.h"

namespace kiosk::oveit {
namespace {

using nlohmann::json;
using testing::OveitEmulator;
using namespace std::chrono_literals;

const std::string kSeedEvent(OveitEmulator::kSeedEvent);
constexpr http::RetryPolicy kQuickRetry{.max_attempts = 2, .base_delay = 10ms, .max_delay = 100ms};

backend::Connection connection_to(const OveitEmulator& oveit) {
    backend::Connection connection;
    connection.url = oveit.url();
    connection.token = oveit.token();
    connection.connect_timeout = 2s;
    connection.request_timeout = 20s;
    return connection;
}

Timestamp at(std::string_view iso) { return *parse_iso8601(iso); }

std::optional<Position> position_of(Store& store, const std::string& event, const std::string& code) {
    for (const Position& position : store.positions_by_secret(code))
        if (position.id == position_id(event, code)) return position;
    return std::nullopt;
}

std::vector<Timestamp> server_checkins(Store& store, int64_t list, const std::string& event, const std::string& code) {
    std::vector<Timestamp> out;
    const auto position = position_of(store, event, code);
    if (!position) return out;
    for (const Checkin& checkin : store.checkins_of_position(list, position->id)) out.push_back(checkin.datetime);
    return out;
}

uintmax_t wal_size(const testing::TempDir& dir) {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(dir.file("store.db-wal"), ignored);
    return ignored ? 0 : size;
}

TEST(OveitDownload, SeedListBecomesEventItemsListsPositionsAndCheckins) {
    OveitEmulator oveit;
    testing::TempDir dir;
    Store store(dir.file("store.db"));
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto summary = client.download(store, kSeedEvent);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_TRUE(summary->changed);
    EXPECT_EQ(summary->tickets, 3u);
    EXPECT_TRUE(summary->skipped.empty());
    EXPECT_EQ(oveit.requests()[0]["params"], (json{{"token", "***"}, {"id", "100"}}));

    ASSERT_EQ(store.event_id("oveit", kSeedEvent), summary->event_id);
    const auto catalog = store.catalog(summary->event_id);
    ASSERT_TRUE(catalog.has_value());
    ASSERT_EQ(catalog->items.size(), 1u);
    EXPECT_EQ(catalog->items[0].id, 123);
    EXPECT_EQ(catalog->items[0].name, (json{{"en", "Ticket type 123"}}));
    const int64_t main = main_list_id(kSeedEvent);
    EXPECT_EQ(main, backend::local_list_id(backend::Kind::oveit, kSeedEvent));
    ASSERT_NE(catalog->list(main), nullptr);
    ASSERT_NE(catalog->list(5), nullptr);                  // addon 5, known from the check-ins
    EXPECT_EQ(catalog->lists.size(), 2u);
    EXPECT_FALSE(catalog->list(5)->allow_multiple_entries);

    const auto position = position_of(store, kSeedEvent, "7cd58203");
    ASSERT_TRUE(position.has_value());
    EXPECT_EQ(position->order, "7cd58203");
    EXPECT_EQ(position->item, 123);
    EXPECT_GE(position->id, int64_t{1} << 52);
    EXPECT_EQ(server_checkins(store, main, kSeedEvent, "7cd58203"), std::vector{at("2016-08-10T11:49:18+00:00")});
    EXPECT_EQ(server_checkins(store, 5, kSeedEvent, "7cd58203"), std::vector{at("2016-08-10T11:49:18+00:00")});
    EXPECT_TRUE(server_checkins(store, main, kSeedEvent, "6c388d60").empty());
    EXPECT_EQ(server_checkins(store, 5, kSeedEvent, "6c388d60"), std::vector{at("2016-09-10T11:49:18+00:00")});
    EXPECT_TRUE(server_checkins(store, main, kSeedEvent, "39fa317d").empty());
    EXPECT_TRUE(position_of(store, kSeedEvent, "39fa317d").has_value());
}

TEST(OveitDownload, UnchangedListOfTenThousandWritesNothingAndChangesArePickedUp) {
    OveitEmulator oveit({.args = {"--events", "1", "--tickets", "10000"}, .start_timeout = 60s});
    const std::string event = "1001";
    testing::TempDir dir;
    Store store(dir.file("store.db"));
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto first = client.download(store, event);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->tickets, 10000u);
    const auto catalog = store.catalog(first->event_id);
    ASSERT_TRUE(catalog.has_value());
    EXPECT_EQ(catalog->items.size(), 3u);
    EXPECT_NE(catalog->list(10011), nullptr);              // the first addon, used by some VIPs

    // The same list again: nothing written (the WAL does not grow, the catalog is the same one).
    const uintmax_t wal_before = wal_size(dir);
    const int64_t generation = store.catalog_generation();
    const auto second = client.download(store, event);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(second->changed);
    EXPECT_EQ(second->tickets, 0u);
    EXPECT_EQ(wal_size(dir), wal_before);
    EXPECT_EQ(store.catalog_generation(), generation);
    EXPECT_EQ(oveit.counters()["list_requests"], 2);

    // One ticket checked in on an addon at the server, one cancelled, one added: a few pages
    // rewritten, not the whole list.
    const auto codes = oveit.admin("GET", "/events/1001/tickets")["codes"].get<std::vector<std::string>>();
    ASSERT_EQ(codes.size(), 10000u);
    const std::string in_addon = codes[10], cancelled = codes[20];
    oveit.patch_ticket(event, in_addon, {{"checkins", {{{"addon_id", 10012}, {"date", "2016-09-10T12:00:00+00:00"}}}}});
    oveit.cancel_ticket(event, cancelled);
    oveit.add_tickets(event, {{"code", "newcode1"}, {"ticket_type_id", 10013}});
    const auto third = client.download(store, event);
    ASSERT_TRUE(third.has_value()) << third.error().message;
    EXPECT_TRUE(third->changed);
    EXPECT_GT(third->tickets, 0u);
    EXPECT_LE(third->tickets, 3 * kPageSize);
    const auto updated = store.catalog(third->event_id);
    ASSERT_NE(updated->list(10012), nullptr);               // a new addon, from the new check-in
    EXPECT_EQ(server_checkins(store, 10012, event, in_addon), std::vector{at("2016-09-10T12:00:00+00:00")});
    const auto gone = position_of(store, event, cancelled);
    ASSERT_TRUE(gone.has_value());                          // kept, as canceled
    EXPECT_TRUE(gone->canceled);
    EXPECT_EQ(store.order(third->event_id, cancelled)->status, OrderStatus::canceled);
    EXPECT_TRUE(position_of(store, event, "newcode1").has_value());

    // And then nothing again.
    const auto fourth = client.download(store, event);
    ASSERT_TRUE(fourth.has_value());
    EXPECT_FALSE(fourth->changed);
}

TEST(OveitDownload, MalformedTicketIsSkippedAndReportedByCode) {
    OveitEmulator oveit;
    oveit.admin("POST", "/events/100/raw_tickets",
                {{"entries", json::parse(R"([{"code": "bad1", "ticket_type_id": "x"}, 17,
                                            {"code": "bad2", "ticket_type_id": 123, "checkins": [{"addon_id": 5, "date": "yesterday"}]},
                                            {"code": "bad3", "ticket_type_id": 123, "checked_in": "yes"},
                                            {"ticket_type_id": 123},
                                            {"code": "7cd58203", "ticket_type_id": 123}])")}});
    testing::TempDir dir;
    Store store(dir.file("store.db"));
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto summary = client.download(store, kSeedEvent);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->tickets, 3u);
    std::vector<std::string> ids;
    for (const SkippedRecord& skipped : summary->skipped) {
        EXPECT_EQ(skipped.resource, "tickets");
        EXPECT_FALSE(skipped.message.empty());
        ids.push_back(skipped.id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"bad1", "tickets[4]", "bad2", "bad3", "tickets[7]", "7cd58203"}));
    EXPECT_EQ(store.skipped_records(summary->event_id).size(), 6u);   // remembered for staff
    EXPECT_TRUE(position_of(store, kSeedEvent, "6c388d60").has_value());
    EXPECT_FALSE(position_of(store, kSeedEvent, "bad1").has_value());
}

TEST(OveitDownload, UnknownEventStopsSyncAndBadAnswersAreRetriedLater) {
    OveitEmulator oveit;
    testing::TempDir dir;
    Store store(dir.file("store.db"));
    OveitClient client(connection_to(oveit), kQuickRetry);
    const auto unknown = client.download(store, "999");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, backend::ApiErrorKind::not_found);
    EXPECT_NE(unknown.error().message.find("This event does not exist"), std::string::npos) << unknown.error().message;

    for (const json& spec : {json{{"kind", "content_type"}}, json{{"kind", "empty"}}, json{{"kind", "wrong_types"}},
                             json{{"kind", "truncate"}}, json{{"kind", "status"}, {"status", 503}, {"count", 2}}}) {
        SCOPED_TRACE(spec.dump());
        json fault = spec;
        fault["path"] = "/api/events/tickets";
        oveit.clear_faults();
        oveit.fault(fault);
        const auto answer = client.download(store, kSeedEvent);
        ASSERT_FALSE(answer.has_value());
        EXPECT_TRUE(answer.error().retry_later()) << answer.error().message;
        EXPECT_EQ(answer.error().message.find(oveit.token()), std::string::npos);
        EXPECT_FALSE(store.event_id("oveit", kSeedEvent).has_value());   // nothing half-written
    }
    oveit.clear_faults();
    EXPECT_TRUE(client.download(store, kSeedEvent).has_value());
}

} // namespace
} // namespace kiosk::oveit
