#include "image/opencv.h"

#include <limits>

namespace kiosk {

std::optional<ImageView> view_of(const cv::Mat& mat) {
    if (mat.dims > 2) return std::nullopt;
    PixelFormat format;
    switch (mat.type()) {
    case CV_8UC1: format = PixelFormat::gray8; break;
    case CV_8UC3: format = PixelFormat::bgr24; break;
    default: return std::nullopt;
    }
    if (mat.empty()) return ImageView{nullptr, 0, 0, 0, format};
    // A Mat can in principle have rows longer than int can count; our views cannot.
    if (mat.step[0] > static_cast<size_t>(std::numeric_limits<int>::max())) return std::nullopt;
    return ImageView{mat.ptr<uint8_t>(), mat.cols, mat.rows, static_cast<int>(mat.step[0]), format};
}

cv::Mat mat_of(const ImageView& view) {
    if (view.empty()) return {};
    int type = CV_8UC1;
    switch (view.format) {
    case PixelFormat::gray8: type = CV_8UC1; break;
    // rgb24 gets the same Mat type as bgr24: a Mat carries no channel order, so a caller that hands
    // an rgb24 view to OpenCV functions assuming BGR must swap (or use the *RGB* conversion codes).
    case PixelFormat::bgr24:
    case PixelFormat::rgb24: type = CV_8UC3; break;
    case PixelFormat::rgba32: type = CV_8UC4; break;
    }
    // OpenCV has no const Mat; the header's contract is that callers only read through it.
    return cv::Mat(view.height, view.width, type, const_cast<uint8_t*>(view.data), static_cast<size_t>(view.stride));
}

} // namespace kiosk
