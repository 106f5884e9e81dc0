// UI tests of the real `kiosk` executable: a private X server (Xvfb), the kiosk started on it, its
// state log followed line by line, real X input through xdotool and screenshots through xwd.
//
// [SECTION] Tools: which programs the harness needs, skip or fail when one is missing
// [SECTION] XvfbDisplay: a private X server per test
// [SECTION] StateLogFollower: waiting for lines of a JSON-lines file another process appends to
// [SECTION] KioskUnderTest: the kiosk on a display, its log, input and screenshots
// [SECTION] KioskUiTest: a GoogleTest fixture putting the above together
//
//     class AttractTest : public kiosk::testing::KioskUiTest {};
//     TEST_F(AttractTest, WedgeScanAdmits) {
//         auto& kiosk = start_kiosk({.args = {"--camera", "none", "--list", "501"},
//                                    .fixture = kiosk::testing::ui_fixture("all_questions")});
//         ASSERT_TRUE(kiosk.wait_for_event("ready"));
//         kiosk.scan("w9z23p4yqa53vaq2msw477f9bymebgye");
//         ASSERT_TRUE(kiosk.wait_for_screen("admitted"));
//     }
//
// Missing tools: KioskUiTest::SetUp() skips the test naming the Debian package to install, or
// fails it when KIOSK_UI_REQUIRED=1 is set (CI installs them, so there a skip would hide a broken
// image). Constructors throw std::runtime_error when a program cannot be started.
//
// Clean-up: every child (Xvfb, the kiosk and whatever it starts) is killed and reaped by a
// destructor, also when the test failed or threw. The kiosk runs in its own process group, killed
// as a whole. Tests may run in parallel (ctest -j): each has its own display (Xvfb picks a free
// number with -displayfd) and its own temporary directory (state log, store, stderr).
//
// Thread rule: one thread uses an instance. StateLogFollower only reads its file, so any process
// or thread may append to it meanwhile.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk::testing {

// [SECTION] Tools -------------------------------------------------------------------------------

struct UiTool {
    const char* program;
    const char* package;                    // the Debian package that has it
};
inline constexpr UiTool kUiTools[] = {
    {"Xvfb", "xvfb"}, {"xdotool", "xdotool"}, {"xwd", "x11-apps"}, {"convert", "imagemagick"}, {"setsid", "util-linux"},
};

inline std::optional<std::filesystem::path> find_program(std::string_view program) {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const size_t colon = dirs.find(':');
        const std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, colon)) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    }
    return std::nullopt;
}

// nullopt when every tool is there, else one line naming what to install.
inline std::optional<std::string> missing_ui_tools() {
    std::string programs, packages;
    for (const UiTool& tool : kUiTools) {
        if (find_program(tool.program)) continue;
        programs += std::string(programs.empty() ? "" : ", ") + tool.program;
        packages += std::string(" ") + tool.package;
    }
    if (programs.empty()) return std::nullopt;
    return "UI test tools not found in PATH: " + programs + " (apt-get install" + packages + ", or scripts/install-deps.sh)";
}

