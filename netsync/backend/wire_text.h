// Small text and URL helpers every backend adapter (pretix, Constant Contact, Oveit, BrightStar)
// needs on the wire: ASCII lower case and trimming, percent-encoding, the host of a URL for
// staff messages, a server's words cut to one safe line, and the JSON media type check.
//
// [SECTION] Text
// [SECTION] URLs
// [SECTION] Answers
//
// One copy here so that the four adapters read a URL, quote a server and recognise JSON alike.
// Everything is pure (no I/O) and never throws on bad input: these read what servers and staff
// wrote.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netsync/backend/api_error.h"
#include "netsync/http/http_client.h"

namespace kiosk::backend {

//-----------------------------------------------------------------------------
// [SECTION] Text
//-----------------------------------------------------------------------------

constexpr std::size_t kMaxServerWords = 300;   // a server's own words quoted to staff, at most (bytes)

// A-Z to a-z; every other byte (UTF-8 included) stays.
std::string lowercase(std::string_view text);

// Without leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text);

// A server's sentence, fit for one line on a staff screen: every non-empty secret replaced by
// "[redacted]" (a server that echoes the request must not put a token on a screen), control
// characters as spaces, at most kMaxServerWords bytes then "..." (never cut inside a UTF-8
// character).
std::string one_line(std::string text, const std::vector<std::string>& secrets = {});

//-----------------------------------------------------------------------------
// [SECTION] URLs
//-----------------------------------------------------------------------------

// Every byte for which `escape` is true becomes %XX (upper-case hex); the others stay.
std::string percent_escape(std::string_view text, bool (*escape)(unsigned char byte));

// RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) stay; every other byte, UTF-8 included,
// becomes %XX. So a slug, an event id or a scanned code can never add a path segment, a query
// parameter or a form field. Good for path segments, query strings and form bodies alike.
std::string percent_encode(std::string_view text);

std::string without_trailing_slashes(std::string_view url);

// "http://..." or "https://..." (the scheme in any case).
bool is_http_url(std::string_view url);

// The host of an http(s) URL as staff wrote it, lower case, for messages: without user info
// (never a password on a screen) and without the port ("[::1]" for http://[::1]:8000/). nullopt
// when the URL is no http or https URL or has no host.
std::optional<std::string> http_host(std::string_view url);

// http_host(url), or "the server" when there is none.
std::string host_of(std::string_view url);

// The refusal for a configured server address that is no http(s) URL. `url_words` is the address
// as it may be quoted (the caller decides whether it passes one_line first).
ApiError not_an_http_url(std::string_view context, std::string_view url_words);

//-----------------------------------------------------------------------------
// [SECTION] Answers
//-----------------------------------------------------------------------------

// The Content-Type's media type, lower case, trimmed, without parameters; "" when there is none.
std::string media_type(const http::Response& response);

// application/json or any +json type.
bool is_json_media(const http::Response& response);

// For bad_answer when an answer is not JSON: "answered with text/html instead of JSON (a Wi-Fi
// login page or a proxy in between?)" (the media type quoted on one line, at most 60 bytes).
std::string not_json_words(const http::Response& response);

} // namespace kiosk::backend
