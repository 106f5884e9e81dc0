// [SECTION] index
// - handles: unique_ptr owners for every cairo and pango object
// - page geometry: pretix's millimetres from the bottom-left into cairo's points from the top-left
// - fonts: pretix family names onto the fonts installed, per-script fallback left to fontconfig
// - text areas: what they say, the largest size that fits, drawing
// - barcode areas: QR modules as rectangles, whole device pixels on rasters
// - image areas: scaled to fit and centred
// - a badge on a cairo surface
// - outputs: PDF, colour image, PNG, 1-bit raster
//
// Text is laid out without hinted metrics, so a badge breaks its lines and shrinks its names the
// same way at every resolution: the PDF, the preview and the label printer's raster agree.

#include "printer/badge_render.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <memory>
#include <numbers>
#include <set>
#include <variant>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "image/qr.h"
#include "image/transform.h"
#include "image/utf8.h"

namespace kiosk::printer {
namespace {

// [SECTION] handles

struct Release {
    void operator()(cairo_t* handle) const { cairo_destroy(handle); }
    void operator()(cairo_surface_t* handle) const { cairo_surface_destroy(handle); }
    void operator()(cairo_font_options_t* handle) const { cairo_font_options_destroy(handle); }
    void operator()(PangoFontDescription* handle) const { pango_font_description_free(handle); }
    void operator()(PangoContext* handle) const { g_object_unref(handle); }
    void operator()(PangoLayout* handle) const { g_object_unref(handle); }
};
template <class T> using Owned = std::unique_ptr<T, Release>;

template <class... F> struct Overloaded : F... { using F::operator()...; };

// [SECTION] page geometry

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kSlackPt = 0.05;           // rounding in pango units; far below a printer dot

struct Page {
    double width = 0, height = 0;           // points
};

double x_of(double left_mm) { return left_mm * kPointsPerMm; }
double y_of(const Page& page, double bottom_mm) { return page.height - bottom_mm * kPointsPerMm; }

struct Canvas {
    cairo_t* cr = nullptr;
    PangoContext* pango = nullptr;
    Page page;
    std::optional<double> dots_per_point;   // rasters: device pixels per point; PDF: none
    bool photos = true;                     // false for the sharp layer of the 1-bit raster
};

// [SECTION] fonts

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

const std::set<std::string>& installed_families() {
    static const std::set<std::string> families = [] {
        std::set<std::string> out;
        PangoFontFamily** list = nullptr;
        int count = 0;
        pango_font_map_list_families(pango_cairo_font_map_get_default(), &list, &count);
        for (int i = 0; i < count; ++i) out.insert(lowercase(pango_font_family_get_name(list[i])));
        g_free(list);
        return out;
    }();
    return families;
}

bool mentions_any(const std::string& family, std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view word) { return family.find(word) != std::string::npos; });
}

// pretix offers web fonts (Open Sans, Roboto, Lato, ...) that a kiosk seldom has. A family we
// have is used as named; others become the Noto face of their kind. Noto comes first in the
// fallback either way, so every script finds its Noto font through fontconfig.
std::string font_family_for(const std::string& pretix_family) {
    const std::string family = lowercase(pretix_family);
    if (!family.empty() && installed_families().contains(family)) return pretix_family + ",Noto Sans";
    if (mentions_any(family, {"serif", "vollkorn", "garamond", "times", "georgia", "baskerville", "lora", "merriweather", "playfair"}) &&
        !mentions_any(family, {"sans"}))
        return "Noto Serif";
    if (mentions_any(family, {"mono", "code", "courier"})) return "Noto Sans Mono";
    return "Noto Sans";
}

