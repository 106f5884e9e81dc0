// Offline-signed tickets (pretix_sig1): tickets sold after our last sync that carry their own
// Ed25519 signature. The scanned text is reverse(base64(blob)); see reference/pretix.md.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/model.h"

namespace kiosk {

struct SignedTicket {
    std::string seed;
    int64_t item = 0;
    std::optional<int64_t> variation;       // 0 on the wire means none
    std::optional<int64_t> subevent;
    std::optional<Timestamp> valid_from, valid_until;
};

enum class SignatureCheck {
    not_signed_format,                      // does not even look like a pretix_sig1 ticket
    bad_signature,                          // well-formed blob, but no key of the event signed it
    valid,
};

struct SignedTicketRead {
    SignatureCheck check = SignatureCheck::not_signed_format;
    SignedTicket ticket;                    // meaningful when check == valid
};

// Decodes `text` and verifies it against each key (base64 of a PEM SubjectPublicKeyInfo, as in
// the event's valid_keys.pretix_sig1). Never throws on any input.
SignedTicketRead read_signed_ticket(std::string_view text, const std::vector<std::string>& pem_keys_base64);

// --- Issuing, for tests, benchmarks and the demo ---
struct Ed25519KeyPair {
    std::array<unsigned char, 32> public_key{};
    std::array<unsigned char, 64> secret_key{};
};
Ed25519KeyPair generate_ed25519_key_pair();
// base64 of the PEM text of the public key, the form pretix puts in valid_keys.pretix_sig1.
std::string public_key_to_pem_base64(const std::array<unsigned char, 32>& public_key);
// The text a pretix_sig1 QR code carries for `ticket` signed with `secret_key`.
std::string issue_signed_ticket(const SignedTicket& ticket, const std::array<unsigned char, 64>& secret_key);

} // namespace kiosk
