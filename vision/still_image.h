// Still pictures from disk (png, jpg, bmp, ...) for `kioskctl decode` and the image-folder source.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "image/image.h"

namespace kiosk {

// Extensions read as stills; anything else handed to `kioskctl decode` is tried as a video.
bool looks_like_still_image(const std::filesystem::path& path);

// The picture as bgr24, or one line on why it cannot be read.
std::expected<Image, std::string> read_still_image(const std::filesystem::path& path);

} // namespace kiosk
