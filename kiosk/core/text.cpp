#include "kiosk/core/text.h"

#include <algorithm>
#include <cstdint>

#include "image/utf8.h"

namespace kiosk {

namespace {


constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

} // namespace

std::string base64_encode(const unsigned char* data, size_t size) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (size_t i = 0; i < size; i += 3) {
        const size_t chunk = std::min<size_t>(3, size - i);
        uint32_t group = static_cast<uint32_t>(data[i]) << 16;
        if (chunk > 1) group |= static_cast<uint32_t>(data[i + 1]) << 8;
        if (chunk > 2) group |= data[i + 2];
        for (size_t k = 0; k < 4; ++k)
            out += k <= chunk ? kBase64Alphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
    }
    return out;
}

std::string base64_encode(std::string_view text) {
    return base64_encode(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text, bool skip_whitespace) {
    std::vector<unsigned char> out;
    out.reserve(text.size() / 4 * 3 + 3);
    uint32_t group = 0;
    size_t pending = 0;                     // sextets in `group`
    size_t padding = 0;
    for (char c : text) {
        if (skip_whitespace && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) continue;
        if (c == '=') { ++padding; continue; }
        const int value = base64_value(c);
        if (value < 0 || padding > 0) return std::nullopt;   // data after padding is not base64
        group = (group << 6) | static_cast<uint32_t>(value);
        if (++pending == 4) {
            out.push_back(static_cast<unsigned char>(group >> 16));
            out.push_back(static_cast<unsigned char>(group >> 8));
            out.push_back(static_cast<unsigned char>(group));
            group = 0;
            pending = 0;
        }
    }
    if (pending == 1) return std::nullopt;
    if (padding > 0 && (pending == 0 || pending + padding != 4)) return std::nullopt;
    if (pending == 2) {
        out.push_back(static_cast<unsigned char>(group >> 4));
    } else if (pending == 3) {
        out.push_back(static_cast<unsigned char>(group >> 10));
        out.push_back(static_cast<unsigned char>(group >> 2));
    }
    return out;
}

std::string printable_scan(std::string_view bytes) {
    if (utf8::is_valid(bytes)) return std::string(bytes);
    return "binary:" + base64_encode(bytes);
}

} // namespace kiosk
