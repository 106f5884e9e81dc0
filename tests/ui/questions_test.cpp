// The check-in questions on the real kiosk: every pretix question type of the all_questions
// fixture (701..714), a refused answer first (the kiosk stays on that question), then a valid
// one, the conditional 707 after "other", and the admission at the end.
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

class Questions : public KioskFlowTest {};

// Jürgen Weiß's order is German: the questions come in German. Answers typed in bursts (a
// person's pace is covered by the lookup tests; here it would cost a minute).
TEST_F(Questions, EveryTypeRefusesAnInvalidAnswerThenAdmits) {
    country_filter = "deutsch";
    auto& k = launch({.camera = still_camera()});
    ASSERT_TRUE(ready());
    k.scan(ticket::german_workshop);
    ASSERT_TRUE(screen("checking"));
    const auto language = k.wait_for_event("language");
    ASSERT_TRUE(language);
    EXPECT_EQ(language->value("language", ""), "de");
    std::vector<Asked> asked;
    const auto end = answer_questions(asked, /*invalid_first=*/true, /*fast=*/true);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->value("screen", ""), "admitted");
    shot("admitted");

    std::vector<std::pair<int64_t, std::string>> got;
    for (const Asked& a : asked) got.emplace_back(a.id, a.type);
    const std::vector<std::pair<int64_t, std::string>> expected{
        {701, "B"}, {702, "N"}, {703, "S"}, {705, "C"}, {706, "M"}, {708, "D"}, {709, "H"}, {710, "W"},
        {711, "EMAIL"}, {712, "TEL"}, {713, "CC"}, {714, "F"}, {707, "S"}};
    EXPECT_EQ(got, expected) << "704 (T, optional) is never asked; 707 only after 706 = other";
}

// Back (and Escape) go to the previous question, and from the first to attract; the answers
// given stay. Required B refuses "no" as well as nothing.
TEST_F(Questions, BackGoesToThePreviousQuestionAndFromTheFirstToAttract) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::cyrillic_workshop);
    auto page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 701);
    ASSERT_TRUE(click("next"));              // nothing chosen
    expect_no_screen_change();
    shot("701-nothing-chosen");
    ASSERT_TRUE(click("true"));
    ASSERT_TRUE(click("next"));
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 702);
    EXPECT_EQ(page->value("question_type", ""), "N");
    k.type_slowly("7");
    ASSERT_TRUE(click("back"));
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 701);
    shot("back-on-701");
    ASSERT_TRUE(click("next"));              // "yes" is still chosen
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 702);
    shot("702-answer-kept");
    k.key("Escape");
    page = screen("questions");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->value("question", 0), 701);
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
}

// Without a camera a required photo question cannot be answered: the page says so and Next
// refuses (the attendee is sent to the help desk, not stuck in a loop).
TEST_F(Questions, PhotoQuestionWithoutCameraRefusesNext) {
    auto& k = launch({.args = {"--idle-seconds", "60"}});
    ASSERT_TRUE(ready());
    k.scan(ticket::chinese_workshop);
    std::vector<Asked> asked;
    for (int pages = 0; pages < 11; ++pages) {
        const auto line = screen("questions");
        ASSERT_TRUE(line);
        const Asked p{line->value("question", int64_t{0}), line->value("question_type", "")};
        give_valid_answer(p, /*fast=*/true);
        ASSERT_TRUE(click("next"));
    }
    const auto photo = screen("questions");
    ASSERT_TRUE(photo);
    EXPECT_EQ(photo->value("question", 0), 714);
    EXPECT_EQ(photo->value("question_type", ""), "F");
    EXPECT_FALSE(has_control("photo"));
    shot("714-no-camera");
    ASSERT_TRUE(click("next"));
    expect_no_screen_change();
    shot("714-refused");
}

} // namespace
} // namespace kiosk::uitest
