// Image value types shared by vision, printer and render.
//
// ImageView is a non-owning window on pixels with an explicit row stride (bytes from one row to
// the next), so a crop or a camera buffer is viewed without a copy. Image owns its pixels and
// hands out views. Both are plain values: no OpenCV or SDL types here (see image/opencv.h for
// the zero-copy bridge to cv::Mat).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiosk {

enum class PixelFormat : uint8_t {
    gray8,                                  // 1 byte per pixel, 0 = black
    bgr24,                                  // OpenCV's default colour order
    rgb24,
    rgba32,
};
int bytes_per_pixel(PixelFormat format);

struct ImageView {
    const uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;                         // bytes between the starts of two rows
    PixelFormat format = PixelFormat::gray8;

    bool empty() const { return data == nullptr || width <= 0 || height <= 0; }
    const uint8_t* row(int y) const { return data + static_cast<std::ptrdiff_t>(y) * stride; }
    // The sub-rectangle, clamped to the image; empty when it lies outside.
    ImageView crop(int x, int y, int crop_width, int crop_height) const;
};

class Image {
public:
    Image() = default;
    Image(int width, int height, PixelFormat format, uint8_t fill = 0);

    int width() const { return width_; }
    int height() const { return height_; }
    int stride() const { return width_ * bytes_per_pixel(format_); }
    PixelFormat format() const { return format_; }
    bool empty() const { return pixels_.empty(); }
    uint8_t* data() { return pixels_.data(); }
    const uint8_t* data() const { return pixels_.data(); }
    uint8_t* row(int y) { return pixels_.data() + static_cast<std::ptrdiff_t>(y) * stride(); }
    ImageView view() const { return {pixels_.data(), width_, height_, stride(), format_}; }

    static Image copy_of(const ImageView& view);  // tightly packed copy

private:
    int width_ = 0, height_ = 0;
    PixelFormat format_ = PixelFormat::gray8;
    std::vector<uint8_t> pixels_;
};

} // namespace kiosk