// KIOSK_UI_REQUIRED=1 (CI): a UI test that cannot run fails instead of skipping.
inline bool ui_tests_required() {
    const char* value = std::getenv("KIOSK_UI_REQUIRED");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

// The kiosk executable: $KIOSK_UNDER_TEST when set (a test may point it elsewhere), else the
// compile definition KIOSK_PATH ("$<TARGET_FILE:kiosk>"), when it exists on disk.
inline std::optional<std::filesystem::path> kiosk_binary() {
    if (const char* forced = std::getenv("KIOSK_UNDER_TEST"); forced != nullptr && *forced != '\0') return forced;
#ifdef KIOSK_PATH
    if (std::filesystem::exists(KIOSK_PATH)) return std::filesystem::path(KIOSK_PATH);
#endif
    return std::nullopt;
}

// A fixture event under tests/ui/fixtures/ (needs KIOSK_SOURCE_DIR, as every test suite defines).
inline std::filesystem::path ui_fixture(std::string_view name) {
#ifdef KIOSK_SOURCE_DIR
    return std::filesystem::path(KIOSK_SOURCE_DIR) / "tests" / "ui" / "fixtures" / name;
#else
    return std::filesystem::path("tests") / "ui" / "fixtures" / name;
#endif
}

// Skips the current test with `message`, or fails it under KIOSK_UI_REQUIRED=1. Both return from
// the calling function (a test body or SetUp()).
#define KIOSK_UI_SKIP_OR_FAIL(message)                                                   \
    do {                                                                                 \
        if (::kiosk::testing::ui_tests_required()) {                                     \
            FAIL() << (message) << " [KIOSK_UI_REQUIRED is set]";                        \
        } else {                                                                         \
            GTEST_SKIP() << (message) << " [skipped; KIOSK_UI_REQUIRED=1 makes it fail]"; \
        }                                                                                \
    } while (0)

#define KIOSK_UI_REQUIRE_TOOLS()                                                              \
    do {                                                                                      \
        if (const auto kiosk_ui_missing_ = ::kiosk::testing::missing_ui_tools())              \
            KIOSK_UI_SKIP_OR_FAIL(*kiosk_ui_missing_);                                        \
    } while (0)

#define KIOSK_UI_REQUIRE_KIOSK()                                                                       \
    do {                                                                                               \
        if (!::kiosk::testing::kiosk_binary())                                                         \
            KIOSK_UI_SKIP_OR_FAIL("the kiosk executable is not built (KIOSK_PATH / KIOSK_UNDER_TEST)"); \
    } while (0)

namespace detail {

inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string last_lines(const std::string& text, size_t count) {
    size_t begin = text.size();
    if (begin > 0 && text[begin - 1] == '\n') --begin;
    for (size_t seen = 0; begin > 0; --begin) {
        if (text[begin - 1] == '\n' && ++seen == count) break;
    }
    return text.substr(begin);
}

// True once `pid` (our unreaped child) has ended; it stays a zombie, so its pid and process group
// id cannot be reused until RunningProcess::finish() reaps it.
inline bool child_has_exited(pid_t pid) {
    siginfo_t info{};
    info.si_pid = 0;
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD;
    return info.si_pid != 0;
}

inline bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!child_has_exited(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// Runs `argv` as a child whose stdout and stderr go to files (so a chatty child never blocks on a
// full pipe nobody drains), with `env` added to its environment, optionally as the leader of a new
// session and process group. Every wrapper execs, so the returned pid is argv's own program.
inline RunningProcess start_detached(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                     const std::filesystem::path& out, const std::filesystem::path& err,
                                     bool own_process_group, const std::vector<std::string>& extra_redirect = {}) {
    std::vector<std::string> command;
    if (own_process_group) command.push_back("setsid");
    std::string script = "o=$1; e=$2; shift 2; exec \"$@\" >>\"$o\" 2>>\"$e\"";
    for (const std::string& redirect : extra_redirect) script += " " + redirect;
    command.insert(command.end(), {"sh", "-c", script, "sh", out.string(), err.string(), "env"});
    for (const auto& [key, value] : env) command.push_back(key + "=" + value);
    command.insert(command.end(), argv.begin(), argv.end());
    return start_process(command);
}

// SIGTERM, then SIGKILL after `grace`, to the child (and its group), then reaps it.
inline ProcessResult stop_child(RunningProcess& process, bool group, std::chrono::milliseconds grace) {
    const pid_t pid = process.pid();
    const pid_t target = group ? -pid : pid;
    if (!child_has_exited(pid)) {
        ::kill(target, SIGTERM);
        if (!wait_for_exit(pid, grace)) ::kill(target, SIGKILL);
    }
    // Whatever the leader left behind in its group goes too; the unreaped leader keeps the id.
    if (group) ::kill(target, SIGKILL);
    return process.finish();
}

// X keysym names for `xdotool key`: ASCII letters and digits as themselves, anything else as
// "U<hex>" (XStringToKeysym's Unicode form; Latin-1 maps to its classic keysym).
inline std::vector<std::string> keysyms_of(std::string_view utf8) {
    std::vector<std::string> keysyms;
    for (size_t i = 0; i < utf8.size();) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        const size_t length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
        uint32_t codepoint = length == 1 ? byte : byte & (0x3Fu >> (length - 1));
        for (size_t k = 1; k < length && i + k < utf8.size(); ++k)
            codepoint = codepoint << 6 | (static_cast<unsigned char>(utf8[i + k]) & 0x3Fu);
        i += length;
        if ((codepoint >= '0' && codepoint <= '9') || (codepoint >= 'a' && codepoint <= 'z') || (codepoint >= 'A' && codepoint <= 'Z')) {
            keysyms.emplace_back(1, static_cast<char>(codepoint));
        } else {
            std::ostringstream name;
            name << "U" << std::uppercase << std::hex << std::setw(4) << std::setfill('0') << codepoint;
            keysyms.push_back(name.str());
        }
    }
    return keysyms;
}

inline std::string json_preview(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace detail

// [SECTION] XvfbDisplay -------------------------------------------------------------------------

struct XvfbOptions {
    int width = 1920, height = 1080, depth = 24;
    std::chrono::milliseconds start_timeout{15000};
};

// A private X server: `Xvfb -displayfd FD -screen 0 WxHxD -nolisten tcp -noreset`. Xvfb chooses a
// free display number itself and writes it to FD once it accepts connections, so parallel tests
// never race for a number. The destructor stops it (SIGTERM, SIGKILL after 3 s) and reaps it.
class XvfbDisplay {
public:
    explicit XvfbDisplay(XvfbOptions options = {}) : options_(options) {
        if (!find_program("Xvfb")) throw std::runtime_error("Xvfb not found in PATH (apt-get install xvfb)");
        const auto number_file = dir_.path() / "display";
        const std::string screen =
            std::to_string(options.width) + "x" + std::to_string(options.height) + "x" + std::to_string(options.depth);
        process_.emplace(detail::start_detached({"Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp", "-noreset"},
                                                {}, dir_.path() / "xvfb.out", log_path(), false,
                                                {"3>\"$o.displayfd\""}));
        const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
        const auto fd_file = std::filesystem::path((dir_.path() / "xvfb.out").string() + ".displayfd");
        for (;;) {
            const std::string text = detail::read_text_file(fd_file);
            if (!text.empty() && text.back() == '\n') {
                display_ = ":" + text.substr(0, text.size() - 1);
                break;
            }
            if (detail::child_has_exited(process_->pid()) || std::chrono::steady_clock::now() >= deadline) {
                const bool exited = detail::child_has_exited(process_->pid());
                detail::stop_child(*process_, false, std::chrono::milliseconds(1000));
                process_.reset();
                throw std::runtime_error(std::string("Xvfb ") + (exited ? "exited" : "did not start in time") +
                                         ": " + detail::last_lines(log(), 20));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    ~XvfbDisplay() {
        if (process_) detail::stop_child(*process_, false, std::chrono::milliseconds(3000));
    }
    XvfbDisplay(const XvfbDisplay&) = delete;
    XvfbDisplay& operator=(const XvfbDisplay&) = delete;

    const std::string& display() const { return display_; }   // ":N", for DISPLAY
    int width() const { return options_.width; }
    int height() const { return options_.height; }
    pid_t pid() const { return process_->pid(); }
    bool running() const { return !detail::child_has_exited(process_->pid()); }
    std::string log() const { return detail::read_text_file(log_path()); }   // Xvfb's stderr

    // Runs an X client on this display to completion (DISPLAY set), e.g. {"xdotool", "getmouselocation"}.
    ProcessResult run(std::vector<std::string> argv) const {
        argv.insert(argv.begin(), {"env", "DISPLAY=" + display_});
        return run_process(argv);
    }

    // A PNG of the whole screen: `xwd -root` then `convert xwd:- png:`. Throws when either fails.
    void screenshot(const std::filesystem::path& png) const {
        TempDir scratch;
        const auto dump = scratch.path() / "screen.xwd";
        const auto xwd = run_process({"xwd", "-root", "-silent", "-display", display_, "-out", dump.string()});
        if (xwd.exit_code() != 0) throw std::runtime_error("xwd failed: " + xwd.err);
        const auto convert = run_process({"convert", "xwd:" + dump.string(), "png:" + png.string()});
        if (convert.exit_code() != 0) throw std::runtime_error("convert failed: " + convert.err);
    }

private:
    std::filesystem::path log_path() const { return dir_.path() / "xvfb.err"; }

    XvfbOptions options_;
    TempDir dir_;
    std::optional<RunningProcess> process_;
    std::string display_;
};

// [SECTION] StateLogFollower --------------------------------------------------------------------

// Follows a JSON-lines file (the kiosk's --state-log). wait_for() looks only at lines after the
// last one it consumed: a match consumes it and every line before it, so successive waits expect
// things in order. A line that is not JSON is kept as {"unparsed": text}. The file may not exist yet.
class StateLogFollower {
public:
    using Match = std::function<bool(const nlohmann::json&)>;
    // Called while waiting; a message means the writer is gone and waiting longer is pointless.
    using GoneCheck = std::function<std::optional<std::string>()>;

    explicit StateLogFollower(std::filesystem::path path, GoneCheck gone = {})
        : path_(std::move(path)), gone_(std::move(gone)) {}

    // Polls every 5 ms. On timeout (or when the writer is gone) the test gets a non-fatal failure
    // naming `what` with the last 20 lines, and the answer is nullopt: ASSERT_TRUE(...) on it.
    std::optional<nlohmann::json> wait_for(const Match& match, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                           std::string_view what = "a matching line") {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            read_new_lines();
            for (size_t i = consumed_; i < lines_.size(); ++i) {
                if (match(lines_[i])) {
                    consumed_ = i + 1;
                    return lines_[i];
                }
            }
            std::optional<std::string> gone = gone_ ? gone_() : std::nullopt;
            if (gone) read_new_lines();   // its last words may have landed just now
            if (gone || std::chrono::steady_clock::now() >= deadline) {
                for (size_t i = consumed_; i < lines_.size(); ++i) {
                    if (match(lines_[i])) {
                        consumed_ = i + 1;
                        return lines_[i];
                    }
                }
                ADD_FAILURE() << "state log " << path_.string() << ": no " << what << " after line " << consumed_
                              << (gone ? " (" + *gone + ")" : " within " + std::to_string(timeout.count()) + " ms")
                              << "; last lines:\n" << tail(20);
                return std::nullopt;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    std::optional<nlohmann::json> wait_for_event(std::string_view event, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return wait_for([&](const nlohmann::json& line) { return line.value("event", "") == event; }, timeout,
                        "{\"event\": \"" + std::string(event) + "\"}");
    }
    std::optional<nlohmann::json> wait_for_screen(std::string_view screen, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return wait_for([&](const nlohmann::json& line) {
            return line.value("event", "") == "screen" && line.value("screen", "") == screen;
        }, timeout, "{\"event\": \"screen\", \"screen\": \"" + std::string(screen) + "\"}");
    }

    // Every line so far (re-read from the file; consumes nothing).
    std::vector<nlohmann::json> log() const {
        std::vector<nlohmann::json> all;
        std::istringstream text(detail::read_text_file(path_));
        for (std::string line; std::getline(text, line);) {
            if (!line.empty()) all.push_back(parse(line));
        }
        return all;
    }
    // The lines not consumed yet, without waiting and without consuming them.
    std::vector<nlohmann::json> pending() {
        read_new_lines();
        return {lines_.begin() + static_cast<std::ptrdiff_t>(consumed_), lines_.end()};
    }
    // Marks every line read so far as consumed: the next wait looks only at what comes after now.
    void skip_to_end() {
        read_new_lines();
        consumed_ = lines_.size();
    }
    std::string tail(size_t count) const {
        std::string out;
        const size_t begin = lines_.size() > count ? lines_.size() - count : 0;
        for (size_t i = begin; i < lines_.size(); ++i)
            out += (i < consumed_ ? "    " : "  > ") + detail::json_preview(lines_[i]) + "\n";
        return out.empty() ? "  (no lines)\n" : out;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    static nlohmann::json parse(const std::string& line) {
        nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (value.is_discarded()) return nlohmann::json{{"unparsed", line}};
        return value;
    }

    // Reads what was appended since last time; a line without its newline yet waits for it.
    void read_new_lines() {
        std::ifstream in(path_, std::ios::binary);
        if (!in) return;
        in.seekg(0, std::ios::end);
        const std::streamoff size = in.tellg();
        if (size < offset_) {       // truncated or replaced: start over
            offset_ = 0;
            partial_.clear();
        }
        if (size == offset_) return;
        in.seekg(offset_);
        std::string chunk(static_cast<size_t>(size - offset_), '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<size_t>(in.gcount()));
        offset_ += static_cast<std::streamoff>(chunk.size());
        partial_ += chunk;
        size_t start = 0;
        for (size_t newline; (newline = partial_.find('\n', start)) != std::string::npos; start = newline + 1) {
            if (newline > start) lines_.push_back(parse(partial_.substr(start, newline - start)));
        }
        partial_.erase(0, start);
    }

    std::filesystem::path path_;
    GoneCheck gone_;
    std::streamoff offset_ = 0;
    std::string partial_;
    std::vector<nlohmann::json> lines_;
    size_t consumed_ = 0;
};

// [SECTION] KioskUnderTest ----------------------------------------------------------------------

struct KioskOptions {
    std::vector<std::string> args{};        // after --windowed --size WxH --state-log FILE [--db FILE]
    int width = 1920, height = 1080;        // the window (--size); the display should be at least as big
    std::map<std::string, std::string> env{}; // added to (and overriding) DISPLAY, SDL_VIDEODRIVER, ...
    std::filesystem::path fixture{};        // "" = none; else `kioskctl import` of it into the kiosk's store first
    std::string organizer = "uitest-org";   // for the fixture import
    bool own_store = true;                  // pass --db <temp dir>/kiosk.db (unless args have --db)
    std::filesystem::path program{};        // "" = kiosk_binary(); a test may run a stand-in
};

// The kiosk on a display, started by the constructor (after the fixture import, if any) and killed
// by the destructor with everything it started. Input goes through the X server, as a person's or
// a USB scanner's would: xdotool with DISPLAY set, into the kiosk's window (found by its
// _NET_WM_PID and given the input focus on first use; without a window manager, keys otherwise go
// to the window under the pointer). Coordinates are the window's (its origin is added).
class KioskUnderTest {
public:
    KioskUnderTest(const XvfbDisplay& display, KioskOptions options = {})
        : display_(display), options_(std::move(options)),
          log_(dir_.path() / "state.jsonl", [this]() { return gone(); }) {
        std::filesystem::path program = options_.program;
        if (program.empty()) {
            const auto built = kiosk_binary();
            if (!built) throw std::runtime_error("the kiosk executable is not built (KIOSK_PATH / KIOSK_UNDER_TEST)");
            program = *built;
        }
        const bool has_db = std::find(options_.args.begin(), options_.args.end(), "--db") != options_.args.end();
        if (!options_.fixture.empty()) import_fixture();
        std::vector<std::string> argv{program.string(), "--windowed", "--size",
                                      std::to_string(options_.width) + "x" + std::to_string(options_.height),
                                      "--state-log", log_.path().string()};
        if (options_.own_store && !has_db) argv.insert(argv.end(), {"--db", db().string()});
        argv.insert(argv.end(), options_.args.begin(), options_.args.end());
        std::map<std::string, std::string> env{{"DISPLAY", display_.display()}, {"SDL_VIDEODRIVER", "x11"},
                                               {"SDL_AUDIODRIVER", "dummy"}, {"LIBGL_ALWAYS_SOFTWARE", "1"}};
        for (const auto& [key, value] : options_.env) env[key] = value;
        process_.emplace(detail::start_detached(argv, env, stdout_path(), stderr_path(), true));
    }
    ~KioskUnderTest() {
        if (process_) detail::stop_child(*process_, true, std::chrono::milliseconds(3000));
    }
    KioskUnderTest(const KioskUnderTest&) = delete;
    KioskUnderTest& operator=(const KioskUnderTest&) = delete;

    pid_t pid() const { return process_ ? process_->pid() : -1; }
    bool running() const { return process_ && !detail::child_has_exited(process_->pid()); }
    const std::filesystem::path& dir() const { return dir_.path(); }
    std::filesystem::path db() const { return dir_.path() / "kiosk.db"; }
    const std::filesystem::path& state_log_path() const { return log_.path(); }
    StateLogFollower& state_log() { return log_; }

    // --- The state log (see StateLogFollower): waits fail the test, with the log's last lines,
    // when they time out or when the kiosk exits meanwhile.
    std::optional<nlohmann::json> wait_for(const StateLogFollower::Match& match,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return log_.wait_for(match, timeout);
    }
    std::optional<nlohmann::json> wait_for_screen(std::string_view screen, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return log_.wait_for_screen(screen, timeout);
    }
    std::optional<nlohmann::json> wait_for_event(std::string_view event, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return log_.wait_for_event(event, timeout);
    }
    std::vector<nlohmann::json> log() const { return log_.log(); }

    // --- Input.
    // A keyboard-wedge scanner: the code's keys and Return in one xdotool run, back to back.
    // (`xdotool type` would send "\n" as the Linefeed keysym, and a second run for Return would
    // leave a gap as long as a process start, so every key goes through `xdotool key`.) No delay
    // between keys: the kiosk times keys by the X server's stamps, and on a loaded machine xdotool
    // itself can be descheduled mid-burst; the shorter the burst, the rarer that is (and the wedge
    // takes a stall after keys at a scanner's pace as the machine's, up to 800 ms).
    void scan(std::string_view code) {
        std::vector<std::string> args{"key", "--delay", "0"};
        for (const std::string& keysym : detail::keysyms_of(code)) args.push_back(keysym);
        args.push_back("Return");
        xdotool(std::move(args));
    }
    // A person typing: ~180 ms between key presses. xdotool sleeps half its --delay after each press
    // and half after each release, hence 360 (and a scan's 5 gives ~3 ms). UTF-8 is fine: xdotool
    // maps what the keymap lacks.
    void type_slowly(std::string_view text) { xdotool({"type", "--delay", "360", "--", std::string(text)}); }
    // Text typed in a fast burst with no Return: it lands in the focused field once the burst
    // pauses (the wedge only takes a burst ending in Enter for a scan). For long answers where a
    // person's pace only costs test time; ASCII only (xdotool remaps keys for other characters,
    // which races at this speed).
    // The pointer nudged after the keys tells the kiosk a person is there, as a touch would: keys at
    // this pace with no Enter would otherwise be held as a stalled scan for up to 800 ms.
    void type_fast(std::string_view text) {
        std::vector<std::string> args{"key", "--delay", "5"};
        for (const std::string& keysym : detail::keysyms_of(text)) args.push_back(keysym);
        if (args.size() == 3) return;
        for (const char* step : {"mousemove_relative", "--", "1", "0", "mousemove_relative", "--", "-1", "0"}) args.emplace_back(step);
        xdotool(std::move(args));
    }
    // One key or chord by X keysym name: "Tab", "shift+Tab", "Return", "Escape", "Down", "F1", "ctrl+q".
    void key(std::string_view keysym) { xdotool({"key", "--clearmodifiers", std::string(keysym)}); }
    // The same key `count` times in one xdotool run, `delay_ms` apart (e.g. BackSpace to empty a field).
    void key_times(std::string_view keysym, int count, int delay_ms = 40) {
        std::vector<std::string> args{"key", "--clearmodifiers", "--delay", std::to_string(delay_ms)};
        for (int i = 0; i < count; ++i) args.emplace_back(keysym);
        if (count > 0) xdotool(std::move(args));
    }
    void click(int x, int y) {
        const auto [ox, oy] = window_origin();
        xdotool({"mousemove", std::to_string(ox + x), std::to_string(oy + y), "click", "1"});
    }
    void long_press(int x, int y, std::chrono::milliseconds hold) {
        const auto [ox, oy] = window_origin();
        xdotool({"mousemove", std::to_string(ox + x), std::to_string(oy + y), "mousedown", "1"});
        std::this_thread::sleep_for(hold);
        xdotool({"mouseup", "1"});
    }

    // The whole display as a PNG in ${KIOSK_UI_SHOTS:-<build>/ui-shots}/<Suite>.<Test>/NN-name.png;
    // returns its path. A failure to take it is a non-fatal test failure (the path is then empty).
    std::filesystem::path screenshot(std::string_view name) {
        const auto png = next_screenshot_path(name);
        try {
            display_.screenshot(png);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "screenshot " << name << ": " << e.what();
            return {};
        }
        return png;
    }

    // Waits up to `timeout` for the kiosk to exit by itself (after a staff "exit" or a quit key);
    // then SIGTERM (a non-fatal failure: it did not quit), SIGKILL after 3 s. The exit code, or
    // 128 + the signal that ended it.
    int exit_code_after_quit(std::chrono::milliseconds timeout) {
        if (!process_) return exit_code_;
        if (!detail::wait_for_exit(process_->pid(), timeout))
            ADD_FAILURE() << "the kiosk did not exit within " << timeout.count() << " ms; stopping it\n" << stderr_tail();
        const ProcessResult result = detail::stop_child(*process_, true, std::chrono::milliseconds(3000));
        process_.reset();
        exit_code_ = result.signaled() ? 128 + result.term_signal() : result.exit_code();
        return exit_code_;
    }

    std::string stderr_text() const { return detail::read_text_file(stderr_path()); }
    std::string stdout_text() const { return detail::read_text_file(stdout_path()); }

private:
    std::filesystem::path stdout_path() const { return dir_.path() / "kiosk.out"; }
    std::filesystem::path stderr_path() const { return dir_.path() / "kiosk.err"; }
    std::string stderr_tail() const { return "kiosk stderr (last lines):\n" + detail::last_lines(stderr_text(), 20); }

    std::optional<std::string> gone() const {
        if (!process_ || !detail::child_has_exited(process_->pid())) return std::nullopt;
        return "the kiosk exited; " + stderr_tail();
    }

    void import_fixture() {
#ifdef KIOSKCTL_PATH
        const auto result = run_process({KIOSKCTL_PATH, "--db", db().string(), "import", options_.fixture.string(),
                                         "--organizer", options_.organizer});
        if (result.exit_code() != 0)
            throw std::runtime_error("kioskctl import " + options_.fixture.string() + " failed: " + result.err);
#else
        throw std::runtime_error("KioskOptions::fixture needs KIOSKCTL_PATH (tests/CMakeLists.txt defines it)");
#endif
    }

    void xdotool(std::vector<std::string> args) {
        focus_window();
        args.insert(args.begin(), "xdotool");
        const auto result = display_.run(args);
        if (result.exit_code() != 0) ADD_FAILURE() << "xdotool " << args[1] << " failed: " << result.err;
    }

    // The kiosk's top-level window, looked for once (for up to 2 s) by _NET_WM_PID, focused.
    void focus_window() {
        if (window_searched_) return;
        window_searched_ = true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (window_.empty() && std::chrono::steady_clock::now() < deadline && running()) {
            const auto found = display_.run({"xdotool", "search", "--onlyvisible", "--pid", std::to_string(pid())});
            std::istringstream ids(found.out);
            ids >> window_;
            if (window_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (window_.empty()) return;   // keys then go to the window under the pointer
        display_.run({"xdotool", "windowfocus", window_});
        const auto geometry = display_.run({"xdotool", "getwindowgeometry", "--shell", window_});
        std::istringstream lines(geometry.out);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("X=", 0) == 0) origin_.first = std::atoi(line.c_str() + 2);
            if (line.rfind("Y=", 0) == 0) origin_.second = std::atoi(line.c_str() + 2);
        }
    }
    std::pair<int, int> window_origin() {
        focus_window();
        return origin_;
    }

    std::filesystem::path next_screenshot_path(std::string_view name) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string test = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "no-test";
        std::replace(test.begin(), test.end(), '/', '_');
        const char* root = std::getenv("KIOSK_UI_SHOTS");
#ifdef KIOSK_BINARY_DIR
        const std::filesystem::path base = root != nullptr && *root != '\0' ? root : std::filesystem::path(KIOSK_BINARY_DIR) / "ui-shots";
#else
        const std::filesystem::path base = root != nullptr && *root != '\0' ? root : std::filesystem::current_path() / "ui-shots";
#endif
        const std::filesystem::path folder = base / test;
        // One numbering per test and process; the first shot clears the folder of an earlier run.
        static std::mutex mutex;
        static std::map<std::string, int> counters;
        int number = 0;
        {
            std::lock_guard lock(mutex);
            if (!counters.contains(folder.string())) {
                std::error_code ignored;
                std::filesystem::remove_all(folder, ignored);
            }
            number = ++counters[folder.string()];
        }
        std::filesystem::create_directories(folder);
        std::ostringstream file;
        file << std::setw(2) << std::setfill('0') << number << "-" << name << ".png";
        return folder / file.str();
    }

    const XvfbDisplay& display_;
    KioskOptions options_;
    TempDir dir_;
    StateLogFollower log_;
    std::optional<RunningProcess> process_;
    int exit_code_ = -1;
    bool window_searched_ = false;
    std::string window_;
    std::pair<int, int> origin_{0, 0};
};

// [SECTION] KioskUiTest ---------------------------------------------------------------------------

// Skips (or, with KIOSK_UI_REQUIRED=1, fails) when a tool or the kiosk is missing; start_kiosk()
// starts a display of the kiosk's size and the kiosk on it. Members are destroyed kiosk first.
class KioskUiTest : public ::testing::Test {
protected:
    void SetUp() override {
        KIOSK_UI_REQUIRE_TOOLS();
        KIOSK_UI_REQUIRE_KIOSK();
    }
    KioskUnderTest& start_kiosk(KioskOptions options = {}) {
        kiosk_.reset();
        display_.reset();
        display_.emplace(XvfbOptions{.width = options.width, .height = options.height});
        kiosk_.emplace(*display_, std::move(options));
        return *kiosk_;
    }
    XvfbDisplay& display() { return *display_; }
    KioskUnderTest& kiosk() { return *kiosk_; }

    std::optional<XvfbDisplay> display_;
    std::optional<KioskUnderTest> kiosk_;   // declared after display_: destroyed before it
};

} // namespace kiosk::testing
