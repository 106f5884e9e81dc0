// The focus chain (keyboard focus in reading order) and message formatting, without a window.
#include "kiosk/ui/ui_context.h"

#include <gtest/gtest.h>

namespace kiosk::ui {
namespace {

// One frame that registers `ids` in order; returns the focused one.
std::string frame(FocusChain& focus, std::initializer_list<const char*> ids) {
    focus.begin_frame();
    std::string focused;
    for (const char* id : ids)
        if (focus.add(id, "button")) focused = id;
    focus.end_frame();
    return focused;
}

TEST(FocusChain, TabMovesInTheOrderControlsWereDrawnAndWraps) {
    FocusChain focus;
    EXPECT_EQ(frame(focus, {"lang:en", "lookup", "manual", "help"}), "") << "no focus until a key moves it";
    focus.move(1);
    EXPECT_EQ(frame(focus, {"lang:en", "lookup", "manual", "help"}), "lang:en");
    focus.move(1);
    focus.move(1);
    EXPECT_EQ(frame(focus, {"lang:en", "lookup", "manual", "help"}), "manual");
    focus.move(-1);
    EXPECT_EQ(frame(focus, {"lang:en", "lookup", "manual", "help"}), "lookup");
    focus.move(-1);
    focus.move(-1);
    EXPECT_EQ(frame(focus, {"lang:en", "lookup", "manual", "help"}), "help") << "Shift+Tab wraps to the last";
}

TEST(FocusChain, EnterActivatesTheFocusedControlOnceAndAVanishedControlLosesFocus) {
    FocusChain focus;
    frame(focus, {"next", "back"});
    focus.move(1);
    frame(focus, {"next", "back"});
    focus.activate();
    focus.begin_frame();
    focus.add("next", "button");
    EXPECT_TRUE(focus.activated("next"));
    EXPECT_FALSE(focus.activated("back"));
    focus.end_frame();
    EXPECT_FALSE(focus.activated("next")) << "one Enter, one activation";
    frame(focus, {"other"});
    EXPECT_EQ(frame(focus, {"other"}), "") << "the focused control left the screen";
}

TEST(FormatMessage, FillsPlaceholdersInOrderAndKeepsPercentSigns) {
    EXPECT_EQ(format_message("Welcome, %s!", {"يوسف العلي"}), "Welcome, يوسف العلي!");
    EXPECT_EQ(format_message("Question %d of %d", {"2", "5"}), "Question 2 of 5");
    EXPECT_EQ(format_message("100%% sure, %s", {"Anna"}), "100% sure, Anna");
    EXPECT_EQ(format_message("%s and %s", {"one"}), "one and ") << "a missing value leaves nothing, never garbage";
}

} // namespace
} // namespace kiosk::ui
