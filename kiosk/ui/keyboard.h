// The on-screen keyboard and keypads: every key a focusable control ("key:a", role "key") that
// sends the same events a physical keyboard does (Typed, Erased), so fields never know which
// keyboard was used.
#pragma once

#include "kiosk/ui/screens.h"

namespace kiosk::ui {

enum class KeyboardLayout { letters, email, digits, phone, number };

// Draws the keyboard centred at the bottom of `area`; returns the height it used.
float on_screen_keyboard(UiContext& ui, Area area, KeyboardLayout layout);
float keyboard_height(const UiContext& ui, KeyboardLayout layout);

// A text field: the typed text in a box with a caret (or dots for a PIN).
void text_field(UiContext& ui, ImVec2 min, ImVec2 max, std::string_view text, std::string_view placeholder,
                bool secret = false);

} // namespace kiosk::ui
