// The attendee's paths through the real kiosk: a scan that admits (with and without a printer),
// require_attention, finding one's ticket by name and typing the ticket code.
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

class AttendeeFlow : public KioskFlowTest {};

// attract -> checking -> admitted -> printing/done -> attract, with a badge written as a PDF.
TEST_F(AttendeeFlow, ScanAdmitsWithoutQuestionsAndPrintsTheBadge) {
    const auto badges = scratch() / "badges";
    std::filesystem::create_directories(badges);
    auto& k = launch({.args = {"--printer", "file:" + badges.string()}});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(wait_control("lookup"));
    shot("attract");

    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("checking"));
    const auto admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    EXPECT_EQ(admitted->value("require_attention", true), false);
    shot("admitted");
    for (const char* status : {"queued", "printing", "done"}) {
        const auto print = k.wait_for([&](const json& l) { return l.value("event", "") == "print" && l.value("status", "") == status; }, 15s);
        EXPECT_TRUE(print) << status;
    }
    // admitted stays 3 s; the badge is done by then, so printing is skipped or brief.
    const auto after = k.wait_for([](const json& l) {
        return l.value("event", "") == "screen" && (l.value("screen", "") == "printing" || l.value("screen", "") == "done");
    }, 8s);
    ASSERT_TRUE(after);
    if (after->value("screen", "") == "printing") {
        ASSERT_TRUE(screen("done"));
    }
    shot("done");
    ASSERT_TRUE(screen("attract", 8s));
    EXPECT_TRUE(wait_until([&] { return file_count(badges) == 1; }, 5s)) << file_count(badges) << " badge files";
    shot("attract-again");
}

// Without a printer: admitted 3 s, done 4 s, attract; nothing about printing.
TEST_F(AttendeeFlow, ScanAdmitsWithoutPrinterAndTimesOutToAttract) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::spanish_conference);
    ASSERT_TRUE(screen("checking"));
    const auto admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    shot("admitted-spanish");
    const auto done = screen("done", 6s);
    ASSERT_TRUE(done);
    EXPECT_NEAR(ms_between(*admitted, *done), 3000, 500);
    shot("done");
    const auto attract = screen("attract", 7s);
    ASSERT_TRUE(attract);
    EXPECT_NEAR(ms_between(*done, *attract), 4000, 500);
    for (const json& line : k.log()) EXPECT_NE(line.value("event", ""), "print") << line.dump();
}

// Speaker (item checkin_attention) and a press order (order checkin_attention): admitted with
// require_attention, "please see the help desk".
TEST_F(AttendeeFlow, RequireAttentionIsShownAndLogged) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::hebrew_speaker);
    auto admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    EXPECT_EQ(admitted->value("require_attention", false), true);
    shot("admitted-hebrew-attention");
    k.key("Escape");                         // back: the attendee is done reading
    ASSERT_TRUE(screen("attract"));

    k.scan(ticket::order_attention);
    admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    EXPECT_EQ(admitted->value("require_attention", false), true);
    shot("admitted-order-attention");
    // require_attention stays 8 s (not 3) before done.
    const auto done = screen("done", 12s);
    ASSERT_TRUE(done);
    EXPECT_NEAR(ms_between(*admitted, *done), 8000, 600);
}

// "Find my ticket": 4+ letters of the name, pick the hit, admitted.
TEST_F(AttendeeFlow, ManualLookupByNameAdmits) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("lookup"));
    const auto lookup = screen("lookup");
    ASSERT_TRUE(lookup);
    EXPECT_EQ(lookup->value("mode", ""), "search");
    shot("lookup-empty");
    k.type_slowly("Ashw");
    ASSERT_TRUE(wait_control("hit:0", 5s));
    EXPECT_FALSE(has_control("hit:1")) << "one Ashworth in the fixture";
    shot("lookup-hit");
    ASSERT_TRUE(click("hit:0"));
    ASSERT_TRUE(screen("checking"));
    const auto admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    EXPECT_EQ(admitted->value("require_attention", true), false);
    shot("admitted");
}

// Three letters look nothing up; a name nobody has says "no tickets found"; erasing works.
TEST_F(AttendeeFlow, ManualLookupNeedsFourLettersAndFindsNobodyElse) {
    launch();
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("lookup"));
    ASSERT_TRUE(screen("lookup"));
    tap_keys("ash");                         // on-screen keys
    std::this_thread::sleep_for(500ms);
    EXPECT_FALSE(has_control("hit:0"));
    shot("three-letters");
    tap_keys("z");                           // "ashz": nobody
    std::this_thread::sleep_for(700ms);
    EXPECT_FALSE(has_control("hit:0"));
    shot("nobody");
    ASSERT_TRUE(click("key:erase"));
    std::this_thread::sleep_for(150ms);
    tap_keys("w");                           // "ashw"
    EXPECT_TRUE(wait_control("hit:0", 5s));
    shot("found");
    ASSERT_TRUE(click("back"));
    ASSERT_TRUE(screen("attract"));
}

// "Type my ticket code": the code typed at a person's pace, Check in, admitted.
TEST_F(AttendeeFlow, ManualCodeEntryAdmits) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("manual"));
    const auto lookup = screen("lookup");
    ASSERT_TRUE(lookup);
    EXPECT_EQ(lookup->value("mode", ""), "code");
    k.type_slowly(ticket::greek_conference);
    shot("code-typed");
    ASSERT_TRUE(click("next"));
    ASSERT_TRUE(screen("checking"));
    const auto admitted = screen("admitted");
    ASSERT_TRUE(admitted);
    shot("admitted-greek");
}

} // namespace
} // namespace kiosk::uitest
