// The HTTP client against a scripted server on loopback: real requests, real sockets. Retries and
// keep-alive are checked by counting what the server saw; times appear only as generous bounds
// that catch a hang.
#include "netsync/http/http_client.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/netsync/http/http_test_options.h"
#include "tests/support/http_test_server.h"
#include "tests/support/subprocess.h"

namespace kiosk::http {
namespace {

using ::testing::HasSubstr;
using kiosk::testing::HttpTestReply;
using kiosk::testing::HttpTestServer;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

std::string gzip(const std::string& bytes) {
    const auto result = kiosk::testing::run_process({"gzip", "-c", "-n"}, bytes);
    if (result.exit_code() != 0) throw std::runtime_error("gzip failed: " + result.err);
    return result.out;
}

class HttpClientTest : public ::testing::Test {
protected:
    HttpTestServer server;
    ClientOptions options = testing::loopback_options();
};

//-----------------------------------------------------------------------------
// Requests and answers
//-----------------------------------------------------------------------------

TEST_F(HttpClientTest, GetReturnsStatusHeadersAndBody) {
    server.on("/api/v1/organizers/demo/events/", {HttpTestReply::json(200, R"({"count": 0})").with_header("X-Page-Generated", "2024-05-01T10:00:00Z")});
    Client client(options);
    Request request = Request::get(server.url("/api/v1/organizers/demo/events/?page=2"));
    request.headers.push_back({"If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"});

    const auto response = client.send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"count": 0})");
    EXPECT_EQ(response->header("x-page-generated"), "2024-05-01T10:00:00Z") << "names compare case-insensitively";
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    EXPECT_EQ(response->attempts, 1);

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].target, "/api/v1/organizers/demo/events/?page=2");
    EXPECT_EQ(seen[0].header("If-Modified-Since"), "Wed, 21 Oct 2015 07:28:00 GMT");
    EXPECT_EQ(seen[0].header("User-Agent"), options.user_agent);
    EXPECT_THAT(seen[0].header("Accept-Encoding").value_or(""), HasSubstr("gzip"));
    EXPECT_EQ(seen[0].header("Authorization"), std::nullopt) << "no token configured";
}

TEST_F(HttpClientTest, PostSendsTheJsonBodyWithoutWaitingForContinue) {
    server.on("/redeem/", {HttpTestReply::json(201, R"({"status": "ok"})")});
    Client client(options);
    const std::string body = R"({"secret": ")" + std::string(4000, 'x') + R"(", "nonce": "n1"})";

    const auto response = client.send(Request::post_json(server.url("/redeem/"), body));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 201);
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].body, body);
    EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
    EXPECT_EQ(seen[0].header("Expect"), std::nullopt);
}

TEST_F(HttpClientTest, TeamAndDeviceTokensAsPretixWantsThem) {
    server.on("/x", {HttpTestReply::json(200, "{}")});
    options.token = ApiToken{ApiToken::Kind::team, "team-token-1"};
    ASSERT_TRUE(Client(options).send(Request::get(server.url("/x"))));
    options.token = ApiToken{ApiToken::Kind::device, "device-token-2"};
    ASSERT_TRUE(Client(options).send(Request::get(server.url("/x"))));

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].header("Authorization"), "Token team-token-1");
    EXPECT_EQ(seen[1].header("Authorization"), "Device device-token-2");
}

TEST_F(HttpClientTest, GzipAnswersAreDecoded) {
    const std::string json = R"({"results": [)" + std::string(10000, ' ') + "]}";
    HttpTestReply reply = HttpTestReply::json(200, gzip(json)).with_header("Content-Encoding", "gzip");
    ASSERT_LT(reply.body.size(), json.size() / 10);
    server.on("/orders/", {reply});

    const auto response = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, json);
}

