#include "vision/still_image.h"

#include <algorithm>
#include <array>
#include <cctype>

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

std::expected<Image, std::string> read_still_image(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::unexpected(std::string("not a readable file"));
    cv::Mat mat;
    try {
        mat = cv::imread(path.string(), cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return std::unexpected(std::string("cannot decode the image"));
    }
    if (mat.empty()) return std::unexpected(std::string("cannot decode the image (unknown format or truncated file)"));
    const auto view = view_of(mat);
    if (!view) return std::unexpected(std::string("unsupported pixel format"));
    return Image::copy_of(*view);
}

} // namespace kiosk
