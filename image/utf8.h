// UTF-8 validation, the one copy in the project.
//
// Bytes from outside (scanned codes, typed answers, ticket seeds) become text only once they are
// UTF-8 as RFC 3629 defines it; QR encoding needs their code points. kiosk_core, vision and image
// itself all need it and vision may not depend on kiosk_core (DESIGN.md, "Modules"), so it lives
// here, at the bottom, header-only: the core includes it without linking kiosk_image (and the
// OpenCV behind it).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::utf8 {

namespace detail {

struct Decoded {
    char32_t code_point;
    size_t length;                          // bytes of its encoding
};

// The character that starts at `at`, or nullopt when no valid sequence starts there. The bounds
// on the second byte are RFC 3629's table: they rule out overlong forms, surrogates and code
// points above U+10FFFF without decoding first.
inline std::optional<Decoded> decode_at(std::string_view text, size_t at) {
    const auto lead = static_cast<uint8_t>(text[at]);
    if (lead < 0x80) return Decoded{lead, 1};
    size_t length = 0;
    uint8_t min_second = 0x80, max_second = 0xBF;
    char32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code_point = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code_point = lead & 0x0Fu;
        if (lead == 0xE0) min_second = 0xA0; // overlong
        if (lead == 0xED) max_second = 0x9F; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code_point = lead & 0x07u;
        if (lead == 0xF0) min_second = 0x90; // overlong
        if (lead == 0xF4) max_second = 0x8F; // above U+10FFFF
    } else {
        return std::nullopt;
    }
    if (text.size() - at < length) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
        const auto continuation = static_cast<uint8_t>(text[at + k]);
        const uint8_t low = k == 1 ? min_second : 0x80, high = k == 1 ? max_second : 0xBF;
        if (continuation < low || continuation > high) return std::nullopt;
        code_point = (code_point << 6) | (continuation & 0x3Fu);
    }
    return Decoded{code_point, length};
}

} // namespace detail

// Strict: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.
inline bool is_valid(std::string_view text) {
    for (size_t at = 0; at < text.size();) {
        const auto decoded = detail::decode_at(text, at);
        if (!decoded) return false;
        at += decoded->length;
    }
    return true;
}

// The code points of `text` by the same rules, or which byte is not UTF-8.
inline std::expected<std::u32string, std::string> code_points(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
        const auto decoded = detail::decode_at(text, at);
        if (!decoded) return std::unexpected("byte " + std::to_string(at + 1) + " of " + std::to_string(text.size()) + " starts no UTF-8 character");
        out.push_back(decoded->code_point);
        at += decoded->length;
    }
    return out;
}

} // namespace kiosk::utf8
