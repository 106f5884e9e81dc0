// The attendee flow and the staff panel as a state machine, driven without a window: events in,
// screens, commands and state-log lines out.
#include "kiosk/app/flow.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../../support/temp_dir.h"

namespace kiosk::flow {
namespace {

using namespace std::chrono_literals;

Question question(int64_t id, QuestionType type, bool required, std::vector<int64_t> options = {}) {
    Question q;
    q.id = id;
    q.type = type;
    q.required = required;
    q.question = {{"en", "Question " + std::to_string(id)}};
    for (int64_t option : options) q.options.push_back({option, "opt" + std::to_string(option), {{"en", "Option"}}});
    return q;
}

ScanOutcome outcome(VerdictStatus status, RejectReason reason = RejectReason::none) {
    ScanOutcome out;
    out.verdict.status = status;
    out.verdict.reason = reason;
    Position position;
    position.id = 7;
    position.secret = "secret-1";
    position.attendee_name = "Samuel Ashworth";
    out.verdict.position = position;
    out.verdict.list = 11;
    out.verdict.event = 1;
    if (status == VerdictStatus::ok) out.checkin = RecordedCheckin{1, {}, CheckinType::entry, "nonce"};
    return out;
}

class FlowTest : public ::testing::Test {
protected:
    void SetUp() override {
        log_path_ = dir_.path() / "state.log";
        log_ = StateLog(log_path_);
        settings_.lists = {11};
        settings_.languages = {"en", "de"};
        settings_.translated_languages = {"en", "de", "fr"};
        settings_.printer = true;
        settings_.staff_pin_set = true;
        settings_.staff_code = "STAFF-CARD-1";
        flow_ = std::make_unique<Flow>(settings_, &log_);
        tick(0ms);
    }

    void tick(std::chrono::milliseconds at, bool activity = false) { flow_->handle(Tick{start_ + at, activity}); now_ = at; }
    void advance(std::chrono::milliseconds by, bool activity = false) { tick(now_ + by, activity); }

    // Scans `text` and answers the RunScan it makes with `answer`.
    std::vector<Command> scan(const std::string& text) {
        flow_->handle(Scanned{text, true, {}});
        return flow_->take_commands();
    }
    uint64_t last_scan_request(const std::vector<Command>& commands) {
        for (const Command& command : commands)
            if (const auto* run = std::get_if<RunScan>(&command)) return run->request;
        ADD_FAILURE() << "no RunScan";
        return 0;
    }
    std::vector<nlohmann::json> log_lines() {
        std::ifstream in(log_path_);
        std::vector<nlohmann::json> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
        return lines;
    }
    std::vector<std::string> screens_logged() {
        std::vector<std::string> screens;
        for (const auto& line : log_lines())
            if (line["event"] == "screen") screens.push_back(line["screen"]);
        return screens;
    }
    Screen screen() const { return flow_->view().screen; }

