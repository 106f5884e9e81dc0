// Steps the kiosk UI tests share, on top of tests/support/kiosk_ui.h: start the real kiosk on the
// all_questions fixture with --log-controls, click controls by id (from the state log's "controls"
// lines), wait for screens, walk focus with keys, answer the check-in questions, screenshots.
//
// Every wait fails the test (non-fatally, with the log's tail) when it times out; the helpers
// return false / nullopt then, so a test can ASSERT_TRUE on them and stop.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/kiosk_ui.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk::uitest {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::KioskUnderTest;

// The fixture's tickets (tests/ui/fixtures/all_questions/README.md).
namespace ticket {
inline constexpr const char* latin_conference = "w9z23p4yqa53vaq2msw477f9bymebgye";   // Samuel Ashworth, en, ok
inline constexpr const char* arabic_workshop = "mcgzjp62f8xt5cvpuc68pdmktdsbfytw";    // يوسف العلي, every question
inline constexpr const char* hebrew_speaker = "562qsr2mgsdvstk8d7k8bg3nve6m6qzq";     // דניאל פרידמן, require_attention
inline constexpr const char* chinese_workshop = "ggx4ptc5vmzc5s3hkgt64h2ka443mqq3";   // 刘娜, every question
inline constexpr const char* cyrillic_workshop = "psj3qbq8pz5v64a9kybf7awknv7pr2ve";  // Наталія Бойко, every question
inline constexpr const char* greek_conference = "5bjjh49aqchujn5k22wa59vgc8g2cyc4";   // Ελένη Παπαδοπούλου, ok
inline constexpr const char* german_workshop = "8bbxupbfthmmk4v5g6cdqkgu2sadzys3";    // Jürgen Weiß, de, every question
inline constexpr const char* french_complete = "suzn79w8g6dvj3pdsyhrx76ma45tqg63";    // Amélie Laurent, fr, ok
inline constexpr const char* spanish_conference = "5c6mcn6zsas7en7x48wecdw2kr5gdmru"; // Íñigo Martínez, es, ok
inline constexpr const char* pending = "rwa88nnx9wbjznv4aj2raspxqgv8z5nb";            // unpaid
inline constexpr const char* canceled = "sw9gpvwv2sth3ba2dnefgk7ps5zpbufk";           // canceled
inline constexpr const char* blocked = "d5s38fdj7gyypbm77fccyqm24wum8zs8";            // blocked
inline constexpr const char* future = "d3k9zx7p2srbx7w67ffzw6xytrbvmnm7";             // invalid_time
inline constexpr const char* order_attention = "ukqshaud5uffddcz8k7ndm6ud5zrrezj";    // Priya Raman, require_attention
inline constexpr const char* revoked = "bak9ad799bpz7af7tdbjjte5jn565mhj";            // invalid (offline)
inline constexpr const char* unknown = "nwum2ax6yebgzfx2n4m6umymq8v2br3b";            // invalid
} // namespace ticket

inline constexpr const char* kStaffPin = "2468";

// The argon2id hash of kStaffPin, made once per process by `kioskctl pin-hash`.
inline std::string staff_pin_hash() {
    static const std::string hash = [] {
        const auto result = testing::run_process({KIOSKCTL_PATH, "pin-hash"}, std::string(kStaffPin) + "\n");
        if (result.exit_code() != 0) throw std::runtime_error("kioskctl pin-hash failed: " + result.err);
        return json::parse(result.out).at("hash").get<std::string>();
    }();
    return hash;
}

struct Launch {
    std::vector<std::string> args{};        // more kiosk flags
    std::string list = "501";
    std::string camera = "none";
    std::vector<std::string> kiosk_config{}; // lines for the config's [kiosk] table
    bool staff_pin = false;                 // staff_pin_hash = the hash of kStaffPin
    bool wait_ready = true;                 // false: a kiosk that starts out of order logs no ready yet
};

class KioskFlowTest : public testing::KioskUiTest {
protected:
    // The kiosk on the all_questions fixture, with --log-controls; waits for "ready".
    KioskUnderTest& launch(Launch options = {}) {
        std::vector<std::string> args{"--camera", options.camera, "--list", options.list, "--log-controls"};
        if (options.staff_pin) options.kiosk_config.push_back("staff_pin_hash = \"" + staff_pin_hash() + "\"");
        if (!options.kiosk_config.empty()) {
            const auto config = scratch_.path() / "kiosk.toml";
            std::ofstream out(config);
            out << "[kiosk]\n";
            for (const std::string& line : options.kiosk_config) out << line << "\n";
            args.insert(args.end(), {"--config", config.string()});
        }
        args.insert(args.end(), options.args.begin(), options.args.end());
        KioskUnderTest& k = start_kiosk({.args = args, .fixture = testing::ui_fixture("all_questions")});
        if (options.wait_ready) ready_ = k.wait_for_event("ready", 30s).has_value();
        return k;
    }
    bool ready() const { return ready_; }
    const std::filesystem::path& scratch() const { return scratch_.path(); }

