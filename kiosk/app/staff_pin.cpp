#include "kiosk/app/staff_pin.h"

#include <algorithm>
#include <cctype>
#include <new>
#include <stdexcept>

#include <sodium.h>

#include "kiosk/core/sodium.h"

namespace kiosk {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Consumes `literal` at the front of `text`.
bool take(std::string_view& text, std::string_view literal) {
    if (!text.starts_with(literal)) return false;
    text.remove_prefix(literal.size());
    return true;
}

// Consumes 1-10 digits at the front of `text`.
bool take_number(std::string_view& text) {
    size_t digits = 0;
    while (digits < text.size() && digits <= 10 && is_digit(text[digits])) ++digits;
    if (digits == 0 || digits > 10) return false;
    text.remove_prefix(digits);
    return true;
}

// Consumes unpadded base64 (argon2's encoding of salt and hash) up to the next '$' or the end.
bool take_base64(std::string_view& text, size_t min_length) {
    size_t length = 0;
    while (length < text.size() && (std::isalnum(static_cast<unsigned char>(text[length])) || text[length] == '+' || text[length] == '/'))
        ++length;
    if (length < min_length) return false;
    text.remove_prefix(length);
    return true;
}

} // namespace

bool is_valid_staff_pin(std::string_view pin) {
    return pin.size() >= kStaffPinMinDigits && pin.size() <= kStaffPinMaxDigits && std::all_of(pin.begin(), pin.end(), is_digit);
}

Outcome<std::string> hash_staff_pin(std::string_view pin) {
    if (!is_valid_staff_pin(pin))
        return std::unexpected("a staff PIN is " + std::to_string(kStaffPinMinDigits) + " to " + std::to_string(kStaffPinMaxDigits) +
                               " digits (0-9), nothing else");
    ensure_sodium();
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::bad_alloc();  // libsodium's only failure here: the memory argon2id asks for
    return std::string(hash);
}

bool verify_staff_pin(std::string_view hash, std::string_view pin) {
    if (!looks_like_pin_hash(hash) || !is_valid_staff_pin(pin)) return false;
    ensure_sodium();
    const std::string terminated(hash);  // libsodium reads a C string
    return crypto_pwhash_str_verify(terminated.c_str(), pin.data(), pin.size()) == 0;
}

bool looks_like_pin_hash(std::string_view text) {
    if (text.size() >= crypto_pwhash_STRBYTES) return false;
    return take(text, "$argon2id$v=") && take_number(text) && take(text, "$m=") && take_number(text) && take(text, ",t=") &&
           take_number(text) && take(text, ",p=") && take_number(text) && take(text, "$") && take_base64(text, 11) &&
           take(text, "$") && take_base64(text, 16) && text.empty();
}

// --- Lockout ---------------------------------------------------------------------------------------

bool PinLockout::locked(std::chrono::steady_clock::time_point now) const { return now < locked_until_; }

std::chrono::seconds PinLockout::remaining(std::chrono::steady_clock::time_point now) const {
    if (!locked(now)) return std::chrono::seconds{0};
    return std::chrono::ceil<std::chrono::seconds>(locked_until_ - now);
}

void PinLockout::record_failure(std::chrono::steady_clock::time_point now) {
    if (locked(now)) return;
    ++failures_;
    if (failures_ < kFreeAttempts) return;
    // 30 s at the 5th wrong PIN, doubling per further one; the shift is capped before it could overflow.
    const int doublings = std::min(failures_ - kFreeAttempts, 10);
    locked_until_ = now + std::min(kFirstLock * (1 << doublings), kLongestLock);
}

void PinLockout::record_success() {
    failures_ = 0;
    locked_until_ = {};
}

int PinLockout::failures() const { return failures_; }

} // namespace kiosk
