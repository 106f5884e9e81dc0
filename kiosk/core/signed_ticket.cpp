#include "kiosk/core/signed_ticket.h"

#include "image/utf8.h"

#include "kiosk/core/sodium.h"
#include "kiosk/core/text.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include <sodium.h>

namespace kiosk {

namespace {

using Bytes = std::vector<unsigned char>;

// A QR code holds under 3 KB; anything longer is not a ticket and is not worth decoding.
constexpr size_t kMaxTicketTextBytes = 4096;
constexpr unsigned char kBlobVersion = 0x01;
constexpr size_t kBlobHeaderBytes = 5;
constexpr size_t kSignatureBytes = crypto_sign_BYTES;
constexpr size_t kPublicKeyBytes = crypto_sign_PUBLICKEYBYTES;
constexpr std::string_view kPemHeader = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPemFooter = "-----END PUBLIC KEY-----";
constexpr std::array<unsigned char, 12> kEd25519SpkiPrefix{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                           0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
// Unix seconds of 0001-01-01 and 9999-12-31T23:59:59: the range our ISO text can show, and far
// inside what microsecond timestamps hold without overflow.
constexpr int64_t kMinUnixSeconds = -62135596800;
constexpr int64_t kMaxUnixSeconds = 253402300799;

// --- Protobuf: just the wire format the Ticket message needs ------------------------------------

enum WireType : uint64_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

class ProtoReader {
public:
    ProtoReader(const unsigned char* data, size_t size) : data_(data), size_(size) {}

    bool at_end() const { return pos_ == size_; }

    // At most ten bytes, and the tenth may only carry the 64th bit: longer forms are malformed.
    bool read_varint(uint64_t& out) {
        uint64_t value = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (pos_ == size_) return false;
            const unsigned char byte = data_[pos_++];
            if (shift == 63 && byte > 1) return false;
            value |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) { out = value; return true; }
        }
        return false;
    }

    bool read_bytes(uint64_t length, const unsigned char*& start) {
        if (length > size_ - pos_) return false;
        start = data_ + pos_;
        pos_ += static_cast<size_t>(length);
        return true;
    }

    bool skip(uint64_t wire_type) {
        uint64_t ignored = 0;
        const unsigned char* start = nullptr;
        switch (wire_type) {
        case varint: return read_varint(ignored);
        case fixed64: return read_bytes(8, start);
        case fixed32: return read_bytes(4, start);
        case length_delimited: return read_varint(ignored) && read_bytes(ignored, start);
        default: return false;              // groups (3, 4) are obsolete; 6 and 7 do not exist
        }
    }

private:
    const unsigned char* data_;
    size_t size_;
    size_t pos_ = 0;
};


std::optional<Timestamp> unix_seconds_to_timestamp(int64_t seconds) {
    if (seconds == 0) return std::nullopt;
    return Timestamp{std::chrono::seconds{seconds}};
}

// Rejects truncation, overlong varints, mismatched wire types and out-of-range times; skips
// fields a newer pretix might add. Repeated fields: the last one wins, as in protobuf.
std::optional<SignedTicket> decode_ticket(const unsigned char* data, size_t size) {
    ProtoReader reader(data, size);
    SignedTicket ticket;
    while (!reader.at_end()) {
        uint64_t tag = 0;
        if (!reader.read_varint(tag) || tag > UINT32_MAX) return std::nullopt;
        const uint64_t field = tag >> 3, wire_type = tag & 7;
        if (field == 0) return std::nullopt;
        if (field > 6) {
            if (!reader.skip(wire_type)) return std::nullopt;
            continue;
        }
        if (field == 1) {
            uint64_t length = 0;
            const unsigned char* start = nullptr;
            if (wire_type != length_delimited || !reader.read_varint(length) || !reader.read_bytes(length, start))
                return std::nullopt;
            ticket.seed.assign(reinterpret_cast<const char*>(start), static_cast<size_t>(length));
            // Seeds become secrets that end up in JSON, which must be UTF-8 (proto3 requires it too).
            if (!utf8::is_valid(ticket.seed)) return std::nullopt;
            continue;
        }
        uint64_t raw = 0;
        if (wire_type != varint || !reader.read_varint(raw)) return std::nullopt;
        const auto value = static_cast<int64_t>(raw);   // int64 is two's complement on the wire
        const auto optional_id = value == 0 ? std::nullopt : std::optional<int64_t>{value};
        switch (field) {
        case 2: ticket.item = value; break;
        case 3: ticket.variation = optional_id; break;
        case 4: ticket.subevent = optional_id; break;
        default:
            if (value < kMinUnixSeconds || value > kMaxUnixSeconds) return std::nullopt;
            (field == 5 ? ticket.valid_from : ticket.valid_until) = unix_seconds_to_timestamp(value);
        }
    }
    return ticket;
}

void write_varint(Bytes& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<unsigned char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<unsigned char>(value));
}

void write_int64_field(Bytes& out, uint64_t field, int64_t value) {
    write_varint(out, field << 3 | varint);
    write_varint(out, static_cast<uint64_t>(value));
}

