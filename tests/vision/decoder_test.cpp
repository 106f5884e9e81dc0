// FrameDecoder's memory between frames and its small helpers; what it reads across conditions is
// the corpus test's job (decode_quality_test.cpp).
#include "vision/decoder.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "image/qr.h"
#include "tests/vision/corpus.h"

namespace kiosk {
namespace {

// A 1080p gray frame with a code at (x, y); light-on-dark when `dark_mode`.
cv::Mat frame_with_code(const std::string& text, int x, int y, bool dark_mode) {
    cv::Mat frame(1080, 1920, CV_8UC1, cv::Scalar(dark_mode ? 30 : 200));
    const auto code = encode_qr(text, QrStyle{8, 4, QrErrorCorrection::medium});
    cv::Mat pixels = mat_of(code->view()).clone();
    if (dark_mode) cv::bitwise_not(pixels, pixels);
    pixels.copyTo(frame(cv::Rect(x, y, pixels.cols, pixels.rows)));
    return frame;
}

TEST(FrameDecoder, FindsTheCodeInTheRegionOfTheLastFrame) {
    FrameDecoder decoder;
    const cv::Mat first = frame_with_code("region-tracking-0001", 700, 300, false);
    const FrameDecode a = decoder.decode(*view_of(first));
    ASSERT_EQ(a.codes.size(), 1u);
    const cv::Mat moved = frame_with_code("region-tracking-0001", 730, 310, false); // hand moved a little
    const FrameDecode b = decoder.decode(*view_of(moved));
    ASSERT_EQ(b.codes.size(), 1u);
    EXPECT_EQ(b.winning_attempt, "region");
    EXPECT_EQ(b.attempts, 1);
    // Corners are in frame pixels whichever attempt found them: the code starts at x = 730 + quiet zone.
    EXPECT_NEAR(b.codes[0].corners[0].x, 730 + 32, 4);
    EXPECT_NEAR(b.codes[0].corners[0].y, 310 + 32, 4);
}

TEST(FrameDecoder, DarkModeCodeStaysInTheRegionFrameAfterFrame) {
    // Which attempts run, not how fast: under the default 12 ms a cold first call (or a loaded
    // machine) can spend the budget before any inverted attempt gets its turn.
    DecodeOptions options;
    options.budget = std::chrono::seconds(1);
    FrameDecoder decoder(options);
    const cv::Mat frame = frame_with_code("dark-mode-ticket", 600, 400, true);
    const std::string first = decoder.decode(*view_of(frame)).winning_attempt;
    ASSERT_NE(first.find("inverted"), std::string::npos) << first; // light-on-dark: an inverted attempt read it
    for (int i = 0; i < 4; ++i) {
        const FrameDecode again = decoder.decode(*view_of(frame));
        ASSERT_EQ(again.codes.size(), 1u);
        EXPECT_EQ(again.winning_attempt, "region") << "frame " << i;
    }
}

cv::Mat gray_corpus_frame(const std::string& condition, uint32_t seed) {
    cv::Mat gray;
    cv::cvtColor(mat_of(testing::make_sample(condition, 1080, seed).frame.view()), gray, cv::COLOR_BGR2GRAY);
    return gray;
}

// Nobody at the kiosk: after the full search has had the same still scene for a while, only the
// cheapest attempt runs. A code that appears is still read, and a changed scene gets the full
// search again.
TEST(FrameDecoder, IdlesOnAStillSceneAndWakesWhenItChanges) {
    DecodeOptions options;
    options.budget = std::chrono::seconds(1); // the full search is every attempt, however loaded the machine
    FrameDecoder decoder(options);
    const cv::Mat room = gray_corpus_frame("empty", 4100);
    for (int i = 0; i < 20; ++i) {
        const FrameDecode decode = decoder.decode(*view_of(room));
        EXPECT_TRUE(decode.codes.empty());
        EXPECT_EQ(decode.idle, i >= 16) << "frame " << i;
        if (decode.idle) EXPECT_EQ(decode.attempts, 1) << "frame " << i;
        else EXPECT_GT(decode.attempts, 1) << "frame " << i;
    }
    cv::Mat with_code = room.clone();
    const auto code = encode_qr("appeared-while-idle", QrStyle{8, 4, QrErrorCorrection::medium});
    mat_of(code->view()).copyTo(with_code(cv::Rect(800, 400, code->width(), code->height())));
    const FrameDecode appeared = decoder.decode(*view_of(with_code));
    ASSERT_EQ(appeared.codes.size(), 1u);
    EXPECT_EQ(appeared.codes[0].text, "appeared-while-idle");
    const FrameDecode other_room = decoder.decode(*view_of(gray_corpus_frame("empty", 4101)));
    EXPECT_FALSE(other_room.idle);
    EXPECT_GT(other_room.attempts, 1);
}

TEST(FrameDecoder, NeverIdlesWhenTold) {
    DecodeOptions options;
    options.idle_when_still = false;
    FrameDecoder decoder(options);
    const cv::Mat room = gray_corpus_frame("empty", 4100);
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(decoder.decode(*view_of(room)).idle) << "frame " << i;
}

TEST(FrameDecoder, EmptyAndTinyFramesReadNothing) {
    FrameDecoder decoder;
    EXPECT_TRUE(decoder.decode(ImageView{}).codes.empty());
    const cv::Mat tiny(1, 1, CV_8UC3, cv::Scalar(0, 0, 0));
    EXPECT_TRUE(decoder.decode(*view_of(tiny)).codes.empty());
}

// A payload that is not text keeps its bytes and says so; turning it into pretix's
// "binary:<base64>" is the caller's business.
TEST(DecodeImage, BinaryPayloadHasBytesAndNoText) {
    const std::string bytes("\x00\x01\x02\xff\xfe binary\x00", 14);
    const cv::Mat frame = frame_with_code(bytes, 700, 300, false);
    const FrameDecode decode = decode_image(*view_of(frame));
    ASSERT_EQ(decode.codes.size(), 1u);
    EXPECT_EQ(decode.codes[0].bytes, bytes);
    EXPECT_TRUE(decode.codes[0].binary);
    EXPECT_EQ(decode.codes[0].text, "");
}

TEST(DecodeImage, Utf8PayloadIsItsOwnText) {
    const std::string text = "Zoë Ørsted-Müller 山田";
    const FrameDecode decode = decode_image(*view_of(frame_with_code(text, 700, 300, false)));
    ASSERT_EQ(decode.codes.size(), 1u);
    EXPECT_EQ(decode.codes[0].text, text);
    EXPECT_FALSE(decode.codes[0].binary);
}

TEST(Symbologies, ParseNamesAndRefuseUnknownOnes) {
    EXPECT_EQ(parse_symbologies("qr"), static_cast<Symbologies>(Symbology::qr));
    EXPECT_EQ(parse_symbologies("qr, aztec,code128"),
              static_cast<Symbologies>(static_cast<Symbologies>(Symbology::qr) | static_cast<Symbologies>(Symbology::aztec) |
                                       static_cast<Symbologies>(Symbology::code128)));
    const auto teapot = parse_symbologies("qr,teapot");
    ASSERT_FALSE(teapot);
    EXPECT_NE(teapot.error().find("\"teapot\""), std::string::npos) << teapot.error();
    EXPECT_FALSE(parse_symbologies(""));
    EXPECT_EQ(symbology_name(Symbology::data_matrix), "datamatrix");
}

} // namespace
} // namespace kiosk
