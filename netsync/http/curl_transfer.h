// One attempt of one request on a kept-alive libcurl handle. Private to netsync/http; the retry
// loop around it is Client::send.
//
// Thread rule: a Transfer belongs to one thread at a time; only `cancel` is read across threads.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "netsync/http/curl_handle.h"
#include "netsync/http/http_client.h"

namespace kiosk::http::curl {

struct Attempt {
    std::expected<Response, Error> result;            // any status is a Response here
    bool reached_server = true;                       // false: certainly nothing was sent
};

class Transfer {
public:
    explicit Transfer(const ClientOptions& options);

    // Sends `request` once to `host`'s URL. `secrets` are removed from any text in the Error.
    Attempt perform(const Request& request, const std::string& host, const std::vector<std::string>& secrets);

private:
    void configure(const Request& request, const Slist& headers);

    const ClientOptions* options_;                    // owned by the Client, which owns this
    Easy easy_;                                       // kept between requests: its connection cache is the keep-alive
};

} // namespace kiosk::http::curl
