// How the kiosk names itself to a server that asks (BrightStar's scanner_id, the webhooks'
// scanner id) when staff configured no name: the machine's host name.
#pragma once

#include <string>

namespace kiosk::backend {

// gethostname(), or "kiosk" when the machine has none.
std::string this_kiosks_name();

} // namespace kiosk::backend