Owned<PangoFontDescription> font_for(const TextArea& area, double size_pt) {
    Owned<PangoFontDescription> font(pango_font_description_new());
    pango_font_description_set_family(font.get(), font_family_for(area.font_family).c_str());
    pango_font_description_set_weight(font.get(), area.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(font.get(), area.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_font_description_set_absolute_size(font.get(), size_pt * PANGO_SCALE);
    return font;
}

// The font's own line height per point of size, as pango lays a line out, to turn pretix's
// leading into pango's line spacing factor.
double natural_line_height(PangoContext* pango, const TextArea& area) {
    constexpr double kProbePt = 100;
    const auto font = font_for(area, kProbePt);
    Owned<PangoLayout> probe(pango_layout_new(pango));
    pango_layout_set_font_description(probe.get(), font.get());
    pango_layout_set_text(probe.get(), "X", 1);
    PangoRectangle logical;
    pango_layout_get_extents(probe.get(), nullptr, &logical);
    return logical.height > 0 ? logical.height / (kProbePt * PANGO_SCALE) : 1.2;
}

void configure_text(PangoContext* pango, const std::string& language) {
    Owned<cairo_font_options_t> options(cairo_font_options_create());
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pango, options.get());
    pango_cairo_context_set_resolution(pango, 72);  // user space is points: a 12 pt font is 12 units
    // No pango_cairo_update_context: the context stays in user space with only these options, so
    // text lays out alike on every surface and at every resolution.
    // The language picks Japanese or Chinese shapes for Han characters.
    if (!language.empty()) pango_context_set_language(pango, pango_language_from_string(language.c_str()));
}

// [SECTION] text areas

std::string valid_utf8(std::string_view text) {
    if (utf8::is_valid(text)) return std::string(text);
    std::string out;
    for (size_t at = 0; at < text.size();) {
        const auto decoded = utf8::detail::decode_at(text, at);
        out += decoded ? std::string(text.substr(at, decoded->length)) : std::string("\xEF\xBF\xBD");
        at += decoded ? decoded->length : 1;
    }
    return out;
}

std::optional<std::string> field(const BadgeData& data, std::string_view key) {
    if (key == "secret") return data.secret;
    const auto it = data.text.find(std::string(key));
    if (it == data.text.end()) return std::nullopt;
    return it->second;
}

bool is_field_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == ':'; });
}

// pretix's free texts name fields in braces ("{attendee_name} – {event_name}"); a name we do not
// know stays as written, as pretix leaves it.
std::string substitute(std::string_view text, const BadgeData& data) {
    std::string out;
    size_t at = 0;
    for (size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', at)) {
        const size_t close = text.find('}', open + 1);
        if (close == std::string_view::npos) break;
        const std::string_view name = text.substr(open + 1, close - open - 1);
        out.append(text.substr(at, open - at));
        if (!is_field_name(name)) {
            out += '{';                     // "{a {b}": the search goes on after this brace
            at = open + 1;
            continue;
        }
        const auto value = field(data, name);
        out += value ? *value : std::string(text.substr(open, close - open + 1));
        at = close + 1;
    }
    return out.append(text.substr(at));
}

std::string in_language(const std::map<std::string, std::string>& texts, const std::string& language) {
    const std::string base = language.substr(0, language.find('-'));
    for (const std::string& candidate : {language, base, std::string("en")})
        if (const auto it = texts.find(candidate); it != texts.end() && !it->second.empty()) return it->second;
    return texts.empty() ? std::string() : texts.begin()->second;
}

std::string area_text(const TextArea& area, const BadgeData& data) {
    if (area.content == "other") return valid_utf8(substitute(area.text, data));
    if (area.content == "other_i18n") return valid_utf8(substitute(in_language(area.text_i18n, data.language), data));
    return valid_utf8(field(data, area.content).value_or(""));
}

PangoAlignment alignment_of(Align align) {
    switch (align) {
    case Align::left: return PANGO_ALIGN_LEFT;
    case Align::center: return PANGO_ALIGN_CENTER;
    case Align::right: return PANGO_ALIGN_RIGHT;
    }
    return PANGO_ALIGN_LEFT;
}

struct TextStyle {
    const TextArea& area;
    double line_height_per_pt;              // the font's natural line height per point of size
};

Owned<PangoLayout> text_layout(const Canvas& canvas, const TextStyle& style, const std::string& text, double size_pt) {
    Owned<PangoLayout> layout(pango_layout_new(canvas.pango));
    const auto font = font_for(style.area, size_pt);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_width(layout.get(), pango_units_from_double(style.area.width_mm * kPointsPerMm));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD);
    pango_layout_set_alignment(layout.get(), alignment_of(style.area.align));
    // pretix's reportlab leading is 1.15 x lineheight x size; pango's factor is of the font's height.
    pango_layout_set_line_spacing(layout.get(), static_cast<float>(1.15 * style.area.line_height / style.line_height_per_pt));
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return layout;
}

// Where ink or the line boxes reach, in points from the layout's top-left corner.
struct Extent {
    double left = 0, top = 0, right = 0, bottom = 0;
    double logical_height = 0;
};

