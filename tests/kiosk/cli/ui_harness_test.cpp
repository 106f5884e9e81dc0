// The UI test harness (tests/support/kiosk_ui.h) checked without the kiosk: a private X server,
// xdotool and xwd against it, the state-log follower against a file another thread appends to,
// and KioskUnderTest driving a stand-in program (a shell script around xev) whose log and
// received X events we can read.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "tests/support/kiosk_ui.h"

namespace kiosk {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Dead, or a zombie its new parent has not reaped yet (a killed child's orphans go to PID 1).
bool process_gone(pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    for (;;) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return true;
        const auto paren = line.rfind(')');
        if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
}

TEST(UiHarness, MissingToolsNameTheirPackages) {
    const std::string saved = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    ::setenv("PATH", "/nonexistent", 1);
    const auto missing = testing::missing_ui_tools();
    ::setenv("PATH", saved.c_str(), 1);
    ASSERT_TRUE(missing.has_value());
    for (const char* package : {"xvfb", "xdotool", "x11-apps", "imagemagick"})
        EXPECT_NE(missing->find(package), std::string::npos) << *missing;
}

TEST(UiHarness, XvfbDisplaysAreSeparateAndAnswerXClients) {
    KIOSK_UI_REQUIRE_TOOLS();
    testing::XvfbDisplay first({.width = 800, .height = 600});
    testing::XvfbDisplay second({.width = 640, .height = 480});
    EXPECT_NE(first.display(), second.display());
    EXPECT_EQ(first.run({"xdotool", "getdisplaygeometry"}).out, "800 600\n");
    EXPECT_EQ(second.run({"xdotool", "getdisplaygeometry"}).out, "640 480\n");

    EXPECT_EQ(first.run({"xdotool", "mousemove", "100", "200"}).exit_code(), 0);
    EXPECT_EQ(first.run({"xdotool", "getmouselocation", "--shell"}).out.substr(0, 12), "X=100\nY=200\n");

    testing::TempDir dir;
    const auto png = dir.path() / "screen.png";
    first.screenshot(png);
    std::ifstream in(png, std::ios::binary);
    std::string header(24, '\0');
    in.read(header.data(), 24);
    ASSERT_EQ(header.substr(1, 3), "PNG");
    const auto be32 = [&](size_t at) {
        uint32_t value = 0;
        for (size_t i = at; i < at + 4; ++i) value = value << 8 | static_cast<unsigned char>(header[i]);
        return value;
    };
    EXPECT_EQ(be32(16), 800u);
    EXPECT_EQ(be32(20), 600u);

    const pid_t pid = first.pid();
    { testing::XvfbDisplay gone_soon; EXPECT_TRUE(gone_soon.running()); }
    EXPECT_EQ(::kill(pid, 0), 0);   // the others are untouched
}

TEST(UiHarness, StateLogFollowerSeesLinesAnotherThreadAppends) {
    testing::TempDir dir;
    testing::StateLogFollower follower(dir.path() / "state.jsonl");   // the file does not exist yet
    std::thread writer([path = follower.path()] {
        std::this_thread::sleep_for(50ms);
        std::ofstream out(path, std::ios::app);
        out << R"({"event":"ready","t":1})" << "\n" << std::flush;
        out << R"({"event":"screen","screen":"attract","t":2})" << "\n" << std::flush;
        out << R"({"event":"screen","scr)" << std::flush;   // half a line: not a line yet
        std::this_thread::sleep_for(50ms);
        out << R"(een":"checking","t":3})" << "\n" << "not json\n" << std::flush;
        out << R"({"event":"screen","screen":"rejected","reason":"invalid","t":4})" << "\n" << std::flush;
    });
    ASSERT_TRUE(follower.wait_for_event("ready", 5s));
    ASSERT_TRUE(follower.wait_for_screen("checking", 5s));
    const auto rejected = follower.wait_for_screen("rejected", 5s);
    writer.join();
    ASSERT_TRUE(rejected);
    EXPECT_EQ((*rejected)["reason"], "invalid");
    EXPECT_EQ(follower.log().size(), 5u);
    EXPECT_EQ(follower.log()[3], json({{"unparsed", "not json"}}));
    // Consumed lines are not seen again: "attract" came before "checking".
    EXPECT_NONFATAL_FAILURE(
        {
            testing::StateLogFollower& f = follower;
            EXPECT_FALSE(f.wait_for_screen("attract", 50ms));
        },
        R"(no {"event": "screen", "screen": "attract"})");
}