TEST_F(HttpClientTest, OneConnectionServesManyRequests) {
    server.on("/a", {HttpTestReply::json(200, "{}")});
    server.on("/b", {HttpTestReply::json(201, "{}")});
    Client client(options);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(client.send(Request::get(server.url("/a"))));
        ASSERT_TRUE(client.send(Request::post_json(server.url("/b"), "{}")));
    }
    EXPECT_EQ(server.count("/a"), 3);
    EXPECT_EQ(server.count("/b"), 3);
    EXPECT_EQ(server.connections(), 1) << "keep-alive: the client reuses its connection";
}

TEST_F(HttpClientTest, NotModifiedIsAnAnswer) {
    server.on("/items/", {HttpTestReply::plain(304)});
    const auto response = Client(options).send(Request::get(server.url("/items/")));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 304);
}

TEST_F(HttpClientTest, StatusesTheCallerReadsAsAnswersComeBackWithTheirBody) {
    server.on("/redeem/", {HttpTestReply::json(400, R"({"status": "incomplete"})")});
    Request request = Request::post_json(server.url("/redeem/"), "{}");
    request.answer_statuses = {400, 404};

    const auto response = Client(options).send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(response->body, R"({"status": "incomplete"})");
}

TEST_F(HttpClientTest, RedirectsAreNotFollowed) {
    server.on("/old", {HttpTestReply::plain(302).with_header("Location", "/new")});
    server.on("/new", {HttpTestReply::json(200, "{}")});
    const auto response = Client(options).send(Request::get(server.url("/old")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::http_status);
    EXPECT_EQ(response.error().status, 302);
    EXPECT_THAT(response.error().message, HasSubstr("another address"));
    EXPECT_EQ(server.count("/new"), 0);
}

//-----------------------------------------------------------------------------
// Errors in words
//-----------------------------------------------------------------------------

TEST_F(HttpClientTest, RefusedTokenNoPermissionAndNoSuchEventInWords) {
    server.on("/401", {HttpTestReply::json(401, R"({"detail": "Invalid token."})")});
    server.on("/403", {HttpTestReply::json(403, R"({"detail": "no"})")});
    server.on("/404", {HttpTestReply::json(404, R"({"detail": "Not found."})")});
    Client client(options);
    const struct { const char* path; int status; const char* words; } cases[] = {
        {"/401", 401, "token was refused by 127.0.0.1 (wrong or revoked); set the kiosk up again"},
        {"/403", 403, "no permission for this at 127.0.0.1"},
        {"/404", 404, "127.0.0.1 knows no such organizer or event"},
    };
    for (const auto& c : cases) {
        const auto response = client.send(Request::get(server.url(c.path)));
        ASSERT_FALSE(response) << c.path;
        EXPECT_EQ(response.error().kind, ErrorKind::http_status);
        EXPECT_EQ(response.error().status, c.status);
        EXPECT_EQ(response.error().host, "127.0.0.1");
        EXPECT_THAT(response.error().message, HasSubstr(c.words));
        EXPECT_EQ(server.count(c.path), 1) << "a refusal is not retried";
    }
}

TEST_F(HttpClientTest, ATimeoutIsRetriedForAGetAndNamedInWords) {
    server.on("/slow", {HttpTestReply::plain(200, "{}").after(seconds(30))});
    options.total_timeout = milliseconds(300);
    const auto started = steady_clock::now();

    const auto response = Client(options).send(Request::get(server.url("/slow")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::timeout);
    EXPECT_EQ(response.error().message, "127.0.0.1 did not answer in time; the network or the server is slow.");
    EXPECT_EQ(response.error().attempts, 3);
    EXPECT_EQ(server.count("/slow"), 3);
    EXPECT_LT(steady_clock::now() - started, seconds(20));
}

TEST_F(HttpClientTest, ATimedOutPostIsNotSentAgain) {
    server.on("/slow", {HttpTestReply::plain(201, "{}").after(seconds(30))});
    options.total_timeout = milliseconds(300);
    const auto response = Client(options).send(Request::post_json(server.url("/slow"), "{}"));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::timeout);
    EXPECT_EQ(server.count("/slow"), 1) << "the server may have acted on it";
}

TEST_F(HttpClientTest, ARefusedConnectionIsRetriedEvenForAPost) {
    const kiosk::testing::RefusingPort refusing;
    const auto response = Client(options).send(Request::post_json(refusing.url("/redeem/"), "{}"));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::connect);
    EXPECT_EQ(response.error().message, "The kiosk could not connect to 127.0.0.1; check the network and that the server is up.");
    EXPECT_EQ(response.error().attempts, 3) << "nothing was sent, so sending again is safe";
}

