// libcurl's result codes in words for staff. Private to netsync/http.
//
// The sentence names the host and says what to check; libcurl's own message (which may name a
// file, a proxy or a certificate field, never a request header) goes to Error::detail for a log.
#pragma once

#include <cstddef>
#include <string>

#include <curl/curl.h>

#include "netsync/http/http_error.h"

namespace kiosk::http::curl {

// What the transfer knew besides the code.
struct FailureFacts {
    std::string host;
    std::string curl_message;             // the transfer's error buffer, or "" (then curl_easy_strerror)
    bool body_too_large = false;          // our write callback stopped at the cap
    bool headers_too_large = false;       // our header callback stopped at its cap
    std::size_t max_body_bytes = 0;
    bool custom_ca_file = false;
};

// The Error for a failed transfer. Throws for failures of the machine or of our own code
// (out of memory, an option libcurl does not know): no retry or message helps there.
Error transport_error(CURLcode code, const FailureFacts& facts);

// False when the request certainly did not reach the server (name lookup or connect failed), so
// that sending it again cannot make it act twice.
bool may_have_reached_server(CURLcode code);

// "64 MB", "512 KB", "300 bytes": a size in words.
std::string size_in_words(std::size_t bytes);

} // namespace kiosk::http::curl
