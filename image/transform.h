// Pixel operations the kiosk needs: colour to gray, resizing, 1-bit dithering for thermal and
// label printers. Pure functions over views; results are new images.
#pragma once

#include <vector>

#include "image/image.h"

namespace kiosk {

Image to_gray(const ImageView& source);     // any PixelFormat -> gray8 (ITU-R BT.601 weights)

enum class ScaleFilter { nearest, bilinear, area };
// Resizes to exactly width x height; `area` for shrinking photos, `nearest` for QR codes and pixel art.
Image scale(const ImageView& source, int width, int height, ScaleFilter filter = ScaleFilter::bilinear);

// 1-bit rendering of a gray8 image for printers that only burn dots: Floyd-Steinberg error
// diffusion for photos, a plain threshold for text and codes (dithering would fray their edges).
enum class DitherMethod { threshold, floyd_steinberg };
Image dither_1bit(const ImageView& gray, DitherMethod method = DitherMethod::floyd_steinberg, uint8_t threshold = 128);
// Rows packed 8 pixels per byte, most significant bit first, 1 = black dot: the layout of
// Brother QL and ZPL ^GF raster lines. Input is a dithered gray8 image (0 or 255).
std::vector<uint8_t> pack_1bit_rows(const ImageView& dithered, int& bytes_per_row);

} // namespace kiosk
