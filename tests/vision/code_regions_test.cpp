// find_code_regions: the code in a busy corpus frame comes first, and smooth frames give nothing.
#include "vision/code_regions.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "tests/vision/corpus.h"
#include "vision/decoder.h"

namespace kiosk {
namespace {

cv::Mat gray_of(const Image& frame) {
    cv::Mat gray;
    cv::cvtColor(mat_of(frame.view()), gray, cv::COLOR_BGR2GRAY);
    return gray;
}

// For frames whose code is easy to locate by decoding (the decoder gives the true corners), all
// corners of the code lie in the first region in nearly every frame, and no region is big enough
// to cost what the whole frame costs. Not "small": a code of 130 px at 1080p is 32 px in the
// edge map, where a phone's text lines merge with it; the whole-frame attempts read those.
TEST(CodeRegions, TheCodeIsNearlyAlwaysTheFirstRegion) {
    // The decoder only supplies the true corners here: given time, so that how many frames are
    // checked does not depend on how loaded the machine is.
    DecodeOptions unhurried;
    unhurried.budget = std::chrono::seconds(1);
    int checked = 0, first = 0;
    for (const std::string condition : {"clean", "rotated", "perspective", "dark_mode", "crumpled", "glare"}) {
        for (uint32_t seed = 500; seed < 505; ++seed) {
            const auto sample = testing::make_sample(condition, 1080, seed);
            const FrameDecode decoded = decode_image(sample.frame.view(), unhurried);
            if (decoded.codes.empty()) continue;
            const cv::Mat gray = gray_of(sample.frame);
            const std::vector<cv::Rect> regions = find_code_regions(gray);
            EXPECT_LE(regions.size(), 3u);
            for (const cv::Rect& region : regions) EXPECT_LE(region.area(), gray.total() / 4) << condition << " " << seed;
            ++checked;
            if (regions.empty()) continue;
            const bool contains_code = std::all_of(decoded.codes[0].corners.begin(), decoded.codes[0].corners.end(), [&](const PointF& corner) {
                return regions[0].contains(cv::Point(static_cast<int>(corner.x), static_cast<int>(corner.y)));
            });
            if (contains_code) ++first;
        }
    }
    EXPECT_GE(checked, 27);
    EXPECT_GE(first * 10, checked * 9) << first << " of " << checked;
}

TEST(CodeRegions, RegionsStayInsideTheImage) {
    const auto sample = testing::make_sample("clean", 720, 77);
    const cv::Mat gray = gray_of(sample.frame);
    for (const cv::Rect& region : find_code_regions(gray, CodeRegionOptions{.max_regions = 10}))
        EXPECT_EQ(region & cv::Rect(0, 0, gray.cols, gray.rows), region);
}

TEST(CodeRegions, SmoothOrTinyImagesHaveNone) {
    EXPECT_TRUE(find_code_regions(cv::Mat()).empty());
    EXPECT_TRUE(find_code_regions(cv::Mat(720, 1280, CV_8UC1, cv::Scalar(128))).empty());
    cv::Mat gradient(720, 1280, CV_8UC1);
    for (int x = 0; x < gradient.cols; ++x) gradient.col(x).setTo(x * 255 / gradient.cols);
    EXPECT_TRUE(find_code_regions(gradient).empty());
    EXPECT_TRUE(find_code_regions(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0))).empty());
}

} // namespace
} // namespace kiosk
