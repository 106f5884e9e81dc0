// Still pictures from disk (png, jpg, bmp, ...) for `kioskctl decode` and the image-folder source.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "image/image.h"

namespace kiosk {

// Extensions read as stills; anything else handed to `kioskctl decode` is tried as a video.
bool looks_like_still_image(const std::filesystem::path& path);

struct StillRead {
    std::optional<Image> image;             // bgr24 or gray8
    std::string error;                      // one line when unreadable
};
StillRead read_still_image(const std::filesystem::path& path);

} // namespace kiosk
