// Local webhooks: events queued by the store's triggers in the admission's and the undo's own
// transaction, delivered by deliver_once to loopback receivers (tests/support/http_test_server.h):
// body shape, signature (checked with an HMAC built here from plain SHA-256, not the sender's
// code), order, a receiver down and back, non-2xx answers retried with backoff, several URLs, and
// no secret in any status. Time is passed in (`now`), so backoff is tested without waiting.
#include "netsync/webhooks/webhook_sender.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <thread>

#include "kiosk/core/time.h"
#include "netsync/store/sqlite.h"
#include "tests/support/http_test_server.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;
using testing::HttpTestReply;
using testing::HttpTestRequest;
using testing::HttpTestServer;
using namespace std::chrono_literals;

constexpr const char* kSecret = "wh-secret-7Qx9-never-shown";

Timestamp at(const char* iso) { return *parse_iso8601(iso); }

// HMAC-SHA256 (RFC 2104) from SHA-256 alone, so the test does not trust the sender's HMAC.
std::string independent_hmac_hex(std::string_view key, std::string_view message) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium");
    constexpr size_t kBlock = 64;
    std::array<unsigned char, kBlock> block{};
    if (key.size() > kBlock) crypto_hash_sha256(block.data(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
    else std::copy(key.begin(), key.end(), block.begin());
    std::string inner(kBlock, '\0'), outer(kBlock, '\0');
    for (size_t i = 0; i < kBlock; ++i) {
        inner[i] = static_cast<char>(block[i] ^ 0x36);
        outer[i] = static_cast<char>(block[i] ^ 0x5c);
    }
    inner += message;
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(inner.data()), inner.size());
    outer.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(outer.data()), outer.size());
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

EventImport small_event() {
    EventImport import;
    import.catalog.event.organizer = "org";
    import.catalog.event.slug = "conf";
    import.catalog.event.timezone = "Europe/Berlin";
    Item item;
    item.id = 1;
    import.catalog.items.push_back(item);
    CheckinList list;
    list.id = 10;
    list.name = "Entrance";
    import.catalog.lists.push_back(list);
    ImportedOrder order;
    order.order.code = "ABC12";
    Position ada;
    ada.id = 100;
    ada.order = "ABC12";
    ada.item = 1;
    ada.secret = "secret-ada";
    ada.attendee_name = "Ada Lovelace";
    order.positions = {ada};
    // A check-in the server reports: not made here, so no webhook.
    order.checkins.push_back({ada.id, Checkin{10, at("2026-05-04T08:00:00Z"), CheckinType::exit, {}}});
    import.orders.push_back(order);
    return import;
}

class WebhooksTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto imported = store.import_event(small_event());
        ASSERT_TRUE(imported) << imported.error();
        event_id = imported->event_id;
        settings.urls = {receiver.url("/hook")};
        settings.secret = kSecret;
        settings.scanner_id = "gate-north-1";
        receiver.on("/hook", {HttpTestReply::plain(200)});
    }

    int64_t admit(const std::string& secret, const char* when, std::optional<int64_t> position = 100) {
        NewCheckin checkin;
        checkin.event_id = event_id;
        checkin.list_id = 10;
        checkin.position_id = position;
        checkin.secret = secret;
        checkin.datetime = at(when);
        checkin.gate = "north";
        checkin.nonce = "n-" + secret + "-" + when;
        Store::WriteTransaction transaction(store);
        const int64_t id = store.record_checkin(checkin);
        transaction.commit();
        return id;
    }
    void undo(const std::string& secret, const char* when, std::optional<int64_t> position = 100) {
        Store::WriteTransaction transaction(store);
        ASSERT_TRUE(store.revert_latest_checkin(event_id, 10, position, secret, at(when), "undo-" + secret + "-" + when));
        transaction.commit();
    }
    webhooks::DeliveryRound deliver(const webhooks::WebhookSettings& with, Timestamp now) {
        return webhooks::deliver_once(with, store, client, now);
    }
    webhooks::DeliveryRound deliver(Timestamp now) { return deliver(settings, now); }
    size_t queued() { return store.webhook_events_after(0, 1000).size(); }

    testing::TempDir dir;
    std::string path = dir.file("kiosk.db");
    Store store{path};
    int64_t event_id = 0;
    HttpTestServer receiver;
    webhooks::WebhookSettings settings;
    http::Client client{webhooks::client_options(settings, nullptr)};
    const Timestamp t0 = at("2026-05-04T09:30:00Z");
};

