#include "render/text.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "image/utf8.h"
#include "render/current.h"
#include "render/shaped_text.h"

namespace kiosk::render {

namespace {

Current* g_current = nullptr;

// Scripts whose letters change shape with their neighbours, reorder, or run right to left, and
// marks that must be positioned on their base: ImGui's atlas draws one glyph per code point, left
// to right, so all of these go through pango.
bool shaping_code_point(char32_t cp) {
    if (cp < 0x0300) return false;
    if (cp <= 0x036F) return true;                      // combining diacritical marks (decomposed accents)
    if (cp >= 0x0590 && cp <= 0x08FF) return true;      // Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic ext.
    if (cp >= 0x0900 && cp <= 0x0DFF) return true;      // Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala
    if (cp >= 0x0E00 && cp <= 0x0FFF) return true;      // Thai, Lao, Tibetan
    if (cp >= 0x1000 && cp <= 0x109F) return true;      // Myanmar
    if (cp >= 0x1100 && cp <= 0x11FF) return true;      // Hangul conjoining jamo
    if (cp >= 0x1780 && cp <= 0x18AF) return true;      // Khmer, Mongolian
    if (cp >= 0x1900 && cp <= 0x1CFF) return true;      // Limbu ... Balinese, Sundanese, Batak, Lepcha, Vedic
    if (cp >= 0x1DC0 && cp <= 0x1DFF) return true;      // combining marks supplement
    if (cp >= 0x200C && cp <= 0x200F) return true;      // ZWNJ, ZWJ, LRM, RLM
    if (cp >= 0x202A && cp <= 0x202E) return true;      // bidi embeddings and overrides
    if (cp >= 0x2066 && cp <= 0x2069) return true;      // bidi isolates
    if (cp >= 0x20D0 && cp <= 0x20FF) return true;      // combining marks for symbols
    if (cp >= 0xA800 && cp <= 0xABFF) return true;      // Syloti Nagri ... Meetei Mayek
    if (cp >= 0xFB1D && cp <= 0xFDFF) return true;      // Hebrew and Arabic presentation forms
    if (cp >= 0xFE20 && cp <= 0xFE2F) return true;      // combining half marks
    if (cp >= 0xFE70 && cp <= 0xFEFF) return true;      // Arabic presentation forms B
    if (cp >= 0x10800 && cp <= 0x10FFF) return true;    // historic right-to-left scripts
    if (cp >= 0x11000 && cp <= 0x11FFF) return true;    // Brahmi and other Indic scripts
    if (cp >= 0x1E800 && cp <= 0x1EFFF) return true;    // Adlam, Mende Kikakui, Arabic math
    return false;
}

template <typename F>
void for_each_code_point(std::string_view text, F&& f) {
    for (size_t at = 0; at < text.size();) {
        const auto decoded = utf8::detail::decode_at(text, at);
        if (!decoded) {
            f(U'\uFFFD');
            ++at;
            continue;
        }
        f(decoded->code_point);
        at += decoded->length;
    }
}

struct Line {
    const char* begin;
    const char* end;
    float width;
};

// The atlas path's line breaking, as ImGui's own wrapped text does it: word wrap at the block
// width, at least one character per line, blanks at the start of a wrapped line dropped.
std::vector<Line> atlas_lines(ImFont* font, float size, std::string_view text, float wrap_width) {
    std::vector<Line> lines;
    const char* s = text.data();
    const char* const end = text.data() + text.size();
    for (;;) {
        const char* paragraph_end = std::find(s, end, '\n');
        const char* line_start = s;
        do {
            const char* line_end = paragraph_end;
            if (wrap_width > 0) {
                line_end = font->CalcWordWrapPositionA(size / font->FontSize, line_start, paragraph_end, wrap_width);
                if (line_end == line_start && line_start < paragraph_end) {
                    ++line_end;
                    while (line_end < paragraph_end && (static_cast<unsigned char>(*line_end) & 0xC0) == 0x80) ++line_end;
                }
            }
            const float width = font->CalcTextSizeA(size, FLT_MAX, 0.0f, line_start, line_end).x;
            lines.push_back({line_start, line_end, width});
            line_start = line_end;
            while (line_start < paragraph_end && (*line_start == ' ' || *line_start == '\t')) ++line_start;
        } while (line_start < paragraph_end);
        if (paragraph_end == end) break;
        s = paragraph_end + 1;
    }
    return lines;
}

float block_width(const TextStyle& style, float widest) { return style.wrap_width > 0 ? std::ceil(style.wrap_width) : widest; }

float aligned_x(Align align, float block, float line) {
    switch (align) {
    case Align::left: return 0;
    case Align::center: return std::floor((block - line) * 0.5f);
    case Align::right: return block - line;
    }
    return 0;
}

// The atlas font when it can draw every character of the text, else null (and the missing
// characters are queued for the next atlas).
ImFont* atlas_font_for(std::string_view text, const TextStyle& style) {
    Current* now = g_current;
    if (now == nullptr || now->fonts == nullptr) return ImGui::GetFont();
    ImFont* font = now->fonts->get(style.role);
    if (font == nullptr) return nullptr;
    bool complete = true;
    for_each_code_point(text, [&](char32_t cp) {
        if (!complete || cp == '\n' || cp == '\t') return;
        if (cp > 0xFFFF || font->FindGlyphNoFallback(static_cast<ImWchar>(cp)) == nullptr) complete = false;
    });
    if (!complete) now->fonts->add_glyphs(text);
    return complete ? font : nullptr;
}

ShapedRequest shaped_request(std::string_view text, const TextStyle& style) {
    const Fonts* fonts = g_current != nullptr ? g_current->fonts : nullptr;
    ShapedRequest request;
    request.text = text;
    request.px = fonts != nullptr ? fonts->px(style.role) : ImGui::GetFontSize();
    request.bold = style.role == FontRole::large || style.role == FontRole::huge;
    request.wrap_width = style.wrap_width;
    request.align = style.align;
    return request;
}

bool use_atlas(std::string_view text, const TextStyle& style, ImFont** font) {
    if (needs_shaping(text)) return false;
    *font = atlas_font_for(text, style);
    return *font != nullptr;
}

} // namespace

Current* current() { return g_current; }
void set_current(Current* now) { g_current = now; }

bool needs_shaping(std::string_view utf8) {
    bool shaping = false;
    for_each_code_point(utf8, [&](char32_t cp) { shaping = shaping || shaping_code_point(cp); });
    return shaping;
}

ImVec2 measure_text(std::string_view utf8, const TextStyle& style) {
    ImFont* font = nullptr;
    if (use_atlas(utf8, style, &font)) {
        const float size = font->FontSize;
        float widest = 0;
        const auto lines = atlas_lines(font, size, utf8, style.wrap_width);
        for (const Line& line : lines) widest = std::max(widest, line.width);
        return ImVec2(block_width(style, widest), size * static_cast<float>(lines.size()));
    }
    if (g_current == nullptr || g_current->shaped == nullptr) return measure_shaped(shaped_request(utf8, style));
    return g_current->shaped->measure(shaped_request(utf8, style));
}

void draw_text_at(ImDrawList* list, ImVec2 pos, std::string_view utf8, const TextStyle& style) {
    if (list == nullptr || utf8.empty()) return;
    ImFont* font = nullptr;
    if (use_atlas(utf8, style, &font)) {
        const float size = font->FontSize;
        const auto lines = atlas_lines(font, size, utf8, style.wrap_width);
        float widest = 0;
        for (const Line& line : lines) widest = std::max(widest, line.width);
        const float block = block_width(style, widest);
        float y = pos.y;
        for (const Line& line : lines) {
            if (line.end > line.begin)
                list->AddText(font, size, ImVec2(pos.x + aligned_x(style.align, block, line.width), y), style.color, line.begin, line.end);
            y += size;
        }
        return;
    }
    if (g_current == nullptr || g_current->shaped == nullptr) return;   // a texture needs the window's GL context
    const auto& entry = g_current->shaped->get(shaped_request(utf8, style));
    if (entry.texture.empty()) return;
    const ImVec2 min(std::round(pos.x - entry.pad), std::round(pos.y - entry.pad));
    const ImVec2 max(min.x + static_cast<float>(entry.texture.width()), min.y + static_cast<float>(entry.texture.height()));
    list->AddImage(entry.texture.id(), min, max, ImVec2(0, 0), ImVec2(1, 1), style.color);
}

void draw_text(std::string_view utf8, const TextStyle& style) {
    const ImVec2 size = measure_text(utf8, style);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    // Off-screen rows of a long list are laid out but not rendered (no pango work, no textures).
    if (ImGui::IsRectVisible(size)) draw_text_at(ImGui::GetWindowDrawList(), pos, utf8, style);
    ImGui::Dummy(size);
}

ShapedCacheStats shaped_cache_stats() {
    if (g_current == nullptr || g_current->shaped == nullptr) return {};
    return g_current->shaped->stats();
}

} // namespace kiosk::render
