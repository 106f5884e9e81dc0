#include "kiosk/ui/chrome.h"

#include <algorithm>

#include "render/theme.h"

namespace kiosk::ui {

namespace {

// Languages, large text and read aloud, left to right from `x`; returns the width used.
float draw_tools(UiContext& ui, ImVec2 at, float height, bool measure_only = false) {
    const float gap = ui.u() * 0.3f;
    float x = at.x;
    // The order's language may not be one the kiosk offers: it gets a button while it is in force.
    std::vector<std::pair<std::string, std::string>> languages = ui.languages;
    if (std::none_of(languages.begin(), languages.end(), [&](const auto& l) { return l.first == ui.view.language; }))
        languages.insert(languages.begin(), {ui.view.language, Translations::native_name(ui.view.language)});
    for (const auto& [code, name] : languages) {
        const float w = std::max(render::measure_text(name, {render::FontRole::small}).x + ui.u() * 1.2f, height * 1.6f);
        if (!measure_only) {
            ImGui::SetCursorScreenPos({x, at.y});
            if (ui.button("lang:" + code, name, {w, height}, render::ButtonKind::option, "button", ui.view.language == code,
                          render::FontRole::small))
                ui.press("lang:" + code);
        }
        x += w + gap;
    }
    const std::string large = ui.tr("Large text"), aloud = ui.tr("Read aloud");
    const float large_w = render::measure_text(large, {render::FontRole::small}).x + ui.u() * 1.2f;
    const float aloud_w = render::measure_text(aloud, {render::FontRole::small}).x + ui.u() * 1.2f;
    if (!measure_only) {
        ImGui::SetCursorScreenPos({x, at.y});
        if (ui.button("large_text", large, {large_w, height}, render::ButtonKind::option, "button", ui.large_text,
                      render::FontRole::small))
            ui.press("large_text");
        ImGui::SetCursorScreenPos({x + large_w + gap, at.y});
        if (ui.button("read_aloud", aloud, {aloud_w + ui.u(), height}, render::ButtonKind::option, "button", false,
                      render::FontRole::small))
            ui.press("read_aloud");
    }
    return x - at.x + large_w + gap + aloud_w + ui.u();
}

bool attendee_screen(flow::Screen screen) {
    return screen != flow::Screen::staff && screen != flow::Screen::staff_pin;
}

} // namespace

Area staff_corner(const UiContext& ui) { return {{0, 0}, {ui.u() * 2.5f, ui.u() * 2.5f}}; }

struct BarSizes { float margin, bar, help_w, help_h; };

BarSizes bar_sizes(const UiContext& ui) {
    const float u = ui.u();
    return {u * 0.6f, std::max(render::kMinTouchTarget, u * 1.8f),
            std::max(u * 7, render::measure_text(ui.tr("Call staff"), {}).x + u * 2),
            std::max(render::kMinTouchTarget, u * 2.2f)};
}

Area content_area(const UiContext& ui) {
    const BarSizes s = bar_sizes(ui);
    Area content{{s.margin, s.margin + s.bar + s.margin}, {ui.size.x - s.margin, ui.size.y - s.margin - s.help_h - s.margin}};
    if (ui.portrait()) content.max.y -= s.bar + s.margin;
    return content;
}

void draw_top_bar(UiContext& ui) {
    const render::Palette& colors = render::palette();
    const BarSizes s = bar_sizes(ui);
    if (!ui.status.event_name.empty()) {
        render::draw_text_at(ImGui::GetWindowDrawList(),
                             {staff_corner(ui).max.x, s.margin + (s.bar - ui.fonts.px(render::FontRole::body)) / 2},
                             ui.status.event_name, {render::FontRole::body, colors.text_muted});
    }
    if (!ui.portrait()) {
        const float tools = draw_tools(ui, {0, 0}, s.bar, true);
        draw_tools(ui, {ui.size.x - s.margin - tools, s.margin}, s.bar);
    }
}

// Call staff, always bottom right; in portrait the tools above it, where a hand reaches them.
void draw_bottom_bar(UiContext& ui) {
    const render::Palette& colors = render::palette();
    const BarSizes s = bar_sizes(ui);
    const Area content = content_area(ui);
    if (ui.portrait()) {
        const float tools = draw_tools(ui, {0, 0}, s.bar, true);
        draw_tools(ui, {(ui.size.x - tools) / 2, content.max.y + s.margin}, s.bar);
    }
    const bool attendee = attendee_screen(ui.view.screen);
    if (attendee && ui.view.help_requested) {
        const std::string banner = ui.tr("Staff is on the way");
        render::draw_text_at(ImGui::GetWindowDrawList(),
                             {s.margin, ui.size.y - s.margin - s.help_h + (s.help_h - ui.fonts.px(render::FontRole::body)) / 2},
                             banner, {render::FontRole::body, colors.warning});
        ui.spoken.push_back(banner);
    }
    ImGui::SetCursorScreenPos({ui.size.x - s.margin - s.help_w, ui.size.y - s.margin - s.help_h});
    if (attendee && ui.button("help", ui.tr("Call staff"), {s.help_w, s.help_h}, render::ButtonKind::secondary))
        ui.press("help");
}

} // namespace kiosk::ui
