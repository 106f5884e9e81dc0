// ZX_USE_UTF8 before any ZXing header: Result::text() is then UTF-8 (the test target does not define it).
#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>

#include "image/qr.h"

#include <string>

#include <gtest/gtest.h>

namespace kiosk {
namespace {

using namespace std::string_literals;

ZXing::Result decode(const Image& image) {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    return ZXing::ReadBarcode({image.data(), image.width(), image.height(), ZXing::ImageFormat::Lum, image.stride()}, hints);
}

std::string bytes_of(const ZXing::Result& result) {
    const ZXing::ByteArray& bytes = result.bytes();
    return std::string(bytes.begin(), bytes.end());
}

// Number of modules across, read back from the image: the quiet zone plus finder pattern start at
// a known place, so count the black run of the top-left finder (7 modules).
int module_pixels_of(const Image& image, int quiet_pixels) {
    const uint8_t* row = image.view().row(quiet_pixels);
    int run = 0;
    while (quiet_pixels + run < image.width() && row[quiet_pixels + run] == 0) ++run;
    return run / 7;
}

TEST(EncodeQr, AsciiRoundTrip) {
    const auto image = encode_qr("Hello, kiosk!");
    ASSERT_TRUE(image);
    EXPECT_EQ(image->format(), PixelFormat::gray8);
    const ZXing::Result result = decode(*image);
    ASSERT_TRUE(result.isValid());
    EXPECT_EQ(result.text(), "Hello, kiosk!");
    EXPECT_FALSE(result.hasECI());  // plain ASCII carries no ECI overhead
}

TEST(EncodeQr, PretixSecretRoundTrip) {
    const std::string secret = "tdmruoekvkpbv1o2mv8xccvqcikvr58u";
    ASSERT_EQ(secret.size(), 32u);
    const auto image = encode_qr(secret);
    ASSERT_TRUE(image);
    EXPECT_EQ(decode(*image).text(), secret);
}

TEST(EncodeQr, Utf8RoundTrip) {
    for (const std::string text : {"Привет, мир", "日本語のチケット", "Müller – Straße", "emoji 🎟️"}) {
        const auto image = encode_qr(text);
        ASSERT_TRUE(image) << text;
        const ZXing::Result result = decode(*image);
        ASSERT_TRUE(result.isValid()) << text;
        EXPECT_EQ(result.text(), text);
        EXPECT_EQ(bytes_of(result), text);
    }
}

TEST(EncodeQr, BinaryBytesRoundTripOneToOne) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
    bytes += "\xff\xfe\x00\x80"s;
    const auto image = encode_qr(bytes);
    ASSERT_TRUE(image);
    const ZXing::Result result = decode(*image);
    ASSERT_TRUE(result.isValid());
    EXPECT_EQ(bytes_of(result), bytes);
}

TEST(EncodeQr, InvalidUtf8IsBinary) {
    // A truncated two-byte sequence, an overlong '/', and a UTF-16 surrogate encoded in UTF-8.
    for (const std::string& bytes : {"abc\xc3"s, "\xc0\xaf"s, "x\xed\xa0\x80y"s}) {
        const auto image = encode_qr(bytes);
        ASSERT_TRUE(image);
        const ZXing::Result result = decode(*image);
        ASSERT_TRUE(result.isValid());
        EXPECT_EQ(bytes_of(result), bytes);
    }
}

TEST(EncodeQr, TooLongOrEmptySaysWhy) {
    const auto too_long = encode_qr(std::string(3000, 'x'));  // byte mode holds at most 2953 even at level L
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error(), "3000 bytes do not fit in a QR code at error correction level M");
    EXPECT_FALSE(encode_qr(std::string(8000, '7')));  // beyond even numeric mode's 7089
    const auto empty = encode_qr("");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().find("empty"), std::string::npos) << empty.error();
    QrStyle high;
    high.error_correction = QrErrorCorrection::high;
    EXPECT_TRUE(encode_qr(std::string(1200, 'x')));  // fits at medium (2331)...
    EXPECT_FALSE(encode_qr(std::string(1300, 'x'), high));  // ...but not at high (1273)
}

TEST(EncodeQr, ErrorCorrectionLevels) {
    const std::pair<QrErrorCorrection, std::string> levels[] = {
        {QrErrorCorrection::low, "L"}, {QrErrorCorrection::medium, "M"},
        {QrErrorCorrection::quartile, "Q"}, {QrErrorCorrection::high, "H"}};
    for (const auto& [level, letter] : levels) {
        QrStyle style;
        style.error_correction = level;
        const auto image = encode_qr("level test", style);
        ASSERT_TRUE(image);
        const ZXing::Result result = decode(*image);
        ASSERT_TRUE(result.isValid());
        EXPECT_EQ(result.ecLevel(), letter);
    }
    // The default is medium.
    EXPECT_EQ(decode(*encode_qr("level test")).ecLevel(), "M");
}

TEST(EncodeQr, GeometryModulesAndQuietZone) {
    QrStyle style;
    style.module_pixels = 3;
    style.quiet_zone_modules = 2;
    style.error_correction = QrErrorCorrection::low;
    // "HELLO" is version 1: 21 modules.
    const auto image = encode_qr("HELLO", style);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->width(), (21 + 2 * 2) * 3);
    EXPECT_EQ(image->height(), image->width());
    EXPECT_EQ(module_pixels_of(*image, 2 * 3), 3);

    // Only pure black and white, and the quiet zone is white all round.
    const int quiet = 2 * 3;
    for (int y = 0; y < image->height(); ++y) {
        const uint8_t* row = image->view().row(y);
        for (int x = 0; x < image->width(); ++x) {
            ASSERT_TRUE(row[x] == 0 || row[x] == 255);
            const bool in_quiet = x < quiet || y < quiet || x >= image->width() - quiet || y >= image->height() - quiet;
            if (in_quiet) {
                ASSERT_EQ(row[x], 255) << x << "," << y;
            }
        }
    }
    // Top-left module of the finder pattern is black and every pixel of it is.
    for (int y = quiet; y < quiet + 3; ++y)
        for (int x = quiet; x < quiet + 3; ++x) EXPECT_EQ(image->view().row(y)[x], 0);

    // Module-exact: every module is a uniform 3x3 block.
    for (int my = 0; my < 21; ++my)
        for (int mx = 0; mx < 21; ++mx) {
            const uint8_t first = image->view().row(quiet + my * 3)[quiet + mx * 3];
            for (int dy = 0; dy < 3; ++dy)
                for (int dx = 0; dx < 3; ++dx) ASSERT_EQ(image->view().row(quiet + my * 3 + dy)[quiet + mx * 3 + dx], first);
        }
}

TEST(EncodeQr, OneModulePixelWithoutQuietZone) {
    QrStyle style;
    style.module_pixels = 1;
    style.quiet_zone_modules = 0;
    const auto image = encode_qr("HELLO", style);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->width(), 21);
    EXPECT_EQ(image->view().row(0)[0], 0);
}

TEST(EncodeQr, NonsenseStyleIsClamped) {
    QrStyle style;
    style.module_pixels = 0;
    style.quiet_zone_modules = -3;
    const auto image = encode_qr("HELLO", style);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->width(), 21);
}

} // namespace
} // namespace kiosk
