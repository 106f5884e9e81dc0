// Touch widgets: large targets (at least 64 px), nothing that only shows on hover (a finger does
// not hover), a visible keyboard focus ring, and lists scrolled by dragging.
//
// Thread rule: UI thread, inside an ImGui window, between Window::begin_frame and end_frame.
#pragma once

#include <string_view>

#include <imgui.h>

#include "render/fonts.h"

namespace kiosk::render {

inline constexpr float kMinTouchTarget = 64.0f;     // px; smaller sizes are raised to it
inline constexpr float kDragThreshold = 12.0f;      // px a finger moves before a press becomes a scroll

enum class ButtonKind { primary, secondary, danger, option, key };
struct ButtonLook {
    ButtonKind kind = ButtonKind::secondary;
    bool focused = false;                   // draws the focus ring (the app owns keyboard focus)
    bool selected = false;                  // option / key shown as chosen
    FontRole role = FontRole::body;
};

// A button whose label is drawn with draw_text (so Arabic labels shape), centred and wrapped to
// the button's width. `id` is unique in the window. Returns true on a tap/click release inside it,
// not after a drag-scroll. It lights only while pressed under the finger.
bool Button(const char* id, std::string_view label, ImVec2 size, const ButtonLook& look);
// Call inside a child window (first thing, before its items): a press anywhere in it that moves
// more than kDragThreshold px scrolls it by the pointer's motion (both axes the window can scroll)
// and stops being a press: the button under the finger is released without firing. Returns true
// while dragging.
bool DragScroll();
void FocusRing(ImVec2 min, ImVec2 max);      // the visible keyboard focus: thick high-contrast outline
void ProgressBar(float fraction, ImVec2 size, ImU32 color);   // fraction clamped to [0, 1]; advances the cursor

} // namespace kiosk::render
