// The HTTP client's options for a backend Connection (netsync/backend/ticket_client.h), one copy for
// the Constant Contact, Oveit and BrightStar clients.
//
// The token is left out on purpose: each backend says how its token travels (Constant Contact a
// Bearer header, BrightStar a Bearer header only when one is set, Oveit a form field the client
// never sees as a token).
#pragma once

#include "netsync/backend/ticket_client.h"
#include "netsync/http/http_client.h"

namespace kiosk::backend {

// The connection's timeouts, CA file and cancel flag, with `retry` (a scan at the kiosk tries
// once, a queued upload may try again: the caller decides).
http::ClientOptions client_options(const Connection& connection, const http::RetryPolicy& retry);

} // namespace kiosk::backend