Extent extent_of(PangoLayout* layout) {
    PangoRectangle ink, logical;
    pango_layout_get_extents(layout, &ink, &logical);
    const auto points = [](int units) { return static_cast<double>(units) / PANGO_SCALE; };
    Extent out;
    out.left = points(std::min(ink.x, logical.x));
    out.top = points(std::min(ink.y, logical.y));
    out.right = points(std::max(ink.x + ink.width, logical.x + logical.width));
    out.bottom = points(std::max(ink.y + ink.height, logical.y + logical.height));
    out.logical_height = points(logical.height);
    return out;
}

// The block's top-left corner on the page and its turn. pretix rotates clockwise about that
// corner: for text growing up it is `bottom` plus the block's height, for text growing down `bottom`.
struct Placement {
    double x = 0, y = 0, radians = 0;
};

Placement placement(const Page& page, const TextArea& area, const Extent& extent) {
    const double top = y_of(page, area.bottom_mm) - (area.downward ? 0 : extent.logical_height);
    return {x_of(area.left_mm), top, area.rotation_deg * std::numbers::pi / 180};
}

bool inside_page(const Page& page, const Placement& at, const Extent& extent) {
    const double c = std::cos(at.radians), s = std::sin(at.radians);
    for (const double x : {extent.left, extent.right})
        for (const double y : {extent.top, extent.bottom}) {
            const double px = at.x + x * c - y * s, py = at.y + x * s + y * c;
            if (px < -kSlackPt || py < -kSlackPt || px > page.width + kSlackPt || py > page.height + kSlackPt) return false;
        }
    return true;
}

// Whether a line starts where the line-breaking rules (UAX #14) allow none: pango breaks a word
// that is wider than the box anywhere, and "Willkom|men" is no way to print a word.
bool breaks_inside_a_word(PangoLayout* layout) {
    int count = 0;
    const PangoLogAttr* attributes = pango_layout_get_log_attrs_readonly(layout, &count);
    const char* text = pango_layout_get_text(layout);
    for (GSList* line = pango_layout_get_lines_readonly(layout); line != nullptr; line = line->next) {
        const auto* current = static_cast<PangoLayoutLine*>(line->data);
        if (current->is_paragraph_start) continue;
        const glong offset = g_utf8_pointer_to_offset(text, text + current->start_index);
        if (offset < count && !attributes[offset].is_line_break) return true;
    }
    return false;
}

// Fits: inside its width and on the page, on the lines the text has when autoresized, else
// wrapped between words only.
bool fits(const Canvas& canvas, const TextStyle& style, PangoLayout* layout) {
    if (style.area.autoresize ? pango_layout_is_wrapped(layout) : breaks_inside_a_word(layout)) return false;
    const Extent extent = extent_of(layout);
    const double width = style.area.width_mm * kPointsPerMm;
    if (extent.left < -kSlackPt || extent.right > width + kSlackPt) return false;
    return inside_page(canvas.page, placement(canvas.page, style.area, extent), extent);
}

// The largest size up to the layout's that fits; a text that fits nowhere gets the smallest and
// is clipped to the page.
double fitted_size(const Canvas& canvas, const TextStyle& style, const std::string& text) {
    constexpr double kSmallestPt = 2;
    const auto fits_at = [&](double size) { return fits(canvas, style, text_layout(canvas, style, text, size).get()); };
    double high = style.area.font_size_pt;
    if (fits_at(high)) return high;
    double low = std::min(kSmallestPt, high);
    if (!fits_at(low)) return low;
    for (int step = 0; step < 12 && high - low > 0.05; ++step) {
        const double middle = (low + high) / 2;
        (fits_at(middle) ? low : high) = middle;
    }
    return low;
}

void clip_to_page(cairo_t* cr, const Page& page) {
    cairo_rectangle(cr, 0, 0, page.width, page.height);
    cairo_clip(cr);
}

// The direction pango finds for the text's first paragraph (its first letter that has one).
PangoDirection direction_of(const Canvas& canvas, const std::string& text) {
    pango_context_set_base_dir(canvas.pango, PANGO_DIRECTION_LTR);
    Owned<PangoLayout> probe(pango_layout_new(canvas.pango));
    pango_layout_set_text(probe.get(), text.data(), static_cast<int>(text.size()));
    const PangoLayoutLine* first = pango_layout_get_line_readonly(probe.get(), 0);
    return first != nullptr && first->resolved_dir == PANGO_DIRECTION_RTL ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR;
}

