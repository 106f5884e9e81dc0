#include "netsync/http/curl_handle.h"

#include <new>
#include <stdexcept>

namespace kiosk::http::curl {

void global_init() {
    // A function-local static is initialised once even when threads race here, and curl_global_init
    // must run before any other libcurl call. It is never cleaned up: other threads may still hold
    // handles while the process exits.
    static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (result != CURLE_OK) throw std::runtime_error(std::string("libcurl could not start: ") + curl_easy_strerror(result));
}

Easy make_easy() {
    global_init();
    Easy easy(curl_easy_init());
    if (!easy) throw std::runtime_error("libcurl could not create a handle");
    return easy;
}

void append(Slist& list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    (void)list.release();                             // curl_slist_append returned the same head, or a new one
    list.reset(grown);
}

std::expected<std::string, Error> server_host(const std::string& url) {
    auto bad_address = [](std::string detail) {
        Error error;
        error.kind = ErrorKind::malformed;
        error.message = "The server address is not a valid http or https address; check the kiosk's settings.";
        error.detail = std::move(detail);
        return std::unexpected(std::move(error));
    };

    global_init();
    Url parsed(curl_url());
    if (!parsed) throw std::bad_alloc();
    if (const CURLUcode code = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0); code != CURLUE_OK)
        return bad_address(curl_url_strerror(code));

    auto part = [&](CURLUPart which) -> std::string {
        char* text = nullptr;
        if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK || text == nullptr) return {};
        std::string copy(text);
        curl_free(text);
        return copy;
    };
    const std::string scheme = part(CURLUPART_SCHEME);
    if (scheme != "http" && scheme != "https") return bad_address("scheme is not http or https");
    std::string host = part(CURLUPART_HOST);
    if (host.empty()) return bad_address("no host");
    return host;
}

} // namespace kiosk::http::curl