    testing::TempDir dir_;
    std::filesystem::path log_path_;
    StateLog log_;
    FlowSettings settings_;
    std::unique_ptr<Flow> flow_;
    Clock::time_point start_ = Clock::now();
    std::chrono::milliseconds now_{0};
};

TEST_F(FlowTest, AdmissionRunsThroughPrintingToDoneAndBackToAttract) {
    const auto commands = scan("secret-1");
    EXPECT_EQ(screen(), Screen::checking);
    const auto request = last_scan_request(commands);
    flow_->handle(ScanAnswered{request, outcome(VerdictStatus::ok), "Europe/Berlin"});
    EXPECT_EQ(screen(), Screen::admitted);
    EXPECT_EQ(flow_->view().attendee_name, "Samuel Ashworth");
    const auto after = flow_->take_commands();
    EXPECT_TRUE(std::any_of(after.begin(), after.end(), [](const Command& c) { return std::holds_alternative<QueueBadge>(c); }));
    flow_->handle(PrintUpdated{42, PrintJobState::queued, {}, true});
    advance(3100ms);
    EXPECT_EQ(screen(), Screen::printing);
    flow_->handle(PrintUpdated{42, PrintJobState::printing, {}});
    flow_->handle(PrintUpdated{42, PrintJobState::done, {}});
    EXPECT_EQ(screen(), Screen::done);
    advance(4100ms);
    EXPECT_EQ(screen(), Screen::attract);
    EXPECT_TRUE(flow_->view().attendee_name.empty()) << "personal details leave with the attendee";
    EXPECT_EQ(screens_logged(), (std::vector<std::string>{"attract", "checking", "admitted", "printing", "done", "attract"}));
    int prints = 0;
    for (const auto& line : log_lines()) prints += line["event"] == "print";
    EXPECT_EQ(prints, 3);
}

TEST_F(FlowTest, RejectionStaysItsTimeUnlessTouchedAndARepeatOfTheCodeIsIgnored) {
    auto request = last_scan_request(scan("secret-1"));
    auto rejected = outcome(VerdictStatus::error, RejectReason::already_redeemed);
    rejected.verdict.first_checkin = Timestamp{};
    flow_->handle(ScanAnswered{request, rejected, "UTC"});
    EXPECT_EQ(screen(), Screen::rejected);
    EXPECT_EQ(flow_->view().rejected.reason, RejectReason::already_redeemed);
    EXPECT_TRUE(flow_->take_commands().size() >= 1);
    EXPECT_TRUE(scan("secret-1").empty()) << "the same code again is ignored";
    advance(4900ms);
    EXPECT_EQ(screen(), Screen::rejected) << "at least 5 s";
    advance(200ms);
    EXPECT_EQ(screen(), Screen::attract);

    advance(20s);                           // the repeat window has passed: a new attempt
    request = last_scan_request(scan("secret-1"));
    flow_->handle(ScanAnswered{request, rejected, "UTC"});
    advance(1000ms, /*activity=*/true);     // touched: the countdown stops
    advance(10s);
    EXPECT_EQ(screen(), Screen::rejected);
    EXPECT_TRUE(flow_->view().rejected.countdown_stopped);
    flow_->handle(Pressed{"done"});
    EXPECT_EQ(screen(), Screen::attract);
    const auto lines = log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const nlohmann::json& l) {
        return l["event"] == "screen" && l["screen"] == "rejected" && l["reason"] == "already_redeemed";
    }));
}

TEST_F(FlowTest, ScansAreIgnoredWhileCheckingAndAnswering) {
    const auto request = last_scan_request(scan("secret-1"));
    EXPECT_TRUE(scan("other-code").empty());
    auto incomplete = outcome(VerdictStatus::incomplete);
    incomplete.verdict.questions = {question(301, QuestionType::choice, true, {401, 402})};
    flow_->handle(ScanAnswered{request, incomplete, "UTC"});
    EXPECT_EQ(screen(), Screen::questions);
    flow_->take_commands();
    EXPECT_TRUE(scan("other-code").empty());
    EXPECT_EQ(screen(), Screen::questions);
}

TEST_F(FlowTest, QuestionsValidateEachPageAndGoWithTheCheckin) {
    const auto request = last_scan_request(scan("secret-1"));
    auto incomplete = outcome(VerdictStatus::incomplete);
    incomplete.verdict.questions = {question(301, QuestionType::choice, true, {401, 402}),
                                    question(302, QuestionType::number, false),
                                    question(304, QuestionType::boolean, true)};
    flow_->handle(ScanAnswered{request, incomplete, "UTC"});
    ASSERT_EQ(flow_->view().pages.size(), 3u);
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 0u) << "a required choice blocks";
    EXPECT_FALSE(flow_->view().pages[0].error.empty());
    flow_->handle(Pressed{"option:999"});  // not an option of this question
    EXPECT_TRUE(flow_->view().pages[0].chosen.empty());
    flow_->handle(Pressed{"option:402"});
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 1u);
    flow_->handle(Typed{"4x"});              // a letter in a number: dropped as typed
    EXPECT_EQ(flow_->view().pages[1].text, "");
    flow_->handle(Typed{"4"});
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 2u);
    flow_->handle(Pressed{"false"});
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 2u) << "a required boolean must be agreed to";
    flow_->handle(Pressed{"back"});
    EXPECT_EQ(flow_->view().page, 1u);
    flow_->handle(Pressed{"next"});
    flow_->handle(Pressed{"true"});
    flow_->take_commands();
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(screen(), Screen::checking);
    const auto commands = flow_->take_commands();
    const RunScan* run = nullptr;
    for (const Command& c : commands)
        if (const auto* r = std::get_if<RunScan>(&c)) run = r;
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->scan.answers.at(301), "402");
    EXPECT_EQ(run->scan.answers.at(302), "4");
    EXPECT_EQ(run->scan.answers.at(304), "True");

    // The engine now asks a conditional question the first answers switched on: one more page.
    auto more = outcome(VerdictStatus::incomplete);
    more.verdict.questions = {question(303, QuestionType::string, true)};
    flow_->handle(ScanAnswered{run->request, more, "UTC"});
    ASSERT_EQ(screen(), Screen::questions);
    EXPECT_EQ(flow_->view().pages.size(), 4u);
    EXPECT_EQ(flow_->view().page, 3u);
    const auto lines = log_lines();
    EXPECT_EQ(lines.back()["question"], 303);
    EXPECT_EQ(lines.back()["question_type"], "S");
}

