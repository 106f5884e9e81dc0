#include "image/qr.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include "image/utf8.h"

namespace kiosk {
namespace {

// ZXing 1.4 maps its 0..8 scale onto the four QR levels as (level - 1) / 2.
int zxing_ecc_level(QrErrorCorrection level) {
    switch (level) {
    case QrErrorCorrection::low: return 1;
    case QrErrorCorrection::medium: return 3;
    case QrErrorCorrection::quartile: return 5;
    case QrErrorCorrection::high: return 7;
    }
    return 3;
}

// What ZXing's writer is given for `text`. Without an explicit character set ZXing 1.4 writes
// byte mode without an ECI, which readers take as ISO-8859-1 (the QR default) and which
// Result::bytes() returns 1:1. That suits ASCII (no ECI overhead, every scanner copes) and
// arbitrary binary (each byte becomes the code point of the same value). Only real non-ASCII
// UTF-8 gets the UTF-8 ECI, so that readers decode it as UTF-8.
struct WriterInput {
    std::wstring contents;
    bool utf8_eci = false;
};

WriterInput writer_input(std::string_view text) {
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<uint8_t>(c) < 0x80; });
    WriterInput input;
    if (!ascii) {
        if (const auto code_points = utf8::code_points(text)) {
            for (char32_t code_point : *code_points) input.contents.push_back(static_cast<wchar_t>(code_point));
            input.utf8_eci = true;
            return input;
        }
    }
    for (char c : text) input.contents.push_back(static_cast<wchar_t>(static_cast<uint8_t>(c)));
    return input;
}

const char* level_name(QrErrorCorrection level) {
    switch (level) {
    case QrErrorCorrection::low: return "L";
    case QrErrorCorrection::medium: return "M";
    case QrErrorCorrection::quartile: return "Q";
    case QrErrorCorrection::high: return "H";
    }
    return "M";
}

// The code's modules, one BitMatrix cell each, without quiet zone.
std::expected<ZXing::BitMatrix, std::string> encode_modules(std::string_view text, QrErrorCorrection level) {
    if (text.empty()) return std::unexpected(std::string("an empty text makes no QR code"));
    const WriterInput input = writer_input(text);
    try {
        ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
        writer.setEccLevel(zxing_ecc_level(level)).setMargin(0);
        if (input.utf8_eci) writer.setEncoding(ZXing::CharacterSet::UTF8);
        // Size 0 with margin 0 yields one pixel per module; render() scales, so that module edges
        // stay on whole pixels (ZXing's Inflate would centre the code with uneven borders).
        ZXing::BitMatrix matrix = writer.encode(input.contents, 0, 0);
        if (matrix.width() > 0 && matrix.height() > 0) return matrix;
    } catch (const std::exception&) {
        // ZXing throws std::invalid_argument for data too big; nothing else reaches it here.
    }
    return std::unexpected(std::to_string(text.size()) + " bytes do not fit in a QR code at error correction level " +
                           level_name(level));
}

// The modules as pixels, black on white, with the quiet zone around them.
std::expected<Image, std::string> render(const ZXing::BitMatrix& matrix, const QrStyle& style) {
    const int module = style.module_pixels > 0 ? style.module_pixels : 1;
    const int quiet = style.quiet_zone_modules > 0 ? style.quiet_zone_modules : 0;
    const int64_t width64 = (static_cast<int64_t>(matrix.width()) + 2 * static_cast<int64_t>(quiet)) * module;
    const int64_t height64 = (static_cast<int64_t>(matrix.height()) + 2 * static_cast<int64_t>(quiet)) * module;
    if (width64 * height64 > std::numeric_limits<int>::max())
        return std::unexpected("a QR code of " + std::to_string(width64) + "x" + std::to_string(height64) +
                               " pixels is larger than an image can be");

    Image image(static_cast<int>(width64), static_cast<int>(height64), PixelFormat::gray8, 255);
    for (int my = 0; my < matrix.height(); ++my) {
        uint8_t* first_row = image.row((my + quiet) * module);
        for (int mx = 0; mx < matrix.width(); ++mx) {
            if (!matrix.get(mx, my)) continue;
            uint8_t* start = first_row + static_cast<std::ptrdiff_t>(mx + quiet) * module;
            for (int k = 0; k < module; ++k) start[k] = 0;
        }
        // The other rows of this module row are copies of the first.
        for (int k = 1; k < module; ++k) {
            uint8_t* target = image.row((my + quiet) * module + k);
            std::copy(first_row, first_row + image.stride(), target);
        }
    }
    return image;
}

} // namespace

std::expected<Image, std::string> encode_qr(std::string_view text, const QrStyle& style) {
    const auto modules = encode_modules(text, style.error_correction);
    if (!modules) return std::unexpected(modules.error());
    return render(*modules, style);
}

} // namespace kiosk
