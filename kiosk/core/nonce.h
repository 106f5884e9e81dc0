// Idempotency keys for uploads: the backend makes one check-in of any number of requests that
// carry the same nonce, so a retried upload can never count an attendee twice.
#pragma once

#include <string>

namespace kiosk {

// 32 characters of [A-Za-z0-9] from the system CSPRNG (libsodium): 190 bits, never repeats in practice.
std::string make_nonce();

} // namespace kiosk
