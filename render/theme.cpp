#include "render/theme.h"

#include <algorithm>
#include <cmath>

#include "render/current.h"
#include "render/fonts.h"

namespace kiosk::render {

namespace {

constexpr ImU32 rgb(unsigned hex) { return IM_COL32((hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, 0xFF); }

// Light, desaturated accents on a near-black ground: the fills of primary and danger buttons are
// light, so their labels are dark (white on a saturated blue or red never reaches 7:1).
constexpr Palette kDark{
    .background = rgb(0x0B0E13),
    .surface = rgb(0x1E2530),
    .text = rgb(0xFFFFFF),
    .text_muted = rgb(0xC9D1DB),
    .primary = rgb(0x8FCBFF),
    .primary_text = rgb(0x0B0E13),
    .danger = rgb(0xFFABA3),
    .danger_text = rgb(0x2A0000),
    .success = rgb(0x7EE2A0),
    .warning = rgb(0xFFD37A),
    .focus = rgb(0xFFF04D),
};

double linear(unsigned channel) {
    const double c = channel / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(ImU32 color) {
    return 0.2126 * linear((color >> IM_COL32_R_SHIFT) & 0xFF) + 0.7152 * linear((color >> IM_COL32_G_SHIFT) & 0xFF) +
           0.0722 * linear((color >> IM_COL32_B_SHIFT) & 0xFF);
}

ImVec4 vec(ImU32 color, float alpha = 1.0f) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(color);
    v.w = alpha;
    return v;
}

} // namespace

const Palette& palette() { return kDark; }

double contrast_ratio(ImU32 a, ImU32 b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

void apply_theme() {
    const Current* now = current();
    const float font = now != nullptr && now->fonts != nullptr ? now->fonts->px(FontRole::body) : 40.0f;
    const Palette& p = palette();
    ImGuiStyle style;                       // from ImGui's defaults each time: no drift across rebuilds
    ImGui::StyleColorsDark(&style);
    style.WindowRounding = 0;               // full-screen panels
    style.ChildRounding = std::round(font * 0.3f);
    style.FrameRounding = std::round(font * 0.3f);
    style.PopupRounding = std::round(font * 0.3f);
    style.GrabRounding = std::round(font * 0.3f);
    style.ScrollbarRounding = std::round(font * 0.3f);
    style.WindowPadding = ImVec2(std::round(font * 1.0f), std::round(font * 1.0f));
    style.FramePadding = ImVec2(std::round(font * 0.5f), std::round(font * 0.35f));
    style.ItemSpacing = ImVec2(std::round(font * 0.5f), std::round(font * 0.5f));
    style.ItemInnerSpacing = ImVec2(std::round(font * 0.25f), std::round(font * 0.25f));
    style.ScrollbarSize = std::round(font * 0.6f);
    style.GrabMinSize = std::round(font * 1.0f);
    style.WindowBorderSize = 0;
    style.ChildBorderSize = 0;
    style.FrameBorderSize = 0;
    style.TouchExtraPadding = ImVec2(0, 0);

    ImVec4* c = style.Colors;
    c[ImGuiCol_Text] = vec(p.text);
    c[ImGuiCol_TextDisabled] = vec(p.text_muted);
    c[ImGuiCol_WindowBg] = vec(p.background);
    c[ImGuiCol_ChildBg] = vec(p.background, 0.0f);
    c[ImGuiCol_PopupBg] = vec(p.surface);
    c[ImGuiCol_Border] = vec(p.text_muted, 0.5f);
    c[ImGuiCol_FrameBg] = vec(p.surface);
    c[ImGuiCol_FrameBgHovered] = vec(p.surface);   // nothing changes on hover: a finger does not hover
    c[ImGuiCol_FrameBgActive] = vec(p.primary, 0.35f);
    c[ImGuiCol_Button] = vec(p.surface);
    c[ImGuiCol_ButtonHovered] = vec(p.surface);
    c[ImGuiCol_ButtonActive] = vec(p.primary, 0.45f);
    c[ImGuiCol_Header] = vec(p.primary, 0.35f);
    c[ImGuiCol_HeaderHovered] = vec(p.primary, 0.35f);
    c[ImGuiCol_HeaderActive] = vec(p.primary, 0.5f);
    c[ImGuiCol_CheckMark] = vec(p.primary);
    c[ImGuiCol_SliderGrab] = vec(p.primary);
    c[ImGuiCol_SliderGrabActive] = vec(p.primary);
    c[ImGuiCol_ScrollbarBg] = vec(p.background, 0.0f);
    c[ImGuiCol_ScrollbarGrab] = vec(p.text_muted, 0.6f);
    c[ImGuiCol_ScrollbarGrabHovered] = vec(p.text_muted, 0.6f);
    c[ImGuiCol_ScrollbarGrabActive] = vec(p.text_muted, 0.9f);
    c[ImGuiCol_PlotHistogram] = vec(p.primary);
    c[ImGuiCol_NavHighlight] = vec(p.focus);
    c[ImGuiCol_TextSelectedBg] = vec(p.primary, 0.4f);
    ImGui::GetStyle() = style;
}

} // namespace kiosk::render
