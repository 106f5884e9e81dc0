// pretix::Api against the pretix emulator on loopback (real requests, pretix's answers), and
// against a scripted server where an answer pretix never gives is the point (a next page on
// another host, a redeem without a status). What the server recorded is read from the emulator's
// counters, never inferred from timing.
#include "netsync/pretix/pretix_api.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/netsync/http/http_test_options.h"
#include "tests/support/http_test_server.h"
#include "tests/support/pretix_emulator.h"

namespace kiosk::pretix {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using kiosk::testing::HttpTestReply;
using kiosk::testing::HttpTestServer;
using kiosk::testing::PretixEmulator;
using nlohmann::json;

constexpr int64_t kMainEntrance = 1021;               // event1's list for every product
constexpr int64_t kConferencePass = 1001;
constexpr const char* kScanTime = "2027-03-16T10:05:00+01:00";

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

//-----------------------------------------------------------------------------
// Handshake
//-----------------------------------------------------------------------------

TEST(PretixHandshakeTest, ReadsTheDeviceQrCode) {
    const auto handshake = parse_handshake(R"( {"handshake_version": 1, "url": "https://pretix.eu", "token": "kpp4jn8g2ynzonp6"})" "\n");
    ASSERT_TRUE(handshake) << handshake.error();
    EXPECT_EQ(handshake->version, 1);
    EXPECT_EQ(handshake->url, "https://pretix.eu");
    EXPECT_EQ(handshake->token, "kpp4jn8g2ynzonp6");
}

TEST(PretixHandshakeTest, NewerVersionAsksToUpdateTheKiosk) {
    const auto handshake = parse_handshake(R"({"handshake_version": 2, "url": "https://pretix.eu", "something": "new"})");
    ASSERT_FALSE(handshake);
    EXPECT_THAT(handshake.error(), HasSubstr("handshake version 2"));
    EXPECT_THAT(handshake.error(), HasSubstr("please update the kiosk software"));
}

TEST(PretixHandshakeTest, AnythingElseIsRefusedInWords) {
    for (const char* text : {"", "TICKET-1234", "[1, 2]", "{\"handshake_version\": 1", "\"url\""})
        EXPECT_EQ(parse_handshake(text).error(), "This is not a pretix device set-up code.") << text;
    EXPECT_THAT(parse_handshake(R"({"url": "https://pretix.eu", "token": "t"})").error(), HasSubstr("no handshake_version"));
    EXPECT_THAT(parse_handshake(R"({"handshake_version": "1", "url": "https://pretix.eu", "token": "t"})").error(),
                HasSubstr("invalid handshake_version"));
    EXPECT_THAT(parse_handshake(R"({"handshake_version": 1, "url": "ftp://pretix.eu", "token": "t"})").error(),
                HasSubstr("no valid server address"));
    EXPECT_THAT(parse_handshake(R"({"handshake_version": 1, "url": "https://", "token": "t"})").error(),
                HasSubstr("no valid server address"));
    EXPECT_THAT(parse_handshake(R"({"handshake_version": 1, "url": "https://pretix.eu", "token": ""})").error(),
                HasSubstr("no device token"));
}

//-----------------------------------------------------------------------------
// Against the emulator
//-----------------------------------------------------------------------------

class PretixApiTest : public ::testing::Test {
protected:
    // One emulator for the suite when the binary runs alone; ctest runs each test in its own
    // process. Tests make their own tickets, nonces and devices, so none depends on another.
    static void SetUpTestSuite() {
        emulator = std::make_unique<PretixEmulator>(kiosk::testing::PretixEmulatorOptions{.args = {"--events", "2", "--positions", "40"}});
    }
    static void TearDownTestSuite() { emulator.reset(); }
    void TearDown() override { emulator->clear_faults(); }

    static http::ClientOptions options() { return http::testing::loopback_options(); }

    static Connection connection(http::ApiToken token) { return {emulator->url(), emulator->organizer(), std::move(token)}; }
    static Api team_api() { return Api(connection({http::ApiToken::Kind::team, emulator->team_token()}), options()); }
    static Api device_api(const DeviceCredentials& device) {
        return Api(connection({http::ApiToken::Kind::device, device.api_token}), options());
    }

    // A device created in the emulator and initialised through the Api.
    static DeviceCredentials new_device(const json& settings = json::object()) {
        json request = settings;
        request["name"] = "Kiosk " + test_name();
        const json device = emulator->admin("POST", "/devices", request);
        const auto credentials = Api::initialize_device(Handshake{1, emulator->url(), device["init_token"].get<std::string>()}, DeviceInfo{}, options());
        if (!credentials) throw std::runtime_error(credentials.error().message);
        return *credentials;
    }

    // A paid order of one conference pass nobody has scanned: {"id", "secret", ...}.
    static json new_position() {
        const json created = emulator->admin("POST", "/events/event1/orders", {{"positions", json::array({{{"item", kConferencePass}}})}});
        return created["orders"][0]["positions"][0];
    }

    static RedeemCall upload(const std::string& secret, const std::string& nonce) {
        RedeemCall call;
        call.secret = secret;
        call.lists = {kMainEntrance};
        call.datetime = kScanTime;
        call.force = true;
        call.nonce = nonce;
        return call;
    }

    static void fault(json spec) {
        spec["match"] = "exact";
        emulator->fault(spec);
    }

    static std::string items_path() { return "/api/v1/organizers/" + emulator->organizer() + "/events/event1/items/"; }

    static inline std::unique_ptr<PretixEmulator> emulator;
};

TEST_F(PretixApiTest, InitializesADevice) {
    const json device = emulator->admin("POST", "/devices", {{"name", "Kiosk North"}, {"gate", "North"}});
    const Handshake handshake{1, emulator->url(), device["init_token"].get<std::string>()};
    DeviceInfo info;
    info.os_version = "Debian 12";

    const auto credentials = Api::initialize_device(handshake, info, options());
    ASSERT_TRUE(credentials) << credentials.error().message;
    EXPECT_EQ(credentials->url, emulator->url());
    EXPECT_EQ(credentials->organizer, emulator->organizer());
    EXPECT_EQ(credentials->device_id, device["device_id"].get<int64_t>());
    EXPECT_EQ(credentials->unique_serial, device["unique_serial"]);
    EXPECT_EQ(credentials->name, "Kiosk North");
    EXPECT_EQ(credentials->gate, "North");
    EXPECT_FALSE(credentials->api_token.empty());

    const auto events = device_api(*credentials).events();
    ASSERT_TRUE(events) << events.error().message;
    EXPECT_EQ(events->size(), 2u) << "the device token works";
}

TEST_F(PretixApiTest, UsedInitTokenIsRefusedWithPretixWords) {
    const Handshake handshake{1, emulator->url(), emulator->init_token()};
    ASSERT_TRUE(Api::initialize_device(handshake, DeviceInfo{}, options()));

    const auto again = Api::initialize_device(handshake, DeviceInfo{}, options());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, ApiErrorKind::refused);
    EXPECT_EQ(again.error().status, 400);
    EXPECT_THAT(again.error().message, HasSubstr("This initialization token has already been used."));
    EXPECT_THAT(again.error().message, Not(HasSubstr(emulator->init_token())));
    EXPECT_FALSE(again.error().retry_later());
}

TEST_F(PretixApiTest, EventsListsEveryEventTheTokenMaySee) {
    const auto events = team_api().events();
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0]["slug"], "event1");
    EXPECT_EQ((*events)[1]["slug"], "event2");

    const auto event = team_api().event("event2");
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ((*event)["slug"], "event2");
    EXPECT_TRUE((*event)["valid_keys"].contains("pretix_sig1"));
}

TEST_F(PretixApiTest, UnknownEventIsForbiddenAsInPretix) {
    const auto event = team_api().event("no-such-event");
    ASSERT_FALSE(event);
    EXPECT_EQ(event.error().kind, ApiErrorKind::forbidden);
    EXPECT_THAT(event.error().message, HasSubstr("While downloading event \"no-such-event\""));
    EXPECT_THAT(event.error().message, HasSubstr("127.0.0.1"));
}

TEST_F(PretixApiTest, OrdersArePagedAndNextIsFollowed) {
    Api api = team_api();
    auto page = api.first_page("event1", "orders", {{"page_size", "10"}, {"ordering", "datetime"}});
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_FALSE(page->not_modified);
    EXPECT_TRUE(page->page_generated.has_value()) << "X-Page-Generated: the next incremental sync's cursor";
    const int64_t count = page->count;
    ASSERT_GT(count, 20);
    std::set<std::string> codes;
    int pages = 0;
    for (;;) {
        ++pages;
        for (const json& order : page->results) codes.insert(order["code"].get<std::string>());
        if (!page->next) break;
        EXPECT_LE(page->results.size(), 10u);
        page = api.next_page(*page);
        ASSERT_TRUE(page) << page.error().message;
    }
    EXPECT_EQ(static_cast<int64_t>(codes.size()), count);
    EXPECT_EQ(pages, static_cast<int>((count + 9) / 10));
}

TEST_F(PretixApiTest, UnchangedItemsAnswerNotModified) {
    Api api = team_api();
    const auto first = api.first_page("event1", "items");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->last_modified.has_value());
    EXPECT_EQ(first->results.size(), 5u);

    const auto again = api.first_page("event1", "items", {}, first->last_modified);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->not_modified);
    EXPECT_TRUE(again->results.empty());
    EXPECT_EQ(emulator->counters()["not_modified"], 1);
}

TEST_F(PretixApiTest, ModifiedSinceReturnsOnlyChangedOrders) {
    Api api = team_api();
    const json position = new_position();
    const auto full = api.first_page("event1", "orders", {{"page_size", "1"}});
    ASSERT_TRUE(full && full->page_generated) << "a cursor to start from";

    const Query since = {{"modified_since", *full->page_generated}, {"ordering", "-last_modified"}};
    const auto nothing = api.first_page("event1", "orders", since);
    ASSERT_TRUE(nothing) << nothing.error().message;
    EXPECT_EQ(nothing->count, 0);

    ASSERT_TRUE(api.redeem(upload(position["secret"].get<std::string>(), "n-" + test_name())));
    const auto changed = api.first_page("event1", "orders", since);
    ASSERT_TRUE(changed) << changed.error().message;
    ASSERT_EQ(changed->count, 1);
    EXPECT_EQ(changed->results[0]["code"], position["order"]);
}

TEST_F(PretixApiTest, RedeemAdmits) {
    const json position = new_position();
    RedeemCall call = upload(position["secret"].get<std::string>(), "n-" + test_name());
    call.force = false;
    call.questions_supported = false;

    const auto answer = team_api().redeem(call);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->http_status, 201);
    EXPECT_EQ(answer->status, "ok");
    EXPECT_EQ(answer->body["position"]["id"], position["id"]);
    EXPECT_EQ(emulator->counters()["accepted_checkins"][call.nonce], 1);
}

TEST_F(PretixApiTest, RedeemAsksTheQuestionsStillOpen) {
    RedeemCall call = upload(new_position()["secret"].get<std::string>(), "n-" + test_name());
    call.force = false;

    const auto answer = team_api().redeem(call);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->http_status, 400);
    EXPECT_EQ(answer->status, "incomplete");
    ASSERT_TRUE(answer->body["questions"].is_array());
    EXPECT_FALSE(answer->body["questions"].empty());
}

TEST_F(PretixApiTest, RedeemOfAnUnknownSecretIsInvalid) {
    RedeemCall call = upload("no-such-secret-" + test_name(), "n-" + test_name());
    call.force = false;

    const auto answer = team_api().redeem(call);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->http_status, 404);
    EXPECT_EQ(answer->status, "error");
    EXPECT_EQ(answer->reason, "invalid");
}

TEST_F(PretixApiTest, SameNonceTwiceChecksInOnce) {
    Api api = team_api();
    const RedeemCall call = upload(new_position()["secret"].get<std::string>(), "n-" + test_name());
    const auto first = api.redeem(call);
    const auto second = api.redeem(call);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->status, "ok");
    EXPECT_EQ(second->status, "ok");