std::expected<void, std::string> draw_text(const Canvas& canvas, const TextArea& area, const BadgeData& data) {
    const std::string text = area_text(area, data);
    if (text.empty()) return {};
    // pango swaps left and right for a paragraph running against the context's direction. A badge
    // keeps its designer's alignment (pretix's does too), so the context takes the text's direction.
    pango_context_set_base_dir(canvas.pango, direction_of(canvas, text));
    const TextStyle style{area, natural_line_height(canvas.pango, area)};
    const auto layout = text_layout(canvas, style, text, fitted_size(canvas, style, text));
    const Placement at = placement(canvas.page, area, extent_of(layout.get()));
    cairo_save(canvas.cr);
    clip_to_page(canvas.cr, canvas.page);
    cairo_translate(canvas.cr, at.x, at.y);
    cairo_rotate(canvas.cr, at.radians);
    cairo_set_source_rgba(canvas.cr, area.color.r, area.color.g, area.color.b, area.color.a);
    pango_cairo_show_layout(canvas.cr, layout.get());
    cairo_restore(canvas.cr);
    return {};
}

// [SECTION] barcode areas

// pretix's choice: the strongest correction that keeps modules large for the text's length.
QrErrorCorrection correction_for(size_t length) {
    if (length <= 32) return QrErrorCorrection::high;
    if (length <= 128) return QrErrorCorrection::medium;
    return QrErrorCorrection::low;
}

// The top-left of the first cell (quiet zone included) and a module's side, in points.
struct QrGrid {
    double x = 0, y = 0, module = 0;
};

QrGrid grid_for(const Canvas& canvas, const BarcodeArea& area, int cells) {
    const double size = area.size_mm * kPointsPerMm;
    const double x = x_of(area.left_mm), y = y_of(canvas.page, area.bottom_mm + area.size_mm);
    if (!canvas.dots_per_point) return {x, y, size / cells};
    // On a raster every module is the same whole number of dots, so modules are exact squares
    // and edges sharp; what is left of the area widens the quiet zone, evenly on both sides.
    const double scale = *canvas.dots_per_point;
    const double module_dots = std::max(1.0, std::floor(size * scale / cells));
    const double margin = (size * scale - module_dots * cells) / 2;
    return {std::round(x * scale + margin) / scale, std::round(y * scale + margin) / scale, module_dots / scale};
}

std::string barcode_text(const BarcodeArea& area, const BadgeData& data) {
    if (area.content == "other") return substitute(area.text, data);
    return field(data, area.content).value_or("");
}

// Runs of dark modules become one path filled once: no seams between neighbours in PDF viewers.
void add_modules(cairo_t* cr, const Image& modules, const QrGrid& grid, int quiet) {
    for (int y = 0; y < modules.height(); ++y) {
        const uint8_t* row = modules.view().row(y);
        for (int x = 0; x < modules.width();) {
            if (row[x] != 0) { ++x; continue; }
            int end = x;
            while (end < modules.width() && row[end] == 0) ++end;
            cairo_rectangle(cr, grid.x + (quiet + x) * grid.module, grid.y + (quiet + y) * grid.module, (end - x) * grid.module, grid.module);
            x = end;
        }
    }
}

std::expected<void, std::string> draw_qr(const Canvas& canvas, const BarcodeArea& area, const BadgeData& data) {
    const std::string text = barcode_text(area, data);
    if (text.empty()) return {};
    const auto modules = encode_qr(text, QrStyle{1, 0, correction_for(text.size())});
    if (!modules) return std::unexpected("the QR code of \"" + area.content + "\": " + modules.error());
    const int quiet = area.no_whitespace ? 0 : 4;
    const QrGrid grid = grid_for(canvas, area, modules->width() + 2 * quiet);
    cairo_t* cr = canvas.cr;
    cairo_save(cr);
    cairo_set_antialias(cr, canvas.dots_per_point ? CAIRO_ANTIALIAS_NONE : CAIRO_ANTIALIAS_DEFAULT);
    const double side = area.size_mm * kPointsPerMm;
    cairo_rectangle(cr, x_of(area.left_mm), y_of(canvas.page, area.bottom_mm + area.size_mm), side, side);
    cairo_set_source_rgb(cr, 1, 1, 1);       // the quiet zone is white whatever lies below
    cairo_fill(cr);
    add_modules(cr, *modules, grid, quiet);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_fill(cr);
    cairo_restore(cr);
    return {};
}

