#include "image/transform.h"
#include "image/opencv.h"

#include <cstdlib>
#include <numeric>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace kiosk {
namespace {

Image gray_from(int width, int height, std::initializer_list<int> values) {
    Image image(width, height, PixelFormat::gray8);
    auto it = values.begin();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.row(y)[x] = static_cast<uint8_t>(*it++);
    return image;
}

std::vector<int> pixels_of(const ImageView& view) {
    std::vector<int> out;
    const int row_bytes = view.width * bytes_per_pixel(view.format);
    for (int y = 0; y < view.height; ++y)
        for (int x = 0; x < row_bytes; ++x) out.push_back(view.row(y)[x]);
    return out;
}

double mean_of(const ImageView& gray) {
    const std::vector<int> pixels = pixels_of(gray);
    return std::accumulate(pixels.begin(), pixels.end(), 0.0) / static_cast<double>(pixels.size());
}

Image horizontal_gradient(int width, int height) {
    Image image(width, height, PixelFormat::gray8);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.row(y)[x] = static_cast<uint8_t>(x * 255 / (width - 1));
    return image;
}

// --- to_gray ---------------------------------------------------------------------------------------

TEST(ToGray, Bt601PrimariesInEachChannelOrder) {
    Image bgr(3, 1, PixelFormat::bgr24), rgb(3, 1, PixelFormat::rgb24), rgba(3, 1, PixelFormat::rgba32);
    for (int i = 0; i < 3; ++i) {
        bgr.row(0)[3 * i + (2 - i)] = 255;      // red, green, blue in BGR order
        rgb.row(0)[3 * i + i] = 255;            // red, green, blue in RGB order
        rgba.row(0)[4 * i + i] = 255;
        rgba.row(0)[4 * i + 3] = static_cast<uint8_t>(80 * i);  // alpha must not matter
    }
    const std::vector<int> expected = {76, 150, 29};  // 0.299, 0.587, 0.114 of 255
    EXPECT_EQ(pixels_of(to_gray(bgr.view()).view()), expected);
    EXPECT_EQ(pixels_of(to_gray(rgb.view()).view()), expected);
    EXPECT_EQ(pixels_of(to_gray(rgba.view()).view()), expected);
}

TEST(ToGray, WhiteStaysWhiteAndGrayIsCopied) {
    const Image white(2, 2, PixelFormat::rgb24, 255);
    EXPECT_EQ(pixels_of(to_gray(white.view()).view()), std::vector<int>(4, 255));
    const Image gray = gray_from(2, 2, {0, 64, 128, 255});
    const Image copy = to_gray(gray.view());
    EXPECT_EQ(copy.format(), PixelFormat::gray8);
    EXPECT_EQ(pixels_of(copy.view()), (std::vector<int>{0, 64, 128, 255}));
    EXPECT_NE(copy.data(), gray.data());
}

TEST(ToGray, MatchesOpenCvWithinOne) {
    cv::Mat bgr(17, 23, CV_8UC3);
    cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(256));
    cv::Mat reference;
    cv::cvtColor(bgr, reference, cv::COLOR_BGR2GRAY);
    const Image ours = to_gray(*view_of(bgr));
    for (int y = 0; y < bgr.rows; ++y)
        for (int x = 0; x < bgr.cols; ++x) ASSERT_LE(std::abs(ours.view().row(y)[x] - reference.at<uint8_t>(y, x)), 1);
}

TEST(ToGray, CropViewWithStride) {
    Image bgr(6, 4, PixelFormat::bgr24, 0);
    bgr.row(2)[3 * 3 + 1] = 255;  // a green pixel at (3, 2)
    const Image gray = to_gray(bgr.view().crop(2, 1, 3, 2));
    ASSERT_EQ(gray.width(), 3);
    ASSERT_EQ(gray.height(), 2);
    EXPECT_EQ(pixels_of(gray.view()), (std::vector<int>{0, 0, 0, 0, 150, 0}));
}

TEST(ToGray, EmptyInEmptyOut) { EXPECT_TRUE(to_gray(ImageView{}).empty()); }

// --- scale -----------------------------------------------------------------------------------------

TEST(Scale, NearestUpscaleReplicatesExactly) {
    const Image source = gray_from(2, 2, {10, 20, 30, 40});
    const Image big = scale(source.view(), 4, 6, ScaleFilter::nearest);
    ASSERT_EQ(big.width(), 4);
    ASSERT_EQ(big.height(), 6);
    EXPECT_EQ(pixels_of(big.view()), (std::vector<int>{10, 10, 20, 20, 10, 10, 20, 20, 10, 10, 20, 20,
                                                       30, 30, 40, 40, 30, 30, 40, 40, 30, 30, 40, 40}));
}

