// Attendee names in every script on the welcome screen (screenshots to look at: Arabic and Hebrew
// right to left and joined), and the printer fault that takes the kiosk out of order and back.
#include "tests/support/zebra_printer.h"
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

class Scripts : public KioskFlowTest {
protected:
    // Scans a workshop ticket, answers every question in bursts (photo from a still camera).
    void admit_after_questions(const char* secret, std::string_view shot_name) {
        auto& k = launch({.camera = still_camera()});
        ASSERT_TRUE(ready());
        k.scan(secret);
        std::vector<Asked> asked;
        const auto end = answer_questions(asked, /*invalid_first=*/false, /*fast=*/true, /*screenshots=*/false);
        ASSERT_TRUE(end);
        ASSERT_EQ(end->value("screen", ""), "admitted");
        EXPECT_EQ(asked.size(), 13u);
        shot(shot_name);
    }
};

TEST_F(Scripts, ArabicNameAfterEveryQuestion) { admit_after_questions(ticket::arabic_workshop, "admitted-arabic"); }
TEST_F(Scripts, ChineseNameAfterEveryQuestion) { admit_after_questions(ticket::chinese_workshop, "admitted-chinese"); }
TEST_F(Scripts, CyrillicNameAfterEveryQuestion) { admit_after_questions(ticket::cyrillic_workshop, "admitted-cyrillic"); }

TEST_F(Scripts, HebrewAndGreekNamesAdmittedDirectly) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::hebrew_speaker);
    ASSERT_TRUE(screen("admitted"));
    shot("admitted-hebrew");
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
    k.scan(ticket::greek_conference);
    ASSERT_TRUE(screen("admitted"));
    shot("admitted-greek");
}

class PrinterFault : public KioskFlowTest {};

// A Zebra out of paper: the kiosk goes out of order (cause printer) and takes no scans; paper
// loaded: it comes back to attract by itself and admits with a badge.
TEST_F(PrinterFault, OutOfOrderUntilThePrinterRecovers) {
    testing::ZebraPrinter zebra;
    zebra.set_state({.paper_out = true});
    auto& k = launch({.args = {"--printer", zebra.uri()}, .wait_ready = false});
    // The print queue asks the printer at start: out of order before anyone is admitted (`ready`
    // comes before or after, whichever of the first frame and the printer's answer is first).
    const auto ooo = screen("out_of_order", 30s);
    ASSERT_TRUE(ooo);
    EXPECT_EQ(ooo->value("cause", ""), "printer");
    shot("out-of-order-printer");
    k.scan(ticket::latin_conference);
    expect_no_screen_change(1000ms);
    zebra.set_state({});
    const auto back = screen("attract", 15s);
    ASSERT_TRUE(back);
    EXPECT_LT(ms_between(*ooo, *back), 15000);
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("admitted"));
    EXPECT_TRUE(k.wait_for([](const json& l) { return l.value("event", "") == "print" && l.value("status", "") == "done"; }, 15s));
    EXPECT_TRUE(wait_until([&] { return zebra.labels().size() == 1; }, 5s)) << zebra.labels().size() << " labels";
}

} // namespace
} // namespace kiosk::uitest
