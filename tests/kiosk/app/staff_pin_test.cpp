// The staff PIN: argon2id hashes that verify only the right PIN, shape checks for the config, and
// the lockout's timeline on a hand-driven clock.
#include <gtest/gtest.h>

#include "kiosk/app/staff_pin.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;

TEST(StaffPin, HashVerifiesTheRightPinOnly) {
    const auto hash = hash_staff_pin("2468");
    ASSERT_TRUE(hash) << hash.error();
    EXPECT_TRUE(hash->starts_with("$argon2id$"));
    EXPECT_TRUE(looks_like_pin_hash(*hash)) << *hash;
    EXPECT_TRUE(verify_staff_pin(*hash, "2468"));
    EXPECT_FALSE(verify_staff_pin(*hash, "2469"));
    EXPECT_FALSE(verify_staff_pin(*hash, "02468"));
    EXPECT_FALSE(verify_staff_pin(*hash, ""));
    // Salted: the same PIN never hashes to the same text twice.
    const auto again = hash_staff_pin("2468");
    ASSERT_TRUE(again);
    EXPECT_NE(*again, *hash);
    EXPECT_TRUE(verify_staff_pin(*again, "2468"));
}

TEST(StaffPin, LongestPinRoundTrips) {
    const auto hash = hash_staff_pin("123456789012");
    ASSERT_TRUE(hash) << hash.error();
    EXPECT_TRUE(verify_staff_pin(*hash, "123456789012"));
    EXPECT_FALSE(verify_staff_pin(*hash, "12345678901"));
}

TEST(StaffPin, PinsThatAreNotFourToTwelveDigitsAreRefused) {
    for (const char* pin : {"", "123", "1234567890123", "12a4", "12 34", "１２３４", "-1234", "1234\n"}) {
        SCOPED_TRACE(pin);
        const auto hash = hash_staff_pin(pin);
        ASSERT_FALSE(hash);
        EXPECT_NE(hash.error().find("4 to 12 digits"), std::string::npos) << hash.error();
        EXPECT_FALSE(is_valid_staff_pin(pin));
    }
    EXPECT_TRUE(is_valid_staff_pin("0000"));
}

TEST(StaffPin, MalformedHashesNeverVerify) {
    const auto hash = hash_staff_pin("1357");
    ASSERT_TRUE(hash);
    std::string flipped = *hash;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    for (const std::string& bad : {std::string(), std::string("1357"), std::string("$argon2id$"), hash->substr(0, hash->size() - 5),
                                   *hash + "$", *hash + "x!", std::string("$argon2i$") + hash->substr(10),
                                   std::string("$2y$10$abcdefghijklmnopqrstuv"), std::string(200, '$'), flipped}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(verify_staff_pin(bad, "1357"));
    }
    EXPECT_FALSE(looks_like_pin_hash("1357"));
    EXPECT_FALSE(looks_like_pin_hash(""));
    EXPECT_FALSE(looks_like_pin_hash(hash->substr(0, 40)));
    EXPECT_TRUE(looks_like_pin_hash(flipped));  // well-formed, just not this PIN's
}

TEST(PinLockout, FiveFailuresLockFor30SecondsThenDoublingUpTo15Minutes) {
    PinLockout lockout;
    auto now = std::chrono::steady_clock::time_point{} + 1000h;
    for (int i = 1; i <= 4; ++i) {
        lockout.record_failure(now);
        EXPECT_FALSE(lockout.locked(now)) << i;
        EXPECT_EQ(lockout.remaining(now), 0s);
        now += 1s;
    }
    lockout.record_failure(now);
    EXPECT_EQ(lockout.failures(), 5);
    EXPECT_TRUE(lockout.locked(now));
    EXPECT_EQ(lockout.remaining(now), 30s);
    EXPECT_EQ(lockout.remaining(now + 29s + 1ms), 1s);          // rounded up, never "0 seconds" while locked
    EXPECT_TRUE(lockout.locked(now + 29s));
    lockout.record_failure(now + 10s);                          // typed while locked: not counted
    EXPECT_EQ(lockout.failures(), 5);
    EXPECT_EQ(lockout.remaining(now + 10s), 20s);
    now += 30s;
    EXPECT_FALSE(lockout.locked(now));

    lockout.record_failure(now);                                // 6th: 60 s
    EXPECT_EQ(lockout.remaining(now), 60s);
    now += 60s;
    lockout.record_failure(now);                                // 7th: 120 s
    EXPECT_EQ(lockout.remaining(now), 120s);
    for (std::chrono::seconds expected : {240s, 480s, 900s, 900s, 900s}) {
        now += lockout.remaining(now);
        lockout.record_failure(now);
        EXPECT_EQ(lockout.remaining(now), expected);
    }
    for (int i = 0; i < 100; ++i) {                             // no overflow after many
        now += lockout.remaining(now);
        lockout.record_failure(now);
    }
    EXPECT_EQ(lockout.remaining(now), 900s);
}

TEST(PinLockout, ARightPinResets) {
    PinLockout lockout;
    auto now = std::chrono::steady_clock::time_point{} + 1000h;
    for (int i = 0; i < 4; ++i) lockout.record_failure(now);
    lockout.record_success();
    EXPECT_EQ(lockout.failures(), 0);
    for (int i = 0; i < 4; ++i) lockout.record_failure(now);
    EXPECT_FALSE(lockout.locked(now));                          // four again are free
    lockout.record_failure(now);
    EXPECT_TRUE(lockout.locked(now));
    lockout.record_success();
    EXPECT_FALSE(lockout.locked(now));
    EXPECT_EQ(lockout.remaining(now), 0s);
}

} // namespace
} // namespace kiosk