TEST_F(HttpClientTest, AConnectionResetMidBodyIsABrokenConnection) {
    server.on("/orders/", {HttpTestReply::plain(200, std::string(200000, 'x')).ending_with(HttpTestReply::Ending::reset_mid_body)});
    const auto get = Client(options).send(Request::get(server.url("/orders/")));
    ASSERT_FALSE(get);
    EXPECT_EQ(get.error().kind, ErrorKind::connect);
    EXPECT_THAT(get.error().message, HasSubstr("connection to 127.0.0.1 broke off"));
    EXPECT_EQ(server.count("/orders/"), 3) << "a GET is sent again";

    const auto post = Client(options).send(Request::post_json(server.url("/orders/"), "{}"));
    ASSERT_FALSE(post);
    EXPECT_EQ(post.error().kind, ErrorKind::connect);
    EXPECT_EQ(server.count("/orders/"), 4) << "a POST is not";
}

TEST_F(HttpClientTest, BadAddressesAreMalformedAndNothingIsSent) {
    Client client(options);
    for (const char* url : {"not a url", "ftp://127.0.0.1/x", "/relative/path", ""}) {
        const auto response = client.send(Request::get(url));
        ASSERT_FALSE(response) << url;
        EXPECT_EQ(response.error().kind, ErrorKind::malformed) << url;
        EXPECT_THAT(response.error().message, HasSubstr("not a valid http or https address")) << url;
    }
    Request injected = Request::get(server.url("/x"));
    injected.headers.push_back({"X-Evil", "a\r\nHost: elsewhere"});
    const auto header = client.send(injected);
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error().kind, ErrorKind::malformed);
    EXPECT_EQ(server.requests().size(), 0u);
}

TEST_F(HttpClientTest, AnAnswerThatIsNotHttpIsMalformedAndNotRetried) {
    server.on("/garbage", {HttpTestReply::plain(0, "<html>this is not HTTP</html>\r\n").ending_with(HttpTestReply::Ending::raw)});
    server.on("/bad-status", {HttpTestReply::plain(0, "HTTP/1.1 abc\r\n\r\n").ending_with(HttpTestReply::Ending::raw)});
    server.on("/bad-gzip", {HttpTestReply::json(200, "definitely not gzip").with_header("Content-Encoding", "gzip")});
    Client client(options);
    for (const char* path : {"/garbage", "/bad-status", "/bad-gzip"}) {
        const auto response = client.send(Request::get(server.url(path)));
        ASSERT_FALSE(response) << path;
        EXPECT_EQ(response.error().kind, ErrorKind::malformed) << path << ": " << response.error().detail;
        EXPECT_EQ(response.error().message, "127.0.0.1 sent an answer the kiosk could not read.") << path;
        EXPECT_EQ(server.count(path), 1) << path;
    }
}

//-----------------------------------------------------------------------------
// The size cap
//-----------------------------------------------------------------------------

TEST_F(HttpClientTest, AnAnswerOverTheCapIsRefusedWhateverItsFraming) {
    options.max_body_bytes = 64 * 1024;
    const std::string big(1 << 20, 'x');
    server.on("/announced", {HttpTestReply::plain(200, big)});
    server.on("/unannounced", {HttpTestReply::plain(200, big).ending_with(HttpTestReply::Ending::close_delimited)});
    server.on("/bomb", {HttpTestReply::plain(200, gzip(std::string(16 << 20, '\0'))).with_header("Content-Encoding", "gzip")});
    server.on("/fits", {HttpTestReply::plain(200, std::string(64 * 1024, 'y'))});
    Client client(options);

    for (const char* path : {"/announced", "/unannounced", "/bomb"}) {
        const auto response = client.send(Request::get(server.url(path)));
        ASSERT_FALSE(response) << path;
        EXPECT_EQ(response.error().kind, ErrorKind::malformed) << path;
        EXPECT_EQ(response.error().message, "127.0.0.1 sent an answer larger than 64 KB, more than the kiosk accepts; it stopped reading.");
        EXPECT_EQ(server.count(path), 1) << path << ": the same answer would come again";
    }
    const auto fits = client.send(Request::get(server.url("/fits")));
    ASSERT_TRUE(fits) << fits.error().message;
    EXPECT_EQ(fits->body.size(), 64u * 1024);
}

