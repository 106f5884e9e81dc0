// Text laid out by pango (HarfBuzz shaping, FriBidi ordering, fontconfig fallback) and rendered by
// cairo into a coverage mask, and the window's LRU cache of such masks as GL textures. Internal to
// render/: text.cpp draws through it; tests call render_shaped() to look at the pixels.
//
// Thread rule: render_shaped() is reentrant (its own pango context per call when none is given);
// ShapedTextCache belongs to the UI thread and its window's GL context.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <imgui.h>

#include "image/image.h"
#include "render/text.h"
#include "render/texture.h"

namespace kiosk::render {

struct ShapedRequest {
    std::string_view text;
    float px = 40;                          // the atlas font's pixel size (ascent + descent), not the em
    bool bold = false;
    float wrap_width = 0;
    Align align = Align::left;
};

struct ShapedImage {
    Image coverage;                         // gray8, 255 = ink; `pad` px of margin on every side
    ImVec2 size;                            // the text block (see text.h), without the margin
    float pad = 0;
};

class PangoSetup;                           // a pango context with our font options (shaped_text.cpp)

// Lays out and renders one block. `setup` may be null (a temporary one is made).
ShapedImage render_shaped(const ShapedRequest& request, PangoSetup* setup = nullptr);
// Only the block size, without rendering (cheap enough per frame for long lists).
ImVec2 measure_shaped(const ShapedRequest& request, PangoSetup* setup = nullptr);

class ShapedTextCache {
public:
    struct Entry {
        Texture texture;
        ImVec2 size;
        float pad = 0;
        uint64_t last_frame = 0;
    };

    ShapedTextCache();
    ~ShapedTextCache();
    ShapedTextCache(const ShapedTextCache&) = delete;
    ShapedTextCache& operator=(const ShapedTextCache&) = delete;

    void begin_frame() { ++frame_; }
    const Entry& get(const ShapedRequest& request);   // renders and uploads on a miss
    ImVec2 measure(const ShapedRequest& request);     // memoized block size
    ShapedCacheStats stats() const;

    static constexpr size_t kMaxEntries = 256;
    static constexpr size_t kMaxBytes = 64u << 20;

private:
    void evict();
    std::unique_ptr<PangoSetup> setup_;
    std::list<std::pair<std::string, Entry>> lru_;    // most recently used first
    std::unordered_map<std::string, std::list<std::pair<std::string, Entry>>::iterator> index_;
    std::unordered_map<std::string, ImVec2> sizes_;
    size_t bytes_ = 0, renders_ = 0;
    uint64_t frame_ = 1;
};

} // namespace kiosk::render
