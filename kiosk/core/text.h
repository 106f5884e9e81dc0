// Bytes from outside as text: base64 (standard alphabet) and printable scans. UTF-8 validity is
// image/utf8.h, the project's one validator.
//
// Scanned codes may be binary; pretix reports those as "binary:<base64>". Anything that reaches a
// JSON writer or a screen goes through utf8::is_valid first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

std::string base64_encode(const unsigned char* data, size_t size);
std::string base64_encode(std::string_view bytes);
// Padding is optional (scanners and copy-paste lose it); `skip_whitespace` is for PEM bodies and
// keys pasted with line breaks. nullopt for anything that is not base64.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text, bool skip_whitespace = false);

// The text itself when it is valid UTF-8, else "binary:<base64>" as pretix reports raw barcodes.
std::string printable_scan(std::string_view bytes);

} // namespace kiosk