//-----------------------------------------------------------------------------
// Cancellation
//-----------------------------------------------------------------------------

TEST_F(HttpClientTest, ARaisedFlagSendsNothing) {
    std::atomic<bool> cancel{true};
    options.cancel = &cancel;
    server.on("/x", {HttpTestReply::json(200, "{}")});
    const auto response = Client(options).send(Request::get(server.url("/x")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::cancelled);
    EXPECT_EQ(response.error().message, "The request to 127.0.0.1 was cancelled before it finished.");
    EXPECT_EQ(server.count("/x"), 0);
}

TEST_F(HttpClientTest, CancellingAbortsARunningTransfer) {
    std::atomic<bool> cancel{false};
    options.cancel = &cancel;
    server.on("/slow", {HttpTestReply::plain(200, "{}").after(seconds(60))});
    std::jthread canceller([&] {
        while (server.count("/slow") == 0) std::this_thread::sleep_for(milliseconds(5));
        cancel = true;
    });
    const auto started = steady_clock::now();
    const auto response = Client(options).send(Request::get(server.url("/slow")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::cancelled);
    EXPECT_LT(steady_clock::now() - started, seconds(8)) << "did not wait for the 60 s answer nor the 10 s timeout";
}

TEST_F(HttpClientTest, CancellingEndsTheWaitBetweenAttempts) {
    std::atomic<bool> cancel{false};
    options.cancel = &cancel;
    options.retry = {.max_attempts = 5, .base_delay = seconds(60), .max_delay = seconds(120)};
    server.on("/busy", {HttpTestReply::json(503, "{}")});
    std::jthread canceller([&] {
        while (server.count("/busy") == 0) std::this_thread::sleep_for(milliseconds(5));
        cancel = true;
    });
    const auto started = steady_clock::now();
    const auto response = Client(options).send(Request::get(server.url("/busy")));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, ErrorKind::cancelled);
    EXPECT_EQ(server.count("/busy"), 1);
    EXPECT_LT(steady_clock::now() - started, seconds(20)) << "did not sit out a 30-60 s backoff";
}

//-----------------------------------------------------------------------------
// Proxy from the environment
//-----------------------------------------------------------------------------

// Sets environment variables for one test and puts the old values back.
class ScopedEnvironment {
public:
    void set(const char* name, const char* value) {
        const char* old = std::getenv(name);
        saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~ScopedEnvironment() {
        for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
            if (it->second) ::setenv(it->first.c_str(), it->second->c_str(), 1);
            else ::unsetenv(it->first.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(HttpClientTest, TheProxyComesFromTheEnvironment) {
    // The loopback server plays the proxy: the request for an unreachable name never leaves the machine.
    server.on("http://pretix.invalid/api/v1/", {HttpTestReply::json(200, R"({"via": "proxy"})")});
    ScopedEnvironment environment;
    environment.set("http_proxy", server.url("").c_str());
    environment.set("no_proxy", nullptr);
    environment.set("NO_PROXY", nullptr);

    const auto response = Client(options).send(Request::get("http://pretix.invalid/api/v1/"));
    ASSERT_TRUE(response) << response.error().message << " / " << response.error().detail;
    EXPECT_EQ(response->body, R"({"via": "proxy"})");
    EXPECT_EQ(server.count("http://pretix.invalid/api/v1/"), 1);
}

} // namespace
} // namespace kiosk::http
