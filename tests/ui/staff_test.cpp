// The staff side of the real kiosk: the PIN (wrong, right, lockout), the staff card, the panel's
// undo, reprint, reset, out of order on/off, exit.
#include "tests/ui/ui_steps.h"

namespace kiosk::uitest {
namespace {

class Staff : public KioskFlowTest {
protected:
    // Long press in the top-left corner: the PIN screen.
    bool open_pin_screen() {
        kiosk().long_press(20, 20, 2300ms);
        return screen("staff_pin", 5s).has_value();
    }
    // The PIN on the on-screen keypad, then OK.
    void enter_pin_by_touch(std::string_view pin) {
        tap_keys(pin);
        click("next");
    }
    bool open_panel() {
        if (!open_pin_screen()) return false;
        enter_pin_by_touch(kStaffPin);
        return screen("staff", 5s).has_value();
    }
};

// Wrong PIN: stays on the PIN screen saying so; right PIN (typed on a keyboard): the panel.
TEST_F(Staff, WrongPinStaysRightPinOpensThePanel) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(open_pin_screen());
    ASSERT_TRUE(wait_control("key:0"));
    shot("pin-empty");
    enter_pin_by_touch("1111");
    expect_no_screen_change(1000ms);         // argon2 takes ~100 ms
    shot("pin-wrong");
    k.type_slowly(kStaffPin);                // digits from a physical keyboard work too
    shot("pin-typed");
    k.key("Return");                         // nothing focused: Return does not submit...
    std::this_thread::sleep_for(300ms);
    if (current_screen() != "staff") {
        ASSERT_TRUE(click("next"));          // ...OK does
    }
    ASSERT_TRUE(screen("staff"));
    ASSERT_TRUE(wait_control("close"));
    shot("panel");
    ASSERT_TRUE(click("close"));
    ASSERT_TRUE(screen("attract"));
}

// Five wrong PINs lock the PIN screen for 30 s: the right PIN is not even checked meanwhile.
TEST_F(Staff, FiveWrongPinsLockThePinScreen) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(open_pin_screen());
    for (int attempt = 0; attempt < 5; ++attempt) {
        enter_pin_by_touch("9999");
        std::this_thread::sleep_for(500ms);  // the check runs off the UI thread
    }
    shot("locked");
    enter_pin_by_touch(kStaffPin);
    expect_no_screen_change(2000ms);
    EXPECT_EQ(current_screen(), "staff_pin");
    shot("still-locked");
    ASSERT_TRUE(click("back"));
    ASSERT_TRUE(screen("attract"));
    (void)k;
}

// Scanning the configured staff card opens the PIN screen (the code itself is never logged).
TEST_F(Staff, StaffCardOpensThePinScreen) {
    auto& k = launch({.kiosk_config = {"staff_code = \"STAFF-CARD-7731\""}, .staff_pin = true});
    ASSERT_TRUE(ready());
    k.scan("STAFF-CARD-7731");
    ASSERT_TRUE(screen("staff_pin"));
    enter_pin_by_touch(kStaffPin);
    ASSERT_TRUE(screen("staff"));
    for (const json& line : k.log()) EXPECT_EQ(line.dump().find("STAFF-CARD"), std::string::npos) << line.dump();
}

// Undo the last check-in: the same ticket is admitted again afterwards.
TEST_F(Staff, UndoLetsTheSameTicketInAgain) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("admitted"));
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("undo"));
    shot("undone");                          // the panel says what it did
    ASSERT_TRUE(click("close"));
    ASSERT_TRUE(screen("attract"));
    k.scan(ticket::unknown);                 // the same code again within 10 s would be ignored
    ASSERT_TRUE(screen("rejected"));
    ASSERT_TRUE(click("done"));
    ASSERT_TRUE(screen("attract"));
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("checking"));
    const auto again = next_screen();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->value("screen", ""), "admitted") << again->dump();
    shot("admitted-again");
}

// Reprint: a second badge file for the last admission.
TEST_F(Staff, ReprintWritesASecondBadge) {
    const auto badges = scratch() / "badges";
    std::filesystem::create_directories(badges);
    auto& k = launch({.args = {"--printer", "file:" + badges.string()}, .staff_pin = true});
    ASSERT_TRUE(ready());
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("admitted"));
    ASSERT_TRUE(k.wait_for([](const json& l) { return l.value("event", "") == "print" && l.value("status", "") == "done"; }, 15s));
    ASSERT_TRUE(wait_until([&] { return file_count(badges) == 1; }, 5s));
    ASSERT_TRUE(screen("done", 8s));
    k.key("Escape");
    ASSERT_TRUE(screen("attract"));
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("reprint"));
    EXPECT_TRUE(wait_until([&] { return file_count(badges) == 2; }, 15s)) << file_count(badges) << " badge files";
    shot("reprinted");
}

// Reset: back to attract, the "staff is on the way" banner gone, nothing left to undo.
TEST_F(Staff, ResetClearsTheHelpRequest) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(click("help"));
    shot("help-requested");
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("reset"));
    ASSERT_TRUE(screen("attract"));
    shot("after-reset");
    (void)k;
}

// Staff switch the kiosk out of order: attendees see it and scans do nothing; off again: attract.
TEST_F(Staff, OutOfOrderOnAndOff) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("ooo_on"));
    ASSERT_TRUE(wait_control("ooo_off"));
    ASSERT_TRUE(click("close"));
    const auto ooo = screen("out_of_order");
    ASSERT_TRUE(ooo);
    EXPECT_EQ(ooo->value("cause", ""), "staff");
    shot("out-of-order-staff");
    k.scan(ticket::latin_conference);
    expect_no_screen_change(1000ms);
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("ooo_off"));
    ASSERT_TRUE(wait_control("ooo_on"));
    ASSERT_TRUE(click("close"));
    ASSERT_TRUE(screen("attract"));
    k.scan(ticket::latin_conference);
    ASSERT_TRUE(screen("admitted"));
}

// Exit: logged, and the kiosk ends by itself with status 0.
TEST_F(Staff, ExitQuitsTheKiosk) {
    auto& k = launch({.staff_pin = true});
    ASSERT_TRUE(ready());
    ASSERT_TRUE(open_panel());
    ASSERT_TRUE(click("exit"));
    ASSERT_TRUE(k.wait_for_event("exit"));
    EXPECT_EQ(k.exit_code_after_quit(5s), 0);
}

} // namespace
} // namespace kiosk::uitest
