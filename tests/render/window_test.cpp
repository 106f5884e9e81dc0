// The real window under a private Xvfb: text in five scripts read back from a screenshot, a button
// clicked with real X input (xdotool), typed text with its timing, touches, drag-scrolling.
// Screenshots stay in /tmp/kiosk-render-tests for a person to look at.
#include <gtest/gtest.h>

#include <SDL.h>

#include <algorithm>
#include <cfloat>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "image/png.h"
#include "render/text.h"
#include "render/texture.h"
#include "render/theme.h"
#include "render/widgets.h"
#include "render/window.h"
#include "tests/render/xvfb.h"
#include "tests/support/subprocess.h"

namespace kiosk::render {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path kShots = "/tmp/kiosk-render-tests";

class WindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        // The screen is the window's size, so the window sits at (0, 0) and xdotool's screen
        // coordinates are window coordinates.
        auto started = testing::Xvfb::start("1280x720x24");
        if (!started) GTEST_SKIP() << "Xvfb is not available";
        xvfb_.emplace(std::move(*started));
        fs::create_directories(kShots);
        WindowOptions options;
        options.fullscreen = false;
        options.width = 1280;
        options.height = 720;
        options.vsync = false;
        auto window = Window::open(options);
        ASSERT_TRUE(window) << window.error();
        window_ = std::move(*window);
    }
    void TearDown() override {
        window_.reset();
        xvfb_.reset();
    }

    // One frame with a full-window ImGui panel; `draw` fills it.
    FrameInput frame(const std::function<void()>& draw) {
        FrameInput input = window_->begin_frame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
        ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
        draw();
        ImGui::End();
        window_->end_frame();
        return input;
    }

    Image screenshot(const std::string& name) {
        const fs::path path = kShots / (name + ".png");
        auto saved = window_->save_screenshot(path);
        EXPECT_TRUE(saved) << saved.error();
        auto image = read_png(path.string());
        EXPECT_TRUE(image) << image.error();
        return image ? std::move(*image) : Image();
    }

    std::optional<testing::Xvfb> xvfb_;
    std::unique_ptr<Window> window_;
};

// Pixels in the box that differ clearly from the background colour.
int ink_pixels(const Image& image, ImVec2 min, ImVec2 max) {
    const ImU32 bg = palette().background;
    const int br = static_cast<int>(bg & 0xFF), bgg = static_cast<int>((bg >> 8) & 0xFF), bb = static_cast<int>((bg >> 16) & 0xFF);
    int count = 0;
    const int channels = bytes_per_pixel(image.format());
    for (int y = std::max(0, static_cast<int>(min.y)); y < std::min(image.height(), static_cast<int>(max.y)); ++y)
        for (int x = std::max(0, static_cast<int>(min.x)); x < std::min(image.width(), static_cast<int>(max.x)); ++x) {
            const uint8_t* p = image.data() + static_cast<size_t>(y) * image.stride() + static_cast<size_t>(x) * channels;
            // read_png gives bgr24 for colour images.
            const int b = p[0], g = p[1], r = p[2];
            if (std::abs(r - br) + std::abs(g - bgg) + std::abs(b - bb) > 90) ++count;
        }
    return count;
}

