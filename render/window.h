// The kiosk's one window: SDL2 + an OpenGL 3.3 context + the Dear ImGui context, and the input
// that feeds them (keyboard for the app's own focus model, touch and mouse for ImGui).
//
// Index of this file:
// [SECTION] Options
// [SECTION] Input of one frame
// [SECTION] Window
//
// Thread rule: a Window and everything drawn through render/ (text, widgets, textures, fonts) live
// on the UI thread that opened it. One Window at a time per process: ImGui's context is global.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <imgui.h>

#include "render/fonts.h"

namespace kiosk::render {

//-----------------------------------------------------------------------------
// [SECTION] Options
//-----------------------------------------------------------------------------

struct WindowOptions {
    std::string title = "Check-in";
    int width = 1920, height = 1080;        // windowed size; fullscreen uses the desktop size
    bool fullscreen = true;
    bool vsync = true;
    FontFiles fonts;                        // where the Noto fonts are (Debian's paths by default)
};

//-----------------------------------------------------------------------------
// [SECTION] Input of one frame
//-----------------------------------------------------------------------------
// Keyboard events reach the app as values, in order, with the moment they happened: ImGui's own
// keyboard navigation is off, the app moves its focus itself. Each key that types text gives a
// KeyPress (Key::other for letters and digits; Key::space for space) and a TextTyped, in the
// order SDL reports them. `when` is SDL's event time mapped onto steady_clock: keys typed while a
// frame was being drawn carry their own times, not the time of the poll that found them, so a
// keyboard-wedge detector can measure the gaps between keys (SDL stamps events in milliseconds).
// Touch and mouse are not here: they drive ImGui (see Window), and pointer_activity tells idle
// timers that somebody is there.

enum class Key { tab, enter, escape, up, down, left, right, backspace, space, f1, f2, f12, other };
struct KeyPress { Key key; bool shift = false; std::chrono::steady_clock::time_point when; };
struct TextTyped { std::string utf8; std::chrono::steady_clock::time_point when; };  // SDL_TEXTINPUT, one per key
using InputEvent = std::variant<KeyPress, TextTyped>;

struct FrameInput {
    std::vector<InputEvent> events;         // keyboard, in order, this frame
    bool quit = false;                      // window closed / SDL_QUIT
    bool pointer_activity = false;          // any touch or mouse press/move this frame (idle timers)
    std::chrono::steady_clock::time_point frame_start;
};

//-----------------------------------------------------------------------------
// [SECTION] Window
//-----------------------------------------------------------------------------
// open() makes the window, the GL context, the ImGui context (no imgui.ini, no keyboard
// navigation, theme applied) and bakes the fonts; any failure is a one-sentence error and nothing
// is left behind. A frame is begin_frame() ... ImGui calls ... end_frame().
//
// Touch: ImGui 1.86's SDL backend loses touches on X11 (it calls SDL_CaptureMouse every frame,
// which grabs the pointer, and the X server then stops sending touch events: no touch-up, buttons
// stay lit, tabs need two taps). This window uses the backend only for the keyboard and feeds the
// pointer itself: mouse auto-capture off, finger events in pixels, SDL's mouse events synthesized
// from touches ignored (one tap is one press), a press reaches ImGui one frame after the move
// that preceded it (so the press lands on the widget under the finger), a release one frame after
// the press, and the frame after a release the pointer leaves (nothing stays hovered or lit).

class Window {
public:
    static std::expected<std::unique_ptr<Window>, std::string> open(const WindowOptions& options);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    FrameInput begin_frame();               // polls SDL, rebuilds fonts if pending, feeds ImGui, ImGui::NewFrame()
    void end_frame();                       // ImGui::Render, draw, swap
    ImVec2 size() const;                    // drawable size in pixels
    // Reads back the last presented frame (call after end_frame) and writes a PNG. The frame is
    // drawn again from ImGui's draw data into the back buffer and read from there, which works
    // wherever the front buffer cannot be read (compositors, Xvfb).
    std::expected<void, std::string> save_screenshot(const std::filesystem::path& png) const;
    Fonts& fonts();

    double last_font_rebuild_ms() const;    // how long the latest atlas bake + upload took
    struct Impl;

private:
    explicit Window(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::render
