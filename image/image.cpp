#include "image/image.h"

#include <algorithm>
#include <cstring>

namespace kiosk {

int bytes_per_pixel(PixelFormat format) {
    switch (format) {
    case PixelFormat::gray8: return 1;
    case PixelFormat::bgr24:
    case PixelFormat::rgb24: return 3;
    case PixelFormat::rgba32: return 4;
    }
    return 1;
}

ImageView ImageView::crop(int x, int y, int crop_width, int crop_height) const {
    const int left = std::clamp(x, 0, width);
    const int top = std::clamp(y, 0, height);
    const int right = std::clamp(x + crop_width, left, width);
    const int bottom = std::clamp(y + crop_height, top, height);
    if (right <= left || bottom <= top) return {};
    return {row(top) + static_cast<std::ptrdiff_t>(left) * bytes_per_pixel(format), right - left, bottom - top, stride, format};
}

Image::Image(int width, int height, PixelFormat format, uint8_t fill)
    : width_(std::max(width, 0)), height_(std::max(height, 0)), format_(format),
      pixels_(static_cast<size_t>(width_) * static_cast<size_t>(height_) * static_cast<size_t>(bytes_per_pixel(format)), fill) {}

Image Image::copy_of(const ImageView& view) {
    if (view.empty()) return {};
    Image image(view.width, view.height, view.format);
    const size_t row_bytes = static_cast<size_t>(image.stride());
    for (int y = 0; y < view.height; ++y) std::memcpy(image.row(y), view.row(y), row_bytes);
    return image;
}

} // namespace kiosk
