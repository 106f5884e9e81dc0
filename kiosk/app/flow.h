// The kiosk's attendee flow and staff panel as a plain state machine: events in (a scan, a control
// activated by touch or key, typed text, the clock, a worker's answer, a device's health), the
// current screen and its data out, and commands for the workers. No ImGui, no threads, no I/O:
// the touchscreen draws `view()` and executes `take_commands()`; unit tests drive it directly.
//
// [SECTION] Screens, cues and controls
// [SECTION] Events in
// [SECTION] Commands out
// [SECTION] What the screens read
// [SECTION] Flow
//
// Screen changes, language changes and print progress are written to the state log (state_log.h)
// as they happen; the log never holds personal data.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "image/image.h"
#include "kiosk/app/app.h"
#include "kiosk/app/staff_pin.h"
#include "kiosk/app/state_log.h"

namespace kiosk::flow {

using Clock = std::chrono::steady_clock;

// [SECTION] Screens, cues and controls

enum class Screen { attract, checking, rejected, questions, admitted, printing, done, lookup, still_there, staff_pin,
                    staff, out_of_order };
std::string_view screen_name(Screen screen);    // the state log's names: "attract", "checking", ...

enum class Cue { read, admitted, attention, rejected };

// Controls are named by stable ids, the same in touch handling, keyboard focus and the state log:
// "next", "back", "help" (call staff), "lookup", "manual", "lang:de", "option:7001", "true", "false",
// "key:a", "hit:2", "continue", "start_over", "print", "wrong", ... Screens send Pressed{id}.

// [SECTION] Events in

struct Scanned {                            // a code from the camera or a keyboard-wedge scanner
    std::string text;
    bool from_camera = true;
    Clock::time_point captured{};           // when the frame (or first keystroke) arrived
};
struct Pressed { std::string control; };    // a control activated: tap, click, or Enter on the focus
struct Typed { std::string utf8; };         // text for the field being edited (keys or on-screen keys)
struct Erased {};                           // backspace in the field being edited
struct LongPressed {};                      // the staff corner held
struct Tick { Clock::time_point now; bool activity = false; };  // every frame; activity: a touch or key
struct ScanAnswered {
    uint64_t request = 0;
    Outcome<ScanOutcome> outcome;
    std::string timezone;                   // of the deciding event (IANA), for times on screen
};
struct LookupHit { std::string secret, attendee_name, order, product; };
struct LookupAnswered { uint64_t request = 0; Outcome<std::vector<LookupHit>> hits; };
struct PrintUpdated {
    int64_t job = 0;
    PrintJobState state = PrintJobState::queued;
    std::string reason;
    bool answers_queue_badge = false;       // the worker's answer to QueueBadge: this is the attendee's job
};
struct DeviceHealth {                       // nullopt = fine; else the fault in words, for staff
    std::optional<std::string> camera, store, printer;
};
struct PinChecked { bool right = false; };
struct StaffReport {                        // an answer to a staff action, in words (shown on the panel)
    std::string text;
    bool backend_connected = false;         // the kiosk was just set up as a pretix device: start syncing
};
struct StatsAnswered { int64_t checked_in = 0, expected = 0, inside = 0; };
struct PhotoTaken { Outcome<std::string> answer; };  // "file:..." for the photo question, or why not
struct PreviewRendered {                    // the badge about to print, for the attendee to check
    std::shared_ptr<const Image> image;     // null: this product gets no badge, or `problem`
    std::string problem;
};
using Event = std::variant<Scanned, Pressed, Typed, Erased, LongPressed, Tick, ScanAnswered, LookupAnswered,
                           PrintUpdated, DeviceHealth, PinChecked, StaffReport, StatsAnswered, PhotoTaken,
                           PreviewRendered>;

// [SECTION] Commands out

struct RunScan { uint64_t request = 0; ScanRequest scan; };   // App::scan on the decision worker
struct RunLookup { uint64_t request = 0; std::string query; std::vector<int64_t> lists; };
struct QueueBadge { ScanOutcome admission; std::string language; };
struct PlayCue { Cue cue; };
struct CheckPin { std::string pin; };       // verify off the UI thread (argon2id takes ~100 ms)
struct TakePhoto {};                        // save the camera's current frame, answer PhotoTaken
struct RenderPreview { ScanOutcome admission; std::string language; };   // answer PreviewRendered
enum class StaffAction { undo_last, reprint_last, sync_now, refresh_stats, setup_device, exit_kiosk };
// `secret`: the ticket to act on (undo, reprint), or pretix's device set-up code (setup_device).
struct RunStaffAction { StaffAction action; std::string secret; int64_t list = 0; std::string language; };
struct LanguageChanged { std::string language; };
using Command = std::variant<RunScan, RunLookup, QueueBadge, PlayCue, CheckPin, TakePhoto, RunStaffAction,
                            LanguageChanged, RenderPreview>;

// [SECTION] What the screens read

struct FlowSettings {
    std::vector<int64_t> lists;             // the lists scans are decided on
    std::vector<std::string> languages{"en"};
    std::string default_language = "en";
    std::set<std::string> translated_languages{"en"};  // an order's locale is used when it is here
    std::chrono::seconds idle{30}, still_there{20}, rejection{5};
    std::chrono::seconds admitted{3}, done{4};
    bool printer = false;                   // a printer is configured: admitted -> printing
    bool preview_badge = false;             // show the badge first: "print" or "this is wrong" 
    bool lookup_enabled = true, manual_entry_enabled = true;
    std::string staff_code;                 // scanning this opens the PIN screen; empty: none
    bool staff_pin_set = false;             // without a PIN hash the panel stays locked
};

// The question being asked, with what the attendee has entered so far.
struct QuestionPage {
    Question question;
    std::string text;                       // typed answer (S T N EMAIL TEL CC D H W), or "True"/"False"
    std::set<int64_t> chosen;               // C (one) and M (several): option ids
    std::string error;                      // the validation message (English msgid), "" when fine
};

struct RejectedView {
    RejectReason reason = RejectReason::invalid;
    std::optional<Timestamp> first_checkin; // already_redeemed
    std::optional<Timestamp> valid_from, valid_until;  // invalid_time, when the ticket says
    bool countdown_stopped = false;         // touched: stays until dismissed
};

struct FlowView {
    Screen screen = Screen::attract;
    std::string language = "en";
    Clock::time_point entered{};            // when this screen came up (countdowns)
    Clock::time_point deadline{};           // when it leaves by itself; {} = never
    // The ticket being handled (checking .. done): only what the attendee needs to see.
    std::string attendee_name;
    std::string event_timezone = "UTC";
    bool require_attention = false;
    RejectedView rejected;
    std::vector<QuestionPage> pages;        // questions: every page so far
    size_t page = 0;                        // questions: the one shown
    bool photo_countdown = false;           // questions, F: a photo is about to be taken
    Clock::time_point photo_at{};
    std::string field;                      // lookup / manual entry / PIN: what was typed (PIN: digits)
    bool manual_entry = false;              // lookup screen in "type my ticket code" mode
    std::vector<LookupHit> hits;            // lookup results: names only
    bool lookup_busy = false;
    std::optional<PrintJobState> print_state;
    bool preview = false;                   // printing: the badge is shown for approval, not yet queued
    bool preview_ready = false;             // its picture has arrived
    std::string print_problem;              // the printer's trouble, for staff; attendees see a sentence
    Screen before_still_there = Screen::attract;
    // Staff
    int pin_failures = 0;
    std::chrono::seconds pin_locked_for{0};
    bool pin_wrong = false;
    std::string staff_message;              // the last staff action's result, in words
    StatsAnswered stats;
    CheckinType mode = CheckinType::entry;
    std::vector<int64_t> lists;
    bool out_of_order_manual = false;
    std::string out_of_order_cause;         // "camera", "store", "printer", "staff"
    DeviceHealth health;
    bool help_requested = false;            // "call staff" pressed: a banner on every screen
};

// [SECTION] Flow
// Thread rule: the UI thread owns it.
class Flow {
public:
    Flow(FlowSettings settings, StateLog* log);

