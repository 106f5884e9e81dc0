// parse_json_text: the one way every backend's answer text becomes JSON (pretix, Oveit, BrightStar,
// Constant Contact): nesting is bounded before parsing, brackets inside strings are text.
#include "netsync/pretix/pretix_json.h"

#include <gtest/gtest.h>

#include <string>

namespace kiosk::pretix {
namespace {

std::string nested(int levels, const std::string& inner = "1") {
    return std::string(static_cast<size_t>(levels), '[') + inner + std::string(static_cast<size_t>(levels), ']');
}

TEST(ParseJsonText, NestingUpToTheLimitParsesOneLevelMoreIsRefusedInWords) {
    EXPECT_TRUE(parse_json_text(nested(kMaxJsonDepth), "answer").has_value());
    const auto deeper = parse_json_text(nested(kMaxJsonDepth + 1), "answer");
    ASSERT_FALSE(deeper.has_value());
    EXPECT_EQ(deeper.error(), "answer: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
}

TEST(ParseJsonText, BracketsAndEscapedQuotesInStringsAreText) {
    const std::string brackets(500, '[');
    const auto value = parse_json_text(R"({"name": "\"[)" + brackets + R"(\\", "tail": "{{{"})", "answer");
    ASSERT_TRUE(value.has_value()) << value.error();
    EXPECT_EQ((*value)["name"], "\"[" + brackets + "\\");
    EXPECT_EQ((*value)["tail"], "{{{");
}

TEST(ParseJsonText, NotJsonIsRefusedInWords) {
    const auto broken = parse_json_text(R"({"results": [1, 2)", "orders.json");
    ASSERT_FALSE(broken.has_value());
    EXPECT_EQ(broken.error(), "orders.json: not valid JSON");
    EXPECT_FALSE(parse_json_text("", "orders.json").has_value());
}

TEST(ParseJsonText, AFlatArrayOfManyObjectsParses) {
    std::string text = "[";
    for (int i = 0; i < 100000; ++i) text += (i ? ",{\"id\":" : "{\"id\":") + std::to_string(i) + "}";
    text += "]";
    const auto value = parse_json_text(text, "orders.json");
    ASSERT_TRUE(value.has_value()) << value.error();
    ASSERT_EQ(value->size(), 100000u);
    EXPECT_EQ((*value)[99999]["id"], 99999);
}

} // namespace
} // namespace kiosk::pretix