    const json counters = emulator->counters();
    EXPECT_EQ(counters["accepted_checkins"][call.nonce], 1);
    EXPECT_EQ(counters["idempotent_replays"], 1) << "X-Idempotency-Key is the nonce";
    EXPECT_EQ(emulator->admin("GET", "/checkins?nonce=" + call.nonce + "&successful=true")["count"], 1);
}

TEST_F(PretixApiTest, AnnulsOwnCheckin) {
    const DeviceCredentials device = new_device();
    Api api = device_api(device);
    const RedeemCall call = upload(new_position()["secret"].get<std::string>(), "n-" + test_name());
    ASSERT_TRUE(api.redeem(call));

    const AnnulCall annul{{kMainEntrance}, call.nonce, "2027-03-16T10:06:00+01:00", "staff undid it"};
    const auto answer = api.annul(annul);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->annulled);
    EXPECT_EQ(answer->http_status, 200);

    const auto retried = api.annul(annul);   // the first answer lost on the way back
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_TRUE(retried->annulled) << "replayed, not refused as an annulled check-in";
    EXPECT_EQ(emulator->counters()["annulments"][call.nonce], 1);
}

TEST_F(PretixApiTest, AnnulOfAnUnknownNonceIsRefusedInPretixWords) {
    const auto answer = team_api().annul({{kMainEntrance}, "never-" + test_name(), kScanTime, ""});
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_FALSE(answer->annulled);
    EXPECT_EQ(answer->http_status, 404);
    EXPECT_EQ(answer->message, "No check-in found based on nonce");
}

