#include "kiosk/core/nonce.h"

#include <sodium.h>

#include "kiosk/core/sodium.h"

namespace kiosk {

std::string make_nonce() {
    ensure_sodium();
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string nonce(32, '\0');
    for (char& c : nonce) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
    return nonce;
}

} // namespace kiosk
