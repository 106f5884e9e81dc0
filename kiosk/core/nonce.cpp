#include "kiosk/core/nonce.h"

#include <sodium.h>

#include <stdexcept>

namespace kiosk {

std::string make_nonce() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string nonce(32, '\0');
    for (char& c : nonce) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
    return nonce;
}

} // namespace kiosk
