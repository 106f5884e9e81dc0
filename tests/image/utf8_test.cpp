// The project's one UTF-8 validator: RFC 3629's table, byte by byte at the edges.
#include "image/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace kiosk {
namespace {

using namespace std::string_literals;

TEST(Utf8, AcceptsEveryEncodingLength) {
    EXPECT_TRUE(utf8::is_valid(""));
    EXPECT_TRUE(utf8::is_valid("plain ASCII, with \x01 control bytes and \0 NUL"s));
    EXPECT_TRUE(utf8::is_valid("Zoë Ørsted-Müller"));           // two bytes
    EXPECT_TRUE(utf8::is_valid("山田 太郎"));                     // three
    EXPECT_TRUE(utf8::is_valid("ticket 🎟"));                    // four
    EXPECT_TRUE(utf8::is_valid("\xf4\x8f\xbf\xbf"));             // U+10FFFF, the last code point
    EXPECT_TRUE(utf8::is_valid("\xed\x9f\xbf"));                 // U+D7FF, just below the surrogates
}

TEST(Utf8, RefusesWhatTheStandardRefuses) {
    for (const std::string& bytes : {
             "\x80"s,                                            // a continuation byte without a lead
             "abc\xc3"s,                                         // truncated two-byte sequence
             "\xe6\x97"s,                                        // truncated three-byte sequence
             "\xc3\x28"s,                                        // lead followed by ASCII
             "\xc0\xaf"s, "\xc1\xbf"s,                           // overlong two-byte forms
             "\xe0\x80\xaf"s,                                    // overlong three-byte form
             "\xf0\x8f\xbf\xbf"s,                                // overlong four-byte form
             "\xed\xa0\x80"s,                                    // UTF-16 surrogate
             "\xf4\x90\x80\x80"s,                                // above U+10FFFF
             "\xf5\x80\x80\x80"s, "\xff"s, "\xfe"s,             // bytes that never occur
         }) {
        EXPECT_FALSE(utf8::is_valid(bytes)) << ::testing::PrintToString(bytes);
        EXPECT_FALSE(utf8::code_points(bytes)) << ::testing::PrintToString(bytes);
    }
}

TEST(Utf8, CodePoints) {
    const auto points = utf8::code_points("aé山🎟");
    ASSERT_TRUE(points) << points.error();
    EXPECT_EQ(*points, U"aé山🎟");
}

TEST(Utf8, CodePointsNameTheBadByte) {
    const auto points = utf8::code_points("ok\xff");
    ASSERT_FALSE(points);
    EXPECT_EQ(points.error(), "byte 3 of 3 starts no UTF-8 character");
}

} // namespace
} // namespace kiosk
