// The staff PIN: stored only as an argon2id hash (libsodium), checked in constant time, and guarded
// by a lockout so that a 4-digit PIN cannot be tried out at the touchscreen.
//
// [SECTION] Hashing and checking
// [SECTION] Lockout
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "kiosk/app/outcome.h"

namespace kiosk {

// [SECTION] Hashing and checking
// A PIN is 4 to 12 ASCII digits. Its hash is libsodium's crypto_pwhash_str text ("$argon2id$v=19$
// m=65536,t=2,p=1$salt$hash"), with the INTERACTIVE limits: about 64 MiB and 50-100 ms per call on
// a kiosk's CPU. That cost is the point (a stolen config must not give up the PIN by brute force),
// so never call verify_staff_pin on the UI thread: hand it to a worker and show "checking" for the
// frame or two it takes. Both functions are thread-safe.

constexpr size_t kStaffPinMinDigits = 4;
constexpr size_t kStaffPinMaxDigits = 12;

// The hash for the config's kiosk.staff_pin_hash; the error is a sentence for staff ("a PIN is 4 to
// 12 digits"). Throws std::bad_alloc if the memory argon2id needs cannot be had.
Outcome<std::string> hash_staff_pin(std::string_view pin);
// True only when `pin` is the PIN `hash` was made from. False for a malformed or empty hash, a
// PIN that is not 4-12 digits (cheaply, before any hashing) and when memory runs out.
bool verify_staff_pin(std::string_view hash, std::string_view pin);
// True when `text` has the shape of a hash from hash_staff_pin ("$argon2id$v=...$m=...$...$...").
// The config loader uses it to refuse a bare PIN or a truncated paste before the kiosk starts.
bool looks_like_pin_hash(std::string_view text);
// True for 4-12 ASCII digits.
bool is_valid_staff_pin(std::string_view pin);

// [SECTION] Lockout
// After 5 wrong PINs in a row the pad locks for 30 s; each further wrong PIN (once the lock has
// run out) locks it again for twice as long as the last, up to 15 min. A right PIN starts over.
// Wrong PINs typed while locked are not counted: the UI refuses them before hashing anything.
// A plain value: the UI owns one and passes its own steady clock in, so tests drive time by hand.
// Not thread-safe; the UI thread owns it.

class PinLockout {
public:
    static constexpr int kFreeAttempts = 5;
    static constexpr std::chrono::seconds kFirstLock{30};
    static constexpr std::chrono::seconds kLongestLock{15 * 60};

    bool locked(std::chrono::steady_clock::time_point now) const;
    std::chrono::seconds remaining(std::chrono::steady_clock::time_point now) const; // whole seconds, rounded up; 0 when open
    void record_failure(std::chrono::steady_clock::time_point now);
    void record_success();                  // back to 5 free attempts
    int failures() const;                   // wrong PINs in a row

private:
    int failures_ = 0;
    std::chrono::steady_clock::time_point locked_until_{};
};

} // namespace kiosk