    // --- Screens
    std::optional<json> screen(std::string_view name, std::chrono::milliseconds timeout = 10s) {
        return kiosk().wait_for_screen(name, timeout);
    }
    // The next screen event, whichever it is.
    std::optional<json> next_screen(std::chrono::milliseconds timeout = 10s) {
        return kiosk().wait_for([](const json& line) { return line.value("event", "") == "screen"; }, timeout);
    }
    // The screen the kiosk shows now (the last screen event so far).
    std::string current_screen() const {
        std::string name;
        for (const json& line : kiosk_->log())
            if (line.value("event", "") == "screen") name = line.value("screen", "");
        return name;
    }
    // Nothing moves the kiosk off its screen for `quiet` (an invalid answer, a locked PIN, ...).
    void expect_no_screen_change(std::chrono::milliseconds quiet = 700ms) {
        std::this_thread::sleep_for(quiet);
        for (const json& line : kiosk().state_log().pending())
            EXPECT_NE(line.value("event", ""), "screen") << "unexpected screen change: " << line.dump();
    }

    // --- Controls (--log-controls)
    // The controls of the screen shown now, from the last "controls" line (nullopt while the
    // last one still belongs to another screen).
    std::optional<json> current_controls() const {
        std::string screen_now;
        std::optional<json> controls;
        for (const json& line : kiosk_->log()) {
            const std::string event = line.value("event", "");
            if (event == "screen") screen_now = line.value("screen", "");
            if (event == "controls") controls = line;
        }
        if (!controls || controls->value("screen", "") != screen_now) return std::nullopt;
        return controls;
    }
    std::optional<json> find_control(std::string_view id) const {
        const auto controls = current_controls();
        if (!controls) return std::nullopt;
        for (const json& control : controls->at("controls"))
            if (control.value("id", "") == id) return control;
        return std::nullopt;
    }
    bool has_control(std::string_view id) const { return find_control(id).has_value(); }
    // Waits for control `id` on the current screen and clicks its centre.
    bool click(std::string_view id, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (const auto control = find_control(id)) {
                kiosk().click(control->value("x", 0) + control->value("w", 0) / 2, control->value("y", 0) + control->value("h", 0) / 2);
                return true;
            }
            if (std::chrono::steady_clock::now() >= deadline || !kiosk().running()) break;
            std::this_thread::sleep_for(20ms);
        }
        const auto controls = current_controls();
        ADD_FAILURE() << "no control \"" << id << "\" on screen " << current_screen() << " within " << timeout.count()
                      << " ms; controls: " << (controls ? controls->at("controls").dump() : "(none logged for this screen)")
                      << "\nlog tail:\n" << kiosk().state_log().tail(10) << kiosk().stderr_text();
        return false;
    }
    bool wait_control(std::string_view id, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!has_control(id)) {
            if (std::chrono::steady_clock::now() >= deadline) {
                ADD_FAILURE() << "control \"" << id << "\" did not appear on " << current_screen();
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
    // Types by tapping the on-screen keyboard (key:<c>, key:space, key:erase).
    void tap_keys(std::string_view ascii) {
        for (char c : ascii) {
            click(c == ' ' ? std::string("key:space") : "key:" + std::string(1, c));
            std::this_thread::sleep_for(60ms);
        }
    }

    // --- Keys and focus
    // Presses `keysym` (Tab, shift+Tab, Down, ...) until the focus event names `id`; false after
    // `max_steps` presses.
    bool focus_until(std::string_view id, std::string_view keysym = "Tab", int max_steps = 80) {
        for (int step = 0; step < max_steps; ++step) {
            kiosk().key(keysym);
            const auto focus = kiosk().wait_for_event("focus", 3s);
            if (!focus) return false;
            if (focus->value("id", "") == id) return true;
        }
        ADD_FAILURE() << "focus never reached \"" << id << "\" in " << max_steps << " presses of " << keysym;
        return false;
    }

    // --- Screenshots: after a frame or two, so the screen just logged is the one drawn.
    // (Under Xvfb's software GL a frame takes 40 ms, a slow one 150+ ms: wait for a few.)
    std::filesystem::path shot(std::string_view name) {
        std::this_thread::sleep_for(600ms);
        return kiosk().screenshot(name);
    }

    // --- Questions
    struct Asked { int64_t id; std::string type; };
    // Answers every question page until the kiosk leaves the questions (admitted, rejected):
    // with `invalid_first`, each page first gets a refused answer (asserting the kiosk stays on
    // that question), then a valid one. `fast` types in bursts instead of at a person's pace.
    // Needs a camera for the photo (F). Returns the screen event that ended it and fills `asked`.
    std::optional<json> answer_questions(std::vector<Asked>& asked, bool invalid_first, bool fast, bool screenshots = true) {
        for (int pages = 0; pages < 30; ++pages) {
            const auto line = kiosk().wait_for([](const json& l) {
                const std::string s = l.value("event", "") == "screen" ? l.value("screen", "") : "";
                return s == "questions" || s == "admitted" || s == "rejected" || s == "attract" || s == "out_of_order";
            }, 20s);
            if (!line || line->value("screen", "") != "questions") return line;
            const Asked page{line->value("question", int64_t{0}), line->value("question_type", "")};
            asked.push_back(page);
            const std::string tag = "q" + std::to_string(page.id) + "-" + page.type;
            if (screenshots && !invalid_first) shot(tag);
            if (invalid_first) {
                give_invalid_answer(page, fast);
                click("next");
                expect_no_screen_change();
                if (screenshots) kiosk().screenshot(tag + "-refused");   // the page with its message
                clear_answer(page);
            }
            give_valid_answer(page, fast);
            if (screenshots && (page.type == "F" || page.type == "CC" || page.type == "M")) shot(tag + "-answered");
            click("next");
        }
        ADD_FAILURE() << "more than 30 question pages";
        return std::nullopt;
    }

    void type(std::string_view text, bool fast) {
        if (fast) {
            kiosk().type_fast(text);
            std::this_thread::sleep_for(150ms);   // the burst reaches the field once typing pauses
        } else {
            kiosk().type_slowly(text);
            std::this_thread::sleep_for(100ms);
        }
    }

    void give_invalid_answer(const Asked& page, bool fast) {
        const std::string& t = page.type;
        if (t == "B") click("false");                   // must be ticked
        else if (t == "N") type("11", fast);            // 0..10
        else if (t == "D") type("19900230", fast);      // 1990-02-30
        else if (t == "H") type("2500", fast);          // 25:00
        else if (t == "W") type("203501011000", fast);  // 2035: after the allowed range
        else if (t == "EMAIL") type("nope", fast);
        else if (t == "TEL") type("12345", fast);
        // S, C, M, CC, F: nothing given (required)
    }
    void clear_answer(const Asked& page) {
        const std::string& t = page.type;
        const int chars = t == "N" ? 2 : t == "D" ? 8 : t == "H" ? 4 : t == "W" ? 12 : t == "EMAIL" ? 4 : t == "TEL" ? 5 : 0;
        kiosk().key_times("BackSpace", chars);
        std::this_thread::sleep_for(100ms);
    }
    void give_valid_answer(const Asked& page, bool fast) {
        const std::string& t = page.type;
        if (t == "B") {
            click("true");
        } else if (t == "N") {
            type("3", fast);
        } else if (t == "S") {
            type(page.id == 707 ? "No nuts" : "Acme", fast);
        } else if (t == "T") {
            type("Nothing", fast);
        } else if (t == "C") {
            click("option:7003");
        } else if (t == "M") {
            click("option:7005");
            std::this_thread::sleep_for(100ms);
            click("option:7008");                       // "other": brings 707 after submitting
            std::this_thread::sleep_for(100ms);
        } else if (t == "D") {
            type("19900215", fast);
        } else if (t == "H") {
            type("0930", fast);
        } else if (t == "W") {
            type("202706011000", fast);
        } else if (t == "EMAIL") {
            type("a@example.com", fast);
        } else if (t == "TEL") {
            type("+4930123456", fast);
        } else if (t == "CC") {
            type(country_filter, fast);
            click("country:DE");
            std::this_thread::sleep_for(100ms);
        } else if (t == "F") {
            click("photo");
            wait_control("retake", 10s);                // 3 s countdown, then the photo
        } else {
            ADD_FAILURE() << "no answer for question type " << t;
        }
    }

    // A still picture for --camera images:DIR (no QR code in it, so the camera never scans):
    // the photo question's "face".
    std::string still_camera() {
        const auto dir = scratch_.path() / "camera";
        std::filesystem::create_directories(dir);
        const auto made = testing::run_process({"convert", "-size", "640x480", "gradient:skyblue-navy", "-fill", "peachpuff",
                                                "-draw", "circle 320,240 320,110", (dir / "face.png").string()});
        if (made.exit_code() != 0) ADD_FAILURE() << "convert: " << made.err;
        return "images:" + dir.string() + "?loop=1&fps=5";
    }

    std::string country_filter = "germ";    // letters that find Germany in the attendee's language
    testing::TempDir scratch_;
    bool ready_ = false;
};

// Files in `dir` (badges written by --printer file:DIR).
inline size_t file_count(const std::filesystem::path& dir) {
    size_t n = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ignored))
        if (entry.is_regular_file()) ++n;
    return n;
}

// Milliseconds between two state-log lines (their "mono_ms", the kiosk's steady clock).
inline double ms_between(const json& earlier, const json& later) {
    return later.value("mono_ms", 0.0) - earlier.value("mono_ms", 0.0);
}

inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

} // namespace kiosk::uitest
