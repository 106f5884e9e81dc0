// PNG files: screenshots, badge previews, test corpora. A missing, unreadable or corrupt file is
// an ordinary outcome: a one-line message naming the file, never an exception.
#pragma once

#include <expected>
#include <string>

#include "image/image.h"

namespace kiosk {

// The image as stored: gray8, bgr24 (colour) or rgba32 (with alpha); 16-bit samples are reduced
// to 8 bits.
std::expected<Image, std::string> read_png(const std::string& path);
// Writes gray8, bgr24, rgb24 and rgba32 images.
std::expected<void, std::string> write_png(const ImageView& image, const std::string& path);

} // namespace kiosk
