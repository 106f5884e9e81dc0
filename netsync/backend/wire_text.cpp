#include "netsync/backend/wire_text.h"

#include <utility>

#include "netsync/http/auth.h"

// [SECTION] Text
// [SECTION] URLs
// [SECTION] Answers

namespace kiosk::backend {

//-----------------------------------------------------------------------------
// [SECTION] Text
//-----------------------------------------------------------------------------

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view text) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return text;
}

std::string one_line(std::string text, const std::vector<std::string>& secrets) {
    text = http::redact(std::move(text), secrets);
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (text.size() > kMaxServerWords) {
        size_t cut = kMaxServerWords;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;   // not inside a UTF-8 character
        text = text.substr(0, cut) + "...";
    }
    return text;
}

//-----------------------------------------------------------------------------
// [SECTION] URLs
//-----------------------------------------------------------------------------

std::string percent_escape(std::string_view text, bool (*escape)(unsigned char byte)) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (escape(byte)) {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 15];
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    return percent_escape(text, [](unsigned char byte) {
        const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') ||
                                byte == '-' || byte == '.' || byte == '_' || byte == '~';
        return !unreserved;
    });
}

std::string without_trailing_slashes(std::string_view url) {
    while (url.ends_with('/')) url.remove_suffix(1);
    return std::string(url);
}

bool is_http_url(std::string_view url) {
    const size_t separator = url.find("://");
    if (separator == std::string_view::npos) return false;
    const std::string scheme = lowercase(url.substr(0, separator));
    return scheme == "http" || scheme == "https";
}

std::optional<std::string> http_host(std::string_view url) {
    if (!is_http_url(url)) return std::nullopt;
    std::string_view authority = url.substr(url.find("://") + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    const size_t bracket = authority.find(']');   // an IPv6 literal: [::1]:8000
    if (authority.starts_with('[') && bracket != std::string_view::npos) {
        authority = authority.substr(0, bracket + 1);
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        authority = authority.substr(0, colon);
    }
    if (authority.empty()) return std::nullopt;
    return lowercase(authority);
}

std::string host_of(std::string_view url) { return http_host(url).value_or("the server"); }

ApiError not_an_http_url(std::string_view context, std::string_view url_words) {
    return make_error(ApiErrorKind::refused,
                      in_context(context, "the server address \"" + std::string(url_words) +
                                              "\" is not an http or https URL; check the settings."));
}

//-----------------------------------------------------------------------------
// [SECTION] Answers
//-----------------------------------------------------------------------------

std::string media_type(const http::Response& response) {
    const auto content_type = response.header("Content-Type");
    if (!content_type) return {};
    return lowercase(trim(content_type->substr(0, content_type->find(';'))));
}

bool is_json_media(const http::Response& response) {
    const std::string media = media_type(response);
    return media == "application/json" || media.ends_with("+json");
}

std::string not_json_words(const http::Response& response) {
    constexpr size_t kMaxMediaType = 60;   // the server's text, quoted to staff
    const std::string media = media_type(response);
    const std::string what = media.empty() ? std::string("no content type") : one_line(media.substr(0, kMaxMediaType));
    return "answered with " + what + " instead of JSON (a Wi-Fi login page or a proxy in between?)";
}

} // namespace kiosk::backend