// [SECTION] image areas

struct Box {
    double x = 0, y = 0, width = 0, height = 0;  // points, top-left origin
};

// Scaled to fit the area and centred in it, as pretix draws images.
Box fitted_box(const Page& page, const ImageArea& area, const Image& image) {
    const double width = area.width_mm * kPointsPerMm, height = area.height_mm * kPointsPerMm;
    const double scale = std::min(width / image.width(), height / image.height());
    const double w = image.width() * scale, h = image.height() * scale;
    return {x_of(area.left_mm) + (width - w) / 2, y_of(page, area.bottom_mm + area.height_mm) + (height - h) / 2, w, h};
}

const Image* image_for(const ImageArea& area, const BadgeData& data) {
    const auto it = data.images.find(area.content);
    return it == data.images.end() || it->second.empty() ? nullptr : &it->second;
}

uint32_t premultiplied_argb(const uint8_t* pixel, PixelFormat format) {
    const bool gray = format == PixelFormat::gray8, bgr = format == PixelFormat::bgr24;
    const uint32_t r = pixel[bgr ? 2 : 0], g = pixel[gray ? 0 : 1], b = pixel[gray ? 0 : bgr ? 0 : 2];
    const uint32_t a = format == PixelFormat::rgba32 ? pixel[3] : 255;
    const auto times_alpha = [a](uint32_t c) { return (c * a + 127) / 255; };
    return a << 24 | times_alpha(r) << 16 | times_alpha(g) << 8 | times_alpha(b);
}

Owned<cairo_surface_t> surface_of(const ImageView& image) {
    Owned<cairo_surface_t> surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, image.width, image.height));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return surface;
    cairo_surface_flush(surface.get());
    uint8_t* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get()), bpp = bytes_per_pixel(image.format);
    for (int y = 0; y < image.height; ++y) {
        auto* target = reinterpret_cast<uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (int x = 0; x < image.width; ++x) target[x] = premultiplied_argb(image.row(y) + x * bpp, image.format);
    }
    cairo_surface_mark_dirty(surface.get());
    return surface;
}

// Photos are shrunk beforehand to the output's resolution (300 dpi for PDF): a camera picture
// would otherwise make every badge PDF megabytes large.
Image resampled(const Image& image, const Box& box, double dots_per_point) {
    const int width = std::max(1, static_cast<int>(std::lround(box.width * dots_per_point)));
    const int height = std::max(1, static_cast<int>(std::lround(box.height * dots_per_point)));
    if (width >= image.width()) return Image::copy_of(image.view());
    return scale(image.view(), width, height, ScaleFilter::area);
}

std::expected<void, std::string> draw_image(const Canvas& canvas, const ImageArea& area, const BadgeData& data) {
    const Image* image = image_for(area, data);
    if (!canvas.photos || image == nullptr) return {};
    const Box box = fitted_box(canvas.page, area, *image);
    const Image pixels = resampled(*image, box, canvas.dots_per_point.value_or(300.0 / 72));
    const auto surface = surface_of(pixels.view());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::unexpected(std::string("an image too large to draw"));
    cairo_save(canvas.cr);
    cairo_translate(canvas.cr, box.x, box.y);
    cairo_scale(canvas.cr, box.width / pixels.width(), box.height / pixels.height());
    cairo_set_source_surface(canvas.cr, surface.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(canvas.cr), CAIRO_FILTER_GOOD);
    cairo_paint(canvas.cr);
    cairo_restore(canvas.cr);
    return {};
}

// [SECTION] a badge on a cairo surface

Page page_of(const BadgeLayout& layout) {
    return {layout.page_width_mm * kPointsPerMm, layout.page_height_mm * kPointsPerMm};
}

std::expected<void, std::string> draw_elements(const Canvas& canvas, const BadgeLayout& layout, const BadgeData& data) {
    for (const LayoutElement& element : layout.elements) {
        const auto drawn = std::visit(Overloaded{
                                          [&](const TextArea& area) { return draw_text(canvas, area, data); },
                                          [&](const BarcodeArea& area) { return draw_qr(canvas, area, data); },
                                          [&](const ImageArea& area) { return draw_image(canvas, area, data); },
                                      },
                                      element);
        if (!drawn) return drawn;
    }
    return {};
}