TEST(Scale, NearestDownscaleSamplesCentres) {
    // 4x1 -> 2x1 samples source columns 1 and 3 (the centres of each half, rounded right).
    const Image source = gray_from(4, 1, {1, 2, 3, 4});
    EXPECT_EQ(pixels_of(scale(source.view(), 2, 1, ScaleFilter::nearest).view()), (std::vector<int>{2, 4}));
    // 3x1 -> 1x1 takes the middle pixel.
    const Image three = gray_from(3, 1, {1, 2, 3});
    EXPECT_EQ(pixels_of(scale(three.view(), 1, 1, ScaleFilter::nearest).view()), (std::vector<int>{2}));
}

TEST(Scale, NearestKeepsMultiChannelPixelsWhole) {
    Image rgba(1, 1, PixelFormat::rgba32);
    const uint8_t pixel[4] = {1, 2, 3, 4};
    std::copy(pixel, pixel + 4, rgba.data());
    const Image big = scale(rgba.view(), 3, 2, ScaleFilter::nearest);
    EXPECT_EQ(big.format(), PixelFormat::rgba32);
    std::vector<int> expected;
    for (int i = 0; i < 6; ++i) expected.insert(expected.end(), {1, 2, 3, 4});
    EXPECT_EQ(pixels_of(big.view()), expected);
}

TEST(Scale, DimensionsAndFormatForEveryFilter) {
    for (PixelFormat format : {PixelFormat::gray8, PixelFormat::bgr24, PixelFormat::rgb24, PixelFormat::rgba32})
        for (ScaleFilter filter : {ScaleFilter::nearest, ScaleFilter::bilinear, ScaleFilter::area})
            for (auto [width, height] : {std::pair{7, 3}, std::pair{40, 50}, std::pair{1, 1}}) {
                const Image source(13, 11, format, 90);
                const Image out = scale(source.view(), width, height, filter);
                ASSERT_EQ(out.width(), width);
                ASSERT_EQ(out.height(), height);
                ASSERT_EQ(out.format(), format);
                // A flat image stays flat whatever the filter.
                for (int value : pixels_of(out.view())) ASSERT_EQ(value, 90);
            }
}

TEST(Scale, AreaAveragesBlocks) {
    const Image source = gray_from(4, 2, {0, 100, 200, 200, 50, 150, 100, 100});
    const Image small = scale(source.view(), 2, 1, ScaleFilter::area);
    EXPECT_EQ(pixels_of(small.view()), (std::vector<int>{75, 150}));
}

TEST(Scale, BilinearInterpolatesBetweenNeighbours) {
    const Image source = gray_from(2, 1, {0, 200});
    const Image wide = scale(source.view(), 4, 1, ScaleFilter::bilinear);
    // Half-pixel-centred sampling: 0, 0.25, 0.75, 1 of the way.
    EXPECT_EQ(pixels_of(wide.view()), (std::vector<int>{0, 50, 150, 200}));
}

TEST(Scale, CropViewWithStride) {
    Image source(8, 8, PixelFormat::gray8, 0);
    for (int y = 2; y < 4; ++y)
        for (int x = 5; x < 7; ++x) source.row(y)[x] = static_cast<uint8_t>(10 * y + x);
    const ImageView crop = source.view().crop(5, 2, 2, 2);
    for (ScaleFilter filter : {ScaleFilter::nearest, ScaleFilter::bilinear, ScaleFilter::area}) {
        const Image same = scale(crop, 2, 2, filter);
        EXPECT_EQ(pixels_of(same.view()), (std::vector<int>{25, 26, 35, 36}));
    }
    EXPECT_EQ(pixels_of(scale(crop, 4, 2, ScaleFilter::nearest).view()), (std::vector<int>{25, 25, 26, 26, 35, 35, 36, 36}));
}

TEST(Scale, InvalidSizesGiveEmpty) {
    const Image source(4, 4, PixelFormat::gray8);
    EXPECT_TRUE(scale(source.view(), 0, 4).empty());
    EXPECT_TRUE(scale(source.view(), 4, -1).empty());
    EXPECT_TRUE(scale(ImageView{}, 4, 4).empty());
}

// --- dither_1bit -----------------------------------------------------------------------------------

TEST(Dither, ThresholdIsExact) {
    const Image source = gray_from(2, 2, {0, 127, 128, 255});
    EXPECT_EQ(pixels_of(dither_1bit(source.view(), DitherMethod::threshold).view()), (std::vector<int>{0, 0, 255, 255}));
    EXPECT_EQ(pixels_of(dither_1bit(source.view(), DitherMethod::threshold, 200).view()), (std::vector<int>{0, 0, 0, 255}));
}

