#define IMGUI_DEFINE_MATH_OPERATORS  // ImVec2 arithmetic from imgui_internal.h
#include "render/widgets.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "render/current.h"
#include "render/text.h"
#include "render/theme.h"

namespace kiosk::render {

namespace {

// One pointer, so one answer to "did the current press turn into a scroll?", for every button.
// Set when a drag passes the threshold, cleared by the next press.
bool g_press_became_drag = false;

ImU32 mix(ImU32 a, ImU32 b, float t) {
    const ImVec4 x = ImGui::ColorConvertU32ToFloat4(a), y = ImGui::ColorConvertU32ToFloat4(b);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(x.x + (y.x - x.x) * t, x.y + (y.y - x.y) * t, x.z + (y.z - x.z) * t, 1.0f));
}

float body_px() {
    const Current* now = current();
    return now != nullptr && now->fonts != nullptr ? now->fonts->px(FontRole::body) : ImGui::GetFontSize();
}

struct Colors {
    ImU32 fill, text, border;
};

Colors colors_for(const ButtonLook& look) {
    const Palette& p = palette();
    switch (look.kind) {
    case ButtonKind::primary: return {p.primary, p.primary_text, 0};
    case ButtonKind::danger: return {p.danger, p.danger_text, 0};
    case ButtonKind::option:
    case ButtonKind::key:
        if (look.selected) return {p.primary, p.primary_text, 0};
        return {p.surface, p.text, p.text_muted};
    case ButtonKind::secondary: return {p.surface, p.text, p.text_muted};
    }
    return {p.surface, p.text, p.text_muted};
}

} // namespace

bool Button(const char* id, std::string_view label, ImVec2 size, const ButtonLook& look) {
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    if (window->SkipItems) return false;
    size.x = std::max(std::round(size.x), kMinTouchTarget);
    size.y = std::max(std::round(size.y), kMinTouchTarget);
    const ImGuiID item = window->GetID(id);
    const ImRect box(window->DC.CursorPos, window->DC.CursorPos + size);
    ImGui::ItemSize(size);
    if (!ImGui::ItemAdd(box, item)) return false;

    bool hovered = false, held = false;
    bool pressed = ImGui::ButtonBehavior(box, item, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
    if (g_press_became_drag) pressed = false;

    Colors colors = colors_for(look);
    if (held && hovered) {
        // Pressed: light fills darken, dark fills lighten, labels keep their contrast.
        const bool light_fill = contrast_ratio(colors.fill, IM_COL32_BLACK) > contrast_ratio(colors.fill, IM_COL32_WHITE);
        colors.fill = mix(colors.fill, light_fill ? IM_COL32_BLACK : IM_COL32_WHITE, light_fill ? 0.22f : 0.15f);
    }
    const float rounding = ImGui::GetStyle().FrameRounding;
    ImDrawList* list = window->DrawList;
    list->AddRectFilled(box.Min, box.Max, colors.fill, rounding);
    if (colors.border != 0) list->AddRect(box.Min, box.Max, colors.border, rounding, 0, std::max(2.0f, std::round(body_px() * 0.05f)));
    if (look.selected && look.kind == ButtonKind::option) {
        const float inset = std::round(body_px() * 0.1f);
        list->AddRect(box.Min + ImVec2(inset, inset), box.Max - ImVec2(inset, inset), palette().primary_text, rounding, 0, 2.0f);
    }

    const float pad = std::round(body_px() * 0.4f);
    TextStyle style{.role = look.role, .color = colors.text, .wrap_width = std::max(1.0f, size.x - 2 * pad), .align = Align::center};
    const ImVec2 text = measure_text(label, style);
    const ImVec2 at(box.Min.x + pad, std::round(box.Min.y + (size.y - text.y) * 0.5f));
    list->PushClipRect(box.Min, box.Max, true);
    draw_text_at(list, at, label, style);
    list->PopClipRect();

    if (look.focused) FocusRing(box.Min, box.Max);
    return pressed;
}

bool DragScroll() {
    ImGuiContext& g = *GImGui;
    ImGuiWindow* window = g.CurrentWindow;
    const ImGuiIO& io = g.IO;
    ImGuiStorage* storage = &window->StateStorage;
    const ImGuiID armed_key = window->GetID("##drag_scroll_armed");
    const ImGuiID dragging_key = window->GetID("##drag_scroll_dragging");

    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        g_press_became_drag = false;
        // At the press frame no item is active yet; the press belongs to this window when the
        // pointer is over it or one of its children.
        const bool inside = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
        storage->SetBool(armed_key, inside);
        storage->SetBool(dragging_key, false);
    }
    if (!io.MouseDown[ImGuiMouseButton_Left]) {
        storage->SetBool(armed_key, false);
        storage->SetBool(dragging_key, false);
        return false;
    }
    if (!storage->GetBool(armed_key)) return false;

    const ImVec2 moved = io.MousePos - io.MouseClickedPos[ImGuiMouseButton_Left];
    bool dragging = storage->GetBool(dragging_key);
    ImVec2 delta = io.MouseDelta;
    if (!dragging && moved.x * moved.x + moved.y * moved.y > kDragThreshold * kDragThreshold) {
        dragging = true;
        storage->SetBool(dragging_key, true);
        g_press_became_drag = true;
        delta = moved;                      // the content catches up with the finger at once
    }
    if (!dragging) return false;
    // The press is a scroll now: whatever it activated (a button under the finger, the window's
    // move) lets go, so it neither fires on release nor stays lit.
    if (g.ActiveId != 0) ImGui::ClearActiveID();
    if (window->ScrollMax.y > 0) ImGui::SetScrollY(window->Scroll.y - delta.y);
    if (window->ScrollMax.x > 0) ImGui::SetScrollX(window->Scroll.x - delta.x);
    return true;
}