    void handle(const Event& event);
    const FlowView& view() const { return view_; }
    std::vector<Command> take_commands();   // what to run since the last call, in order
    bool scans_accepted() const;            // the current screen takes a scan
    bool quit_requested() const { return quit_; }
    const FlowSettings& settings() const { return settings_; }

private:
    void on(const Scanned& scanned);
    void on(const Pressed& pressed);
    void on(const Typed& typed);
    void on(const Erased&);
    void on(const LongPressed&);
    void on(const Tick& tick);
    void on(const ScanAnswered& answer);
    void on(const LookupAnswered& answer);
    void on(const PrintUpdated& update);
    void on(const DeviceHealth& health);
    void on(const PinChecked& checked);
    void on(const StaffReport& report);
    void on(const StatsAnswered& stats);
    void on(const PhotoTaken& photo);
    void on(const PreviewRendered& preview);
    void press_on_printing(std::string_view control);

    void press_on_attract(std::string_view control);
    void press_on_questions(std::string_view control);
    void press_on_lookup(std::string_view control);
    void press_on_staff_pin(std::string_view control);
    void press_on_staff(std::string_view control);
    void on_timeout();

    void show(Screen screen, Clock::duration stay = Clock::duration::zero());
    void start_scan(std::string text, std::map<int64_t, std::string> answers);
    void admit(const ScanOutcome& outcome);
    void reject(const Verdict& verdict);
    void ask(const Verdict& verdict);
    void submit_answers();
    bool validate_page(QuestionPage& page);
    void set_language(const std::string& language);
    void back_to_attract(bool visit_over = true);   // wipes every personal detail
    void enter_out_of_order_if_faulty();
    std::optional<std::string> current_fault() const;
    void log_screen();
    void emit(Command command) { commands_.push_back(std::move(command)); }

    FlowSettings settings_;
    StateLog* log_;
    FlowView view_;
    std::vector<Command> commands_;
    Clock::time_point now_{};
    Clock::time_point last_activity_{};
    uint64_t next_request_ = 1;
    uint64_t pending_scan_ = 0, pending_lookup_ = 0;
    std::string current_secret_;            // the ticket being handled
    std::map<int64_t, std::string> given_answers_;
    std::optional<ScanOutcome> last_admission_;   // for staff: undo / reprint the last one
    std::string last_handled_code_;         // a repeat of it is ignored for a while
    Clock::time_point last_handled_at_{};
    int64_t print_job_ = 0;
    PinLockout lockout_;
    bool pin_in_flight_ = false;            // a CheckPin not answered yet
    std::optional<DeviceHealth> acknowledged_;    // faults staff cleared; ignored until they change
    bool quit_ = false;
};

} // namespace kiosk::flow
