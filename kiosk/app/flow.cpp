#include "kiosk/app/flow.h"

#include <algorithm>
#include <charconv>

#include "kiosk/core/answers.h"
#include "kiosk/core/time.h"

#define N_(text) text

namespace kiosk::flow {

namespace {

// A code just handled (admitted, rejected) is ignored for this long: a phone held in front of the
// camera for a few seconds reads many times, and the second read must not say "already used".
constexpr auto kRepeatWindow = std::chrono::seconds(10);
constexpr auto kAttentionStay = std::chrono::seconds(8);
// Longer than the store's busy wait (30 s): a scan waiting for another process's write lock is
// still decided and recorded, and must not be told "something went wrong" before that.
constexpr auto kCheckingTimeout = std::chrono::seconds(35);
constexpr auto kPrintingTimeout = std::chrono::seconds(90);   // a badge this late is a printer problem
constexpr auto kPhotoCountdown = std::chrono::seconds(3);
constexpr auto kStaffIdle = std::chrono::seconds(120);
constexpr size_t kMaxFieldBytes = 200;      // longer is no name, code or answer anyone types here
constexpr size_t kLookupMinimum = 4;        // the app's search minimum (privacy)

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::optional<int64_t> number_after(std::string_view control, std::string_view prefix) {
    if (!starts_with(control, prefix)) return std::nullopt;
    const std::string_view digits = control.substr(prefix.size());
    int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

std::string base_language(std::string_view language) {
    std::string base(language.substr(0, language.find_first_of("-_")));
    std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return base;
}

// The typed characters a question type takes; the rest are dropped as they are typed.
bool accepts_character(QuestionType type, char32_t c) {
    switch (type) {
    case QuestionType::number: return (c >= '0' && c <= '9') || c == '.' || c == ',' || c == '-';
    case QuestionType::phone: return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')';
    case QuestionType::date:
    case QuestionType::time:
    case QuestionType::datetime: return c >= '0' && c <= '9';
    case QuestionType::boolean:
    case QuestionType::choice:
    case QuestionType::multiple_choice:
    case QuestionType::file: return false;
    default: return c != '\n' || type == QuestionType::text;
    }
}

// Dates and times are typed as digits only and shown formatted: "20270316" -> "2027-03-16".
std::string format_digits(QuestionType type, std::string_view digits) {
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (type == QuestionType::time && i == 2) out += ':';
        if (type != QuestionType::time && (i == 4 || i == 6)) out += '-';
        if (type == QuestionType::datetime && i == 8) out += ' ';
        if (type == QuestionType::datetime && i == 10) out += ':';
        out += digits[i];
    }
    return out;
}

size_t max_digits(QuestionType type) {
    return type == QuestionType::date ? 8 : type == QuestionType::time ? 4 : 12;
}

std::string digits_of(std::string_view text) {
    std::string digits;
    for (char c : text)
        if (c >= '0' && c <= '9') digits += c;
    return digits;
}

// The validation message the attendee sees, as an English msgid the screen translates. The
// validator's own sentence is for operators and may name formats; the attendee gets one per type.
std::string attendee_message(QuestionType type) {
    switch (type) {
    case QuestionType::number: return N_("Please enter a number.");
    case QuestionType::email: return N_("Please enter a valid email address.");
    case QuestionType::phone: return N_("Please enter a phone number, for example +49 30 1234567.");
    case QuestionType::choice: return N_("Please choose one option.");
    case QuestionType::multiple_choice: return N_("Please choose at least one option.");
    case QuestionType::date: return N_("Please enter a date.");
    case QuestionType::time: return N_("Please enter a time.");
    case QuestionType::datetime: return N_("Please enter a date and a time.");
    case QuestionType::country: return N_("Please choose a country.");
    case QuestionType::file: return N_("Please take a photo.");
    default: return N_("This answer is required.");
    }
}

// Removes the last UTF-8 character.
void erase_last_character(std::string& text) {
    if (text.empty()) return;
    size_t cut = text.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.erase(cut);
}

// pretix's device set-up code is a JSON object with a handshake version; a ticket never is.
bool looks_like_device_setup(std::string_view text) {
    return !text.empty() && text.front() == '{' && text.find("\"handshake_version\"") != std::string_view::npos;
}

} // namespace

std::string_view screen_name(Screen screen) {
    switch (screen) {
    case Screen::attract: return "attract";
    case Screen::checking: return "checking";
    case Screen::rejected: return "rejected";
    case Screen::questions: return "questions";
    case Screen::admitted: return "admitted";
    case Screen::printing: return "printing";
    case Screen::done: return "done";
    case Screen::lookup: return "lookup";
    case Screen::still_there: return "still_there";
    case Screen::staff_pin: return "staff_pin";
    case Screen::staff: return "staff";
    case Screen::out_of_order: return "out_of_order";
    }
    return "attract";
}

Flow::Flow(FlowSettings settings, StateLog* log) : settings_(std::move(settings)), log_(log) {
    view_.language = settings_.default_language;
    view_.lists = settings_.lists;
    log_screen();                           // the first screen: attract
}

std::vector<Command> Flow::take_commands() { return std::exchange(commands_, {}); }

bool Flow::scans_accepted() const {
    switch (view_.screen) {
    case Screen::attract:
    case Screen::rejected:
    case Screen::done:
    case Screen::lookup:
    case Screen::staff: return true;
    case Screen::admitted: return !settings_.printer;
    default: return false;
    }
}

void Flow::handle(const Event& event) {
    std::visit([this](const auto& e) { on(e); }, event);
}

// [SECTION] Scans and their answers

void Flow::on(const Scanned& scanned) {
    if (!settings_.staff_code.empty() && scanned.text == settings_.staff_code) {
        if (view_.screen != Screen::staff && view_.screen != Screen::staff_pin) {
            back_to_attract();
            view_.field.clear();
            show(Screen::staff_pin);
        }
        return;
    }
    if (scanned.text == last_handled_code_ && now_ - last_handled_at_ < kRepeatWindow) {
        last_handled_at_ = now_;            // still held up to the camera: keep ignoring it
        return;
    }
    if (!scans_accepted()) return;
    last_activity_ = now_;
    if (view_.screen == Screen::staff) {
        emit(PlayCue{Cue::read});
        if (looks_like_device_setup(scanned.text)) {
            // pretix's device set-up QR, shown to staff on a screen where only staff are: connect.
            emit(RunStaffAction{StaffAction::setup_device, scanned.text, 0, view_.language});
            view_.staff_message = "connecting to pretix…";
            return;
        }
        current_secret_ = scanned.text;     // the ticket staff act on next (undo, reprint)
        view_.staff_message = "ticket selected: undo and reprint now act on it";
        return;
    }
    emit(PlayCue{Cue::read});
    const bool same_person = view_.screen == Screen::attract || view_.screen == Screen::lookup;
    back_to_attract(/*visit_over=*/!same_person);
    start_scan(scanned.text, {});
}

void Flow::start_scan(std::string text, std::map<int64_t, std::string> answers) {
    current_secret_ = std::move(text);
    given_answers_ = std::move(answers);
    pending_scan_ = next_request_++;
    ScanRequest request;
    request.raw = current_secret_;
    request.lists = view_.lists;
    request.type = view_.mode;
    request.answers = given_answers_;
    emit(RunScan{pending_scan_, std::move(request)});
    show(Screen::checking, kCheckingTimeout);
}

void Flow::on(const ScanAnswered& answer) {
    if (answer.request != pending_scan_ || view_.screen != Screen::checking) return;   // stale: reset meanwhile
    pending_scan_ = 0;
    last_handled_code_ = current_secret_;
    last_handled_at_ = now_;
    if (!answer.outcome) {
        Verdict failed;
        failed.reason = RejectReason::error;
        reject(failed);
        return;
    }
    const Verdict& verdict = answer.outcome->verdict;
    if (!verdict.order_locale.empty()) {
        const std::string base = base_language(verdict.order_locale);
        if (settings_.translated_languages.contains(verdict.order_locale)) set_language(verdict.order_locale);
        else if (settings_.translated_languages.contains(base)) set_language(base);
    }
    if (!answer.timezone.empty()) view_.event_timezone = answer.timezone;
    if (verdict.position) view_.attendee_name = verdict.position->attendee_name;
    view_.require_attention = verdict.require_attention;
    switch (verdict.status) {
    case VerdictStatus::ok: admit(*answer.outcome); break;
    case VerdictStatus::incomplete: ask(verdict); break;
    case VerdictStatus::error: reject(verdict); break;
    }
}

void Flow::admit(const ScanOutcome& outcome) {
    last_admission_ = outcome;
    given_answers_.clear();
    view_.pages.clear();
    emit(PlayCue{outcome.verdict.require_attention ? Cue::attention : Cue::admitted});
    view_.print_state.reset();
    view_.print_problem.clear();
    print_job_ = 0;
    view_.preview = settings_.printer && settings_.preview_badge;
    view_.preview_ready = false;
    if (view_.preview) {
        emit(RenderPreview{outcome, view_.language});
    } else if (settings_.printer) {
        emit(QueueBadge{outcome, view_.language});
        view_.print_state = PrintJobState::queued;
    }
    show(Screen::admitted, outcome.verdict.require_attention ? kAttentionStay : settings_.admitted);
}

void Flow::reject(const Verdict& verdict) {
    emit(PlayCue{Cue::rejected});
    view_.rejected = RejectedView{};
    view_.rejected.reason = verdict.reason;
    view_.rejected.first_checkin = verdict.first_checkin;
    if (verdict.position) {
        view_.rejected.valid_from = verdict.position->valid_from;
        view_.rejected.valid_until = verdict.position->valid_until;
    }
    view_.pages.clear();
    show(Screen::rejected, settings_.rejection);
}

// Questions come in pages, one per question. A second `incomplete` answer (after submitting)
// brings conditional questions whose parent was just answered, or errors on given answers.
void Flow::ask(const Verdict& verdict) {
    std::optional<size_t> first_new;
    for (const Question& question : verdict.questions) {
        const auto known = std::find_if(view_.pages.begin(), view_.pages.end(),
                                        [&](const QuestionPage& page) { return page.question.id == question.id; });
        if (known != view_.pages.end()) {
            if (!first_new) first_new = static_cast<size_t>(known - view_.pages.begin());
            continue;
        }
        QuestionPage page;
        page.question = question;
        view_.pages.push_back(std::move(page));
        if (!first_new) first_new = view_.pages.size() - 1;
    }
    for (QuestionPage& page : view_.pages)
        if (verdict.answer_errors.contains(page.question.id)) page.error = attendee_message(page.question.type);
    for (size_t i = 0; i < view_.pages.size(); ++i)
        if (!view_.pages[i].error.empty()) first_new = std::min(first_new.value_or(i), i);
    if (view_.pages.empty()) {              // incomplete without questions: nothing we can ask
        Verdict failed;
        failed.reason = RejectReason::error;
        reject(failed);
        return;
    }
    view_.page = first_new.value_or(0);
    emit(PlayCue{Cue::read});
    show(Screen::questions);
}

bool Flow::validate_page(QuestionPage& page) {
    const Question& question = page.question;
    std::string raw;
    switch (question.type) {
    case QuestionType::choice:
    case QuestionType::multiple_choice:
        for (int64_t id : page.chosen) raw += (raw.empty() ? "" : ",") + std::to_string(id);
        break;
    case QuestionType::datetime: {
        raw = page.text;
        if (raw.size() > 10 && raw[10] == ' ') raw[10] = 'T';
        break;
    }
    default: raw = page.text;
    }
    page.error.clear();
    if (raw.empty()) {
        if (!question.required) return true;
        page.error = (question.type == QuestionType::boolean) ? N_("Please answer to continue.") : attendee_message(question.type);
        if (question.type == QuestionType::string || question.type == QuestionType::text) page.error = N_("This answer is required.");
        return false;
    }
    if (const auto checked = validate_answer(question, raw, find_time_zone(view_.event_timezone)); !checked) {
        page.error = question.type == QuestionType::boolean ? N_("Please confirm to continue.") : attendee_message(question.type);
        return false;
    }
    return true;
}

void Flow::submit_answers() {
    std::map<int64_t, std::string> answers = given_answers_;
    for (const QuestionPage& page : view_.pages) {
        std::string raw;
        if (page.question.type == QuestionType::choice || page.question.type == QuestionType::multiple_choice) {
            for (int64_t id : page.chosen) raw += (raw.empty() ? "" : ",") + std::to_string(id);
        } else {
            raw = page.text;
            if (page.question.type == QuestionType::datetime && raw.size() > 10 && raw[10] == ' ') raw[10] = 'T';
        }
        if (raw.empty()) answers.erase(page.question.id);
        else answers[page.question.id] = raw;
    }
    const std::vector<QuestionPage> pages = view_.pages;   // kept for `back` if more questions come
    const size_t page = view_.page;
    start_scan(current_secret_, std::move(answers));
    view_.pages = pages;
    view_.page = page;
}

// [SECTION] Controls

void Flow::on(const Pressed& pressed) {
    const std::string_view control = pressed.control;
    last_activity_ = now_;
    if (starts_with(control, "lang:")) {
        set_language(std::string(control.substr(5)));
        return;
    }
    if (control == "help") {
        if (!view_.help_requested) emit(PlayCue{Cue::attention});
        view_.help_requested = true;
        return;
    }
    switch (view_.screen) {
    case Screen::attract: press_on_attract(control); break;
    case Screen::questions: press_on_questions(control); break;
    case Screen::lookup: press_on_lookup(control); break;
    case Screen::staff_pin: press_on_staff_pin(control); break;
    case Screen::staff: press_on_staff(control); break;
    case Screen::rejected:
        if (control == "done" || control == "back") back_to_attract();
        break;
    case Screen::done:
    case Screen::admitted:
        if (control == "done" || control == "back") back_to_attract();
        break;
    case Screen::still_there:
        if (control == "continue") {
            show(view_.before_still_there);
        } else if (control == "start_over" || control == "back") {
            back_to_attract();
        }
        break;
    case Screen::printing: press_on_printing(control); break;
    case Screen::out_of_order:
    case Screen::checking: break;
    }
}

void Flow::press_on_attract(std::string_view control) {
    if (control == "lookup" && settings_.lookup_enabled) {
        view_.field.clear();
        view_.hits.clear();
        view_.manual_entry = false;
        show(Screen::lookup);
    } else if (control == "manual" && settings_.manual_entry_enabled) {
        view_.field.clear();
        view_.hits.clear();
        view_.manual_entry = true;
        show(Screen::lookup);
    }
}

void Flow::press_on_questions(std::string_view control) {
    QuestionPage& page = view_.pages[view_.page];
    const QuestionType type = page.question.type;
    if (control == "back") {
        if (view_.page == 0) {
            back_to_attract(/*visit_over=*/false);
        } else {
            --view_.page;
            log_screen();
        }
    } else if (control == "next") {
        if (!validate_page(page)) {
            emit(PlayCue{Cue::rejected});
            return;
        }
        if (view_.page + 1 < view_.pages.size()) {
            ++view_.page;
            log_screen();
        } else {
            submit_answers();
        }
    } else if ((control == "true" || control == "false") && type == QuestionType::boolean) {
        page.text = control == "true" ? "True" : "False";
        page.error.clear();
    } else if (const auto option = number_after(control, "option:")) {
        const bool known = std::any_of(page.question.options.begin(), page.question.options.end(),
                                       [&](const QuestionOption& o) { return o.id == *option; });
        if (!known) return;
        if (type == QuestionType::choice) page.chosen = {*option};
        else if (type == QuestionType::multiple_choice && !page.chosen.erase(*option)) page.chosen.insert(*option);
        page.error.clear();
    } else if (starts_with(control, "country:") && type == QuestionType::country) {
        page.text = std::string(control.substr(8));
        view_.field.clear();
        page.error.clear();
    } else if ((control == "photo" || control == "retake") && type == QuestionType::file) {
        page.text.clear();
        view_.photo_countdown = true;
        view_.photo_at = now_ + kPhotoCountdown;
    } else if (control == "clear") {
        page.text.clear();
        view_.field.clear();
    }
}

// The badge preview: "print" queues it; "this is wrong" sends the attendee to staff, unprinted.
void Flow::press_on_printing(std::string_view control) {
    if (!view_.preview || !last_admission_) return;
    if (control == "print") {
        view_.preview = false;
        emit(QueueBadge{*last_admission_, view_.language});
        view_.print_state = PrintJobState::queued;
        show(Screen::printing, kPrintingTimeout);
    } else if (control == "wrong") {
        view_.preview = false;
        view_.help_requested = true;
        view_.require_attention = true;     // done says "please see the help desk"
        emit(PlayCue{Cue::attention});
        show(Screen::done, kAttentionStay);
    }
}

void Flow::press_on_lookup(std::string_view control) {
    if (control == "back") {
        back_to_attract(/*visit_over=*/false);
    } else if (control == "next" && view_.manual_entry && !view_.field.empty()) {
        std::string code = view_.field;
        view_.field.clear();
        start_scan(std::move(code), {});
    } else if (const auto hit = number_after(control, "hit:")) {
        if (*hit < 0 || static_cast<size_t>(*hit) >= view_.hits.size()) return;
        std::string secret = view_.hits[static_cast<size_t>(*hit)].secret;
        view_.hits.clear();
        view_.field.clear();
        start_scan(std::move(secret), {});
    } else if (control == "clear") {
        view_.field.clear();
        view_.hits.clear();
    }
}

void Flow::press_on_staff_pin(std::string_view control) {
    if (control == "back") {
        view_.field.clear();
        back_to_attract();
    } else if (control == "next" && !view_.field.empty() && !lockout_.locked(now_) && !pin_in_flight_) {
        pin_in_flight_ = true;              // one guess at a time
        emit(CheckPin{std::exchange(view_.field, {})});
    } else if (control == "clear") {
        view_.field.clear();
    }
}

void Flow::press_on_staff(std::string_view control) {
    auto act = [&](StaffAction action) {
        std::string secret = current_secret_;
        int64_t list = view_.lists.empty() ? 0 : view_.lists.front();
        if (secret.empty() && last_admission_ && last_admission_->verdict.position) {
            secret = last_admission_->verdict.position->secret;
            if (last_admission_->verdict.list) list = *last_admission_->verdict.list;
        }
        emit(RunStaffAction{action, secret, list, view_.language});
    };
    if (control == "back" || control == "close") {
        back_to_attract();
    } else if (control == "undo") {
        act(StaffAction::undo_last);
        last_admission_.reset();            // a second press must not undo an older check-in
        current_secret_.clear();
    } else if (control == "reprint") {
        act(StaffAction::reprint_last);
    } else if (control == "sync") {
        act(StaffAction::sync_now);
    } else if (control == "mode") {
        view_.mode = view_.mode == CheckinType::entry ? CheckinType::exit : CheckinType::entry;
    } else if (const auto list = number_after(control, "list:")) {
        view_.lists = {*list};
        act(StaffAction::refresh_stats);
    } else if (control == "reset") {
        last_admission_.reset();
        current_secret_.clear();
        view_.help_requested = false;
        view_.staff_message.clear();
        pending_lookup_ = pending_scan_ = 0;
        back_to_attract();
    } else if (control == "ooo_on") {
        view_.out_of_order_manual = true;
        view_.staff_message = "out of order: on";
    } else if (control == "ooo_off") {
        view_.out_of_order_manual = false;
        acknowledged_ = view_.health;
        view_.staff_message = "out of order: off";
    } else if (control == "exit") {
        act(StaffAction::exit_kiosk);
        quit_ = true;
    }
}

void Flow::on(const Typed& typed) {
    last_activity_ = now_;
    if (view_.screen == Screen::questions && !view_.pages.empty()) {
        QuestionPage& page = view_.pages[view_.page];
        const QuestionType type = page.question.type;
        if (type == QuestionType::country) {
            if (view_.field.size() + typed.utf8.size() <= kMaxFieldBytes) view_.field += typed.utf8;
            return;
        }
        for (char c : typed.utf8)
            if (!accepts_character(type, static_cast<unsigned char>(c))) return;
        if (type == QuestionType::date || type == QuestionType::time || type == QuestionType::datetime) {
            std::string digits = digits_of(page.text) + typed.utf8;
            if (digits.size() > max_digits(type)) return;
            page.text = format_digits(type, digits);
        } else if (page.text.size() + typed.utf8.size() <= 10000) {
            page.text += typed.utf8;
        }
        page.error.clear();
        return;
    }
    const bool pin = view_.screen == Screen::staff_pin;
    if (view_.screen != Screen::lookup && !pin) return;
    if (pin && (typed.utf8.find_first_not_of("0123456789") != std::string::npos || view_.field.size() + typed.utf8.size() > 12))
        return;
    if (view_.field.size() + typed.utf8.size() > kMaxFieldBytes) return;
    view_.field += typed.utf8;
    view_.pin_wrong = false;
    if (view_.screen == Screen::lookup && !view_.manual_entry) {
        if (view_.field.size() >= kLookupMinimum) {
            pending_lookup_ = next_request_++;
            view_.lookup_busy = true;
            emit(RunLookup{pending_lookup_, view_.field, view_.lists});
        } else {
            view_.hits.clear();
        }
    }
}

void Flow::on(const Erased&) {
    last_activity_ = now_;
    if (view_.screen == Screen::questions && !view_.pages.empty()) {
        QuestionPage& page = view_.pages[view_.page];
        const QuestionType type = page.question.type;
        if (type == QuestionType::country) {
            erase_last_character(view_.field);
        } else if (type == QuestionType::date || type == QuestionType::time || type == QuestionType::datetime) {
            std::string digits = digits_of(page.text);
            if (!digits.empty()) digits.pop_back();
            page.text = format_digits(type, digits);
        } else {
            erase_last_character(page.text);
        }
        return;
    }
    if (view_.screen != Screen::lookup && view_.screen != Screen::staff_pin) return;
    erase_last_character(view_.field);
    if (view_.screen != Screen::lookup || view_.manual_entry) return;
    if (view_.field.size() < kLookupMinimum) {
        view_.hits.clear();
        pending_lookup_ = 0;                // an answer for the longer text must not come back
        view_.lookup_busy = false;
    } else {
        pending_lookup_ = next_request_++;
        view_.lookup_busy = true;
        emit(RunLookup{pending_lookup_, view_.field, view_.lists});
    }
}

void Flow::on(const LongPressed&) {
    if (view_.screen == Screen::staff || view_.screen == Screen::staff_pin) return;
    back_to_attract();
    view_.field.clear();
    view_.pin_wrong = false;
    show(Screen::staff_pin);
}

void Flow::on(const LookupAnswered& answer) {
    if (answer.request != pending_lookup_ || view_.screen != Screen::lookup) return;
    view_.lookup_busy = false;
    view_.hits = answer.hits ? *answer.hits : std::vector<LookupHit>{};
}

// [SECTION] Time

void Flow::on(const Tick& tick) {
    now_ = tick.now;
    if (tick.activity) {
        last_activity_ = now_;
        if (view_.screen == Screen::rejected && !view_.rejected.countdown_stopped && now_ > view_.entered) {
            view_.rejected.countdown_stopped = true;   // touched: the attendee is reading; stays until dismissed
            view_.deadline = {};
        }
    }
    if (view_.photo_countdown && now_ >= view_.photo_at) {
        view_.photo_countdown = false;
        emit(TakePhoto{});
    }
    if (view_.deadline != Clock::time_point{} && now_ >= view_.deadline) {
        on_timeout();
        return;
    }
    const auto idle = now_ - last_activity_;
    switch (view_.screen) {
    case Screen::questions:
    case Screen::lookup:
        if (idle >= settings_.idle) {
            view_.before_still_there = view_.screen;
            show(Screen::still_there, settings_.still_there);
        }
        break;
    case Screen::rejected:
        if (view_.rejected.countdown_stopped && idle >= settings_.idle) back_to_attract();
        break;
    case Screen::printing:
        if (view_.preview && idle >= settings_.idle) back_to_attract();   // walked away: admitted, no badge
        break;
    case Screen::staff:
    case Screen::staff_pin:
        if (idle >= kStaffIdle) back_to_attract();
        break;
    default: break;
    }
    if (view_.screen == Screen::staff_pin) view_.pin_locked_for = lockout_.remaining(now_);
}

void Flow::on_timeout() {
    switch (view_.screen) {
    case Screen::admitted:
        if (view_.preview) {
            show(Screen::printing);         // the preview waits for "print" or "this is wrong" (idle: done)
        } else if (settings_.printer && view_.print_state != PrintJobState::done &&
                   view_.print_state != PrintJobState::failed) {
            show(Screen::printing, kPrintingTimeout);
        } else {
            show(Screen::done, settings_.done);
        }
        break;
    case Screen::printing:
        view_.print_problem = "the badge did not come out in time";
        show(Screen::done, settings_.done);
        break;
    case Screen::checking: {
        pending_scan_ = 0;
        Verdict failed;
        failed.reason = RejectReason::error;
        reject(failed);
        break;
    }
    default: back_to_attract(); break;
    }
}

// [SECTION] Workers and devices

void Flow::on(const PrintUpdated& update) {
    if (log_) log_->write("print", {{"status", print_job_state_name(update.state)}});
    if (update.answers_queue_badge && print_job_ == 0 && view_.print_state) print_job_ = update.job;   // the badge just queued
    if (update.job != print_job_) return;
    view_.print_state = update.state;
    // The attendee's screen says the badge failed; whether the printer itself is in trouble (and
    // the kiosk out of order) is the print queue's status to say, through DeviceHealth.
    if (update.state == PrintJobState::failed) view_.print_problem = update.reason;
    if (view_.screen == Screen::printing && (update.state == PrintJobState::done || update.state == PrintJobState::failed))
        show(Screen::done, settings_.done);
}

std::optional<std::string> Flow::current_fault() const {
    if (view_.out_of_order_manual) return "staff";
    const DeviceHealth& health = view_.health;
    if (acknowledged_ && acknowledged_->camera == health.camera && acknowledged_->store == health.store &&
        acknowledged_->printer == health.printer)
        return std::nullopt;
    if (health.store) return "store";
    if (health.camera) return "camera";
    if (health.printer && settings_.printer) return "printer";
    return std::nullopt;
}

void Flow::on(const DeviceHealth& health) {
    view_.health = health;
    if (acknowledged_ && !health.camera && !health.store && !health.printer) acknowledged_.reset();
    if (view_.screen == Screen::attract) {
        enter_out_of_order_if_faulty();
    } else if (view_.screen == Screen::out_of_order && !current_fault()) {
        show(Screen::attract);          // the fault cleared: back to work by itself
    } else if (view_.screen == Screen::out_of_order && current_fault() != view_.out_of_order_cause) {
        show(Screen::out_of_order);
    }
}

void Flow::on(const PinChecked& checked) {
    pin_in_flight_ = false;
    // A wrong PIN counts wherever the attendee went meanwhile (Escape right after Enter must not
    // buy a free guess); a right one opens the panel only from the PIN screen and never while locked.
    if (!checked.right) {
        lockout_.record_failure(now_);
        view_.pin_failures = lockout_.failures();
        view_.pin_locked_for = lockout_.remaining(now_);
        if (view_.screen != Screen::staff_pin) return;
        view_.pin_wrong = true;
        emit(PlayCue{Cue::rejected});
        return;
    }
    if (view_.screen != Screen::staff_pin || lockout_.locked(now_)) return;
    lockout_.record_success();
    view_.pin_failures = 0;
    view_.pin_wrong = false;
    view_.help_requested = false;
    view_.staff_message.clear();
    show(Screen::staff);
    emit(RunStaffAction{StaffAction::refresh_stats, {}, view_.lists.empty() ? 0 : view_.lists.front(), view_.language});
}

void Flow::on(const StaffReport& report) { view_.staff_message = report.text; }

void Flow::on(const PreviewRendered& preview) {
    if (!view_.preview) return;
    if (preview.image) {
        view_.preview_ready = true;
        return;
    }
    // No badge for this product, or it cannot be drawn: nothing to approve.
    view_.preview = false;
    view_.print_problem = preview.problem;
    if (view_.screen == Screen::printing) show(Screen::done, settings_.done);
}

void Flow::on(const StatsAnswered& stats) { view_.stats = stats; }

void Flow::on(const PhotoTaken& photo) {
    if (view_.screen != Screen::questions || view_.pages.empty()) return;
    QuestionPage& page = view_.pages[view_.page];
    if (page.question.type != QuestionType::file) return;
    if (photo.answer) {
        page.text = *photo.answer;
        page.error.clear();
    } else {
        page.error = N_("The camera could not take a photo. Please see the help desk.");
    }
}

// [SECTION] Screens, language, log

void Flow::set_language(const std::string& language) {
    if (language.empty() || language == view_.language) return;
    view_.language = language;
    if (log_) log_->write("language", {{"language", language}});
    emit(LanguageChanged{language});
}

void Flow::back_to_attract(bool visit_over) {
    view_.attendee_name.clear();
    view_.require_attention = false;
    view_.rejected = RejectedView{};
    view_.pages.clear();
    view_.page = 0;
    view_.photo_countdown = false;
    view_.field.clear();
    view_.hits.clear();
    view_.lookup_busy = false;
    view_.manual_entry = false;
    view_.print_state.reset();
    view_.print_problem.clear();
    view_.preview = view_.preview_ready = false;
    given_answers_.clear();
    pending_scan_ = pending_lookup_ = 0;
    current_secret_.clear();
    show(Screen::attract);
    // The next attendee starts in the kiosk's language; someone going back a step keeps theirs.
    if (visit_over && view_.language != settings_.default_language) set_language(settings_.default_language);
    if (visit_over) view_.help_requested = false;
    enter_out_of_order_if_faulty();
}

void Flow::enter_out_of_order_if_faulty() {
    if (current_fault()) show(Screen::out_of_order);
}

void Flow::show(Screen screen, Clock::duration stay) {
    const bool same = view_.screen == screen;
    view_.screen = screen;
    view_.entered = now_;
    view_.deadline = stay == Clock::duration::zero() ? Clock::time_point{} : now_ + stay;
    last_activity_ = now_;
    if (screen == Screen::out_of_order) {
        const std::string cause = current_fault().value_or("staff");
        if (same && cause == view_.out_of_order_cause) return;
        view_.out_of_order_cause = cause;
    }
    if (same && screen == Screen::attract) return;
    log_screen();
}

void Flow::log_screen() {
    if (!log_) return;
    nlohmann::json fields{{"screen", screen_name(view_.screen)}};
    switch (view_.screen) {
    case Screen::rejected: fields["reason"] = reject_reason_name(view_.rejected.reason); break;
    case Screen::questions:
        if (view_.page < view_.pages.size()) {
            fields["question"] = view_.pages[view_.page].question.id;
            fields["question_type"] = question_type_code(view_.pages[view_.page].question.type);
        }
        break;
    case Screen::admitted: fields["require_attention"] = view_.require_attention; break;
    case Screen::out_of_order: fields["cause"] = view_.out_of_order_cause; break;
    case Screen::lookup: fields["mode"] = view_.manual_entry ? "code" : "search"; break;
    case Screen::printing: fields["preview"] = view_.preview; break;
    default: break;
    }
    log_->write("screen", std::move(fields));
}

} // namespace kiosk::flow
