// Rendering a badge with cairo and pango: shaped text in every script (Arabic and Hebrew right to
// left, CJK, accents), long names shrunk to fit their box and never cut, rotation, colours, images
// scaled to fit, and a QR code that scans.
//
// Three outputs: vector PDF (CUPS, files), a colour image (PNG, previews), and a 1-bit raster at the
// printer's resolution for label printers, where text and QR modules are thresholded sharp and
// only photos are dithered.
//
// Thread rule: the functions are reentrant; each call makes its own cairo surface and pango context.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "image/image.h"
#include "printer/badge_data.h"
#include "printer/badge_layout.h"

namespace kiosk::printer {

// A 1-bit page: `bits` rows of `stride` bytes, most significant bit first, 1 = black (printed).
struct MonoRaster {
    int width = 0, height = 0;              // dots
    int stride = 0;                         // bytes per row
    std::vector<uint8_t> bits;
    bool black(int x, int y) const { return (bits[static_cast<size_t>(y) * stride + x / 8] >> (7 - x % 8)) & 1; }
};

std::expected<std::string, std::string> render_pdf(const BadgeLayout& layout, const BadgeData& data);
std::expected<Image, std::string> render_image(const BadgeLayout& layout, const BadgeData& data, double dpi);  // rgb24
std::expected<std::string, std::string> render_png(const BadgeLayout& layout, const BadgeData& data, double dpi);
std::expected<MonoRaster, std::string> render_mono(const BadgeLayout& layout, const BadgeData& data, double dpi);

} // namespace kiosk::printer