TEST_F(PretixApiTest, AnnulOfAnotherDevicesCheckinIsRefused) {
    const RedeemCall call = upload(new_position()["secret"].get<std::string>(), "n-" + test_name());
    ASSERT_TRUE(device_api(new_device()).redeem(call));

    const auto answer = device_api(new_device()).annul({{kMainEntrance}, call.nonce, "2027-03-16T10:06:00+01:00", ""});
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_FALSE(answer->annulled);
    EXPECT_EQ(answer->http_status, 400);
    EXPECT_THAT(answer->message, HasSubstr("same device"));
}

TEST_F(PretixApiTest, ReportsAFailedScanOnce) {
    Api api = team_api();
    FailedCheckinCall call;
    call.event_slug = "event1";
    call.list = kMainEntrance;
    call.error_reason = "invalid";
    call.raw_barcode = "NOT-A-TICKET-" + test_name();
    call.datetime = kScanTime;
    call.nonce = "f-" + test_name();

    const auto first = api.failed_checkin(call);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->stored);
    EXPECT_EQ(first->http_status, 201);
    ASSERT_TRUE(api.failed_checkin(call));   // a retry after a lost answer
    EXPECT_EQ(emulator->admin("GET", "/checkins?nonce=" + call.nonce)["count"], 1);

    call.error_reason = "no-such-reason";
    call.nonce = "f2-" + test_name();
    const auto refused = api.failed_checkin(call);
    ASSERT_TRUE(refused) << refused.error().message;
    EXPECT_FALSE(refused->stored);
    EXPECT_EQ(refused->http_status, 400);
    EXPECT_THAT(refused->message, HasSubstr("not a valid choice"));
}

