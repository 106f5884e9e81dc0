// The token kinds (pretix team and device, OAuth bearer) and the redaction that keeps them out of text.
#include "netsync/http/auth.h"

#include <gtest/gtest.h>

namespace kiosk::http {
namespace {

TEST(Authorization, TeamDeviceAndBearerTokens) {
    EXPECT_EQ(authorization_value({ApiToken::Kind::team, "abc123"}), "Token abc123");
    EXPECT_EQ(authorization_value({ApiToken::Kind::device, "kpp4jn8g"}), "Device kpp4jn8g");
    EXPECT_EQ(authorization_value({ApiToken::Kind::bearer, "eyJ0"}), "Bearer eyJ0");
}

TEST(Redact, EveryOccurrenceOfEverySecret) {
    EXPECT_EQ(redact("a SECRET b SECRET", {"SECRET"}), "a [redacted] b [redacted]");
    EXPECT_EQ(redact("x1 y22", {"1", "22"}), "x[redacted] y[redacted]");
    EXPECT_EQ(redact("nothing here", {"SECRET", ""}), "nothing here") << "an empty secret changes nothing";
}

TEST(Redact, ASecretInsideTheReplacementDoesNotLoop) {
    EXPECT_EQ(redact("redacted", {"redacted"}), "[redacted]");
    EXPECT_EQ(redact("dd", {"d"}), "[redacted][redacted]");
}

} // namespace
} // namespace kiosk::http