void FocusRing(ImVec2 min, ImVec2 max) {
    ImDrawList* list = ImGui::GetWindowDrawList();
    const float thickness = std::max(4.0f, std::round(body_px() * 0.12f));
    const float rounding = ImGui::GetStyle().FrameRounding;
    const float gap = std::round(thickness * 0.5f);
    // A bright ring outside the target and a dark one just inside it: visible on a dark screen,
    // on a light button fill and for people who cannot tell colours apart.
    list->PushClipRectFullScreen();
    list->AddRect(min - ImVec2(gap + thickness * 0.5f, gap + thickness * 0.5f), max + ImVec2(gap + thickness * 0.5f, gap + thickness * 0.5f),
                  palette().focus, rounding + gap, 0, thickness);
    list->AddRect(min - ImVec2(gap * 0.5f, gap * 0.5f), max + ImVec2(gap * 0.5f, gap * 0.5f), palette().background, rounding, 0, gap);
    list->PopClipRect();
}

void ProgressBar(float fraction, ImVec2 size, ImU32 color) {
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    if (window->SkipItems) return;
    fraction = std::isfinite(fraction) ? std::clamp(fraction, 0.0f, 1.0f) : 0.0f;
    if (size.x <= 0) size.x = ImGui::GetContentRegionAvail().x;
    if (size.y <= 0) size.y = std::round(body_px() * 0.5f);
    const ImRect box(window->DC.CursorPos, window->DC.CursorPos + size);
    ImGui::ItemSize(size);
    if (!ImGui::ItemAdd(box, 0)) return;
    const float rounding = std::min(ImGui::GetStyle().FrameRounding, size.y * 0.5f);
    window->DrawList->AddRectFilled(box.Min, box.Max, palette().surface, rounding);
    if (fraction > 0) window->DrawList->AddRectFilled(box.Min, ImVec2(box.Min.x + size.x * fraction, box.Max.y), color, rounding);
}

} // namespace kiosk::render
