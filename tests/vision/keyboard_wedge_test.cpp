// KeyboardWedge: a handheld scanner types fast and presses Enter; a person types slowly.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vision/keyboard_wedge.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point t0 = Clock::time_point{} + 1000h;

// Splits UTF-8 into one string per character, as SDL_TEXTINPUT delivers key presses.
std::vector<std::string> keys_of(const std::string& text) {
    std::vector<std::string> keys;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) == 0x80 && !keys.empty()) keys.back().push_back(c);
        else keys.emplace_back(1, c);
    }
    return keys;
}

// Types `text` starting at `at`, one key every `gap`; returns the time of the last key.
Clock::time_point type(KeyboardWedge& wedge, const std::string& text, Clock::time_point at, Clock::duration gap) {
    Clock::time_point last = at;
    for (const std::string& key : keys_of(text)) {
        wedge.on_text(key, at);
        last = at;
        at += gap;
    }
    return last;
}

TEST(KeyboardWedge, FastBurstEndingInEnterIsAScan) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "8bmub2af8hgcku36aguwaaxpxzuhkdcq", t0, 4ms);
    const auto event = wedge.on_enter(last + 4ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "8bmub2af8hgcku36aguwaaxpxzuhkdcq");
    EXPECT_EQ(event->text, event->bytes);
    EXPECT_EQ(event->origin, ScanOrigin::keyboard_wedge);
    EXPECT_EQ(event->captured, t0); // the first keystroke, like a camera's capture time
    // Consumed: a second Enter has nothing to report.
    EXPECT_FALSE(wedge.on_enter(last + 10ms).has_value());
}

TEST(KeyboardWedge, TabEndsAScanToo) {
    // Tab arrives through the same call as Enter; a scanner configured for Tab works the same,
    // and the next burst starts clean.
    KeyboardWedge wedge;
    auto last = type(wedge, "FIRST-CODE", t0, 5ms);
    ASSERT_TRUE(wedge.on_enter(last + 5ms).has_value());
    last = type(wedge, "SECOND-CODE", last + 1s, 5ms);
    const auto event = wedge.on_enter(last + 5ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "SECOND-CODE");
}

TEST(KeyboardWedge, HumanTypingIsLeftAlone) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "maria@example.org", t0, 150ms);
    EXPECT_FALSE(wedge.on_enter(last + 150ms).has_value());
    // Even pressing Enter right after the last key: the keys before it were slow.
    const auto again = type(wedge, "search term", last + 2s, 180ms);
    EXPECT_FALSE(wedge.on_enter(again + 5ms).has_value());
}

TEST(KeyboardWedge, ShortBurstsAreStrayKeys) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "ab", t0, 3ms);
    EXPECT_FALSE(wedge.on_enter(last + 3ms).has_value());
    const auto four = type(wedge, "abcd", last + 1s, 3ms);
    EXPECT_TRUE(wedge.on_enter(four + 3ms).has_value()); // min_length 4 is enough
}

TEST(KeyboardWedge, PauseBeforeEnterIsNotAScan) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "ABCDEFGH", t0, 5ms);
    EXPECT_FALSE(wedge.on_enter(last + 1s).has_value());
}

TEST(KeyboardWedge, AStalledEnterAfterAScannersKeysIsStillAScan) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "ABCDEFGH", t0, 5ms);
    const auto event = wedge.on_enter(last + 400ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "ABCDEFGH");
}

TEST(KeyboardWedge, LongStallsBetweenAScannersKeysAreTheMachines) {
    // A Bluetooth scanner, or a starved client, holds the keys back twice for 400 ms, once after
    // only two keys: still the whole code, and the stalls do not count against its pace.
    KeyboardWedge wedge;
    auto last = type(wedge, "ps", t0, 3ms);
    last = type(wedge, "j3qbq8pz5v64a9", last + 400ms, 3ms);
    last = type(wedge, "kybf7awknv7pr2ve", last + 400ms, 3ms);
    const auto event = wedge.on_enter(last + 3ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "psj3qbq8pz5v64a9kybf7awknv7pr2ve");
    EXPECT_EQ(event->captured, t0);
}

TEST(KeyboardWedge, AStallLongerThanAnyScannersStartsOver) {
    KeyboardWedge wedge;
    auto last = type(wedge, "STALE-HALF", t0, 3ms);
    last = type(wedge, "FRESH-CODE", last + 1s, 3ms);
    const auto event = wedge.on_enter(last + 3ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "FRESH-CODE");
}

TEST(KeyboardWedge, OneStrayKeyBeforeAPauseIsNotPartOfTheScan) {
    // One key has no pace: a person touched the keyboard, then the scanner read a ticket.
    KeyboardWedge wedge;
    wedge.on_text("x", t0);
    const auto last = type(wedge, "TICKET-42", t0 + 300ms, 4ms);
    const auto event = wedge.on_enter(last + 4ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "TICKET-42");
}

