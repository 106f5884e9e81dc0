#include "render/shaped_text.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>

namespace kiosk::render {

namespace {

template <typename T, auto Free>
struct Deleter {
    void operator()(T* handle) const { Free(handle); }
};
template <typename T, auto Free>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using PangoContextPtr = Owned<PangoContext, g_object_unref>;
using LayoutPtr = Owned<PangoLayout, g_object_unref>;
using FontDescriptionPtr = Owned<PangoFontDescription, pango_font_description_free>;
using FontOptionsPtr = Owned<cairo_font_options_t, cairo_font_options_destroy>;
using SurfacePtr = Owned<cairo_surface_t, cairo_surface_destroy>;
using CairoPtr = Owned<cairo_t, cairo_destroy>;

// Listed, not left to fontconfig's default, so every kiosk picks the same faces in the same order.
constexpr const char* kFamilies = "Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans CJK SC, Noto Sans Symbols 2, Noto Sans Devanagari, Noto Sans Thai";
constexpr int kMaxSide = 8192;              // well inside GL's texture limit; longer text is cut

} // namespace

class PangoSetup {
public:
    PangoSetup() : context_(pango_font_map_create_context(pango_cairo_font_map_get_default())) {
        FontOptionsPtr options(cairo_font_options_create());
        // Grey antialiasing (the mask is one channel) and unhinted metrics, so a string measures
        // the same wherever it is drawn.
        cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
        cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_SLIGHT);
        pango_cairo_context_set_font_options(context_.get(), options.get());
        // ImGui's px is the height from ascent to descent; pango sizes are em sizes. Noto Sans'
        // line is 1.362 em: measure it once instead of assuming it.
        LayoutPtr probe(pango_layout_new(context_.get()));
        FontDescriptionPtr font(pango_font_description_from_string("Noto Sans"));
        pango_font_description_set_absolute_size(font.get(), 100.0 * PANGO_SCALE);
        pango_layout_set_font_description(probe.get(), font.get());
        pango_layout_set_text(probe.get(), "Hg", -1);
        PangoRectangle logical{};
        pango_layout_get_extents(probe.get(), nullptr, &logical);
        const double line = static_cast<double>(logical.height) / PANGO_SCALE;
        em_per_px_ = line > 10.0 ? 100.0 / line : 1.0 / 1.362;
        ascent_per_px_ = line > 10.0 ? static_cast<double>(pango_layout_get_baseline(probe.get())) / PANGO_SCALE / line : 0.785;
    }

