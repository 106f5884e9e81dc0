// Errors in words: each names the host and says what to do. The libcurl codes that a loopback test
// cannot provoke without sending traffic elsewhere (a failed name lookup) are checked here directly.
#include "netsync/http/http_error.h"
#include "netsync/http/curl_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kiosk::http {
namespace {

using ::testing::HasSubstr;

TEST(StatusMessage, TheStatusesStaffMustUnderstand) {
    EXPECT_EQ(status_message(401, "pretix.eu"),
              "The kiosk's token was refused by pretix.eu (wrong or revoked); set the kiosk up again.");
    EXPECT_THAT(status_message(403, "pretix.eu"), HasSubstr("no permission"));
    EXPECT_THAT(status_message(403, "pretix.eu"), HasSubstr("pretix.eu"));
    EXPECT_THAT(status_message(404, "pretix.eu"), HasSubstr("no such organizer or event"));
    EXPECT_THAT(status_message(429, "pretix.eu"), HasSubstr("too many requests"));
    EXPECT_THAT(status_message(503, "pretix.eu"), HasSubstr("server error (HTTP 503)"));
    EXPECT_THAT(status_message(301, "pretix.eu"), HasSubstr("another address (HTTP 301)"));
    EXPECT_THAT(status_message(418, "pretix.eu"), HasSubstr("refused the request (HTTP 418)"));
}

TEST(TransportError, NameLookupFailures) {
    curl::FailureFacts facts;
    facts.host = "pretix.example";
    facts.curl_message = "Could not resolve host: pretix.example";
    const Error error = curl::transport_error(CURLE_COULDNT_RESOLVE_HOST, facts);
    EXPECT_EQ(error.kind, ErrorKind::connect);
    EXPECT_EQ(error.message,
              "The kiosk could not find pretix.example (the name lookup failed); check the network and the server address.");
    EXPECT_EQ(error.detail, facts.curl_message);
    EXPECT_FALSE(curl::may_have_reached_server(CURLE_COULDNT_RESOLVE_HOST));

    const Error proxy = curl::transport_error(CURLE_COULDNT_RESOLVE_PROXY, facts);
    EXPECT_EQ(proxy.kind, ErrorKind::connect);
    EXPECT_THAT(proxy.message, HasSubstr("proxy"));
    EXPECT_FALSE(curl::may_have_reached_server(CURLE_COULDNT_RESOLVE_PROXY));
}

TEST(TransportError, KindsOfTheCodesWeMap) {
    curl::FailureFacts facts;
    facts.host = "h.example";
    EXPECT_EQ(curl::transport_error(CURLE_OPERATION_TIMEDOUT, facts).kind, ErrorKind::timeout);
    EXPECT_EQ(curl::transport_error(CURLE_PEER_FAILED_VERIFICATION, facts).kind, ErrorKind::tls);
    EXPECT_EQ(curl::transport_error(CURLE_SSL_CONNECT_ERROR, facts).kind, ErrorKind::tls);
    EXPECT_EQ(curl::transport_error(CURLE_ABORTED_BY_CALLBACK, facts).kind, ErrorKind::cancelled);
    EXPECT_EQ(curl::transport_error(CURLE_WEIRD_SERVER_REPLY, facts).kind, ErrorKind::malformed);
    EXPECT_EQ(curl::transport_error(CURLE_BAD_CONTENT_ENCODING, facts).kind, ErrorKind::malformed);
    EXPECT_EQ(curl::transport_error(CURLE_RECV_ERROR, facts).kind, ErrorKind::connect);
    EXPECT_TRUE(curl::may_have_reached_server(CURLE_RECV_ERROR));
    EXPECT_EQ(curl::transport_error(CURLE_SSH, facts).kind, ErrorKind::connect) << "anything else: could not talk";
    EXPECT_THROW(curl::transport_error(CURLE_OUT_OF_MEMORY, facts), std::bad_alloc);
    EXPECT_THROW(curl::transport_error(CURLE_UNKNOWN_OPTION, facts), std::runtime_error);
}

TEST(TransportError, EveryMessageNamesTheHost) {
    curl::FailureFacts facts;
    facts.host = "h.example";
    facts.max_body_bytes = 1024;
    facts.body_too_large = true;
    for (CURLcode code : {CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR,
                          CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR,
                          CURLE_ABORTED_BY_CALLBACK, CURLE_FILESIZE_EXCEEDED, CURLE_WRITE_ERROR, CURLE_WEIRD_SERVER_REPLY}) {
        const Error error = curl::transport_error(code, facts);
        EXPECT_THAT(error.message, HasSubstr("h.example")) << curl_easy_strerror(code);
        EXPECT_EQ(error.host, "h.example");
    }
}

TEST(SizeInWords, RoundUnitsOnly) {
    EXPECT_EQ(curl::size_in_words(64u << 20), "64 MB");
    EXPECT_EQ(curl::size_in_words(512u << 10), "512 KB");
    EXPECT_EQ(curl::size_in_words(1000), "1000 bytes");
}

} // namespace
} // namespace kiosk::http
