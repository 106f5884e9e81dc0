// QR codes drawn with ZXing-cpp's writer: badges, the demo camera and the test corpus.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "image/image.h"

namespace kiosk {

enum class QrErrorCorrection { low, medium, quartile, high };

struct QrStyle {
    int module_pixels = 8;                  // size of one module (the smallest square)
    int quiet_zone_modules = 4;             // white margin the standard requires around the code
    QrErrorCorrection error_correction = QrErrorCorrection::medium;
};

// A gray8 image of the code (black on white), or why there is none: the text is empty or does not
// fit a QR code at the style's level. Bytes that are not valid UTF-8 are encoded as binary (byte mode).
std::expected<Image, std::string> encode_qr(std::string_view text, const QrStyle& style = {});

} // namespace kiosk
