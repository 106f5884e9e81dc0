// libsodium started once for the whole process, for every part that hashes, signs or draws random
// bytes with it (nonces, signed tickets, staff PINs, webhook signatures and leases).
//
// sodium_init is idempotent and thread-safe; a function-local static makes every later call free.
#pragma once

namespace kiosk {

// Whether libsodium could start (it cannot only when the machine has no source of randomness).
bool sodium_ready();

// As sodium_ready(), but a failure is one of the machine: std::runtime_error.
void ensure_sodium();

} // namespace kiosk