TEST_F(WindowTest, TextInFiveScriptsReachesTheScreen) {
    struct Sample {
        std::string text;
        FontRole role;
        ImVec2 pos;
        ImVec2 size{};
    };
    std::vector<Sample> samples = {
        {"مرحبا يوسف", FontRole::huge, {60, 40}},
        {"שלום דניאל", FontRole::large, {60, 180}},
        {"刘娜", FontRole::huge, {60, 290}},
        {"Наталія Бойко", FontRole::large, {60, 420}},
        {"Γιώργος Παπαδόπουλος", FontRole::body, {60, 530}},
        {"Welcome, يوسف العلي!", FontRole::body, {60, 600}},
    };
    // The first frame meets CJK, Cyrillic and Greek not yet in the atlas: pango draws them and the
    // atlas gets them for the next frame.
    for (int i = 0; i < 3; ++i)
        frame([&] {
            for (Sample& s : samples) {
                const TextStyle style{.role = s.role};
                s.size = measure_text(s.text, style);
                draw_text_at(ImGui::GetWindowDrawList(), s.pos, s.text, style);
            }
            draw_text_at(ImGui::GetWindowDrawList(), {700, 40}, "مرحبا", TextStyle{.role = FontRole::huge, .color = palette().success, .wrap_width = 500, .align = Align::right});
        });
    EXPECT_FALSE(window_->fonts().rebuild_pending());
    EXPECT_NE(window_->fonts().get(FontRole::huge)->FindGlyphNoFallback(u'刘'), nullptr);

    const Image shot = screenshot("scripts");
    ASSERT_EQ(shot.width(), 1280);
    ASSERT_EQ(shot.height(), 720);
    for (const Sample& s : samples) {
        ASSERT_GT(s.size.x, 10) << s.text;
        const ImVec2 max(s.pos.x + s.size.x, s.pos.y + s.size.y);
        const int ink = ink_pixels(shot, s.pos, max);
        const float area = s.size.x * s.size.y;
        EXPECT_GT(ink, area * 0.03) << s.text << ": " << ink << " inked of " << area;
        // Nothing spills far to the right of the measured box.
        EXPECT_LT(ink_pixels(shot, ImVec2(max.x + 8, s.pos.y), ImVec2(max.x + 200, max.y)), 5) << s.text;
    }
    // Right-aligned in its 500 px block: ink at the right, none at the left.
    EXPECT_GT(ink_pixels(shot, {1000, 40}, {1200, 140}), 200);
    EXPECT_LT(ink_pixels(shot, {700, 40}, {950, 140}), 5);
    std::printf("[ measure  ] font rebuild with the new glyphs, bake + upload: %.1f ms\n", window_->last_font_rebuild_ms());
}

TEST_F(WindowTest, TextColourHasCleanEdges) {
    // Straight alpha done right: a white glyph's edge pixels lie between background and white,
    // never darker than the background (premultiplied colour blended as straight alpha goes dark).
    for (int i = 0; i < 2; ++i)
        frame([&] {
            draw_text_at(ImGui::GetWindowDrawList(), {100, 100}, "مرحبا", TextStyle{.role = FontRole::huge});
            draw_text_at(ImGui::GetWindowDrawList(), {100, 300}, "مرحبا", TextStyle{.role = FontRole::huge, .color = IM_COL32(255, 60, 60, 255)});
        });
    const Image shot = screenshot("edges");
    const ImU32 bg = palette().background;
    const int bg_sum = static_cast<int>((bg & 0xFF) + ((bg >> 8) & 0xFF) + ((bg >> 16) & 0xFF));
    int edge = 0, darker = 0, red_tinted = 0, red_inked = 0;
    for (int y = 100; y < 260; ++y)
        for (int x = 100; x < 500; ++x) {
            const uint8_t* p = shot.data() + static_cast<size_t>(y) * shot.stride() + static_cast<size_t>(x) * 3;
            const int sum = p[0] + p[1] + p[2];
            if (sum > bg_sum + 30 && sum < 3 * 255 - 30) ++edge;
            if (sum < bg_sum - 6) ++darker;
            EXPECT_LE(std::abs(p[0] - p[2]), 12);   // white text stays grey at the edges
        }
    for (int y = 300; y < 460; ++y)
        for (int x = 100; x < 500; ++x) {
            const uint8_t* p = shot.data() + static_cast<size_t>(y) * shot.stride() + static_cast<size_t>(x) * 3;
            if (p[2] > 120) {
                ++red_inked;
                if (p[2] > p[1] + 60) ++red_tinted;
            }
        }
    EXPECT_GT(edge, 50);                     // antialiased
    EXPECT_EQ(darker, 0);
    EXPECT_GT(red_inked, 200);
    EXPECT_EQ(red_tinted, red_inked);        // tinted red, not white
}

