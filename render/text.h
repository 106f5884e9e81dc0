// Every string the kiosk shows is drawn through here; it picks how.
//
// Index of this file:
// [SECTION] Style
// [SECTION] Drawing
// [SECTION] Shaped-text cache
//
// Two paths, one look. Text that needs no shaping (Latin, Cyrillic, Greek, CJK...) is laid out with
// ImGui's atlas font of the role. Text that does (Arabic, Hebrew, Indic, Thai, combining marks, bidi
// controls; see needs_shaping) is laid out by pango (HarfBuzz shapes, FriBidi orders, fontconfig
// picks Noto Sans / Noto Sans Arabic / Noto Sans Hebrew...), rendered with cairo into a white
// coverage mask at the role's pixel size and drawn as a texture tinted with the colour. A string
// whose characters the atlas lacks also takes the pango path, and its characters join the atlas
// (Fonts::add_glyphs), so the next frames draw it from the atlas.
//
// Thread rule: UI thread, between Window::begin_frame and end_frame.
#pragma once

#include <cstddef>
#include <string_view>

#include <imgui.h>

#include "render/fonts.h"

namespace kiosk::render {

//-----------------------------------------------------------------------------
// [SECTION] Style
//-----------------------------------------------------------------------------
// A block of text is `wrap_width` wide when wrap_width > 0 (lines break at words to fit it), else as
// wide as its widest line; lines are aligned left / centred / right inside the block. So to centre
// one line in a region, pass the region's width as wrap_width with Align::center. Lines are the
// font's pixel size apart in the atlas path and pango's line height in the shaped path. Alignment is
// visual: Align::left puts an Arabic paragraph's lines against the left edge too, with each line
// still ordered right to left.

enum class Align { left, center, right };
struct TextStyle {
    FontRole role = FontRole::body;
    ImU32 color = IM_COL32(255, 255, 255, 255);
    float wrap_width = 0;                   // 0: no wrapping
    Align align = Align::left;
};

//-----------------------------------------------------------------------------
// [SECTION] Drawing
//-----------------------------------------------------------------------------

bool needs_shaping(std::string_view utf8);   // any Arabic, Hebrew, Syriac, Thaana, Devanagari/Indic, Thai, ... or RTL codepoint
ImVec2 measure_text(std::string_view utf8, const TextStyle& style);
void draw_text(std::string_view utf8, const TextStyle& style);                 // at the ImGui cursor, advances it (like ImGui::TextUnformatted)
void draw_text_at(ImDrawList* list, ImVec2 pos, std::string_view utf8, const TextStyle& style); // pos = top-left of the text block

//-----------------------------------------------------------------------------
// [SECTION] Shaped-text cache
//-----------------------------------------------------------------------------
// Pango renderings are cached as textures keyed by (text, pixel size, weight, wrap width,
// alignment); the colour is a tint, so one texture serves every colour. Least recently used
// entries go beyond 256 entries or 64 MB of texels, never one drawn in the current frame.

struct ShapedCacheStats {
    size_t entries = 0;
    size_t bytes = 0;                       // texel bytes held
    size_t renders = 0;                     // pango renderings since the window opened (cache misses)
};
ShapedCacheStats shaped_cache_stats();

} // namespace kiosk::render