json body_of(const HttpTestRequest& request) { return json::parse(request.body); }

TEST(WebhookSignature, IsRfc4231HmacSha256InHex) {
    // RFC 4231 test case 2.
    EXPECT_EQ(webhooks::signature_header("Jefe", "what do ya want for nothing?"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(independent_hmac_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(WebhooksTest, NothingIsRecordedWhileNoWebhookIsConfigured) {
    admit("secret-ada", "2026-05-04T09:00:00Z");
    undo("secret-ada", "2026-05-04T09:01:00Z");
    EXPECT_EQ(queued(), 0u);
    EXPECT_TRUE(store.webhook_targets().empty());
}

TEST_F(WebhooksTest, AdmissionsAndUndosAreQueuedInTheirOwnTransaction) {
    deliver(t0);                            // the sender registers its URL
    {
        NewCheckin checkin;
        checkin.event_id = event_id;
        checkin.list_id = 10;
        checkin.position_id = 100;
        checkin.secret = "secret-ada";
        checkin.datetime = at("2026-05-04T09:00:00Z");
        checkin.nonce = "rolled-back";
        Store::WriteTransaction transaction(store);
        store.record_checkin(checkin);
        EXPECT_EQ(queued(), 1u);            // inside the transaction
    }                                       // not committed: rolled back with the admission
    EXPECT_EQ(queued(), 0u);

    const int64_t checkin_id = admit("secret-ada", "2026-05-04T09:00:00Z");
    undo("secret-ada", "2026-05-04T09:05:00Z");
    {
        Store::WriteTransaction transaction(store);
        store.revert_latest_checkin(event_id, 10, 100, "secret-ada", at("2026-05-04T09:06:00Z"), "never");
    }                                       // an undo rolled back queues nothing either
    const auto events = store.webhook_events_after(0, 10);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, "ticket.checked_in");
    EXPECT_EQ(events[0].checkin_id, checkin_id);
    EXPECT_EQ(events[1].kind, "ticket.check_in_reverted");
    EXPECT_EQ(events[1].created_at, at("2026-05-04T09:05:00Z"));
    EXPECT_NE(events[0].id, events[1].id);

    // A sync bringing the server's check-ins again records nothing: they were not made here.
    ASSERT_TRUE(store.import_event(small_event()));
    EXPECT_EQ(queued(), 2u);
}

TEST_F(WebhooksTest, ReceiverGetsSignedEventsInBrightStarShapeInOrderOnce) {
    deliver(t0);
    admit("secret-ada", "2026-05-04T09:00:00Z");
    admit("unsynced-signed-ticket", "2026-05-04T09:02:00Z", std::nullopt);
    undo("secret-ada", "2026-05-04T09:05:00Z");
    const auto round = deliver(t0);
    EXPECT_EQ(round.delivered, 3u);
    EXPECT_EQ(round.failed, 0u);

    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const HttpTestRequest& request : requests) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.header("Content-Type"), "application/json");
        EXPECT_EQ(request.header("X-Kiosk-Signature"), "sha256=" + independent_hmac_hex(kSecret, request.body));
        const json body = body_of(request);
        EXPECT_EQ(request.header("X-Kiosk-Event-Id"), body["id"].get<std::string>());
        EXPECT_EQ(request.header("X-Kiosk-Event"), body["event"].get<std::string>());
        EXPECT_EQ(request.header("X-Kiosk-Timestamp"), std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t0.time_since_epoch()).count()));
        EXPECT_EQ(body["sent_at"], "2026-05-04T09:30:00Z");
        EXPECT_EQ(body["id"].get<std::string>().size(), 32u);
    }
    const json first = body_of(requests[0]), second = body_of(requests[1]), third = body_of(requests[2]);
    EXPECT_EQ(first["event"], "ticket.checked_in");
    EXPECT_EQ(first["created_at"], "2026-05-04T09:00:00Z");
    EXPECT_EQ(first["data"]["ticket_id"], "secret-ada");
    EXPECT_EQ(first["data"]["attendee"], "Ada Lovelace");
    EXPECT_EQ(first["data"]["timestamp"], "2026-05-04T09:00:00Z");
    EXPECT_EQ(first["data"]["scanner_id"], "gate-north-1");
    EXPECT_EQ(first["data"]["type"], "entry");
    EXPECT_EQ(first["data"]["list_id"], 10);
    EXPECT_EQ(first["data"]["gate"], "north");
    EXPECT_EQ(second["data"]["ticket_id"], "unsynced-signed-ticket");
    EXPECT_TRUE(second["data"]["attendee"].is_null());  // no position known: no name
    EXPECT_EQ(third["event"], "ticket.check_in_reverted");
    EXPECT_EQ(third["created_at"], "2026-05-04T09:05:00Z");
    EXPECT_EQ(third["data"]["ticket_id"], "secret-ada");
    EXPECT_EQ(third["data"]["reverted_by"], "gate-north-1");
    EXPECT_EQ(third["data"]["reason"], "staff_undo");
    EXPECT_EQ(third["data"]["checked_in_at"], "2026-05-04T09:00:00Z");

    // Acknowledged: never sent again, and no longer kept.
    EXPECT_EQ(deliver(t0 + 1h).delivered, 0u);
    EXPECT_EQ(receiver.requests().size(), 3u);
    EXPECT_EQ(queued(), 0u);
    const auto status = webhooks::read_webhook_status(settings, store);
    EXPECT_EQ(status.pending, 0u);
    EXPECT_EQ(status.last_error, "");
    ASSERT_EQ(status.targets.size(), 1u);
    EXPECT_EQ(status.targets[0].name, "webhook 1 (127.0.0.1)");
    EXPECT_EQ(status.targets[0].last_success, t0);
}

