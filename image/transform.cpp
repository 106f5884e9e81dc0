#include "image/transform.h"

#include <algorithm>
#include <cstdint>

#include <opencv2/imgproc.hpp>

#include "image/opencv.h"

namespace kiosk {
namespace {

// BT.601 luma in 16-bit fixed point; the weights sum to exactly 65536 so white stays 255.
uint8_t luma(uint32_t r, uint32_t g, uint32_t b) {
    return static_cast<uint8_t>((19595u * r + 38470u * g + 7471u * b + 32768u) >> 16);
}

Image nearest(const ImageView& source, int width, int height) {
    Image out(width, height, source.format);
    const int bpp = bytes_per_pixel(source.format);
    // Sample at pixel centres ((2d+1)/2 * ratio) in integers: exact for every ratio and, unlike
    // cv::INTER_NEAREST, not shifted towards the top-left when shrinking.
    std::vector<int> columns(static_cast<size_t>(width));
    for (int x = 0; x < width; ++x)
        columns[static_cast<size_t>(x)] = static_cast<int>((2 * static_cast<int64_t>(x) + 1) * source.width / (2 * static_cast<int64_t>(width)));
    for (int y = 0; y < height; ++y) {
        const int sy = static_cast<int>((2 * static_cast<int64_t>(y) + 1) * source.height / (2 * static_cast<int64_t>(height)));
        const uint8_t* in = source.row(sy);
        uint8_t* target = out.row(y);
        for (int x = 0; x < width; ++x) {
            const uint8_t* pixel = in + static_cast<std::ptrdiff_t>(columns[static_cast<size_t>(x)]) * bpp;
            for (int c = 0; c < bpp; ++c) *target++ = pixel[c];
        }
    }
    return out;
}

} // namespace

Image to_gray(const ImageView& source) {
    if (source.empty()) return {};
    Image out(source.width, source.height, PixelFormat::gray8);
    for (int y = 0; y < source.height; ++y) {
        const uint8_t* in = source.row(y);
        uint8_t* target = out.row(y);
        for (int x = 0; x < source.width; ++x) {
            switch (source.format) {
            case PixelFormat::gray8: target[x] = in[x]; break;
            case PixelFormat::bgr24: {
                const uint8_t* p = in + 3 * x;
                target[x] = luma(p[2], p[1], p[0]);
                break;
            }
            case PixelFormat::rgb24: {
                const uint8_t* p = in + 3 * x;
                target[x] = luma(p[0], p[1], p[2]);
                break;
            }
            // Alpha is dropped, not composited: what a transparent pixel should become (paper white,
            // a screen background) is the caller's decision.
            case PixelFormat::rgba32: {
                const uint8_t* p = in + 4 * x;
                target[x] = luma(p[0], p[1], p[2]);
                break;
            }
            }
        }
    }
    return out;
}

Image scale(const ImageView& source, int width, int height, ScaleFilter filter) {
    if (source.empty() || width <= 0 || height <= 0) return {};
    if (filter == ScaleFilter::nearest) return nearest(source, width, height);
    Image out(width, height, source.format);
    // A Mat header of the right size and type on `out` makes cv::resize write in place (create()
    // is a no-op for a matching Mat); channel order does not matter to interpolation.
    cv::Mat target = mat_of(out.view());
    const int interpolation = filter == ScaleFilter::area ? cv::INTER_AREA : cv::INTER_LINEAR;
    cv::resize(mat_of(source), target, target.size(), 0, 0, interpolation);
    return out;
}

Image dither_1bit(const ImageView& gray, DitherMethod method, uint8_t threshold) {
    if (gray.empty()) return {};
    // Colour input is tolerated rather than refused: converting first is what every caller would do.
    Image converted;
    ImageView source = gray;
    if (gray.format != PixelFormat::gray8) {
        converted = to_gray(gray);
        source = converted.view();
    }
    Image out(source.width, source.height, PixelFormat::gray8);
    if (method == DitherMethod::threshold) {
        for (int y = 0; y < source.height; ++y) {
            const uint8_t* in = source.row(y);
            uint8_t* target = out.row(y);
            for (int x = 0; x < source.width; ++x) target[x] = in[x] < threshold ? 0 : 255;
        }
        return out;
    }

    // Error rows carry one guard cell on each side so the kernel needs no edge tests; what lands
    // in a guard is discarded, as in the classic algorithm. Integer shares are split so that they
    // sum to the full error: no brightness is lost to rounding, which keeps the mean exact.
    const size_t cells = static_cast<size_t>(source.width) + 2;
    std::vector<int> current(cells, 0), next(cells, 0);
    for (int y = 0; y < source.height; ++y) {
        const uint8_t* in = source.row(y);
        uint8_t* target = out.row(y);
        // Serpentine scan: alternating direction avoids the diagonal "worms" of a raster scan.
        const bool forward = y % 2 == 0;
        const int step = forward ? 1 : -1;
        for (int i = 0; i < source.width; ++i) {
            const int x = forward ? i : source.width - 1 - i;
            const size_t cell = static_cast<size_t>(x) + 1;
            const int value = in[x] + current[cell];
            const int result = value < threshold ? 0 : 255;
            target[x] = static_cast<uint8_t>(result);
            const int error = value - result;
            const int behind_below = error * 3 / 16, below = error * 5 / 16, ahead_below = error / 16;
            const int ahead = error - behind_below - below - ahead_below;  // takes the rounding remainder
            current[static_cast<size_t>(static_cast<int>(cell) + step)] += ahead;
            next[static_cast<size_t>(static_cast<int>(cell) - step)] += behind_below;
            next[cell] += below;
            next[static_cast<size_t>(static_cast<int>(cell) + step)] += ahead_below;
        }
        current.swap(next);
        std::fill(next.begin(), next.end(), 0);
    }
    return out;
}

std::vector<uint8_t> pack_1bit_rows(const ImageView& dithered, int& bytes_per_row) {
    bytes_per_row = 0;
    if (dithered.empty()) return {};
    Image converted;
    ImageView source = dithered;
    if (dithered.format != PixelFormat::gray8) {
        converted = to_gray(dithered);
        source = converted.view();
    }
    bytes_per_row = (source.width + 7) / 8;
    // Zero-initialised, so the padding bits of the last byte are already white.
    std::vector<uint8_t> packed(static_cast<size_t>(bytes_per_row) * static_cast<size_t>(source.height), 0);
    for (int y = 0; y < source.height; ++y) {
        const uint8_t* in = source.row(y);
        uint8_t* target = packed.data() + static_cast<std::ptrdiff_t>(y) * bytes_per_row;
        for (int x = 0; x < source.width; ++x)
            if (in[x] < 128) target[x / 8] = static_cast<uint8_t>(target[x / 8] | (0x80u >> (x % 8)));
    }
    return packed;
}

} // namespace kiosk
