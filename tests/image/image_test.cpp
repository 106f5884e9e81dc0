#include "image/image.h"
#include "image/opencv.h"

#include <gtest/gtest.h>

namespace kiosk {
namespace {

// --- Image and ImageView ---------------------------------------------------------------------------

TEST(Image, SizesStrideAndFill) {
    const Image image(5, 3, PixelFormat::bgr24, 7);
    EXPECT_EQ(image.width(), 5);
    EXPECT_EQ(image.height(), 3);
    EXPECT_EQ(image.stride(), 15);
    EXPECT_FALSE(image.empty());
    for (int i = 0; i < 15 * 3; ++i) EXPECT_EQ(image.data()[i], 7);
    EXPECT_EQ(bytes_per_pixel(PixelFormat::gray8), 1);
    EXPECT_EQ(bytes_per_pixel(PixelFormat::rgb24), 3);
    EXPECT_EQ(bytes_per_pixel(PixelFormat::rgba32), 4);
}

TEST(Image, NegativeSizeIsEmpty) {
    const Image image(-3, 4, PixelFormat::gray8);
    EXPECT_TRUE(image.empty());
    EXPECT_TRUE(image.view().empty());
}

TEST(ImageView, CropClampsAndKeepsStride) {
    Image image(4, 4, PixelFormat::gray8);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) image.row(y)[x] = static_cast<uint8_t>(10 * y + x);
    const ImageView crop = image.view().crop(1, 2, 10, 10);
    EXPECT_EQ(crop.width, 3);
    EXPECT_EQ(crop.height, 2);
    EXPECT_EQ(crop.stride, 4);
    EXPECT_EQ(crop.row(0)[0], 21);
    EXPECT_EQ(crop.row(1)[2], 33);
    EXPECT_TRUE(image.view().crop(4, 0, 2, 2).empty());
    EXPECT_TRUE(image.view().crop(-5, -5, 3, 3).empty());

    const Image copy = Image::copy_of(crop);
    EXPECT_EQ(copy.stride(), 3);
    EXPECT_EQ(copy.view().row(1)[0], 31);
}

// --- cv::Mat bridge --------------------------------------------------------------------------------

TEST(OpenCvBridge, ViewOfGrayMatIsZeroCopy) {
    cv::Mat mat(3, 5, CV_8UC1, cv::Scalar(9));
    const std::optional<ImageView> view = view_of(mat);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->data, mat.data);
    EXPECT_EQ(view->width, 5);
    EXPECT_EQ(view->height, 3);
    EXPECT_EQ(view->stride, static_cast<int>(mat.step[0]));
    EXPECT_EQ(view->format, PixelFormat::gray8);
    mat.at<uint8_t>(2, 4) = 200;
    EXPECT_EQ(view->row(2)[4], 200);
}

TEST(OpenCvBridge, ViewOfRoiUsesTheParentStride) {
    cv::Mat mat(10, 20, CV_8UC3, cv::Scalar(1, 2, 3));
    const cv::Mat roi = mat(cv::Rect(4, 2, 6, 5));
    const std::optional<ImageView> view = view_of(roi);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->format, PixelFormat::bgr24);
    EXPECT_EQ(view->width, 6);
    EXPECT_EQ(view->height, 5);
    EXPECT_EQ(view->stride, 60);
    EXPECT_EQ(view->data, mat.ptr<uint8_t>(2, 4));
    EXPECT_EQ(view->row(4)[2], 3);
}

TEST(OpenCvBridge, ViewOfRefusesOtherTypes) {
    EXPECT_FALSE(view_of(cv::Mat(2, 2, CV_8UC4)));
    EXPECT_FALSE(view_of(cv::Mat(2, 2, CV_8UC2)));
    EXPECT_FALSE(view_of(cv::Mat(2, 2, CV_16UC1)));
    EXPECT_FALSE(view_of(cv::Mat(2, 2, CV_32FC3)));
    const std::optional<ImageView> empty = view_of(cv::Mat());
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(OpenCvBridge, MatOfSharesPixelsWithStride) {
    Image image(8, 6, PixelFormat::gray8);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 8; ++x) image.row(y)[x] = static_cast<uint8_t>(y * 8 + x);
    const ImageView crop = image.view().crop(2, 1, 3, 4);
    const cv::Mat mat = mat_of(crop);
    EXPECT_EQ(mat.type(), CV_8UC1);
    EXPECT_EQ(mat.cols, 3);
    EXPECT_EQ(mat.rows, 4);
    EXPECT_EQ(mat.step[0], 8u);
    EXPECT_EQ(mat.data, crop.data);
    EXPECT_EQ(mat.at<uint8_t>(3, 2), 4 * 8 + 4);

    // Round trip back to a view lands on the same pixels.
    const std::optional<ImageView> back = view_of(mat);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->data, crop.data);
    EXPECT_EQ(back->stride, crop.stride);
}

TEST(OpenCvBridge, MatOfTypesByFormat) {
    const Image bgr(2, 2, PixelFormat::bgr24), rgb(2, 2, PixelFormat::rgb24), rgba(2, 2, PixelFormat::rgba32);
    EXPECT_EQ(mat_of(bgr.view()).type(), CV_8UC3);
    EXPECT_EQ(mat_of(rgb.view()).type(), CV_8UC3);
    EXPECT_EQ(mat_of(rgba.view()).type(), CV_8UC4);
    EXPECT_TRUE(mat_of(ImageView{}).empty());
}

} // namespace
} // namespace kiosk