TEST_F(WebhooksTest, ReceiverDownForAnHourGetsEverythingAfterwardsInOrderWithoutDuplicates) {
    deliver(t0);
    // Down: the connection is closed without an answer.
    receiver.on("/hook", {HttpTestReply::plain(200).ending_with(HttpTestReply::Ending::raw)});
    admit("secret-ada", "2026-05-04T09:00:00Z");
    EXPECT_EQ(deliver(t0).failed, 1u);
    undo("secret-ada", "2026-05-04T09:10:00Z");
    admit("secret-ada", "2026-05-04T09:20:00Z");
    Timestamp now = t0;
    for (int minute = 0; minute < 60; ++minute) {   // an hour of rounds, each failing when due
        now += 1min;
        deliver(now);
    }
    const auto down = webhooks::read_webhook_status(settings, store);
    EXPECT_EQ(down.pending, 3u);
    EXPECT_NE(down.last_error.find("webhook 1 (127.0.0.1)"), std::string::npos) << down.last_error;
    EXPECT_GT(down.targets[0].attempts, 1);
    const size_t tried_while_down = receiver.requests().size();
    EXPECT_LT(tried_while_down, 61u);       // backoff: not once per round
    for (const auto& request : receiver.requests()) EXPECT_EQ(body_of(request)["created_at"], "2026-05-04T09:00:00Z");

    receiver.on("/hook", {HttpTestReply::plain(204)});
    EXPECT_EQ(deliver(now + 10min).delivered, 3u);
    EXPECT_EQ(deliver(now + 20min).delivered, 0u);
    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), tried_while_down + 3);
    std::vector<std::string> kinds, ids;
    for (size_t i = tried_while_down; i < requests.size(); ++i) {
        kinds.push_back(body_of(requests[i])["event"]);
        ids.push_back(body_of(requests[i])["id"]);
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"ticket.checked_in", "ticket.check_in_reverted", "ticket.checked_in"}));
    EXPECT_EQ(body_of(requests[tried_while_down])["id"], body_of(requests[0])["id"]);  // the same event, retried
    EXPECT_NE(ids[0], ids[2]);
    const auto up = webhooks::read_webhook_status(settings, store);
    EXPECT_EQ(up.pending, 0u);
    EXPECT_EQ(up.last_error, "");
}

