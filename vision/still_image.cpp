#include "vision/still_image.h"

#include <algorithm>
#include <array>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"

namespace kiosk {

bool looks_like_still_image(const std::filesystem::path& path) {
    static constexpr std::array<std::string_view, 9> kExtensions{".png", ".jpg", ".jpeg", ".bmp", ".webp",
                                                                  ".tif", ".tiff", ".pgm", ".ppm"};
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

StillRead read_still_image(const std::filesystem::path& path) {
    StillRead out;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        out.error = "not a readable file";
        return out;
    }
    cv::Mat mat;
    try {
        mat = cv::imread(path.string(), cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        out.error = "cannot decode the image";
        return out;
    }
    if (mat.empty()) {
        out.error = "cannot decode the image (unknown format or truncated file)";
        return out;
    }
    const auto view = view_of(mat);
    if (!view) {
        out.error = "unsupported pixel format";
        return out;
    }
    out.image = Image::copy_of(*view);
    return out;
}

} // namespace kiosk