TEST_F(FlowTest, DatesAreTypedAsDigitsAndShownFormatted) {
    const auto request = last_scan_request(scan("secret-1"));
    auto incomplete = outcome(VerdictStatus::incomplete);
    incomplete.verdict.questions = {question(307, QuestionType::date, true), question(308, QuestionType::time, true)};
    flow_->handle(ScanAnswered{request, incomplete, "UTC"});
    for (const char* digit : {"1", "9", "9", "0", "1", "3", "3", "2"}) flow_->handle(Typed{digit});
    EXPECT_EQ(flow_->view().pages[0].text, "1990-13-32");
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 0u) << "month 13 is no date";
    flow_->handle(Erased{});
    flow_->handle(Erased{});
    flow_->handle(Erased{});
    flow_->handle(Erased{});
    for (const char* digit : {"0", "3", "1", "6"}) flow_->handle(Typed{digit});
    EXPECT_EQ(flow_->view().pages[0].text, "1990-03-16");
    flow_->handle(Pressed{"next"});
    EXPECT_EQ(flow_->view().page, 1u);
    for (const char* digit : {"0", "9", "3", "0", "5"}) flow_->handle(Typed{digit});
    EXPECT_EQ(flow_->view().pages[1].text, "09:30") << "a fifth digit does not fit a time";
}

TEST_F(FlowTest, TheOrdersLanguageIsUsedWhenTheKioskSpeaksIt) {
    auto request = last_scan_request(scan("secret-1"));
    auto admitted = outcome(VerdictStatus::ok);
    admitted.verdict.order_locale = "de-informal";
    flow_->handle(ScanAnswered{request, admitted, "UTC"});
    EXPECT_EQ(flow_->view().language, "de");
    flow_->handle(Pressed{"done"});
    EXPECT_EQ(flow_->view().language, "en") << "the next attendee starts in the kiosk's language";
    advance(20s);
    request = last_scan_request(scan("secret-2"));
    admitted.verdict.order_locale = "zh-hans";   // no translation: the screen stays readable
    flow_->handle(ScanAnswered{request, admitted, "UTC"});
    EXPECT_EQ(flow_->view().language, "en");
    const auto lines = log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                            [](const nlohmann::json& l) { return l["event"] == "language" && l["language"] == "de"; }));
}

TEST_F(FlowTest, IdleDuringQuestionsAsksStillThereThenWipes) {
    const auto request = last_scan_request(scan("secret-1"));
    auto incomplete = outcome(VerdictStatus::incomplete);
    incomplete.verdict.questions = {question(306, QuestionType::string, false)};
    flow_->handle(ScanAnswered{request, incomplete, "UTC"});
    flow_->handle(Typed{"ACME"});
    advance(29s);
    EXPECT_EQ(screen(), Screen::questions);
    advance(1100ms);
    EXPECT_EQ(screen(), Screen::still_there);
    advance(19s);
    EXPECT_EQ(screen(), Screen::still_there) << "at least 20 s to answer";
    flow_->handle(Pressed{"continue"});
    EXPECT_EQ(screen(), Screen::questions);
    EXPECT_EQ(flow_->view().pages[0].text, "ACME") << "continue keeps the answers";
    advance(31s);
    EXPECT_EQ(screen(), Screen::still_there);
    advance(21s);
    EXPECT_EQ(screen(), Screen::attract);
    EXPECT_TRUE(flow_->view().pages.empty());
    EXPECT_TRUE(flow_->view().attendee_name.empty());
}

