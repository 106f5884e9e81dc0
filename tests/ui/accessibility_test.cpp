// Languages, keyboard-only use, large text, read aloud, and the idle timers ("still there?").
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

class Accessibility : public KioskFlowTest {};

const std::vector<std::string> kFourLanguages{"languages = [\"en\", \"de\", \"fr\", \"es\"]"};

// lang:de switches the words (the language event, the German attract screen); a ticket in an
// English order switches back to English for its attendee; after it, back to the default.
TEST_F(Accessibility, LanguageSwitch) {
    auto& k = launch({.kiosk_config = kFourLanguages});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(wait_control("lang:de"));
    for (const char* code : {"de", "fr", "es"}) {
        ASSERT_TRUE(click(std::string("lang:") + code));
        const auto language = k.wait_for_event("language");
        ASSERT_TRUE(language);
        EXPECT_EQ(language->value("language", ""), code);
        shot(std::string("attract-") + code);
    }
    ASSERT_TRUE(click("lang:de"));
    ASSERT_TRUE(k.wait_for_event("language"));
    ASSERT_TRUE(click("lookup"));
    ASSERT_TRUE(screen("lookup"));
    shot("lookup-de");
    ASSERT_TRUE(click("back"));
    ASSERT_TRUE(screen("attract"));
    k.scan(ticket::french_complete);         // Amélie Laurent, fr, every answer stored
    const auto french = k.wait_for_event("language");
    ASSERT_TRUE(french);
    EXPECT_EQ(french->value("language", ""), "fr");
    ASSERT_TRUE(screen("admitted"));
    shot("admitted-fr");
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
    const auto back = k.wait_for_event("language");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->value("language", ""), "en") << "after the attendee, the kiosk's default language";
}

// From attract to admitted with keys only: Tab to "Find my ticket", Return, type, Tab to the hit,
// Return; every focus move is in the state log.
TEST_F(Accessibility, KeyboardOnlyLookup) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    ASSERT_TRUE(wait_control("lookup"));
    ASSERT_TRUE(focus_until("lookup"));
    shot("focus-lookup");
    k.key("Return");
    ASSERT_TRUE(screen("lookup"));
    k.type_slowly("Ashw");
    ASSERT_TRUE(wait_control("hit:0", 5s));
    ASSERT_TRUE(focus_until("hit:0", "Tab", 80));
    shot("focus-hit");
    k.key("Return");
    ASSERT_TRUE(screen("checking"));
    ASSERT_TRUE(screen("admitted"));
    shot("admitted");
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
}

// Questions by keys: Tab to "yes" (an option), Return, Tab to next, Return; Escape goes back.
TEST_F(Accessibility, KeyboardOnlyQuestions) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::cyrillic_workshop);
    auto page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 701);
    ASSERT_TRUE(wait_control("true"));
    ASSERT_TRUE(focus_until("true"));
    const auto role = find_control("true");
    ASSERT_TRUE(role);
    EXPECT_EQ(role->value("role", ""), "option");
    k.key("Return");
    ASSERT_TRUE(focus_until("next", "Right"));
    shot("701-yes-focus-next");
    k.key("Return");
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 702);
    k.type_slowly("2");
    k.key("BackSpace");
    k.type_slowly("4");
    ASSERT_TRUE(focus_until("next", "shift+Tab"));
    k.key("Return");
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 703);
    shot("703");
    k.key("Escape");
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 702);
    k.key("Escape");
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
}

// Large text toggles (logged), read aloud (button and F1) speaks the screen (logged, no text).
TEST_F(Accessibility, LargeTextAndReadAloud) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("large_text"));
    const auto large = k.wait_for_event("large_text");
    ASSERT_TRUE(large);
    EXPECT_EQ(large->value("on", false), true);
    shot("attract-large-text");
    ASSERT_TRUE(click("lookup"));
    ASSERT_TRUE(screen("lookup"));
    shot("lookup-large-text");
    ASSERT_TRUE(click("back"));
    ASSERT_TRUE(screen("attract"));
    k.key("F1");
    const auto speech = k.wait_for_event("speech");
    ASSERT_TRUE(speech);
    EXPECT_GT(speech->value("chars", 0), 10);
    EXPECT_EQ(speech->value("language", ""), "en");
    ASSERT_TRUE(click("large_text"));
    const auto normal = k.wait_for_event("large_text");
    ASSERT_TRUE(normal);
    EXPECT_EQ(normal->value("on", true), false);
}

// Idle on lookup for idle_seconds: "still there?"; Continue goes back with what was typed; idle
// again and the question times out: attract, the typed name gone.
TEST_F(Accessibility, StillThereContinueThenTimeout) {
    auto& k = launch({.args = {"--idle-seconds", "5"}, .kiosk_config = {"still_there_seconds = 5"}});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("lookup"));
    const auto lookup = screen("lookup");
    ASSERT_TRUE(lookup);
    k.type_slowly("Ashw");
    ASSERT_TRUE(wait_control("hit:0", 5s));
    auto still = screen("still_there", 10s);
    ASSERT_TRUE(still);
    shot("still-there");
    ASSERT_TRUE(click("continue"));
    const auto back = screen("lookup");
    ASSERT_TRUE(back);
    ASSERT_TRUE(wait_control("hit:0", 3s)) << "the search survives \"continue\"";
    shot("continued");
    still = screen("still_there", 10s);
    ASSERT_TRUE(still);
    EXPECT_NEAR(ms_between(*back, *still), 5000, 700);
    const auto attract = screen("attract", 10s);
    ASSERT_TRUE(attract);
    EXPECT_NEAR(ms_between(*still, *attract), 5000, 700);
    shot("attract-after-timeout");
    ASSERT_TRUE(click("lookup"));
    ASSERT_TRUE(screen("lookup"));
    std::this_thread::sleep_for(500ms);
    EXPECT_FALSE(has_control("hit:0")) << "personal data wiped";
}

// "Start over" on the still-there screen, from a question page.
TEST_F(Accessibility, StillThereStartOverFromQuestions) {
    auto& k = launch({.args = {"--idle-seconds", "5"}, .kiosk_config = {"still_there_seconds = 5"}});
    ASSERT_TRUE(ready());
    k.scan(ticket::cyrillic_workshop);
    ASSERT_TRUE(screen("questions"));
    ASSERT_TRUE(screen("still_there", 10s));
    ASSERT_TRUE(click("start_over"));
    ASSERT_TRUE(screen("attract"));
}

} // namespace
} // namespace kiosk::uitest
