// What every screen draws with: the flow's view, the words in the attendee's language, sizes in
// multiples of the body font, the keyboard focus, and the sink for the events a touch or key makes.
//
// [SECTION] Focus
// [SECTION] Status the screens show
// [SECTION] UiContext
//
// Thread rule: UI thread, inside one frame.
#pragma once

#include <imgui.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/app/flow.h"
#include "kiosk/app/translations.h"
#include "netsync/sync/online_check.h"
#include "render/fonts.h"
#include "render/text.h"
#include "render/texture.h"
#include "render/widgets.h"

namespace kiosk::ui {

// [SECTION] Focus
// The keyboard focus, in reading order: controls register as they are drawn, Tab / Shift+Tab and
// the arrow keys move along that order (as it was in the last frame drawn), Enter activates the
// focused control exactly as a tap would. The focus starts nowhere on each new screen, so the
// first Tab lands on the first control.
class FocusChain {
public:
    void begin_frame();                     // a new frame: controls register again
    bool add(const std::string& id, std::string_view role);   // registers; true when focused
    void place(const std::string& id, ImVec2 min, ImVec2 max); // where the control was drawn (tests, logs)
    void move(int step);                    // +1 next, -1 previous (wraps)
    void clear() { focused_.clear(); activate_.clear(); }
    void activate() { activate_ = focused_; }  // Enter: the focused control fires this frame
    bool activated(const std::string& id) const { return !activate_.empty() && activate_ == id; }
    void end_frame() { activate_.clear(); }
    const std::string& focused() const { return focused_; }
    std::string_view focused_role() const;
    const std::string& focused_label() const { return focused_label_; }
    void set_label(const std::string& id, std::string_view label) { if (id == focused_) focused_label_ = label; }

    // The controls drawn so far in this frame (after drawing: all of them), in reading order.
    struct Entry { std::string id; std::string role; ImVec2 min{}, max{}; };
    const std::vector<Entry>& controls() const { return current_; }

private:
    std::vector<Entry> previous_, current_;
    std::string focused_, activate_, focused_label_;
};

// [SECTION] Status the screens show
struct ListChoice { int64_t id = 0; std::string name; };
struct StatusBoard {                        // the staff panel's facts, refreshed by the shell
    std::string event_name;                 // of the first selected list, in the chosen language
    std::vector<ListChoice> lists;
    bool online = false;
    bool backend = false;                   // a backend is configured at all
    std::string backend_name;               // the one it syncs with: "pretix", "Constant Contact", "Oveit", "BrightStar"
    std::string last_success;               // formatted, or ""
    int64_t pending_uploads = 0;
    std::string sync_error;
    std::optional<sync::OnlineState> scan_mode;   // nullopt: the store decides; else the server first
    std::string printer;                    // its state in words, or "" when none configured
    std::string camera;                     // its state in words
};

// [SECTION] UiContext
struct UiContext {
    const flow::FlowView& view;
    const flow::FlowSettings& settings;
    const Catalog& catalog;
    render::Fonts& fonts;
    FocusChain& focus;
    std::vector<flow::Event>& events;
    std::vector<std::string>& spoken;       // the screen's text in reading order, for "read aloud"
    const StatusBoard& status;
    const std::vector<std::pair<std::string, std::string>>& languages;   // (code, name in itself), in order
    const render::Texture* camera = nullptr;            // the live preview, or null without a camera
    std::optional<std::array<ImVec2, 4>> code_outline;  // the detected code, in camera pixels
    const render::Texture* photo = nullptr;             // the photo answer just taken
    const render::Texture* badge = nullptr;             // the badge preview
    std::chrono::steady_clock::time_point now{};
    ImVec2 size{1920, 1080};
    bool large_text = false;

    bool portrait() const { return size.y > size.x; }
    float u() const { return fonts.px(render::FontRole::body); }      // the layout unit
    std::string tr(std::string_view msgid) const { return std::string(catalog.translate(msgid)); }
    void press(std::string control) { events.push_back(flow::Pressed{std::move(control)}); }

    // Text drawn at the cursor and remembered for speech.
    void text(std::string_view utf8, render::FontRole role, ImU32 color, float wrap = 0,
              render::Align align = render::Align::left);
    // A focusable button: true when tapped or activated by Enter while focused.
    bool button(const std::string& control, std::string_view label, ImVec2 size, render::ButtonKind kind,
                std::string_view role = "button", bool selected = false,
                render::FontRole font = render::FontRole::body);
};

// "%s" / "%d" in a translated pattern replaced in order by `values` (translators move words,
// never the placeholders' order; the translations test holds them to that).
std::string format_message(std::string_view pattern, std::initializer_list<std::string_view> values);

} // namespace kiosk::ui
