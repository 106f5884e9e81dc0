#include "kiosk/core/sodium.h"

#include <sodium.h>

#include <stdexcept>

namespace kiosk {

bool sodium_ready() {
    static const bool ready = sodium_init() >= 0;   // magic statics make this once and thread-safe
    return ready;
}

void ensure_sodium() {
    if (!sodium_ready()) throw std::runtime_error("libsodium could not be initialised");
}

} // namespace kiosk