int64_t to_unix_seconds(Timestamp t) {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

Bytes encode_ticket(const SignedTicket& ticket) {
    Bytes out;
    // proto3 leaves out fields holding their default value.
    if (!ticket.seed.empty()) {
        write_varint(out, 1 << 3 | length_delimited);
        write_varint(out, ticket.seed.size());
        out.insert(out.end(), ticket.seed.begin(), ticket.seed.end());
    }
    if (ticket.item != 0) write_int64_field(out, 2, ticket.item);
    if (ticket.variation.value_or(0) != 0) write_int64_field(out, 3, *ticket.variation);
    if (ticket.subevent.value_or(0) != 0) write_int64_field(out, 4, *ticket.subevent);
    if (ticket.valid_from) write_int64_field(out, 5, to_unix_seconds(*ticket.valid_from));
    if (ticket.valid_until) write_int64_field(out, 6, to_unix_seconds(*ticket.valid_until));
    return out;
}

// --- Keys ----------------------------------------------------------------------------------------

std::optional<std::array<unsigned char, kPublicKeyBytes>> parse_pem_key(std::string_view key_base64) {
    const auto pem_bytes = base64_decode(key_base64, true);
    if (!pem_bytes) return std::nullopt;
    const std::string_view pem(reinterpret_cast<const char*>(pem_bytes->data()), pem_bytes->size());
    const size_t header = pem.find(kPemHeader);
    if (header == std::string_view::npos) return std::nullopt;
    const size_t body = header + kPemHeader.size();
    const size_t footer = pem.find(kPemFooter, body);
    if (footer == std::string_view::npos) return std::nullopt;
    const auto der = base64_decode(pem.substr(body, footer - body), true);
    if (!der || der->size() < kPublicKeyBytes) return std::nullopt;
    std::array<unsigned char, kPublicKeyBytes> key{};
    std::copy(der->end() - kPublicKeyBytes, der->end(), key.begin());
    return key;
}

SignedTicketRead read(std::string_view text, const std::vector<std::string>& pem_keys_base64) {
    SignedTicketRead result;
    if (text.empty() || text.size() > kMaxTicketTextBytes) return result;
    const std::string reversed(text.rbegin(), text.rend());
    const auto blob = base64_decode(reversed, false);
    if (!blob || blob->size() < kBlobHeaderBytes || (*blob)[0] != kBlobVersion) return result;
    const size_t payload_size = static_cast<size_t>((*blob)[1]) << 8 | (*blob)[2];
    const size_t signature_size = static_cast<size_t>((*blob)[3]) << 8 | (*blob)[4];
    if (signature_size != kSignatureBytes || kBlobHeaderBytes + payload_size + signature_size != blob->size())
        return result;
    const unsigned char* payload = blob->data() + kBlobHeaderBytes;
    const unsigned char* signature = payload + payload_size;
    auto ticket = decode_ticket(payload, payload_size);
    if (!ticket) return result;

    result.check = SignatureCheck::bad_signature;
    if (!sodium_ready()) return result;
    for (const std::string& key_base64 : pem_keys_base64) {
        const auto key = parse_pem_key(key_base64);
        if (key && crypto_sign_verify_detached(signature, payload, payload_size, key->data()) == 0) {
            result.check = SignatureCheck::valid;
            result.ticket = std::move(*ticket);
            return result;
        }
    }
    return result;
}

} // namespace

SignedTicketRead read_signed_ticket(std::string_view text, const std::vector<std::string>& pem_keys_base64) {
    try {
        return read(text, pem_keys_base64);
    } catch (...) {
        // Only allocation can throw here; a scan must still get an answer.
        return {};
    }
}

Ed25519KeyPair generate_ed25519_key_pair() {
    if (!sodium_ready()) throw std::runtime_error("libsodium could not be initialised");
    Ed25519KeyPair pair;
    crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
    return pair;
}

std::string public_key_to_pem_base64(const std::array<unsigned char, 32>& public_key) {
    Bytes der(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end());
    der.insert(der.end(), public_key.begin(), public_key.end());
    std::string pem(kPemHeader);
    pem += '\n';
    pem += base64_encode(der.data(), der.size());   // 60 characters: one PEM line
    pem += '\n';
    pem += kPemFooter;
    pem += '\n';
    return base64_encode(pem);
}

std::string issue_signed_ticket(const SignedTicket& ticket, const std::array<unsigned char, 64>& secret_key) {
    if (!sodium_ready()) throw std::runtime_error("libsodium could not be initialised");
    const Bytes payload = encode_ticket(ticket);
    if (payload.size() > UINT16_MAX) throw std::length_error("signed ticket payload exceeds 65535 bytes");
    std::array<unsigned char, kSignatureBytes> signature{};
    crypto_sign_detached(signature.data(), nullptr, payload.data(), payload.size(), secret_key.data());
    Bytes blob{kBlobVersion,
               static_cast<unsigned char>(payload.size() >> 8), static_cast<unsigned char>(payload.size()),
               static_cast<unsigned char>(kSignatureBytes >> 8), static_cast<unsigned char>(kSignatureBytes)};
    blob.insert(blob.end(), payload.begin(), payload.end());
    blob.insert(blob.end(), signature.begin(), signature.end());
    std::string text = base64_encode(blob.data(), blob.size());
    std::reverse(text.begin(), text.end());
    return text;
}

} // namespace kiosk
