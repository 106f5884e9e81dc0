// The backends' shared wire helpers (netsync/backend/wire_text.h): lower case, trimming,
// percent-encoding, the host of a URL for messages, a server's words on one line without secrets,
// and the JSON media type check.
#include "netsync/backend/wire_text.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kiosk::backend {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

http::Response with_content_type(std::string value) {
    http::Response response;
    response.status = 200;
    response.headers.push_back({"Content-Type", std::move(value)});
    return response;
}

TEST(WireText, LowercaseTouchesAsciiLettersOnly) {
    EXPECT_EQ(lowercase("API.Example.ORG:8000"), "api.example.org:8000");
    EXPECT_EQ(lowercase(""), "");
    EXPECT_EQ(lowercase("\xC3\x84RGER"), "\xC3\x84rger");   // "ÄRGER": the UTF-8 bytes stay
}

TEST(WireText, TrimRemovesSpacesTabsAndLineBreaksAtBothEnds) {
    EXPECT_EQ(trim(" \t application/json \r\n"), "application/json");
    EXPECT_EQ(trim("a b"), "a b");
    EXPECT_EQ(trim(" \r\n\t"), "");
    EXPECT_EQ(trim(""), "");
}

TEST(WireText, PercentEncodeKeepsUnreservedAndEscapesEveryOtherByte) {
    EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(percent_encode("a b&c=d/e?f#g%h+"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25h%2B");
    EXPECT_EQ(percent_encode(""), "");
    EXPECT_EQ(percent_encode("K\xC3\xB6ln"), "K%C3%B6ln");                   // "Köln": each UTF-8 byte
    EXPECT_EQ(percent_encode(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
}

TEST(WireText, PercentEscapeEscapesExactlyWhatTheCallerSays) {
    const auto spaces = [](unsigned char byte) { return byte == ' '; };
    EXPECT_EQ(percent_escape("a b/c", spaces), "a%20b/c");
    EXPECT_EQ(percent_escape("", spaces), "");
}

TEST(WireText, WithoutTrailingSlashes) {
    EXPECT_EQ(without_trailing_slashes("https://pretix.eu///"), "https://pretix.eu");
    EXPECT_EQ(without_trailing_slashes("https://pretix.eu/api"), "https://pretix.eu/api");
    EXPECT_EQ(without_trailing_slashes(""), "");
}

TEST(WireText, IsHttpUrlNeedsAnHttpOrHttpsScheme) {
    EXPECT_TRUE(is_http_url("http://example.org"));
    EXPECT_TRUE(is_http_url("HTTPS://example.org/v1"));
    EXPECT_FALSE(is_http_url("ftp://example.org"));
    EXPECT_FALSE(is_http_url("example.org/v1"));
    EXPECT_FALSE(is_http_url(""));
}

TEST(WireText, HttpHostIsTheLowerCaseHostWithoutPortOrUserInfo) {
    EXPECT_EQ(http_host("https://API.cc.email/v3"), "api.cc.email");
    EXPECT_EQ(http_host("http://127.0.0.1:8000/api"), "127.0.0.1");
    EXPECT_EQ(http_host("https://l.oveit.com?x=1"), "l.oveit.com");
    EXPECT_EQ(http_host("https://host#fragment"), "host");
    // User info is never shown: a password may be in it.
    EXPECT_EQ(http_host("https://user:s3cret@api.example.org:443/v1"), "api.example.org");
    EXPECT_EQ(http_host("https://a@b@api.example.org/"), "api.example.org");
}

TEST(WireText, HttpHostKeepsAnIpv6LiteralWholeAndDropsItsPort) {
    EXPECT_EQ(http_host("http://[::1]:8000/v1"), "[::1]");
    EXPECT_EQ(http_host("http://[FE80::1]/v1"), "[fe80::1]");
    EXPECT_EQ(http_host("http://user@[::1]:8000"), "[::1]");
}

TEST(WireText, HttpHostIsNothingWithoutAnHttpUrlWithAHost) {
    EXPECT_EQ(http_host(""), std::nullopt);
    EXPECT_EQ(http_host("api.example.org"), std::nullopt);
    EXPECT_EQ(http_host("ftp://api.example.org"), std::nullopt);
    EXPECT_EQ(http_host("http://"), std::nullopt);
    EXPECT_EQ(http_host("http:///path"), std::nullopt);
    EXPECT_EQ(http_host("http://:8000/"), std::nullopt);
    EXPECT_EQ(http_host("http://user@/"), std::nullopt);
}

TEST(WireText, HostOfSaysTheServerWhenThereIsNoHost) {
    EXPECT_EQ(host_of("https://pretix.eu/api/v1"), "pretix.eu");
    EXPECT_EQ(host_of(""), "the server");
    EXPECT_EQ(host_of("not a url"), "the server");
}

TEST(WireText, NotAnHttpUrlIsARefusalThatQuotesTheAddress) {
    const ApiError error = not_an_http_url("checking a ticket in", "ftp://x");
    EXPECT_EQ(error.kind, ApiErrorKind::refused);
    EXPECT_THAT(error.message, HasSubstr("\"ftp://x\" is not an http or https URL"));
    EXPECT_THAT(error.message, HasSubstr("checking a ticket in"));
}

TEST(WireText, OneLineRemovesSecretsAndControlCharacters) {
    const std::string said = one_line("bad token abc123\r\nsent:\tabc123", {"abc123"});
    EXPECT_THAT(said, Not(HasSubstr("abc123")));
    EXPECT_EQ(said, "bad token [redacted]  sent: [redacted]");
    EXPECT_EQ(one_line("no secrets here", {""}), "no secrets here");   // an empty secret redacts nothing
    EXPECT_EQ(one_line("", {"abc"}), "");
    EXPECT_EQ(one_line(std::string("a\x7f" "b")), "a b");
}

TEST(WireText, OneLineCutsLongWordsOutsideAUtf8Character) {
    const std::string ascii(kMaxServerWords + 10, 'x');
    EXPECT_EQ(one_line(ascii), std::string(kMaxServerWords, 'x') + "...");
    EXPECT_EQ(one_line(std::string(kMaxServerWords, 'x')), std::string(kMaxServerWords, 'x'));   // at the limit: whole
    // "ö" (2 bytes) straddling the limit is dropped whole, never cut in half.
    const std::string straddling = std::string(kMaxServerWords - 1, 'x') + "\xC3\xB6" + "tail";
    EXPECT_EQ(one_line(straddling), std::string(kMaxServerWords - 1, 'x') + "...");
}

TEST(WireText, MediaTypeIsLowerCaseWithoutParameters) {
    EXPECT_EQ(media_type(with_content_type("Application/JSON; charset=utf-8")), "application/json");
    EXPECT_EQ(media_type(with_content_type("  text/html ;q=1")), "text/html");
    EXPECT_EQ(media_type(http::Response{}), "");
}

TEST(WireText, JsonMediaIsApplicationJsonOrAPlusJsonType) {
    EXPECT_TRUE(is_json_media(with_content_type("application/json")));
    EXPECT_TRUE(is_json_media(with_content_type("application/problem+json; charset=utf-8")));
    EXPECT_FALSE(is_json_media(with_content_type("text/html")));
    EXPECT_FALSE(is_json_media(with_content_type("application/jsonp")));
    EXPECT_FALSE(is_json_media(http::Response{}));
}

TEST(WireText, NotJsonWordsNameTheMediaTypeOnOneShortLine) {
    EXPECT_EQ(not_json_words(with_content_type("text/html; charset=utf-8")),
              "answered with text/html instead of JSON (a Wi-Fi login page or a proxy in between?)");
    EXPECT_THAT(not_json_words(http::Response{}), HasSubstr("answered with no content type instead of JSON"));
    const std::string said = not_json_words(with_content_type(std::string(200, 'a')));
    EXPECT_THAT(said, HasSubstr(std::string(60, 'a') + " instead"));
    EXPECT_THAT(said, Not(HasSubstr(std::string(61, 'a'))));
}

} // namespace
} // namespace kiosk::backend
