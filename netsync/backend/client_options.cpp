#include "netsync/backend/client_options.h"

namespace kiosk::backend {

http::ClientOptions client_options(const Connection& connection, const http::RetryPolicy& retry) {
    http::ClientOptions options;
    options.connect_timeout = connection.connect_timeout;
    options.total_timeout = connection.request_timeout;
    options.ca_file = connection.ca_file;
    options.retry = retry;
    options.cancel = connection.cancel;
    return options;
}

} // namespace kiosk::backend