TEST_F(PretixApiTest, ServerErrorIsBusy) {
    fault({{"path", items_path()}, {"kind", "status"}, {"status", 500}, {"count", 10}});
    const auto page = team_api().first_page("event1", "items");
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::busy);
    EXPECT_EQ(page.error().status, 500);
    EXPECT_TRUE(page.error().retry_later());
    EXPECT_THAT(page.error().message, HasSubstr("While downloading the items of event \"event1\": 127.0.0.1 had a server error"));
}

TEST_F(PretixApiTest, RateLimitHandsRetryAfterToTheCaller) {
    fault({{"path", items_path()}, {"kind", "rate_limit"}, {"retry_after", 120}});
    const auto page = team_api().first_page("event1", "items");
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::busy);
    EXPECT_EQ(page.error().status, 429);
    EXPECT_EQ(page.error().retry_after, std::chrono::seconds(120));
}

TEST_F(PretixApiTest, TruncatedAnswerIsBadAnswer) {
    fault({{"path", items_path()}, {"kind", "truncate"}});
    const auto page = team_api().first_page("event1", "items");
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::bad_answer);
    EXPECT_THAT(page.error().message, HasSubstr("not valid JSON"));
}

TEST_F(PretixApiTest, CaptivePortalPageIsBadAnswer) {
    fault({{"path", items_path()}, {"kind", "content_type"}});
    const auto page = team_api().first_page("event1", "items");
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::bad_answer);
    EXPECT_THAT(page.error().message, HasSubstr("text/html"));

    const std::string redeem_path = "/api/v1/organizers/" + emulator->organizer() + "/checkinrpc/redeem/";
    fault({{"path", redeem_path}, {"kind", "content_type"}});
    const auto answer = team_api().redeem(upload(new_position()["secret"].get<std::string>(), "n-" + test_name()));
    ASSERT_FALSE(answer) << "a login page's 200 is no check-in";
    EXPECT_EQ(answer.error().kind, ApiErrorKind::bad_answer);
}

