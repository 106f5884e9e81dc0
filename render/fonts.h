// Fonts baked into ImGui's atlas at the pixel size they are drawn at: no global font scale (io.FontGlobalScale
// stays 1), so text is sharp at every size and in large-text mode.
//
// Index of this file:
// [SECTION] Roles
// [SECTION] Fonts
//
// Thread rule: UI thread only (the atlas belongs to ImGui's context).
#pragma once

#include <array>
#include <expected>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include <imgui.h>

namespace kiosk::render {

//-----------------------------------------------------------------------------
// [SECTION] Roles
//-----------------------------------------------------------------------------

enum class FontRole { small, body, large, huge };   // default px at 1080 short side: 30, 40, 64, 96
inline constexpr std::array<FontRole, 4> kFontRoles{FontRole::small, FontRole::body, FontRole::large, FontRole::huge};

//-----------------------------------------------------------------------------
// [SECTION] Fonts
//-----------------------------------------------------------------------------
// Each role is one ImFont: Noto Sans (Regular for small/body, Bold for large/huge) with Noto Sans
// Symbols 2 and Noto Sans CJK SC merged in. The glyph set is Basic Latin, Latin-1, Latin
// Extended-A and General Punctuation always, plus exactly the code points given to add_glyphs:
// whole CJK ranges would make an atlas of hundreds of megabytes and a start of seconds. Feed it
// the app's translations and names as they come (draw_text adds what it meets by itself, and draws
// through pango until the rebuild lands).
//
// Changes (scale, new glyphs, window size) only mark the atlas stale; the window rebuilds it at the
// start of the next frame, before ImGui::NewFrame, because ImFont pointers of the running frame
// must stay valid until it is rendered. get() pointers change at a rebuild: fetch them each frame.
// The font files are mapped once at load() (read-only, shared with the page cache), so a rebuild
// never reads a file.

// Debian 12's Noto (fonts-noto-core, fonts-noto-cjk). cjk_face picks the face in the collection:
// 0 JP, 1 KR, 2 SC, 3 TC, 4 HK; SC, as Chinese names are the kiosk's most common CJK text.
struct FontFiles {
    std::filesystem::path regular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    std::filesystem::path bold = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";
    std::filesystem::path symbols = "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf";
    std::filesystem::path cjk_regular = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
    std::filesystem::path cjk_bold = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
    int cjk_face = 2;
};

class Fonts {
public:
    // Maps the font files; a missing or unreadable file is an error naming it.
    static std::expected<std::unique_ptr<Fonts>, std::string> load(const FontFiles& files = {});
    ~Fonts();
    Fonts(const Fonts&) = delete;
    Fonts& operator=(const Fonts&) = delete;

    void set_scale(float scale);            // large-text mode: 1.0 or e.g. 1.4; rebuilds at the next frame start
    float scale() const;
    float px(FontRole role) const;          // current pixel size of a role (after scale)
    ImFont* get(FontRole role) const;       // null before the first rebuild
    void add_glyphs(std::string_view utf8); // every codepoint in the string joins the glyph set; a new one schedules a rebuild
    void add_glyphs(std::span<const std::string> strings);
    bool rebuild_pending() const;
    bool has_glyph(char32_t code_point) const;   // in the glyph set (built or pending)

    // For the window: the short side of the drawable, which all sizes follow (1080 -> the defaults).
    void set_short_side(float pixels);
    // Bakes the atlas into `atlas` (cleared first) on the CPU; the caller uploads the texture.
    // Clears the pending flag; on failure the atlas is left empty and the error names the cause.
    std::expected<void, std::string> rebuild(ImFontAtlas& atlas);

private:
    Fonts();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::render