TEST(KeyboardWedge, SaysWhichKeysStartABurstAndWhileAScanMayGoOn) {
    KeyboardWedge wedge;
    EXPECT_FALSE(wedge.on_text("A", t0));            // the first key starts one
    EXPECT_TRUE(wedge.on_text("B", t0 + 4ms));
    EXPECT_TRUE(wedge.expects_more(t0 + 500ms));     // scanner-paced: its rest may still come
    EXPECT_FALSE(wedge.expects_more(t0 + 900ms));    // past max_scanner_stall
    EXPECT_TRUE(wedge.on_text("C", t0 + 504ms));     // came within it: the same burst
    EXPECT_FALSE(wedge.on_text("d", t0 + 2s));       // a pause: a new burst
    EXPECT_FALSE(wedge.expects_more(t0 + 2s + 1ms)); // one key has no pace yet
    EXPECT_TRUE(wedge.on_text("e", t0 + 2s + 120ms));// a person's pace, under max_stall
    EXPECT_FALSE(wedge.expects_more(t0 + 2s + 200ms));
    EXPECT_FALSE(wedge.on_text("f", t0 + 2s + 400ms)); // a person's pause is not excused
}

TEST(KeyboardWedge, AStallInsideABurstIsStillOneScan) {
    // The X server or the frame loop held the keys back once for 120 ms: still one fast burst.
    KeyboardWedge wedge;
    auto last = type(wedge, "8bmub2af8hgcku36", t0, 3ms);
    last = type(wedge, "aguwaaxpxzuhkdcq", last + 120ms, 3ms);
    const auto event = wedge.on_enter(last + 3ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "8bmub2af8hgcku36aguwaaxpxzuhkdcq");
}

TEST(KeyboardWedge, SteadyTypingJustUnderTheStallIsAPersonNotAScan) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "muller", t0, 100ms);
    EXPECT_FALSE(wedge.on_enter(last + 20ms).has_value());
}

TEST(KeyboardWedge, BurstAfterSlowTypingIsStillAScan) {
    KeyboardWedge wedge;
    auto last = type(wedge, "hel", t0, 200ms); // someone poking at the keyboard
    last = type(wedge, "TICKET-42", last + 300ms, 6ms);
    const auto event = wedge.on_enter(last + 6ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "TICKET-42");
}

TEST(KeyboardWedge, Utf8IsKeptByteForByte) {
    KeyboardWedge wedge;
    const std::string text = "Zoë-Ørsted-東京-1";
    const auto last = type(wedge, text, t0, 5ms);
    const auto event = wedge.on_enter(last + 5ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, text);
    EXPECT_EQ(event->text, text);
    EXPECT_FALSE(event->binary);
}

TEST(KeyboardWedge, LengthCountsKeysNotBytes) {
    // Two key presses are stray keys whatever their encoding: "éé" is 4 bytes but 2 keys.
    KeyboardWedge wedge;
    const auto last = type(wedge, "éé", t0, 3ms);
    EXPECT_FALSE(wedge.on_enter(last + 3ms).has_value());
    const auto four = type(wedge, "éééé", last + 1s, 3ms);
    EXPECT_TRUE(wedge.on_enter(four + 3ms).has_value());
}

TEST(KeyboardWedge, NotUtf8IsBinaryWithoutText) {
    KeyboardWedge wedge;
    Clock::time_point at = t0;
    for (const char* key : {"\xff", "\xfe", "A", "B"}) {
        wedge.on_text(key, at);
        at += 3ms;
    }
    const auto event = wedge.on_enter(at);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "\xff\xfe" "AB");
    EXPECT_TRUE(event->binary);
    EXPECT_EQ(event->text, "");
}

TEST(KeyboardWedge, OverlongBurstIsDroppedAndTheNextScanStillWorks) {
    WedgeOptions options;
    options.max_length = 64;
    KeyboardWedge wedge(options);
    // A stuck key: far longer than any code, no Enter.
    auto last = type(wedge, std::string(200, 'x'), t0, 2ms);
    // The scanner then reads a real ticket (after a pause, with no Enter in between).
    last = type(wedge, "REAL-TICKET", last + 1s, 4ms);
    const auto event = wedge.on_enter(last + 4ms);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->bytes, "REAL-TICKET");

    // An overlong burst ending in Enter is not a scan.
    last = type(wedge, std::string(100, 'y'), last + 1s, 2ms);
    EXPECT_FALSE(wedge.on_enter(last + 2ms).has_value());
}

TEST(KeyboardWedge, TailOfAnOversizedPasteIsNotAScan) {
    WedgeOptions options;
    options.max_length = 64;
    KeyboardWedge wedge(options);
    // One text event longer than any code (an input method or a paste), then more fast keys.
    wedge.on_text(std::string(100, 'p'), t0);
    const auto last = type(wedge, "TAIL-OF-PASTE", t0 + 2ms, 2ms);
    EXPECT_FALSE(wedge.on_enter(last + 2ms).has_value());
}

TEST(KeyboardWedge, ResetForgetsAHalfTypedBurst) {
    KeyboardWedge wedge;
    const auto last = type(wedge, "PARTIAL-CODE", t0, 4ms);
    wedge.reset();
    EXPECT_FALSE(wedge.on_enter(last + 4ms).has_value());
}

} // namespace
} // namespace kiosk