TEST_F(FlowTest, LookupSearchesFromFourCharactersAndScansThePickedTicket) {
    flow_->handle(Pressed{"lookup"});
    EXPECT_EQ(screen(), Screen::lookup);
    flow_->handle(Typed{"Ash"});
    EXPECT_TRUE(flow_->take_commands().empty()) << "3 characters search nothing";
    flow_->handle(Typed{"w"});
    const auto commands = flow_->take_commands();
    ASSERT_EQ(commands.size(), 1u);
    const auto& lookup = std::get<RunLookup>(commands[0]);
    EXPECT_EQ(lookup.query, "Ashw");
    flow_->handle(LookupAnswered{lookup.request, std::vector<LookupHit>{{"secret-9", "Samuel Ashworth", "ABC12", ""}}});
    ASSERT_EQ(flow_->view().hits.size(), 1u);
    flow_->handle(Pressed{"hit:0"});
    EXPECT_EQ(screen(), Screen::checking);
    const auto scans = flow_->take_commands();
    EXPECT_EQ(std::get<RunScan>(scans.back()).scan.raw, "secret-9");
}

TEST_F(FlowTest, ManualCodeEntryScansWhatWasTyped) {
    flow_->handle(Pressed{"manual"});
    flow_->handle(Typed{"secret-5"});
    flow_->handle(Pressed{"next"});
    const auto commands = flow_->take_commands();
    EXPECT_EQ(std::get<RunScan>(commands.back()).scan.raw, "secret-5");
}

TEST_F(FlowTest, StaffPinLocksOutAfterFiveWrongAndOpensThePanelWhenRight) {
    flow_->handle(LongPressed{});
    EXPECT_EQ(screen(), Screen::staff_pin);
    for (int attempt = 0; attempt < 5; ++attempt) {
        flow_->handle(Typed{"9"});
        flow_->handle(Typed{"9"});
        flow_->handle(Typed{"9"});
        flow_->handle(Typed{"9"});
        flow_->handle(Pressed{"next"});
        const auto commands = flow_->take_commands();
        ASSERT_FALSE(commands.empty());
        EXPECT_EQ(std::get<CheckPin>(commands.back()).pin, "9999");
        flow_->handle(PinChecked{false});
    }
    advance(100ms);
    EXPECT_GT(flow_->view().pin_locked_for.count(), 0);
    flow_->take_commands();
    flow_->handle(Typed{"1"});
    flow_->handle(Pressed{"next"});
    EXPECT_TRUE(flow_->take_commands().empty()) << "locked: the PIN is not even checked";
    advance(31s, true);
    flow_->handle(Pressed{"clear"});
    flow_->handle(Typed{"1"});
    flow_->handle(Pressed{"next"});
    EXPECT_FALSE(flow_->take_commands().empty());
    flow_->handle(PinChecked{true});
    EXPECT_EQ(screen(), Screen::staff);
    flow_->handle(Pressed{"close"});
    EXPECT_EQ(screen(), Screen::attract);
    flow_->handle(Scanned{"STAFF-CARD-1", true, {}});
    EXPECT_EQ(screen(), Screen::staff_pin) << "a staff card opens the PIN screen too";
}

