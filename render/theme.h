// The kiosk's look: one dark palette, every text colour at least 7:1 against the backgrounds it is
// drawn on (WCAG 2 AAA for normal text), and ImGui's style scaled from the body font size.
//
// Thread rule: palette() and contrast_ratio() anywhere; apply_theme() on the UI thread.
#pragma once

#include <imgui.h>

namespace kiosk::render {

struct Palette {
    ImU32 background, surface, text, text_muted, primary, primary_text, danger, danger_text, success, warning, focus;
};
// Dark theme. Text pairs: text and text_muted on background and surface; primary_text on primary;
// danger_text on danger; success, warning and focus on background and surface.
const Palette& palette();
// WCAG 2 contrast ratio of two opaque colours, 1 to 21.
double contrast_ratio(ImU32 a, ImU32 b);
// ImGui style: big rounding, paddings in multiples of the body font size, palette colours. The
// window applies it at open and again after each font rebuild (large-text mode grows the
// paddings); call it again after changing the style yourself only if you want it back.
void apply_theme();

} // namespace kiosk::render
