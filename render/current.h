// The window that free functions (text, widgets, theme) draw for, as ImGui's own functions find
// their context: one global pointer, set by Window::open and cleared by its destructor. Internal.
//
// Thread rule: UI thread.
#pragma once

namespace kiosk::render {

class Fonts;
class ShapedTextCache;

struct Current {
    Fonts* fonts = nullptr;
    ShapedTextCache* shaped = nullptr;
};

Current* current();                         // null when no window is open
void set_current(Current* current);

} // namespace kiosk::render
