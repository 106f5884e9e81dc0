#include "netsync/http/auth.h"

namespace kiosk::http {

std::string authorization_value(const ApiToken& token) {
    switch (token.kind) {
    case ApiToken::Kind::team: return "Token " + token.secret;
    case ApiToken::Kind::device: return "Device " + token.secret;
    case ApiToken::Kind::bearer: return "Bearer " + token.secret;
    }
    return "Device " + token.secret;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    static constexpr std::string_view replacement = "[redacted]";
    for (const std::string& secret : secrets) {
        if (secret.empty()) continue;
        for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + replacement.size()))
            text.replace(at, secret.size(), replacement);
    }
    return text;
}

} // namespace kiosk::http