TEST_F(FlowTest, OutOfOrderOnAFaultRecoversWhenItClearsOrStaffClearIt) {
    flow_->handle(DeviceHealth{std::string("the camera is not answering"), std::nullopt, std::nullopt});
    EXPECT_EQ(screen(), Screen::out_of_order);
    EXPECT_EQ(flow_->view().out_of_order_cause, "camera");
    EXPECT_TRUE(scan("secret-1").empty());
    flow_->handle(DeviceHealth{});
    EXPECT_EQ(screen(), Screen::attract);

    flow_->handle(DeviceHealth{std::nullopt, std::nullopt, std::string("The printer is out of labels.")});
    EXPECT_EQ(screen(), Screen::out_of_order);
    EXPECT_EQ(flow_->view().out_of_order_cause, "printer");
    flow_->handle(LongPressed{});
    flow_->handle(Typed{"1"});
    flow_->handle(Pressed{"next"});
    flow_->handle(PinChecked{true});
    flow_->handle(Pressed{"ooo_off"});       // staff clear it: the kiosk admits without badges
    flow_->handle(Pressed{"close"});
    EXPECT_EQ(screen(), Screen::attract);

    flow_->handle(LongPressed{});
    flow_->handle(Typed{"1"});
    flow_->handle(Pressed{"next"});
    flow_->handle(PinChecked{true});
    flow_->handle(Pressed{"ooo_on"});
    flow_->handle(Pressed{"close"});
    EXPECT_EQ(screen(), Screen::out_of_order);
    EXPECT_EQ(flow_->view().out_of_order_cause, "staff");
    const auto lines = log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const nlohmann::json& l) {
        return l["event"] == "screen" && l["screen"] == "out_of_order" && l["cause"] == "camera";
    }));
}

TEST_F(FlowTest, RequireAttentionAdmitsAndStaysLongerWithItsOwnCue) {
    const auto request = last_scan_request(scan("secret-1"));
    auto admitted = outcome(VerdictStatus::ok);
    admitted.verdict.require_attention = true;
    flow_->handle(ScanAnswered{request, admitted, "UTC"});
    EXPECT_EQ(screen(), Screen::admitted);
    const auto commands = flow_->take_commands();
    EXPECT_TRUE(std::any_of(commands.begin(), commands.end(), [](const Command& c) {
        const auto* cue = std::get_if<PlayCue>(&c);
        return cue && cue->cue == Cue::attention;
    }));
    advance(5s);
    EXPECT_EQ(screen(), Screen::admitted);
    EXPECT_EQ(log_lines().back()["require_attention"], true);
}

TEST_F(FlowTest, AStoreFailureTellsTheAttendeeToSeeStaffNotAnError) {
    const auto request = last_scan_request(scan("secret-1"));
    flow_->handle(ScanAnswered{request, std::unexpected(std::string("the store failed")), {}});
    EXPECT_EQ(screen(), Screen::rejected);
    EXPECT_EQ(flow_->view().rejected.reason, RejectReason::error);
}

TEST_F(FlowTest, AWorkerThatNeverAnswersDoesNotHangTheKiosk) {
    scan("secret-1");
    advance(30s);
    EXPECT_EQ(screen(), Screen::checking) << "a store busy with another writer (30 s at most) is waited for";
    advance(6s);
    EXPECT_EQ(screen(), Screen::rejected);
}

} // namespace
} // namespace kiosk::flow