    // The layout of a request; `offset` is where its block starts in layout coordinates.
    LayoutPtr layout(const ShapedRequest& request, ImVec2& size, ImVec2& offset) {
        LayoutPtr layout(pango_layout_new(context_.get()));
        FontDescriptionPtr font(pango_font_description_from_string(kFamilies));
        pango_font_description_set_weight(font.get(), request.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_font_description_set_absolute_size(font.get(), request.px * em_per_px_ * PANGO_SCALE);
        pango_layout_set_font_description(layout.get(), font.get());
        pango_layout_set_text(layout.get(), request.text.data(), static_cast<int>(request.text.size()));
        // Lines exactly px apart with the baseline where Noto Sans has it, as in ImGui's atlas:
        // otherwise Noto Sans Arabic's taller line would sit an Arabic label lower than a Latin
        // one beside it. Marks reaching beyond the line go into the margin.
        Owned<PangoAttrList, pango_attr_list_unref> attributes(pango_attr_list_new());
        pango_attr_list_insert(attributes.get(), pango_attr_line_height_new_absolute(static_cast<int>(request.px * PANGO_SCALE)));
        pango_layout_set_attributes(layout.get(), attributes.get());
        if (request.wrap_width > 0) {
            pango_layout_set_width(layout.get(), static_cast<int>(request.wrap_width * PANGO_SCALE));
            pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
        }
        // Pango mirrors left and right alignment for a right-to-left paragraph (auto_dir); our
        // alignment is visual, so ask for the mirror of what we want there.
        PangoAlignment alignment = request.align == Align::center ? PANGO_ALIGN_CENTER
                                 : request.align == Align::right  ? PANGO_ALIGN_RIGHT
                                                                  : PANGO_ALIGN_LEFT;
        PangoLayoutLine* first = pango_layout_get_line_readonly(layout.get(), 0);
        const bool rtl = first != nullptr && first->resolved_dir == PANGO_DIRECTION_RTL;
        if (rtl && alignment != PANGO_ALIGN_CENTER) alignment = alignment == PANGO_ALIGN_LEFT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
        pango_layout_set_alignment(layout.get(), alignment);

        PangoRectangle logical{};
        pango_layout_get_pixel_extents(layout.get(), nullptr, &logical);
        const int lines = std::max(1, pango_layout_get_line_count(layout.get()));
        const double baseline = static_cast<double>(pango_layout_get_baseline(layout.get())) / PANGO_SCALE;
        offset.y = static_cast<float>(baseline - ascent_per_px_ * request.px);
        size.y = static_cast<float>(lines) * request.px;
        if (request.wrap_width > 0) {
            size.x = std::ceil(request.wrap_width);
            offset.x = 0;
        } else {
            size.x = static_cast<float>(logical.width);
            offset.x = static_cast<float>(logical.x);
        }
        return layout;
    }

private:
    PangoContextPtr context_;
    double em_per_px_ = 1.0 / 1.362;
    double ascent_per_px_ = 0.785;          // Noto Sans' ascent as a fraction of its line
};

ImVec2 measure_shaped(const ShapedRequest& request, PangoSetup* setup) {
    std::unique_ptr<PangoSetup> own;
    if (setup == nullptr) setup = (own = std::make_unique<PangoSetup>()).get();
    ImVec2 size, offset;
    setup->layout(request, size, offset);
    return size;
}

ShapedImage render_shaped(const ShapedRequest& request, PangoSetup* setup) {
    std::unique_ptr<PangoSetup> own;
    if (setup == nullptr) setup = (own = std::make_unique<PangoSetup>()).get();
    ShapedImage out;
    ImVec2 offset;
    LayoutPtr layout = setup->layout(request, out.size, offset);
    // Ink may reach past the block (marks above Arabic letters, deep descenders); the margin keeps it.
    out.pad = std::ceil(request.px * 0.35f);
    const int width = std::clamp(static_cast<int>(std::ceil(out.size.x + 2 * out.pad)), 1, kMaxSide);
    const int height = std::clamp(static_cast<int>(std::ceil(out.size.y + 2 * out.pad)), 1, kMaxSide);

    // A8: cairo writes coverage only, exactly the mask the texture wants (no premultiplied colour
    // to undo); the colour is applied as ImGui's tint, in straight alpha.
    SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_A8, width, height));
    CairoPtr cr(cairo_create(surface.get()));
    cairo_set_source_rgba(cr.get(), 1, 1, 1, 1);
    cairo_move_to(cr.get(), out.pad - offset.x, out.pad - offset.y);
    pango_cairo_show_layout(cr.get(), layout.get());
    cairo_surface_flush(surface.get());

    out.coverage = Image(width, height, PixelFormat::gray8);
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    for (int y = 0; y < height; ++y)
        std::copy_n(data + static_cast<ptrdiff_t>(y) * stride, width, out.coverage.row(y));
    return out;
}

//-----------------------------------------------------------------------------
// ShapedTextCache
//-----------------------------------------------------------------------------

namespace {

std::string key_of(const ShapedRequest& request) {
    std::string key(request.text);
    key += '\0';
    key += std::to_string(static_cast<int>(request.px * 4));
    key += request.bold ? 'b' : 'r';
    key += std::to_string(static_cast<int>(request.wrap_width));
    key += static_cast<char>('0' + static_cast<int>(request.align));
    return key;
}

} // namespace

ShapedTextCache::ShapedTextCache() : setup_(std::make_unique<PangoSetup>()) {}
ShapedTextCache::~ShapedTextCache() = default;

const ShapedTextCache::Entry& ShapedTextCache::get(const ShapedRequest& request) {
    std::string key = key_of(request);
    if (auto found = index_.find(key); found != index_.end()) {
        lru_.splice(lru_.begin(), lru_, found->second);
        found->second->second.last_frame = frame_;
        return found->second->second;
    }
    ShapedImage image = render_shaped(request, setup_.get());
    ++renders_;
    Entry entry;
    entry.texture.update_alpha(image.coverage.view());
    entry.size = image.size;
    entry.pad = image.pad;
    entry.last_frame = frame_;
    bytes_ += entry.texture.bytes();
    lru_.emplace_front(key, std::move(entry));
    index_.emplace(std::move(key), lru_.begin());
    evict();
    return lru_.front().second;
}

ImVec2 ShapedTextCache::measure(const ShapedRequest& request) {
    std::string key = key_of(request);
    if (auto found = index_.find(key); found != index_.end()) return found->second->second.size;
    if (auto found = sizes_.find(key); found != sizes_.end()) return found->second;
    // Sizes are a few bytes each; forgetting them all now and then bounds the memory simply.
    if (sizes_.size() >= 8192) sizes_.clear();
    const ImVec2 size = measure_shaped(request, setup_.get());
    sizes_.emplace(std::move(key), size);
    return size;
}

void ShapedTextCache::evict() {
    // Never a texture of the current frame: its draw commands are not rendered yet.
    while ((lru_.size() > kMaxEntries || bytes_ > kMaxBytes) && !lru_.empty() && lru_.back().second.last_frame < frame_) {
        bytes_ -= lru_.back().second.texture.bytes();
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
}

ShapedCacheStats ShapedTextCache::stats() const { return {lru_.size(), bytes_, renders_}; }

} // namespace kiosk::render
