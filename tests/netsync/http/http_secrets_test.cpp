// A token never reaches an error message or its detail, whatever went wrong. Each error kind is
// forced with a token configured, and every text the Error carries is searched for it.
#include "netsync/http/http_client.h"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/netsync/http/http_test_options.h"
#include "tests/support/http_test_server.h"
#include "tests/support/http_tls_test_server.h"
#include "tests/support/temp_dir.h"

namespace kiosk::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using kiosk::testing::HttpTestReply;
using kiosk::testing::HttpTestServer;

const std::string token = "kpp4jn8g2ynzonp6-SECRET";

void expect_no_token(const Error& error, ErrorKind kind) {
    EXPECT_EQ(error.kind, kind) << error.message;
    EXPECT_FALSE(error.message.empty());
    for (const std::string* text : {&error.message, &error.detail, &error.host}) {
        EXPECT_THAT(*text, Not(HasSubstr(token))) << to_string(kind);
        EXPECT_THAT(*text, Not(HasSubstr("kpp4jn8g"))) << to_string(kind) << ": no part of it either";
    }
}

class HttpSecretsTest : public ::testing::Test {
protected:
    HttpSecretsTest() {
        options.token = ApiToken{ApiToken::Kind::device, token};
        options.retry.max_attempts = 1;
        options.max_body_bytes = 1024;
        // A server that echoes what it was sent must not get the token into a message either.
        for (int status : {401, 403, 404, 429, 500}) {
            server.on("/" + std::to_string(status), {HttpTestReply::json(status, R"({"detail": "Device )" + token + R"("})")});
        }
        server.on("/slow", {HttpTestReply::plain(200).after(std::chrono::seconds(30))});
        server.on("/reset", {HttpTestReply::plain(200, token + std::string(10000, 'x')).ending_with(HttpTestReply::Ending::reset_mid_body)});
        server.on("/large", {HttpTestReply::plain(200, token + std::string(10000, 'x'))});
    }

    kiosk::testing::TempDir directory;
    HttpTestServer server;
    ClientOptions options = testing::loopback_options();
};

TEST_F(HttpSecretsTest, HttpStatuses) {
    Client client(options);
    for (int status : {401, 403, 404, 429, 500}) {
        const auto response = client.send(Request::get(server.url("/" + std::to_string(status))));
        ASSERT_FALSE(response);
        expect_no_token(response.error(), ErrorKind::http_status);
    }
    const auto seen = server.requests();
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen[0].header("Authorization"), "Device " + token) << "the token was really sent";
}

TEST_F(HttpSecretsTest, Timeout) {
    options.total_timeout = std::chrono::milliseconds(200);
    const auto response = Client(options).send(Request::get(server.url("/slow")));
    ASSERT_FALSE(response);
    expect_no_token(response.error(), ErrorKind::timeout);
}

TEST_F(HttpSecretsTest, ConnectionRefusedAndReset) {
    const kiosk::testing::RefusingPort refusing;
    const auto refused = Client(options).send(Request::get(refusing.url("/")));
    ASSERT_FALSE(refused);
    expect_no_token(refused.error(), ErrorKind::connect);

    options.max_body_bytes = 1 << 20;                 // the reset, not the cap, must end this one
    const auto reset = Client(options).send(Request::get(server.url("/reset")));
    ASSERT_FALSE(reset);
    expect_no_token(reset.error(), ErrorKind::connect);
}

TEST_F(HttpSecretsTest, Tls) {
    kiosk::testing::HttpTlsTestServer tls(directory.path(), "IP:127.0.0.1");
    const auto response = Client(options).send(Request::get(tls.url("/")));
    ASSERT_FALSE(response);
    expect_no_token(response.error(), ErrorKind::tls);
}

TEST_F(HttpSecretsTest, MalformedAnswersAndAddresses) {
    const auto large = Client(options).send(Request::get(server.url("/large")));
    ASSERT_FALSE(large);
    expect_no_token(large.error(), ErrorKind::malformed);

    // A token pasted into the address is not repeated back.
    const auto address = Client(options).send(Request::get("htp:// bad?token=" + token));
    ASSERT_FALSE(address);
    expect_no_token(address.error(), ErrorKind::malformed);
}

TEST_F(HttpSecretsTest, Cancelled) {
    std::atomic<bool> cancel{true};
    options.cancel = &cancel;
    const auto response = Client(options).send(Request::get(server.url("/401")));
    ASSERT_FALSE(response);
    expect_no_token(response.error(), ErrorKind::cancelled);
}

TEST_F(HttpSecretsTest, ATokenTheCallerSetAsAHeaderIsRemovedToo) {
    options.token.reset();
    options.total_timeout = std::chrono::milliseconds(200);
    Request request = Request::get(server.url("/slow"));
    request.headers.push_back({"Authorization", "Token " + token});
    const auto response = Client(options).send(request);
    ASSERT_FALSE(response);
    expect_no_token(response.error(), ErrorKind::timeout);
}

} // namespace
} // namespace kiosk::http
