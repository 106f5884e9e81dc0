// The kiosk's credentials for the backend, and keeping them out of every message.
//
// pretix knows two kinds of token (reference/pretix.md): a team API token, sent as
// `Authorization: Token <t>`, and a device's api_token from device initialisation, sent as
// `Authorization: Device <t>`. A token is a password: it goes into the request header and nowhere
// else. Constant Contact (and BrightStar, whose seed names no scheme) take an OAuth access token as
// `Authorization: Bearer <t>`; Oveit's token travels in the request body, never in a header.
// redact() is the last line of defence for text that leaves the HTTP client.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiosk::http {

struct ApiToken {
    enum class Kind { team, device, bearer };
    Kind kind = Kind::device;
    std::string secret;
};

std::string authorization_value(const ApiToken& token);     // "Token <t>", "Device <t>" or "Bearer <t>"

// `text` with every non-empty secret replaced by "[redacted]".
std::string redact(std::string text, const std::vector<std::string>& secrets);

} // namespace kiosk::http