TEST_F(WebhooksTest, ErrorAnswersAreRetriedWithBackoffAndTheEventsBehindWait) {
    settings.first_retry = 10s;
    deliver(t0);
    receiver.on("/hook", {HttpTestReply::plain(500), HttpTestReply::json(404, "{}"), HttpTestReply::plain(200)});
    admit("secret-ada", "2026-05-04T09:00:00Z");
    undo("secret-ada", "2026-05-04T09:01:00Z");

    auto round = deliver(t0);
    EXPECT_EQ(round.failed, 1u);
    ASSERT_TRUE(round.next_retry);
    EXPECT_GE(*round.next_retry - t0, 5s);  // the first wait: the upper half of first_retry
    EXPECT_LE(*round.next_retry - t0, 10s);
    EXPECT_EQ(webhooks::read_webhook_status(settings, store).last_error,
              "webhook 1 (127.0.0.1) answered HTTP 500; the events wait and are sent again.");
    EXPECT_EQ(deliver(t0 + 4s).delivered, 0u);  // not due yet: nothing sent
    EXPECT_EQ(receiver.count("/hook"), 1);

    const Timestamp second_try = *round.next_retry;
    round = deliver(second_try);
    EXPECT_EQ(round.failed, 1u);
    EXPECT_GE(*round.next_retry - second_try, 10s);  // doubled
    EXPECT_LE(*round.next_retry - second_try, 20s);
    EXPECT_EQ(webhooks::read_webhook_status(settings, store).targets[0].attempts, 2);

    round = deliver(*round.next_retry);
    EXPECT_EQ(round.delivered, 2u);
    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), 4u);         // the first event three times, then the undo behind it
    EXPECT_EQ(body_of(requests[0])["id"], body_of(requests[2])["id"]);
    EXPECT_EQ(body_of(requests[3])["event"], "ticket.check_in_reverted");
}

TEST_F(WebhooksTest, EveryUrlGetsEveryEventAndADownOneHoldsUpNoOther) {
    HttpTestServer second, broken;
    second.on("/in", {HttpTestReply::plain(200)});
    broken.on("/in", {HttpTestReply::plain(503)});
    settings.urls = {receiver.url("/hook"), broken.url("/in"), second.url("/in")};
    deliver(t0);
    admit("secret-ada", "2026-05-04T09:00:00Z");
    undo("secret-ada", "2026-05-04T09:01:00Z");
    const auto round = deliver(t0);
    EXPECT_EQ(round.delivered, 4u);
    EXPECT_EQ(round.failed, 1u);
    for (const HttpTestServer* server : {&receiver, &second}) {
        const auto requests = server->requests();
        ASSERT_EQ(requests.size(), 2u);
        EXPECT_EQ(body_of(requests[0])["event"], "ticket.checked_in");
        EXPECT_EQ(body_of(requests[1])["event"], "ticket.check_in_reverted");
    }
    EXPECT_EQ(receiver.requests()[0].body, second.requests()[0].body);  // the same event, the same bytes
    EXPECT_EQ(broken.requests().size(), 1u);
    EXPECT_EQ(queued(), 2u);                // the broken receiver still needs both

    const auto status = webhooks::read_webhook_status(settings, store);
    EXPECT_EQ(status.pending, 2u);
    EXPECT_EQ(status.targets[1].name, "webhook 2 (127.0.0.1)");
    EXPECT_EQ(status.targets[1].pending, 2u);
    EXPECT_EQ(status.targets[2].pending, 0u);

    // The broken one is taken out of the configuration: its events are no longer kept.
    settings.urls = {receiver.url("/hook"), second.url("/in")};
    webhooks::forget_other_targets(settings, store);
    EXPECT_EQ(queued(), 0u);
}

TEST_F(WebhooksTest, ANewUrlStartsWithWhatHappensFromNowOn) {
    deliver(t0);
    receiver.on("/hook", {HttpTestReply::plain(500)});
    admit("secret-ada", "2026-05-04T09:00:00Z");
    deliver(t0);                            // fails: the event stays for this receiver
    HttpTestServer late;
    late.on("/in", {HttpTestReply::plain(200)});
    webhooks::WebhookSettings both = settings;
    both.urls.push_back(late.url("/in"));
    deliver(both, t0 + 1s);
    EXPECT_TRUE(late.requests().empty());
    undo("secret-ada", "2026-05-04T09:01:00Z");
    deliver(both, t0 + 2s);
    ASSERT_EQ(late.requests().size(), 1u);
    EXPECT_EQ(body_of(late.requests()[0])["event"], "ticket.check_in_reverted");
}