struct DrawOptions {
    double scale = 1;                       // device units per point
    bool raster = false;
    bool photos = true;
    bool white_page = true;
};

std::expected<void, std::string> draw_badge(cairo_surface_t* surface, const BadgeLayout& layout, const BadgeData& data,
                                            const DrawOptions& options) {
    Owned<cairo_t> cr(cairo_create(surface));
    cairo_scale(cr.get(), options.scale, options.scale);
    if (options.white_page) {
        cairo_set_source_rgb(cr.get(), 1, 1, 1);
        cairo_paint(cr.get());
    }
    Owned<PangoContext> pango(pango_font_map_create_context(pango_cairo_font_map_get_default()));
    configure_text(pango.get(), data.language);
    const Canvas canvas{cr.get(), pango.get(), page_of(layout), options.raster ? std::optional(options.scale) : std::nullopt, options.photos};
    if (auto drawn = draw_elements(canvas, layout, data); !drawn) return drawn;
    if (const cairo_status_t status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS)
        return std::unexpected(std::string("drawing the badge failed: ") + cairo_status_to_string(status));
    return {};
}

// [SECTION] outputs

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

struct RasterSize {
    int width = 0, height = 0;
    double dots_per_point = 1;
};

std::expected<RasterSize, std::string> raster_size(const BadgeLayout& layout, double dpi) {
    if (!(dpi >= 36 && dpi <= 1200)) return std::unexpected("a resolution of " + std::to_string(dpi) + " dpi is outside 36..1200");
    RasterSize size;
    size.dots_per_point = dpi / 72;
    size.width = std::max(1, static_cast<int>(std::lround(layout.page_width_mm / 25.4 * dpi)));
    size.height = std::max(1, static_cast<int>(std::lround(layout.page_height_mm / 25.4 * dpi)));
    // cairo's image surfaces stop at 32767 dots a side; 100 megapixels is far beyond any badge.
    if (size.width > 32767 || size.height > 32767 || static_cast<int64_t>(size.width) * size.height > 100'000'000)
        return std::unexpected("a " + std::to_string(size.width) + "x" + std::to_string(size.height) + " dot page is too large to render");
    return size;
}

std::expected<Owned<cairo_surface_t>, std::string> render_surface(const BadgeLayout& layout, const BadgeData& data, double dpi,
                                                                  cairo_format_t format, bool sharp_only) {
    const auto size = raster_size(layout, dpi);
    if (!size) return std::unexpected(size.error());
    Owned<cairo_surface_t> surface(cairo_image_surface_create(format, size->width, size->height));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::unexpected(std::string("out of memory for the badge image"));
    const DrawOptions options{size->dots_per_point, true, !sharp_only, !sharp_only};
    if (auto drawn = draw_badge(surface.get(), layout, data, options); !drawn) return std::unexpected(drawn.error());
    cairo_surface_flush(surface.get());
    return surface;
}

const uint32_t* surface_row(cairo_surface_t* surface, int y) {
    return reinterpret_cast<const uint32_t*>(cairo_image_surface_get_data(surface) +
                                             static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(surface));
}

// [SECTION] the 1-bit raster

// A photo flattened onto white paper, as gray.
Image gray_on_white(const ImageView& image) {
    if (image.format != PixelFormat::rgba32) return to_gray(image);
    Image flat(image.width, image.height, PixelFormat::rgb24);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const uint8_t* in = image.row(y) + 4 * x;
            for (int c = 0; c < 3; ++c) flat.row(y)[3 * x + c] = static_cast<uint8_t>((in[c] * in[3] + 255 * (255 - in[3]) + 127) / 255);
        }
    return to_gray(flat.view());
}

// Photos dithered (Floyd-Steinberg) on their own, each inside its own box, so that dithering
// never reaches text or codes.
Image dithered_photos(const BadgeLayout& layout, const BadgeData& data, const RasterSize& size) {
    Image canvas(size.width, size.height, PixelFormat::gray8, 255);
    const Page page = page_of(layout);
    for (const LayoutElement& element : layout.elements) {
        const auto* area = std::get_if<ImageArea>(&element);
        const Image* image = area ? image_for(*area, data) : nullptr;
        if (image == nullptr) continue;
        const Box box = fitted_box(page, *area, *image);
        const int x0 = static_cast<int>(std::lround(box.x * size.dots_per_point)), y0 = static_cast<int>(std::lround(box.y * size.dots_per_point));
        const int w = std::max(1, static_cast<int>(std::lround(box.width * size.dots_per_point)));
        const int h = std::max(1, static_cast<int>(std::lround(box.height * size.dots_per_point)));
        const Image dots = dither_1bit(gray_on_white(scale(image->view(), w, h, ScaleFilter::area).view()).view(), DitherMethod::floyd_steinberg);
        for (int y = std::max(0, -y0); y < h && y0 + y < size.height; ++y)
            for (int x = std::max(0, -x0); x < w && x0 + x < size.width; ++x) canvas.row(y0 + y)[x0 + x] = dots.view().row(y)[x];
    }
    return canvas;
}