TEST(UiHarness, StateLogTimeoutShowsTheLastLines) {
    testing::TempDir dir;
    {
        std::ofstream out(dir.path() / "state.jsonl");
        for (int i = 0; i < 30; ++i) out << json({{"event", "screen"}, {"screen", "attract"}, {"n", i}}).dump() << "\n";
    }
    testing::StateLogFollower follower(dir.path() / "state.jsonl");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_NONFATAL_FAILURE(
        {
            testing::StateLogFollower& f = follower;
            EXPECT_FALSE(f.wait_for_event("ready", 100ms));
        },
        R"("n":29)");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// A stand-in for the kiosk: writes a ready line, shows an xev window that records every key and
// button, and quits with status 3 (after a last screen line) once it got Escape.
constexpr const char* kFakeKiosk = R"(#!/bin/sh
log=""
while [ $# -gt 0 ]; do
  [ "$1" = "--state-log" ] && log=$2
  shift
done
dir=$(dirname "$log")
xev -geometry 640x480+0+0 -event keyboard -event button > "$dir/xev.txt" 2>&1 &
xev=$!
echo $xev > "$dir/xev.pid"
xdotool search --sync --onlyvisible --name 'Event Tester' > /dev/null
echo '{"event":"ready","t":0}' >> "$log"
echo '{"event":"screen","screen":"attract","t":0}' >> "$log"
until grep -q Escape "$dir/xev.txt"; do sleep 0.05; done
echo '{"event":"screen","screen":"done","t":0}' >> "$log"
echo "stand-in done" >&2
kill $xev
exit 3
)";

struct XKey {
    long time;                              // X server time, ms
    std::string keysym;
};

std::vector<XKey> key_presses(const std::string& xev_output) {
    std::vector<XKey> keys;
    static const std::regex press(R"(KeyPress event,[^\n]*\n[^\n]*time (\d+),[^\n]*\n[^\n]*keysym 0x[0-9a-f]+, ([^)]+)\))");
    for (auto it = std::sregex_iterator(xev_output.begin(), xev_output.end(), press); it != std::sregex_iterator(); ++it)
        keys.push_back({std::stol((*it)[1]), (*it)[2]});
    return keys;
}

TEST(UiHarness, KioskUnderTestDrivesAStandInThroughX) {
    KIOSK_UI_REQUIRE_TOOLS();
    testing::TempDir bin;
    const auto fake = bin.path() / "fake-kiosk";
    std::ofstream(fake) << kFakeKiosk;
    ::chmod(fake.c_str(), 0755);

    testing::XvfbDisplay display({.width = 640, .height = 480});
    std::optional<testing::KioskUnderTest> kiosk;
    kiosk.emplace(display, testing::KioskOptions{.args = {"--camera", "none"}, .width = 640, .height = 480, .program = fake});
    ASSERT_TRUE(kiosk->wait_for_event("ready"));
    ASSERT_TRUE(kiosk->wait_for_screen("attract"));

    kiosk->scan("w9Z23-p4/a:53");
    kiosk->type_slowly("ab");
    kiosk->click(20, 30);
    kiosk->long_press(40, 50, 300ms);
    const auto shot = kiosk->screenshot("stand-in");
    EXPECT_TRUE(std::filesystem::exists(shot)) << shot;
    EXPECT_NE(shot.string().find("UiHarness.KioskUnderTestDrivesAStandInThroughX/01-stand-in.png"), std::string::npos) << shot;
    kiosk->key("Escape");
    ASSERT_TRUE(kiosk->wait_for_screen("done"));
    EXPECT_EQ(kiosk->exit_code_after_quit(5s), 3);
    EXPECT_NE(kiosk->stderr_text().find("stand-in done"), std::string::npos);

    const std::string xev = testing::detail::read_text_file(kiosk->dir() / "xev.txt");
    std::vector<XKey> keys;   // xdotool holds shift for an upper-case letter: not a key of the text
    for (const XKey& key : key_presses(xev))
        if (!key.keysym.starts_with("Shift")) keys.push_back(key);
    std::string typed;
    for (const auto& key : keys) typed += key.keysym.size() == 1 ? key.keysym : "<" + key.keysym + ">";
    EXPECT_EQ(typed, "w9Z23<minus>p4<slash>a<colon>53<Return>ab<Escape>") << xev;
    if (keys.size() == 17) {
        // A few ms apart (the kiosk tells a scanner from a person by gaps under 50 ms). One gap can
        // stretch when the machine is loaded (seen: 65 ms at load 9 on 2 cores), so the median
        // decides and the largest only has to stay far below a person's.
        std::vector<long> gaps;
        std::string shown;
        for (size_t i = 1; i < 14; ++i) {
            gaps.push_back(keys[i].time - keys[i - 1].time);
            shown += std::to_string(gaps.back()) + " ";
        }
        std::sort(gaps.begin(), gaps.end());
        EXPECT_LT(gaps[gaps.size() / 2], 25) << "scanner key gaps (ms): " << shown;
        EXPECT_LT(gaps.back(), 150) << "scanner key gaps (ms): " << shown;
        EXPECT_GE(keys[15].time - keys[14].time, 150) << "a person types slowly";
    }
    EXPECT_NE(xev.find("ButtonPress event"), std::string::npos);
    std::smatch press;   // no window manager, no _NET_WM_PID on xev: root coordinates
    ASSERT_TRUE(std::regex_search(xev, press, std::regex(R"(ButtonRelease event,[^\n]*\n[^\n]*root:\((\d+),(\d+)\))")));
    EXPECT_EQ(press[1], "20");
    EXPECT_EQ(press[2], "30");
    std::vector<long> button_times;   // click: press, release; long press: press, 300 ms, release
    static const std::regex button(R"(Button(?:Press|Release) event,[^\n]*\n[^\n]*time (\d+),)");
    for (auto it = std::sregex_iterator(xev.begin(), xev.end(), button); it != std::sregex_iterator(); ++it)
        button_times.push_back(std::stol((*it)[1]));
    ASSERT_EQ(button_times.size(), 4u) << xev;
    EXPECT_GE(button_times[3] - button_times[2], 290);

    // Gone with its whole process group: the stand-in's xev child too.
    const pid_t xev_pid = std::stoi(testing::detail::read_text_file(kiosk->dir() / "xev.pid"));
    kiosk.reset();
    EXPECT_TRUE(process_gone(xev_pid));
}

TEST(UiHarness, DestructorKillsAKioskThatHangsAndItsChildren) {
    KIOSK_UI_REQUIRE_TOOLS();
    testing::TempDir bin;
    const auto fake = bin.path() / "hanging-kiosk";
    std::ofstream(fake) << "#!/bin/sh\ntrap '' TERM\nsleep 1000 &\necho $! > \"$KIOSK_TEST_DIR/child.pid\"\nwait\n";
    ::chmod(fake.c_str(), 0755);
    testing::XvfbDisplay display({.width = 320, .height = 240});
    pid_t child = 0;
    const auto start = std::chrono::steady_clock::now();
    {
        testing::KioskUnderTest kiosk(display, {.env = {{"KIOSK_TEST_DIR", bin.path().string()}}, .program = fake});
        while (!std::filesystem::exists(bin.path() / "child.pid")) std::this_thread::sleep_for(5ms);
        std::this_thread::sleep_for(20ms);
        child = std::stoi(testing::detail::read_text_file(bin.path() / "child.pid"));
        EXPECT_TRUE(kiosk.running());
    }
    EXPECT_TRUE(process_gone(child));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(UiHarness, AWaitEndsWhenTheKioskExits) {
    KIOSK_UI_REQUIRE_TOOLS();
    testing::TempDir bin;
    const auto fake = bin.path() / "crashing-kiosk";
    std::ofstream(fake) << "#!/bin/sh\necho 'kiosk: no GL context' >&2\nexit 2\n";
    ::chmod(fake.c_str(), 0755);
    testing::XvfbDisplay display({.width = 320, .height = 240});
    testing::KioskUnderTest kiosk(display, {.program = fake});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_NONFATAL_FAILURE(
        {
            testing::KioskUnderTest& k = kiosk;
            EXPECT_FALSE(k.wait_for_event("ready", 20s));
        },
        "no GL context");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(kiosk.exit_code_after_quit(1s), 2);
}

} // namespace
} // namespace kiosk