TEST_F(WindowTest, ButtonClickedWithRealXInputFiresOnceAndDoesNotStayLit) {
    int fired = 0;
    bool hovered_after = true;
    ImVec2 min, max;
    auto draw = [&] {
        ImGui::SetCursorScreenPos(ImVec2(400, 300));
        if (Button("ok", "OK", ImVec2(300, 120), ButtonLook{.kind = ButtonKind::secondary})) ++fired;
        min = ImGui::GetItemRectMin();
        max = ImGui::GetItemRectMax();
        hovered_after = ImGui::IsItemHovered() || ImGui::IsItemActive();
    };
    for (int i = 0; i < 3; ++i) frame(draw);
    auto result = testing::run_process({"xdotool", "mousemove", "--sync", "550", "360", "click", "1"});
    ASSERT_EQ(result.exit_code(), 0) << result.err;
    for (int i = 0; i < 12; ++i) {
        frame(draw);
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(fired, 1);
    EXPECT_FALSE(hovered_after);
    EXPECT_EQ(ImGui::GetIO().MousePos.x, -FLT_MAX);
    // Unlit: the button's fill is back to the surface colour after the click.
    const Image shot = screenshot("button-after-click");
    const uint8_t* p = shot.data() + static_cast<size_t>(310) * shot.stride() + static_cast<size_t>(410) * 3;
    const ImU32 surface = palette().surface;
    EXPECT_NEAR(p[2], static_cast<int>(surface & 0xFF), 3);
    EXPECT_NEAR(p[1], static_cast<int>((surface >> 8) & 0xFF), 3);
    EXPECT_NEAR(p[0], static_cast<int>((surface >> 16) & 0xFF), 3);
    (void)min;
    (void)max;
}

TEST_F(WindowTest, TouchTapIsOnePressOnTheTappedButton) {
    // A finger on X11 arrives as finger events plus mouse events SDL makes from them; pushed here
    // as SDL would, all between two frames (the quickest tap).
    int left = 0, right = 0;
    auto draw = [&] {
        ImGui::SetCursorScreenPos(ImVec2(100, 100));
        if (Button("left", "Left", ImVec2(300, 150), {})) ++left;
        ImGui::SetCursorScreenPos(ImVec2(700, 100));
        if (Button("right", "Right", ImVec2(300, 150), {})) ++right;
    };
    for (int i = 0; i < 2; ++i) frame(draw);
    auto push_finger = [](Uint32 type, float x, float y) {
        SDL_Event e{};
        e.type = type;
        e.tfinger.touchId = 1;
        e.tfinger.fingerId = 7;
        e.tfinger.x = x / 1280.0f;
        e.tfinger.y = y / 720.0f;
        SDL_PushEvent(&e);
    };
    auto push_touch_mouse = [](Uint32 type, int x, int y) {
        SDL_Event e{};
        e.type = type;
        e.button.which = SDL_TOUCH_MOUSEID;
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = x;
        e.button.y = y;
        SDL_PushEvent(&e);
    };
    push_finger(SDL_FINGERDOWN, 850, 170);
    push_touch_mouse(SDL_MOUSEBUTTONDOWN, 850, 170);
    push_finger(SDL_FINGERUP, 850, 170);
    push_touch_mouse(SDL_MOUSEBUTTONUP, 850, 170);
    const FrameInput input = frame(draw);
    EXPECT_TRUE(input.pointer_activity);
    for (int i = 0; i < 5; ++i) frame(draw);
    EXPECT_EQ(right, 1);
    EXPECT_EQ(left, 0);
    // A second tap right away on the other button: no "first tap only focuses" effect.
    push_finger(SDL_FINGERDOWN, 250, 170);
    push_finger(SDL_FINGERUP, 250, 170);
    for (int i = 0; i < 6; ++i) frame(draw);
    EXPECT_EQ(left, 1);
    EXPECT_EQ(right, 1);
}

TEST_F(WindowTest, DragScrollsAListAndIsNoClick) {
    int clicked = -1;
    float scroll = 0;
    auto draw = [&] {
        ImGui::SetCursorScreenPos(ImVec2(100, 50));
        ImGui::BeginChild("list", ImVec2(600, 600), false, ImGuiWindowFlags_NoMove);
        DragScroll();
        for (int i = 0; i < 30; ++i)
            if (Button(("row" + std::to_string(i)).c_str(), "Row " + std::to_string(i), ImVec2(560, 100), {})) clicked = i;
        scroll = ImGui::GetScrollY();
        ImGui::EndChild();
    };
    for (int i = 0; i < 2; ++i) frame(draw);
    auto xdotool = [](std::vector<std::string> args) {
        args.insert(args.begin(), "xdotool");
        auto result = testing::run_process(args);
        EXPECT_EQ(result.exit_code(), 0) << result.err;
    };
    xdotool({"mousemove", "--sync", "400", "500"});
    for (int i = 0; i < 3; ++i) frame(draw);
    xdotool({"mousedown", "1"});
    for (int i = 0; i < 3; ++i) frame(draw);
    for (int y = 480; y >= 200; y -= 40) {
        xdotool({"mousemove", "--sync", "400", std::to_string(y)});
        for (int i = 0; i < 2; ++i) frame(draw);
    }
    xdotool({"mouseup", "1"});
    for (int i = 0; i < 5; ++i) frame(draw);
    EXPECT_EQ(clicked, -1);
    EXPECT_NEAR(scroll, 300, 20);
    // A plain click in the list still clicks.
    xdotool({"mousemove", "--sync", "400", "160", "click", "1"});
    for (int i = 0; i < 6; ++i) frame(draw);
    EXPECT_GE(clicked, 0);
}

TEST_F(WindowTest, TypedTextArrivesOnePerKeyWithItsTiming) {
    for (int i = 0; i < 2; ++i) frame([] {});
    std::vector<TextTyped> typed;
    std::vector<KeyPress> keys;
    auto collect = [&](const FrameInput& input) {
        for (const InputEvent& event : input.events) {
            if (const auto* t = std::get_if<TextTyped>(&event)) typed.push_back(*t);
            if (const auto* k = std::get_if<KeyPress>(&event)) keys.push_back(*k);
        }
    };
    auto type = [&](const std::string& text, int delay_ms) {
        typed.clear();
        keys.clear();
        auto xdotool = testing::start_process({"xdotool", "type", "--delay", std::to_string(delay_ms), text});
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (typed.size() < text.size() && std::chrono::steady_clock::now() < deadline) {
            collect(frame([] {}));
            std::this_thread::sleep_for(2ms);
        }
        EXPECT_EQ(xdotool.finish().exit_code(), 0);
        for (int i = 0; i < 3; ++i) collect(frame([] {}));
    };

    type("4006381333931", 8);               // a keyboard wedge: fast
    ASSERT_EQ(typed.size(), 13u);
    std::string joined;
    for (const auto& t : typed) joined += t.utf8;
    EXPECT_EQ(joined, "4006381333931");
    const auto wedge_span = typed.back().when - typed.front().when;
    EXPECT_LT(wedge_span, 12 * 45ms);       // every gap well under 50 ms on average

    for (size_t i = 1; i < typed.size(); ++i) EXPECT_GE(typed[i].when, typed[i - 1].when);

    // A person: slow. xdotool's real spacing for --delay 300 measured ~150 ms here; what matters
    // is that the gap is clearly above the wedge detector's 50 ms.
    type("hi", 300);
    ASSERT_EQ(typed.size(), 2u);
    const auto gap = typed[1].when - typed[0].when;
    EXPECT_GT(gap, 100ms);
    EXPECT_LT(gap, 600ms);

    // Keys for the app's focus model.
    keys.clear();
    auto result = testing::run_process({"xdotool", "key", "Tab", "shift+Tab", "Return", "Escape", "Down", "F12"});
    ASSERT_EQ(result.exit_code(), 0);
    for (int i = 0; i < 5; ++i) collect(frame([] {}));
    std::vector<KeyPress> focus;
    for (const auto& k : keys)
        if (k.key != Key::other) focus.push_back(k);
    ASSERT_EQ(focus.size(), 6u);
    EXPECT_EQ(focus[0].key, Key::tab);
    EXPECT_FALSE(focus[0].shift);
    EXPECT_EQ(focus[1].key, Key::tab);
    EXPECT_TRUE(focus[1].shift);
    EXPECT_EQ(focus[2].key, Key::enter);
    EXPECT_EQ(focus[3].key, Key::escape);
    EXPECT_EQ(focus[4].key, Key::down);
    EXPECT_EQ(focus[5].key, Key::f12);
}

TEST_F(WindowTest, WidgetsLook) {
    // Not asserted pixel by pixel: a screenshot of every widget kind for a person to look at,
    // plus a texture from an image and the focus ring's presence.
    Texture texture;
    Image gradient(256, 64, PixelFormat::bgr24);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 256; ++x) {
            uint8_t* p = gradient.row(y) + x * 3;
            p[0] = static_cast<uint8_t>(x);
            p[1] = static_cast<uint8_t>(y * 4);
            p[2] = 255;
        }
    for (int i = 0; i < 3; ++i)
        frame([&] {
            texture.update(gradient.view());
            ImGui::SetCursorScreenPos(ImVec2(40, 40));
            Button("p", "Check in", ImVec2(300, 100), {.kind = ButtonKind::primary, .role = FontRole::large});
            ImGui::SameLine();
            Button("s", "Help", ImVec2(200, 100), {.kind = ButtonKind::secondary, .focused = true});
            ImGui::SameLine();
            Button("d", "Cancel", ImVec2(220, 100), {.kind = ButtonKind::danger});
            ImGui::SameLine();
            Button("ar", "العربية", ImVec2(220, 100), {.kind = ButtonKind::option, .selected = true});
            ImGui::SetCursorScreenPos(ImVec2(40, 200));
            for (const char* k : {"Q", "W", "E", "R", "T", "Y"}) {
                Button(k, k, ImVec2(90, 90), {.kind = ButtonKind::key});
                ImGui::SameLine();
            }
            ImGui::NewLine();
            ImGui::SetCursorScreenPos(ImVec2(40, 330));
            ProgressBar(0.6f, ImVec2(600, 24), palette().success);
            ImGui::SetCursorScreenPos(ImVec2(40, 380));
            draw_text("A long line of body text that wraps inside its block, centred, as a paragraph on the welcome screen does.",
                      {.color = palette().text_muted, .wrap_width = 600, .align = Align::center});
            ImGui::SetCursorScreenPos(ImVec2(700, 330));
            ImGui::Image(texture.id(), ImVec2(512, 128));
        });
    const Image shot = screenshot("widgets");
    const ImU32 focus = palette().focus;
    int ring = 0;
    for (int y = 20; y < 160; ++y)
        for (int x = 330; x < 580; ++x) {
            const uint8_t* p = shot.data() + static_cast<size_t>(y) * shot.stride() + static_cast<size_t>(x) * 3;
            if (std::abs(p[2] - static_cast<int>(focus & 0xFF)) < 8 && std::abs(p[1] - static_cast<int>((focus >> 8) & 0xFF)) < 8) ++ring;
        }
    EXPECT_GT(ring, 500);                   // a thick ring around the focused button
    EXPECT_EQ(texture.width(), 256);
}