TEST_F(PretixApiTest, RefusedTokenIsUnauthorizedAndNeverShown) {
    fault({{"path", items_path()}, {"kind", "unauthorized"}});
    const auto faulted = team_api().first_page("event1", "items");
    ASSERT_FALSE(faulted);
    EXPECT_EQ(faulted.error().kind, ApiErrorKind::unauthorized);
    EXPECT_FALSE(faulted.error().retry_later());

    const std::string wrong = "wrong-token-" + test_name();
    Api api(connection({http::ApiToken::Kind::device, wrong}), options());
    std::vector<std::string> messages;
    const auto page = api.first_page("event1", "orders");
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::unauthorized);
    messages.push_back(page.error().message);
    const auto redeem = api.redeem(upload("x", "n"));
    ASSERT_FALSE(redeem);
    messages.push_back(redeem.error().message);
    const auto annul = api.annul({{kMainEntrance}, "n", kScanTime, ""});
    ASSERT_FALSE(annul);
    messages.push_back(annul.error().message);
    for (const std::string& message : messages) {
        EXPECT_THAT(message, Not(HasSubstr(wrong)));
        EXPECT_THAT(message, Not(HasSubstr(emulator->team_token())));
    }
}

TEST_F(PretixApiTest, StoppedServerIsUnreachable) {
    const std::string url = emulator->url();
    emulator->stop();
    const auto page = team_api().first_page("event1", "items");
    emulator->start();
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().kind, ApiErrorKind::unreachable);
    EXPECT_TRUE(page.error().retry_later());
    EXPECT_EQ(emulator->url(), url) << "a restart keeps the port";
}

// The fixture's crash and restart, as the sync engine's tests will use it.
TEST(PretixEmulatorFixtureTest, UploadedCheckinSurvivesAKilledEmulatorWithAStateDir) {
    kiosk::testing::TempDir state;
    PretixEmulator emulator({.args = {"--positions", "10"}, .state_dir = state.path()});
    Api api({emulator.url(), emulator.organizer(), {http::ApiToken::Kind::team, emulator.team_token()}},
            http::testing::loopback_options());
    const json ticket = emulator.admin("GET", "/events/event1/positions?status=p&limit=1")["results"][0];
    RedeemCall call;
    call.secret = ticket["secret"].get<std::string>();
    call.lists = {kMainEntrance};
    call.datetime = kScanTime;
    call.force = true;
    call.nonce = "survives";
    ASSERT_TRUE(api.redeem(call));

    const std::string url = emulator.url();
    emulator.kill();
    EXPECT_FALSE(emulator.running());
    emulator.start();
    EXPECT_EQ(emulator.url(), url);
    EXPECT_EQ(emulator.counters()["accepted_checkins"]["survives"], 1) << "replayed from the journal";

    const auto again = api.redeem(call);   // the kiosk's keep-alive connection died with the server
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->status, "ok");
    EXPECT_EQ(emulator.admin("GET", "/checkins?nonce=survives&successful=true")["count"], 1);
}

