// Every rejection reason on the real kiosk: the state log's reason, the screen, how it leaves
// (Done, or by itself after rejection_seconds), and the repeat window for the same code.
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

struct Rejection {
    const char* name;
    const char* secret;
    const char* list;
    const char* reason;
};

class Rejections : public KioskFlowTest, public ::testing::WithParamInterface<Rejection> {};

// Scan -> checking -> rejected(reason) -> Done -> attract.
TEST_P(Rejections, ScanIsRejectedWithItsReason) {
    const Rejection& r = GetParam();
    auto& k = launch({.list = r.list});
    ASSERT_TRUE(ready());
    k.scan(r.secret);
    ASSERT_TRUE(screen("checking"));
    const auto rejected = next_screen();
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->value("screen", ""), "rejected");
    EXPECT_EQ(rejected->value("reason", ""), r.reason);
    ASSERT_TRUE(wait_control("done"));
    shot(std::string("rejected-") + r.name);
    ASSERT_TRUE(click("done"));
    ASSERT_TRUE(screen("attract"));
}

INSTANTIATE_TEST_SUITE_P(EveryReason, Rejections,
                         ::testing::Values(Rejection{"unpaid", ticket::pending, "501", "unpaid"},
                                           Rejection{"canceled", ticket::canceled, "501", "canceled"},
                                           Rejection{"blocked", ticket::blocked, "501", "blocked"},
                                           Rejection{"invalid_time", ticket::future, "501", "invalid_time"},
                                           Rejection{"revoked", ticket::revoked, "501", "invalid"},
                                           Rejection{"unknown", ticket::unknown, "501", "invalid"},
                                           Rejection{"product", ticket::arabic_workshop, "502", "product"}),
                         [](const ::testing::TestParamInfo<Rejection>& param_info) { return std::string(param_info.param.name); });

class RejectionFlow : public KioskFlowTest {};

// Admitted, then the same ticket again: already_redeemed. A repeat of the code just handled is
// ignored for 10 s (a phone held up reads many times), so another code comes between.
TEST_F(RejectionFlow, SecondScanIsAlreadyRedeemedAndRepeatsAreIgnored) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("admitted"));
    k.scan(ticket::latin_conference);        // the same code at once: ignored, no new check
    expect_no_screen_change(1000ms);
    k.scan(ticket::unknown);                 // admitted takes scans when there is no printer
    auto rejected = screen("rejected");
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->value("reason", ""), "invalid");
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("checking"));
    rejected = next_screen();
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->value("screen", ""), "rejected");
    EXPECT_EQ(rejected->value("reason", ""), "already_redeemed");
    shot("already-redeemed");
}

// Left alone, the rejection goes back to attract after 5 s by itself; touched, it stays.
TEST_F(RejectionFlow, RejectionTimesOutUnlessTouched) {
    auto& k = launch();
    ASSERT_TRUE(ready());
    k.scan(ticket::canceled);
    auto rejected = screen("rejected");
    ASSERT_TRUE(rejected);
    const auto attract = screen("attract", 8s);
    ASSERT_TRUE(attract);
    EXPECT_NEAR(ms_between(*rejected, *attract), 5000, 600);

    k.scan(ticket::blocked);
    ASSERT_TRUE(screen("rejected"));
    ASSERT_TRUE(wait_control("done"));
    const auto done = find_control("done");
    ASSERT_TRUE(done);
    k.click(done->value("x", 0) - 200, done->value("y", 0) - 200);   // a tap beside the button: reading
    shot("touched-countdown-stopped");
    expect_no_screen_change(6000ms);
    ASSERT_TRUE(click("done"));
    ASSERT_TRUE(screen("attract"));
}

} // namespace
} // namespace kiosk::uitest