// Text and codes over the photos: a dot of the sharp layer at least half covered takes the ink's
// lightness (dark ink prints, white ink clears), thresholded, never dithered.
void overlay_sharp(Image& dots, cairo_surface_t* sharp) {
    for (int y = 0; y < dots.height(); ++y) {
        const uint32_t* row = surface_row(sharp, y);
        uint8_t* out = dots.row(y);
        for (int x = 0; x < dots.width(); ++x) {
            const uint32_t alpha = row[x] >> 24;
            if (alpha < 128) continue;
            const auto channel = [&](int shift) { return ((row[x] >> shift) & 0xFF) * 255 / alpha; };
            const uint32_t luma = (299 * channel(16) + 587 * channel(8) + 114 * channel(0)) / 1000;
            out[x] = luma < 128 ? 0 : 255;
        }
    }
}

} // namespace

std::expected<std::string, std::string> render_pdf(const BadgeLayout& layout, const BadgeData& data) {
    std::string pdf;
    const Page page = page_of(layout);
    Owned<cairo_surface_t> surface(cairo_pdf_surface_create_for_stream(append_to_string, &pdf, page.width, page.height));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, layout.name.empty() ? "Badge" : layout.name.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "kiosk");
    if (auto drawn = draw_badge(surface.get(), layout, data, DrawOptions{}); !drawn) return std::unexpected(drawn.error());
    cairo_surface_finish(surface.get());
    if (const cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS)
        return std::unexpected(std::string("writing the badge PDF failed: ") + cairo_status_to_string(status));
    return pdf;
}

std::expected<Image, std::string> render_image(const BadgeLayout& layout, const BadgeData& data, double dpi) {
    auto surface = render_surface(layout, data, dpi, CAIRO_FORMAT_RGB24, false);
    if (!surface) return std::unexpected(surface.error());
    cairo_surface_t* pixels = surface->get();
    Image out(cairo_image_surface_get_width(pixels), cairo_image_surface_get_height(pixels), PixelFormat::rgb24);
    for (int y = 0; y < out.height(); ++y) {
        const uint32_t* row = surface_row(pixels, y);
        uint8_t* target = out.row(y);
        for (int x = 0; x < out.width(); ++x) {
            target[3 * x] = static_cast<uint8_t>(row[x] >> 16);
            target[3 * x + 1] = static_cast<uint8_t>(row[x] >> 8);
            target[3 * x + 2] = static_cast<uint8_t>(row[x]);
        }
    }
    return out;
}

std::expected<std::string, std::string> render_png(const BadgeLayout& layout, const BadgeData& data, double dpi) {
    auto surface = render_surface(layout, data, dpi, CAIRO_FORMAT_RGB24, false);
    if (!surface) return std::unexpected(surface.error());
    std::string png;
    if (cairo_surface_write_to_png_stream(surface->get(), append_to_string, &png) != CAIRO_STATUS_SUCCESS)
        return std::unexpected(std::string("writing the badge PNG failed"));
    return png;
}

std::expected<MonoRaster, std::string> render_mono(const BadgeLayout& layout, const BadgeData& data, double dpi) {
    const auto size = raster_size(layout, dpi);
    if (!size) return std::unexpected(size.error());
    auto sharp = render_surface(layout, data, dpi, CAIRO_FORMAT_ARGB32, true);
    if (!sharp) return std::unexpected(sharp.error());
    Image dots = dithered_photos(layout, data, *size);
    overlay_sharp(dots, sharp->get());
    MonoRaster raster;
    raster.width = dots.width();
    raster.height = dots.height();
    raster.bits = pack_1bit_rows(dots.view(), raster.stride);
    return raster;
}

} // namespace kiosk::printer
