// What is on every screen: the event's name, the language buttons, large text and read-aloud,
// and "call staff" always in the same place (bottom right). In portrait the tools move to the
// bottom too, where a hand reaches them.
#pragma once

#include "kiosk/ui/screens.h"

namespace kiosk::ui {

// The content area between the bars. The top bar is drawn before the screen and the bottom bar
// after it, so that Tab moves in reading order: top, content, bottom.
Area content_area(const UiContext& ui);
void draw_top_bar(UiContext& ui);
void draw_bottom_bar(UiContext& ui);

// The staff corner: a press held this long in the top-left corner opens the PIN screen.
inline constexpr auto kStaffLongPress = std::chrono::milliseconds(2000);
Area staff_corner(const UiContext& ui);

} // namespace kiosk::ui