TEST_F(WebhooksTest, WithoutAnyUrlTheKioskForgetsTargetsAndStopsRecording) {
    deliver(t0);
    receiver.on("/hook", {HttpTestReply::plain(500)});
    admit("secret-ada", "2026-05-04T09:00:00Z");
    deliver(t0);
    EXPECT_EQ(queued(), 1u);
    webhooks::WebhookSettings none = settings;
    none.urls.clear();
    EXPECT_EQ(webhooks::start_webhook_sender(none, path), nullptr);
    EXPECT_TRUE(store.webhook_targets().empty());
    EXPECT_EQ(queued(), 0u);
    admit("secret-ada", "2026-05-04T09:10:00Z");
    EXPECT_EQ(queued(), 0u);
}

TEST_F(WebhooksTest, ATargetLeasedByAnotherSenderIsLeftToIt) {
    deliver(t0);
    admit("secret-ada", "2026-05-04T09:00:00Z");
    const std::string key = webhooks::target_key(settings.urls[0]);
    ASSERT_TRUE(store.lease_webhook_target(key, "kioskctl-elsewhere", t0, t0 + 1min));
    EXPECT_EQ(deliver(t0).delivered, 0u);
    EXPECT_TRUE(receiver.requests().empty());
    EXPECT_EQ(deliver(t0 + 2min).delivered, 1u);   // its lease ran out (it crashed): taken over
}

TEST_F(WebhooksTest, NoSecretAndNoUrlPathOrQueryInAnyStatusOrError) {
    testing::RefusingPort refusing;
    HttpTestServer failing;
    failing.on("/hook/path-secret-42", {HttpTestReply::plain(401, kSecret)});
    settings.urls = {failing.url("/hook/path-secret-42?token=query-secret-43"),
                     refusing.url("/down/path-secret-44?key=query-secret-45"), "ftp://not-http/x?y=query-secret-46"};
    deliver(t0);
    admit("secret-ada", "2026-05-04T09:00:00Z");
    deliver(t0);
    ASSERT_EQ(failing.requests().size(), 1u);   // sent with its query, as configured
    EXPECT_EQ(failing.requests()[0].target, "/hook/path-secret-42?token=query-secret-43");

    const auto status = webhooks::read_webhook_status(settings, store);
    const std::string text = webhooks::to_json(status).dump();
    ASSERT_EQ(status.targets.size(), 3u);
    for (const auto& target : status.targets) EXPECT_FALSE(target.last_error.empty()) << target.name;
    EXPECT_NE(text.find("127.0.0.1"), std::string::npos) << text;
    for (const char* hidden : {kSecret, "path-secret", "query-secret", "token=", "/hook", "/down"})
        EXPECT_EQ(text.find(hidden), std::string::npos) << hidden << " in " << text;
    // Nor in the store: a target is a hash of its URL.
    sqlite::Database db(path);
    auto rows = db.prepare("SELECT key || COALESCE(last_error, '') FROM webhook_targets");
    while (rows.step())
        for (const char* hidden : {kSecret, "path-secret", "query-secret"}) EXPECT_EQ(rows.text(0).find(hidden), std::string::npos);
}

// The kiosk's thread: started, told of an admission, delivers on its own connection.
TEST_F(WebhooksTest, SenderThreadDeliversAndReportsStatus) {
    settings.poll_interval = 20ms;
    auto sender = webhooks::start_webhook_sender(settings, path);
    ASSERT_NE(sender, nullptr);
    // The sender registers its URL at start (start_webhook_sender leaves registration to its rounds).
    for (int i = 0; i < 500 && store.webhook_targets().empty(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(store.webhook_targets().size(), 1u);
    admit("secret-ada", "2026-05-04T09:00:00Z");
    sender->request_delivery();
    // Acknowledged: the sender has moved its cursor (the request arriving is not enough).
    const auto delivered = [&] { return webhooks::read_webhook_status(settings, store).targets.at(0).last_success.has_value(); };
    for (int i = 0; i < 1000 && !delivered(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(delivered());
    for (int i = 0; i < 500 && sender->status().targets.empty(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(sender->status().targets.size(), 1u);
    sender.reset();                         // joins
    EXPECT_EQ(webhooks::read_webhook_status(settings, store).pending, 0u);
    EXPECT_EQ(receiver.count("/hook"), 1);
}

} // namespace
} // namespace kiosk
