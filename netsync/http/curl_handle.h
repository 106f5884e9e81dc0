// RAII over libcurl's C handles. Private to netsync/http: curl.h stays out of public headers.
//
// Thread rule: a handle belongs to one thread at a time. global_init() may be called from any
// thread, any number of times: libcurl's global state is set up once, before the first handle.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include <curl/curl.h>

#include "netsync/http/http_error.h"

namespace kiosk::http::curl {

struct EasyCleanup { void operator()(CURL* easy) const { curl_easy_cleanup(easy); } };
struct SlistCleanup { void operator()(curl_slist* list) const { curl_slist_free_all(list); } };
struct UrlCleanup { void operator()(CURLU* url) const { curl_url_cleanup(url); } };

using Easy = std::unique_ptr<CURL, EasyCleanup>;
using Slist = std::unique_ptr<curl_slist, SlistCleanup>;
using Url = std::unique_ptr<CURLU, UrlCleanup>;

void global_init();                                   // throws std::runtime_error if libcurl cannot start
Easy make_easy();                                     // throws std::runtime_error when out of handles

// Appends one line ("Name: value") to a header list, keeping ownership in `list`.
void append(Slist& list, const std::string& line);

// The host of an absolute http(s) URL, or a `malformed` Error that does not repeat the URL (it
// may carry credentials or a token in its query).
std::expected<std::string, Error> server_host(const std::string& url);

} // namespace kiosk::http::curl