//-----------------------------------------------------------------------------
// Against a scripted server: answers pretix does not give
//-----------------------------------------------------------------------------

class PretixApiScriptedTest : public ::testing::Test {
protected:
    Api api() { return Api({server.url(""), "demo", {http::ApiToken::Kind::device, "secret-device-token"}}, http::testing::loopback_options()); }
    static RedeemCall scan(std::string secret, int64_t list) {
        RedeemCall call;
        call.secret = std::move(secret);
        call.lists = {list};
        return call;
    }
    static std::string page(const std::string& next) {
        return R"({"count": 2, "next": )" + next + R"(, "previous": null, "results": [{"id": 1}]})";
    }

    HttpTestServer server;
};

TEST_F(PretixApiScriptedTest, NextPageOnAnotherServerIsRefused) {
    server.on("/api/v1/organizers/demo/events/ev/orders/",
              {HttpTestReply::json(200, page(R"("http://evil.example:8080/api/v1/organizers/demo/events/ev/orders/?page=2")"))});
    const auto first = api().first_page("ev", "orders");
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, ApiErrorKind::bad_answer);
    EXPECT_THAT(first.error().message, HasSubstr("another server"));

    // A page made elsewhere is checked as well, before anything is sent.
    Page forged;
    forged.next = "https://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/organizers/demo/events/ev/orders/?page=2";
    const auto next = api().next_page(forged);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().kind, ApiErrorKind::bad_answer) << "another scheme";
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(PretixApiScriptedTest, QueryAndSlugAreEncoded) {
    server.on("/api/v1/organizers/demo/events/a%2Fb%20c/orders/", {HttpTestReply::json(200, page("null"))});
    const auto first = api().first_page("a/b c", "orders", {{"search", "Jörg & co=1"}, {"modified_since", "2027-03-16T09:00:00+01:00"}},
                                        "Tue, 16 Mar 2027 09:00:00 GMT");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->count, 2);
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].target, "/api/v1/organizers/demo/events/a%2Fb%20c/orders/"
                              "?search=J%C3%B6rg%20%26%20co%3D1&modified_since=2027-03-16T09%3A00%3A00%2B01%3A00");
    EXPECT_EQ(seen[0].header("If-Modified-Since"), "Tue, 16 Mar 2027 09:00:00 GMT");
    EXPECT_EQ(seen[0].header("Authorization"), "Device secret-device-token");
}

TEST_F(PretixApiScriptedTest, PageWithoutResultsIsBadAnswer) {
    server.on("/api/v1/organizers/demo/events/ev/items/",
              {HttpTestReply::json(200, R"({"count": 1, "results": {"id": 1}})")});
    const auto first = api().first_page("ev", "items");
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, ApiErrorKind::bad_answer);
}

TEST_F(PretixApiScriptedTest, EventsFollowsEveryPage) {
    const std::string second = server.url("/api/v1/organizers/demo/events/?page=2");
    server.on("/api/v1/organizers/demo/events/",
              {HttpTestReply::json(200, R"({"count": 2, "next": ")" + second + R"(", "results": [{"slug": "a"}]})"),
               HttpTestReply::json(200, R"({"count": 2, "next": null, "results": [{"slug": "b"}]})")});
    const auto events = api().events();
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[1]["slug"], "b");
}