TEST(Dither, FloydSteinbergKnownRow) {
    // 100 -> black (error +100, 7/16 carried right: 145) -> white (error -110: 145 - 48 = ~52 after
    // the carry) -> black -> black. Computed by hand with the classic kernel.
    const Image source = gray_from(4, 1, {100, 100, 100, 100});
    EXPECT_EQ(pixels_of(dither_1bit(source.view()).view()), (std::vector<int>{0, 255, 0, 0}));
}

TEST(Dither, FloydSteinbergKeepsExtremesAndOutputsOnlyBlackAndWhite) {
    const Image black(9, 5, PixelFormat::gray8, 0), white(9, 5, PixelFormat::gray8, 255);
    EXPECT_EQ(pixels_of(dither_1bit(black.view()).view()), std::vector<int>(45, 0));
    EXPECT_EQ(pixels_of(dither_1bit(white.view()).view()), std::vector<int>(45, 255));
    const Image gradient = horizontal_gradient(37, 13);
    for (int value : pixels_of(dither_1bit(gradient.view()).view())) ASSERT_TRUE(value == 0 || value == 255);
}

TEST(Dither, FloydSteinbergPreservesMeanBrightness) {
    const Image gradient = horizontal_gradient(64, 16);
    const Image dithered = dither_1bit(gradient.view());
    EXPECT_NEAR(mean_of(dithered.view()), mean_of(gradient.view()), 0.02 * mean_of(gradient.view()));

    for (int level : {32, 64, 128, 192, 230}) {
        const Image flat(32, 32, PixelFormat::gray8, static_cast<uint8_t>(level));
        EXPECT_NEAR(mean_of(dither_1bit(flat.view()).view()), level, 0.02 * 255) << level;
    }
    // Local brightness too: each quarter of the gradient keeps its own mean.
    for (int quarter = 0; quarter < 4; ++quarter) {
        const ImageView in = gradient.view().crop(quarter * 16, 0, 16, 16);
        const ImageView out = dithered.view().crop(quarter * 16, 0, 16, 16);
        EXPECT_NEAR(mean_of(out), mean_of(in), 0.05 * 255) << quarter;
    }
}

TEST(Dither, CropViewWithStrideAndColourInput) {
    Image source(10, 10, PixelFormat::gray8, 255);
    for (int x = 0; x < 10; ++x) source.row(5)[x] = 0;
    const Image out = dither_1bit(source.view().crop(2, 4, 3, 3), DitherMethod::threshold);
    EXPECT_EQ(pixels_of(out.view()), (std::vector<int>{255, 255, 255, 0, 0, 0, 255, 255, 255}));

    const Image red(2, 1, PixelFormat::bgr24, 0);
    const Image dithered = dither_1bit(red.view(), DitherMethod::threshold);
    EXPECT_EQ(dithered.format(), PixelFormat::gray8);
    EXPECT_EQ(pixels_of(dithered.view()), (std::vector<int>{0, 0}));
}

// --- pack_1bit_rows --------------------------------------------------------------------------------

TEST(Pack1Bit, MsbFirstBlackIsOneAndPaddingIsWhite) {
    const Image row = gray_from(10, 1, {0, 255, 255, 255, 255, 255, 255, 0, 0, 255});
    int bytes_per_row = -1;
    const std::vector<uint8_t> packed = pack_1bit_rows(row.view(), bytes_per_row);
    EXPECT_EQ(bytes_per_row, 2);
    EXPECT_EQ(packed, (std::vector<uint8_t>{0x81, 0x80}));

    const Image all_black(10, 2, PixelFormat::gray8, 0);
    EXPECT_EQ(pack_1bit_rows(all_black.view(), bytes_per_row), (std::vector<uint8_t>{0xFF, 0xC0, 0xFF, 0xC0}));
}

TEST(Pack1Bit, ExactByteWidthAndRows) {
    const Image image = gray_from(8, 2, {255, 0, 255, 0, 255, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255});
    int bytes_per_row = 0;
    EXPECT_EQ(pack_1bit_rows(image.view(), bytes_per_row), (std::vector<uint8_t>{0x55, 0xF0}));
    EXPECT_EQ(bytes_per_row, 1);
}

TEST(Pack1Bit, CropViewWithStride) {
    Image image(16, 3, PixelFormat::gray8, 255);
    image.row(1)[3] = 0;
    image.row(1)[12] = 0;
    int bytes_per_row = 0;
    const std::vector<uint8_t> packed = pack_1bit_rows(image.view().crop(3, 1, 10, 1), bytes_per_row);
    EXPECT_EQ(bytes_per_row, 2);
    EXPECT_EQ(packed, (std::vector<uint8_t>{0x80, 0x40}));
}

TEST(Pack1Bit, EmptyGivesNothing) {
    int bytes_per_row = 5;
    EXPECT_TRUE(pack_1bit_rows(ImageView{}, bytes_per_row).empty());
    EXPECT_EQ(bytes_per_row, 0);
}

} // namespace
} // namespace kiosk
