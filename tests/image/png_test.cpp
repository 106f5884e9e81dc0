#include "image/png.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

Image patterned(int width, int height, PixelFormat format) {
    Image image(width, height, format);
    const int row_bytes = width * bytes_per_pixel(format);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < row_bytes; ++x) image.row(y)[x] = static_cast<uint8_t>((x * 7 + y * 31) % 256);
    return image;
}

bool same_pixels(const ImageView& a, const ImageView& b) {
    if (a.width != b.width || a.height != b.height || a.format != b.format) return false;
    const size_t row_bytes = static_cast<size_t>(a.width * bytes_per_pixel(a.format));
    for (int y = 0; y < a.height; ++y)
        if (!std::equal(a.row(y), a.row(y) + row_bytes, b.row(y))) return false;
    return true;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

template <typename T>
void expect_one_line_error(const std::expected<T, std::string>& outcome) {
    ASSERT_FALSE(outcome);
    EXPECT_FALSE(outcome.error().empty());
    EXPECT_EQ(outcome.error().find('\n'), std::string::npos) << outcome.error();
}

TEST(Png, RoundTripKeepsStoredFormats) {
    const testing::TempDir dir;
    for (PixelFormat format : {PixelFormat::gray8, PixelFormat::bgr24, PixelFormat::rgba32}) {
        const Image image = patterned(23, 17, format);
        const std::string path = dir.file("image.png");
        const auto written = write_png(image.view(), path);
        ASSERT_TRUE(written) << written.error();
        const auto read = read_png(path);
        ASSERT_TRUE(read) << read.error();
        EXPECT_TRUE(same_pixels(read->view(), image.view())) << static_cast<int>(format);
    }
}

TEST(Png, Rgb24IsStoredInTrueColoursAndReadBackAsBgr) {
    const testing::TempDir dir;
    Image rgb(1, 1, PixelFormat::rgb24);
    rgb.data()[0] = 200;  // red
    rgb.data()[1] = 100;
    rgb.data()[2] = 10;
    ASSERT_TRUE(write_png(rgb.view(), dir.file("rgb.png")));
    const auto read = read_png(dir.file("rgb.png"));
    ASSERT_TRUE(read) << read.error();
    ASSERT_EQ(read->format(), PixelFormat::bgr24);
    EXPECT_EQ(read->data()[0], 10);
    EXPECT_EQ(read->data()[1], 100);
    EXPECT_EQ(read->data()[2], 200);
}

TEST(Png, RgbaChannelOrderSurvives) {
    const testing::TempDir dir;
    Image rgba(1, 1, PixelFormat::rgba32);
    const uint8_t pixel[4] = {250, 40, 5, 128};
    std::copy(pixel, pixel + 4, rgba.data());
    ASSERT_TRUE(write_png(rgba.view(), dir.file("rgba.png")));
    const auto read = read_png(dir.file("rgba.png"));
    ASSERT_TRUE(read) << read.error();
    ASSERT_EQ(read->format(), PixelFormat::rgba32);
    EXPECT_TRUE(std::equal(pixel, pixel + 4, read->data()));
}

TEST(Png, WritesCropViewWithStride) {
    const testing::TempDir dir;
    const Image image = patterned(20, 20, PixelFormat::bgr24);
    const ImageView crop = image.view().crop(3, 5, 9, 4);
    ASSERT_TRUE(write_png(crop, dir.file("crop.png")));
    const auto read = read_png(dir.file("crop.png"));
    ASSERT_TRUE(read) << read.error();
    EXPECT_TRUE(same_pixels(read->view(), crop));
}

TEST(Png, FileNameNeedsNoPngExtension) {
    const testing::TempDir dir;
    const Image image = patterned(4, 4, PixelFormat::gray8);
    ASSERT_TRUE(write_png(image.view(), dir.file("badge.preview")));
    EXPECT_TRUE(read_png(dir.file("badge.preview")));
}

TEST(Png, SixteenBitIsReducedToEightBits) {
    const testing::TempDir dir;
    cv::Mat wide(2, 3, CV_16UC1);
    for (int x = 0; x < 3; ++x) {
        wide.at<uint16_t>(0, x) = static_cast<uint16_t>(257 * (100 + x));
        wide.at<uint16_t>(1, x) = 65535;
    }
    ASSERT_TRUE(cv::imwrite(dir.file("wide.png"), wide));
    const auto read = read_png(dir.file("wide.png"));
    ASSERT_TRUE(read) << read.error();
    EXPECT_EQ(read->format(), PixelFormat::gray8);
    EXPECT_EQ(read->view().row(0)[2], 102);
    EXPECT_EQ(read->view().row(1)[0], 255);
}

TEST(Png, MissingFile) {
    const testing::TempDir dir;
    const auto read = read_png(dir.file("nope.png"));
    expect_one_line_error(read);
    EXPECT_NE(read.error().find("nope.png"), std::string::npos);
    EXPECT_NE(read.error().find("No such file"), std::string::npos) << read.error();
}

TEST(Png, DirectoryIsNotAFile) {
    const testing::TempDir dir;
    expect_one_line_error(read_png(dir.path().string()));
}

TEST(Png, NotAPng) {
    const testing::TempDir dir;
    write_bytes(dir.file("text.png"), "this is not an image\n");
    const auto text = read_png(dir.file("text.png"));
    expect_one_line_error(text);
    EXPECT_NE(text.error().find("not a PNG"), std::string::npos) << text.error();

    write_bytes(dir.file("empty.png"), "");
    expect_one_line_error(read_png(dir.file("empty.png")));
}

TEST(Png, TruncatedAndCorruptFiles) {
    const testing::TempDir dir;
    const Image image = patterned(64, 64, PixelFormat::bgr24);
    ASSERT_TRUE(write_png(image.view(), dir.file("good.png")));
    const std::string good = file_bytes(dir.file("good.png"));
    ASSERT_GT(good.size(), 100u);

    for (size_t keep : {size_t{8}, size_t{20}, size_t{40}, good.size() / 2, good.size() - 13}) {
        write_bytes(dir.file("cut.png"), good.substr(0, keep));
        const auto read = read_png(dir.file("cut.png"));
        expect_one_line_error(read);
    }

    // Garbage after a valid signature and header.
    std::string scrambled = good;
    for (size_t i = 40; i < scrambled.size(); ++i) scrambled[i] = static_cast<char>(scrambled[i] ^ 0x5A);
    write_bytes(dir.file("scrambled.png"), scrambled);
    expect_one_line_error(read_png(dir.file("scrambled.png")));
}

TEST(Png, WritingIntoAMissingDirectoryFails) {
    const testing::TempDir dir;
    const Image image = patterned(4, 4, PixelFormat::gray8);
    const std::string path = dir.file("no/such/dir/out.png");
    const auto written = write_png(image.view(), path);
    expect_one_line_error(written);
    EXPECT_NE(written.error().find("out.png"), std::string::npos) << written.error();
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Png, WritingAnEmptyImageFails) {
    const testing::TempDir dir;
    expect_one_line_error(write_png(ImageView{}, dir.file("empty.png")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("empty.png")));
}

} // namespace
} // namespace kiosk