TEST_F(PretixApiScriptedTest, RedeemSendsPretixFieldsAndTheIdempotencyKey) {
    server.on("/api/v1/organizers/demo/checkinrpc/redeem/", {HttpTestReply::json(201, R"({"status": "ok"})")});
    RedeemCall call;
    call.secret = "abc";
    call.lists = {3, 4};
    call.datetime = "2027-03-16T10:05:00+01:00";
    call.force = true;
    call.nonce = "nonce-1";
    call.answers = {{"31", "12"}};
    ASSERT_TRUE(api().redeem(call));

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].header("X-Idempotency-Key"), "nonce-1");
    const json body = json::parse(seen[0].body);
    EXPECT_EQ(body, json::parse(R"({"secret": "abc", "source_type": "barcode", "lists": [3, 4], "type": "entry",
        "datetime": "2027-03-16T10:05:00+01:00", "force": true, "nonce": "nonce-1", "answers": {"31": "12"},
        "questions_supported": true, "ignore_unpaid": false})"));
}

TEST_F(PretixApiScriptedTest, RedeemAnswerWithoutStatusIsBadAnswer) {
    server.on("/api/v1/organizers/demo/checkinrpc/redeem/",
              {HttpTestReply::json(201, R"({"result": "fine"})"), HttpTestReply::json(400, R"({"lists": ["Invalid pk \"9\"."]})"),
               HttpTestReply::json(404, R"({"detail": "Not found."})")});
    const auto ok_without_status = api().redeem(scan("abc", 1));
    ASSERT_FALSE(ok_without_status);
    EXPECT_EQ(ok_without_status.error().kind, ApiErrorKind::bad_answer);

    const auto invalid_request = api().redeem(scan("abc", 9));
    ASSERT_FALSE(invalid_request);
    EXPECT_EQ(invalid_request.error().kind, ApiErrorKind::refused) << "sent again it would be refused again";
    EXPECT_THAT(invalid_request.error().message, HasSubstr("Invalid pk \"9\"."));

    const auto no_organizer = api().redeem(scan("abc", 1));
    ASSERT_FALSE(no_organizer);
    EXPECT_EQ(no_organizer.error().kind, ApiErrorKind::not_found);
}

TEST_F(PretixApiScriptedTest, InitializeSendsNoAuthorizationAndHidesTheInitToken) {
    const std::string init_token = "init-kpp4jn8g2ynzonp6";
    server.on("/api/v1/device/initialize",
              {HttpTestReply::json(400, R"({"token": ["Token )" + init_token + R"( is unknown."]})"),
               HttpTestReply::json(200, R"({"organizer": "demo", "device_id": 5, "name": "x"})")});
    const Handshake handshake{1, server.url("/"), init_token};

    const auto refused = Api::initialize_device(handshake, DeviceInfo{}, http::testing::loopback_options());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ApiErrorKind::refused);
    EXPECT_THAT(refused.error().message, HasSubstr("is unknown"));
    EXPECT_THAT(refused.error().message, Not(HasSubstr(init_token)));

    const auto no_token = Api::initialize_device(handshake, DeviceInfo{}, http::testing::loopback_options());
    ASSERT_FALSE(no_token);
    EXPECT_EQ(no_token.error().kind, ApiErrorKind::bad_answer) << "an answer without api_token";

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_FALSE(seen[0].header("Authorization").has_value());
    const json body = json::parse(seen[0].body);
    EXPECT_EQ(body["token"], init_token);
    EXPECT_EQ(body["software_brand"], "kiosk-checkin");
}

TEST_F(PretixApiScriptedTest, UnreachableServerIsUnreachable) {
    kiosk::testing::RefusingPort refusing;
    Api api({refusing.url(""), "demo", {http::ApiToken::Kind::team, "team-token-value"}}, http::testing::loopback_options());
    const auto events = api.events();
    ASSERT_FALSE(events);
    EXPECT_EQ(events.error().kind, ApiErrorKind::unreachable);
    EXPECT_THAT(events.error().message, HasSubstr("While listing the events of organizer \"demo\""));
    EXPECT_THAT(events.error().message, Not(HasSubstr("team-token-value")));
}

} // namespace
} // namespace kiosk::pretix
