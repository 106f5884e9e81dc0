#include "kiosk/ui/chrome.h"

#include "render/theme.h"

namespace kiosk::ui {

namespace {

// Languages, large text and read aloud, left to right from `x`; returns the width used.
float draw_tools(UiContext& ui, ImVec2 at, float height, bool measure_only = false) {
    const float gap = ui.u() * 0.3f;
    float x = at.x;
    for (const auto& [code, name] : ui.languages) {
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

Area draw_chrome(UiContext& ui) {
    const render::Palette& colors = render::palette();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float u = ui.u();
    const float bar = std::max(render::kMinTouchTarget, u * 1.8f);
    const float margin = u * 0.6f;
    Area content{{margin, margin}, {ui.size.x - margin, ui.size.y - margin}};

    // Top: the event's name, and in landscape the tools on the right.
    if (!ui.status.event_name.empty()) {
        render::draw_text_at(draw, {staff_corner(ui).max.x, margin + (bar - ui.fonts.px(render::FontRole::body)) / 2},
                             ui.status.event_name, {render::FontRole::body, colors.text_muted});
    }
    if (!ui.portrait()) {
        const float tools = draw_tools(ui, {0, 0}, bar, true);
        draw_tools(ui, {ui.size.x - margin - tools, margin}, bar);
    }
    content.min.y = margin + bar + margin;

    // Bottom: call staff, always bottom right; portrait: the tools above it.
    const float help_w = std::max(u * 7, render::measure_text(ui.tr("Call staff"), {}).x + u * 2);
    const float help_h = std::max(render::kMinTouchTarget, u * 2.2f);
    ImGui::SetCursorScreenPos({ui.size.x - margin - help_w, ui.size.y - margin - help_h});
    if (attendee_screen(ui.view.screen) &&
        ui.button("help", ui.tr("Call staff"), {help_w, help_h}, render::ButtonKind::secondary))
        ui.press("help");
    content.max.y = ui.size.y - margin - help_h - margin;
    if (ui.portrait()) {
        const float tools = draw_tools(ui, {0, 0}, bar, true);
        draw_tools(ui, {(ui.size.x - tools) / 2, content.max.y - bar}, bar);
        content.max.y -= bar + margin;
    }
    if (ui.view.help_requested && attendee_screen(ui.view.screen)) {
        const std::string banner = ui.tr("Staff is on the way");
        render::draw_text_at(draw, {margin, ui.size.y - margin - help_h + (help_h - ui.fonts.px(render::FontRole::body)) / 2},
                             banner, {render::FontRole::body, colors.warning});
        ui.spoken.push_back(banner);
    }
    return content;
}

} // namespace kiosk::ui
