// PNG files: screenshots, badge previews, test corpora. Errors are values: a missing or corrupt
// file gives nullopt / false and a message, never an exception.
#pragma once

#include <optional>
#include <string>

#include "image/image.h"

namespace kiosk {

struct PngRead {
    std::optional<Image> image;             // gray8, bgr24 or rgba32 as stored
    std::string error;
};
PngRead read_png(const std::string& path);
// Writes gray8, bgr24, rgb24 and rgba32 images; false with `error` set when the file cannot be written.
bool write_png(const ImageView& image, const std::string& path, std::string* error = nullptr);

} // namespace kiosk
