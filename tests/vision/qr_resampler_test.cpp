// resample_qr: crumpled codes that ZXing's single perspective grid cannot read are read through
// the resampler's rendering; a flat code reads too; no finders, no rendering.
#include "vision/qr_resampler.h"

#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "image/qr.h"
#include "tests/vision/corpus.h"
#include "vision/code_regions.h"

namespace kiosk {
namespace {

constexpr auto kNoDeadline = std::chrono::steady_clock::time_point::max();

std::string read(const cv::Mat& image) {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true);
    for (const auto& result : ZXing::ReadBarcodes(ZXing::ImageView(image.data, image.cols, image.rows, ZXing::ImageFormat::Lum,
                                                                   static_cast<int>(image.step[0])),
                                                  hints))
        if (result.isValid()) return result.text();
    return {};
}

std::string read_resampled(const cv::Mat& image) {
    for (const ResampledQr& code : resample_qr(image, kNoDeadline)) {
        const std::string text = read(code.image);
        if (!text.empty()) return text;
    }
    return {};
}

// Crumpled paper from the test corpus (seeds where ZXing fails on the crop around the code):
// the resampler's rendering reads.
TEST(QrResampler, ReadsCrumpledCodesThatZXingAloneCannot) {
    int read_only_by_resampler = 0;
    for (const uint32_t seed : {802u, 803u}) {
        const auto sample = testing::make_sample("crumpled", 720, seed);
        cv::Mat gray;
        cv::cvtColor(mat_of(sample.frame.view()), gray, cv::COLOR_BGR2GRAY);
        const auto regions = find_code_regions(gray);
        ASSERT_FALSE(regions.empty()) << seed;
        const cv::Mat crop = gray(regions[0]).clone();
        EXPECT_EQ(read(crop), "") << seed << ": ZXing reads this one alone now";
        const std::string text = read_resampled(crop);
        EXPECT_TRUE(text.empty() || text == sample.expected) << seed << ": wrong text " << text;
        if (text == sample.expected) ++read_only_by_resampler;
    }
    EXPECT_GE(read_only_by_resampler, 1);
}

TEST(QrResampler, ReadsAFlatCodeAndReportsItsCorners) {
    const std::string text = "flat-ticket-secret";
    const auto code = encode_qr(text, QrStyle{8, 4, QrErrorCorrection::medium});
    const cv::Mat image = mat_of(code->view()).clone();
    const auto renderings = resample_qr(image, kNoDeadline);
    ASSERT_FALSE(renderings.empty());
    EXPECT_EQ(read(renderings.front().image), text);
    EXPECT_EQ(renderings.front().modules, image.cols / 8 - 8);
    EXPECT_NEAR(renderings.front().corners[0].x, 32, 3); // 4 modules of quiet zone at 8 px
    EXPECT_NEAR(renderings.front().corners[2].y, image.rows - 32, 3);
}

TEST(QrResampler, NothingWithoutThreeFinders) {
    EXPECT_TRUE(resample_qr(cv::Mat(), kNoDeadline).empty());
    EXPECT_TRUE(resample_qr(cv::Mat(200, 200, CV_8UC1, cv::Scalar(200)), kNoDeadline).empty());
    cv::Mat noise(300, 300, CV_8UC1);
    cv::randu(noise, 0, 255);
    for (const ResampledQr& code : resample_qr(noise, kNoDeadline)) EXPECT_EQ(read(code.image), "");
}

} // namespace
} // namespace kiosk