namespace kiosk::flow {
namespace {

TEST_F(FlowTest, ADeviceSetUpCodeScannedOnTheStaffPanelConnectsAndATicketIsSelected) {
    flow_->handle(Scanned{R"({"handshake_version": 1, "url": "https://pretix.example", "token": "abc"})", false, {}});
    EXPECT_EQ(screen(), Screen::checking) << "outside the panel it is only a ticket that will not be found";
    advance(20s);
    flow_->handle(LongPressed{});
    flow_->handle(Typed{"1234"});
    flow_->handle(Pressed{"next"});
    flow_->handle(PinChecked{true});
    flow_->take_commands();
    const std::string setup = R"({"handshake_version": 1, "url": "https://pretix.example", "token": "abc"})";
    flow_->handle(Scanned{setup, false, {}});
    auto commands = flow_->take_commands();
    const RunStaffAction* action = nullptr;
    for (const Command& c : commands)
        if (const auto* a = std::get_if<RunStaffAction>(&c)) action = a;
    ASSERT_NE(action, nullptr);
    EXPECT_EQ(action->action, StaffAction::setup_device);
    EXPECT_EQ(action->secret, setup);
    EXPECT_EQ(screen(), Screen::staff);

    flow_->handle(Scanned{"secret-1", true, {}});   // a ticket: undo and reprint act on it
    flow_->handle(Pressed{"undo"});
    commands = flow_->take_commands();
    action = nullptr;
    for (const Command& c : commands)
        if (const auto* a = std::get_if<RunStaffAction>(&c)) action = a;
    ASSERT_NE(action, nullptr);
    EXPECT_EQ(action->action, StaffAction::undo_last);
    EXPECT_EQ(action->secret, "secret-1");
    EXPECT_EQ(action->list, 11);
}

} // namespace
} // namespace kiosk::flow

namespace kiosk::flow {
namespace {

TEST_F(FlowTest, ABadgePreviewPrintsOnlyWhenApprovedAndThisIsWrongSendsToStaff) {
    settings_.preview_badge = true;
    flow_ = std::make_unique<Flow>(settings_, &log_);
    tick(0ms);
    auto request = last_scan_request(scan("secret-1"));
    flow_->handle(ScanAnswered{request, outcome(VerdictStatus::ok), "UTC"});
    auto commands = flow_->take_commands();
    EXPECT_TRUE(std::any_of(commands.begin(), commands.end(), [](const Command& c) { return std::holds_alternative<RenderPreview>(c); }));
    EXPECT_FALSE(std::any_of(commands.begin(), commands.end(), [](const Command& c) { return std::holds_alternative<QueueBadge>(c); }))
        << "nothing prints before the attendee approves";
    flow_->handle(PreviewRendered{std::make_shared<const Image>(4, 3, PixelFormat::rgb24), {}});
    advance(3100ms);
    EXPECT_EQ(screen(), Screen::printing);
    EXPECT_TRUE(flow_->view().preview && flow_->view().preview_ready);
    flow_->handle(Pressed{"print"});
    commands = flow_->take_commands();
    EXPECT_TRUE(std::any_of(commands.begin(), commands.end(), [](const Command& c) { return std::holds_alternative<QueueBadge>(c); }));
    flow_->handle(PrintUpdated{5, PrintJobState::queued, {}, true});
    flow_->handle(PrintUpdated{5, PrintJobState::done, {}});
    EXPECT_EQ(screen(), Screen::done);

    advance(20s);
    request = last_scan_request(scan("secret-2"));
    flow_->handle(ScanAnswered{request, outcome(VerdictStatus::ok), "UTC"});
    flow_->handle(PreviewRendered{std::make_shared<const Image>(4, 3, PixelFormat::rgb24), {}});
    advance(3100ms);
    flow_->take_commands();
    flow_->handle(Pressed{"wrong"});
    commands = flow_->take_commands();
    EXPECT_FALSE(std::any_of(commands.begin(), commands.end(), [](const Command& c) { return std::holds_alternative<QueueBadge>(c); }));
    EXPECT_EQ(screen(), Screen::done);
    EXPECT_TRUE(flow_->view().help_requested);
    EXPECT_TRUE(flow_->view().require_attention);
}

} // namespace
} // namespace kiosk::flow

namespace kiosk::flow {
namespace {

TEST_F(FlowTest, AWrongPinCountsEvenWhenTheScreenWasLeftBeforeItsAnswer) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        flow_->handle(LongPressed{});
        flow_->handle(Typed{"9999"});
        flow_->handle(Pressed{"next"});
        flow_->handle(Pressed{"next"});     // a second Enter while the first guess is checked: ignored
        int checks = 0;
        for (const Command& c : flow_->take_commands()) checks += std::holds_alternative<CheckPin>(c);
        EXPECT_EQ(checks, 1) << "one guess at a time";
        flow_->handle(Pressed{"back"});     // Escape before the answer comes back
        flow_->handle(PinChecked{false});
    }
    flow_->handle(LongPressed{});
    flow_->handle(Typed{"1234"});
    flow_->handle(Pressed{"next"});
    EXPECT_TRUE(flow_->take_commands().empty()) << "five wrong guesses lock the PIN screen";
    flow_->handle(PinChecked{true});          // a right answer queued before the lock opens nothing
    EXPECT_EQ(screen(), Screen::staff_pin);
}

} // namespace
} // namespace kiosk::flow