TEST_F(WindowTest, FiveHundredCjkGlyphsRebuildInsideAFrame) {
    frame([] {});
    std::string text;
    for (char32_t cp = 0x4E00; cp < 0x4E00 + 500; ++cp) {
        text += static_cast<char>(0xE0 | (cp >> 12));
        text += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        text += static_cast<char>(0x80 | (cp & 0x3F));
    }
    window_->fonts().add_glyphs(text);
    ASSERT_TRUE(window_->fonts().rebuild_pending());
    frame([&] { draw_text(text.substr(0, 60), {.role = FontRole::huge}); });
    EXPECT_FALSE(window_->fonts().rebuild_pending());
    EXPECT_NE(window_->fonts().get(FontRole::huge)->FindGlyphNoFallback(static_cast<ImWchar>(0x4E00 + 499)), nullptr);
    EXPECT_EQ(shaped_cache_stats().renders, 0u);   // all from the atlas, no pango fallback
    std::printf("[ measure  ] 500 CJK glyphs at 720p, bake + upload in begin_frame: %.1f ms\n", window_->last_font_rebuild_ms());
    window_->fonts().set_scale(1.4f);
    frame([&] { draw_text(text.substr(0, 60), {.role = FontRole::huge}); });
    std::printf("[ measure  ] the same in large-text mode (x1.4): %.1f ms\n", window_->last_font_rebuild_ms());
    const Image shot = screenshot("cjk-500");
    EXPECT_GT(ink_pixels(shot, {0, 0}, {1280, 200}), 2000);
}

TEST(WindowOpen, FailsCleanlyWithoutADisplay) {
    const char* saved = std::getenv("DISPLAY");
    const std::string previous = saved != nullptr ? saved : "";
    ::setenv("DISPLAY", ":9999", 1);
    ::setenv("SDL_VIDEODRIVER", "x11", 1);
    WindowOptions options;
    options.fullscreen = false;
    auto window = Window::open(options);
    EXPECT_FALSE(window);
    if (!window) {
        EXPECT_FALSE(window.error().empty());
    }
    if (saved != nullptr) ::setenv("DISPLAY", previous.c_str(), 1);
}

} // namespace
} // namespace kiosk::render
