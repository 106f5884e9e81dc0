// Client options for tests against loopback servers: quick retries so that a retried request costs
// milliseconds, timeouts generous enough for a loaded CI machine.
#pragma once

#include <cstdlib>

#include "netsync/http/http_client.h"

namespace kiosk::http::testing {

inline ClientOptions loopback_options() {
    // A proxy in the environment of whoever runs the tests must not see our loopback requests.
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ClientOptions options;
    options.connect_timeout = std::chrono::seconds(5);
    options.total_timeout = std::chrono::seconds(10);
    options.retry = {.max_attempts = 3, .base_delay = std::chrono::milliseconds(10), .max_delay = std::chrono::milliseconds(50)};
    return options;
}

} // namespace kiosk::http::testing
