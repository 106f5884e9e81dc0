// UTF-8 validation, the one copy in the project.
//
// Bytes from outside (scanned codes, typed answers, ticket seeds) become text only once they are
// UTF-8 as RFC 3629 defines it; QR encoding needs their code points. It sits in kiosk_image, the
// lowest library, because kiosk_core, vision and image itself all need it and vision may not
// depend on kiosk_core (DESIGN.md, "Modules").
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace kiosk::utf8 {

// Strict: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.
bool is_valid(std::string_view text);

// The code points of `text` by the same rules, or which byte is not UTF-8.
std::expected<std::u32string, std::string> code_points(std::string_view text);

} // namespace kiosk::utf8
