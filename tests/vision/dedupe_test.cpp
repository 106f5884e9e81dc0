// Deduplicator with explicit time points: a camera sees a held code thirty times a second, the
// kiosk must act once, and again only when the code comes back or is held very long.
#include <chrono>

#include <gtest/gtest.h>

#include "vision/dedupe.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using Clock = Deduplicator::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1000h; // any fixed origin

// Sightings of `code` every `step` in [from, to); returns how many were admitted.
int hold(Deduplicator& dedupe, const std::string& code, Clock::duration from, Clock::duration to,
         Clock::duration step = 33ms) {
    int admitted = 0;
    for (auto at = from; at < to; at += step) admitted += dedupe.admit(code, t0 + at) ? 1 : 0;
    return admitted;
}

TEST(Dedupe, HeldCodeIsOneEvent) {
    Deduplicator dedupe; // gone_after 700 ms, repeat_after 5 s
    EXPECT_TRUE(dedupe.admit("A", t0));
    EXPECT_EQ(hold(dedupe, "A", 33ms, 4900ms), 0);
}

TEST(Dedupe, CodeThatLeftTheViewCountsAgain) {
    Deduplicator dedupe;
    EXPECT_EQ(hold(dedupe, "A", 0ms, 1000ms), 1);
    // Out of view for 800 ms (> gone_after), then shown again.
    EXPECT_TRUE(dedupe.admit("A", t0 + 1800ms));
    EXPECT_EQ(hold(dedupe, "A", 1833ms, 3000ms), 0);
}

TEST(Dedupe, BriefDropoutIsNotLeaving) {
    Deduplicator dedupe;
    EXPECT_EQ(hold(dedupe, "A", 0ms, 1000ms), 1);
    // Missed for 500 ms (glare, a hand in front): still the same presentation.
    EXPECT_EQ(hold(dedupe, "A", 1500ms, 3000ms), 0);
}

TEST(Dedupe, HeldLongerThanRepeatAfterCountsAgain) {
    Deduplicator dedupe;
    // Held without a break for 12 s: events at 0, ~5 s and ~10 s.
    EXPECT_EQ(hold(dedupe, "A", 0ms, 12000ms), 3);
    EXPECT_FALSE(dedupe.admit("A", t0 + 12010ms));
}

TEST(Dedupe, RepeatAfterCountsFromTheLastEvent) {
    Deduplicator dedupe;
    EXPECT_TRUE(dedupe.admit("A", t0));
    EXPECT_TRUE(dedupe.admit("A", t0 + 1s)); // left and came back
    EXPECT_FALSE(dedupe.admit("A", t0 + 1s + 500ms));
    // 5.5 s after the first event but only 4.9 s after the second, with no gap: still suppressed.
    EXPECT_EQ(hold(dedupe, "A", 1s + 500ms, 5900ms, 100ms), 0);
    EXPECT_TRUE(dedupe.admit("A", t0 + 6100ms));
}

TEST(Dedupe, CodesAreIndependent) {
    Deduplicator dedupe;
    EXPECT_TRUE(dedupe.admit("A", t0));
    EXPECT_TRUE(dedupe.admit("B", t0));
    EXPECT_FALSE(dedupe.admit("A", t0 + 10ms));
    EXPECT_FALSE(dedupe.admit("B", t0 + 10ms));
    // A stays, B leaves and returns.
    EXPECT_EQ(hold(dedupe, "A", 20ms, 2000ms), 0);
    EXPECT_TRUE(dedupe.admit("B", t0 + 2000ms));
    // Bytes, not text: a code differing only in case is another ticket.
    EXPECT_TRUE(dedupe.admit("a", t0 + 2000ms));
}

TEST(Dedupe, OptionsAreHonoured) {
    DedupeOptions options;
    options.gone_after = 200ms;
    options.repeat_after = 1s;
    Deduplicator dedupe(options);
    EXPECT_TRUE(dedupe.admit("A", t0));
    EXPECT_FALSE(dedupe.admit("A", t0 + 150ms));
    EXPECT_TRUE(dedupe.admit("A", t0 + 400ms)); // 250 ms away > 200 ms
    EXPECT_EQ(hold(dedupe, "A", 450ms, 2600ms, 50ms), 2); // held: again at 1450 and 2500 ms
}

TEST(Dedupe, ForgottenCodesComeBackAsNew) {
    Deduplicator dedupe;
    EXPECT_TRUE(dedupe.admit("A", t0));
    // Many other codes much later: A has been pruned, and when it returns it is new.
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(dedupe.admit("other-" + std::to_string(i), t0 + 1h + std::chrono::milliseconds(i)));
    EXPECT_TRUE(dedupe.admit("A", t0 + 2h));
}

TEST(Dedupe, ClockGoingBackwardsAdmitsNothingNew) {
    Deduplicator dedupe;
    EXPECT_TRUE(dedupe.admit("A", t0 + 10s));
    EXPECT_FALSE(dedupe.admit("A", t0 + 9s)); // frames from a restarted source, say
    EXPECT_FALSE(dedupe.admit("A", t0 + 10s + 100ms));
}

} // namespace
} // namespace kiosk
