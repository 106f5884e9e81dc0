// The on-screen keyboard and keypads: every key a focusable control ("key:a", role "key") that
// sends the same events a physical keyboard does (Typed, Erased), so fields never know which
// keyboard was used.
#pragma once

#include "kiosk/ui/screens.h"

namespace kiosk::ui {

enum class KeyboardLayout { letters, email, digits, phone, number };

// Draws the keyboard centred at the bottom of `area`, its keys shrunk to fit the area's height
// (never below 64 px); returns the height it used.
float on_screen_keyboard(UiContext& ui, Area area, KeyboardLayout layout);
// The height the keyboard takes when it may use `max_height` (0: as much as it likes).
float keyboard_height(const UiContext& ui, KeyboardLayout layout, float max_height = 0);

// A text field: the typed text in a box with a caret (or dots for a PIN).
void text_field(UiContext& ui, ImVec2 min, ImVec2 max, std::string_view text, std::string_view placeholder,
                bool secret = false);

} // namespace kiosk::ui
