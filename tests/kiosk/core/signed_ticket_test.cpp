#include "kiosk/core/signed_ticket.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <sodium.h>

namespace kiosk {
namespace {

using Bytes = std::vector<unsigned char>;

// Independent of the code under test: libsodium's own base64, so the tests check the wire format
// rather than round-tripping our codec against itself.
std::string to_base64(const Bytes& bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);   // drop the terminating NUL
    return out;
}

Bytes from_base64(std::string_view text) {
    Bytes out(text.size());
    size_t length = 0;
    EXPECT_EQ(sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                                sodium_base64_VARIANT_ORIGINAL), 0);
    out.resize(length);
    return out;
}

std::string reversed(std::string text) {
    std::reverse(text.begin(), text.end());
    return text;
}

Bytes blob_of(std::string_view ticket_text) { return from_base64(reversed(std::string(ticket_text))); }
std::string text_of(const Bytes& blob) { return reversed(to_base64(blob)); }

void append_varint(Bytes& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<unsigned char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<unsigned char>(value));
}

// A pretix_sig1 text around an arbitrary payload, signed properly.
std::string sign_payload(const Bytes& payload, const Ed25519KeyPair& keys) {
    Bytes signature(crypto_sign_BYTES);
    crypto_sign_detached(signature.data(), nullptr, payload.data(), payload.size(), keys.secret_key.data());
    Bytes blob = {0x01, static_cast<unsigned char>(payload.size() >> 8), static_cast<unsigned char>(payload.size()), 0x00, 0x40};
    blob.insert(blob.end(), payload.begin(), payload.end());
    blob.insert(blob.end(), signature.begin(), signature.end());
    return text_of(blob);
}

Timestamp at_unix(int64_t seconds) { return Timestamp{std::chrono::seconds{seconds}}; }

class SignedTicketTest : public ::testing::Test {
protected:
    void SetUp() override {
        keys = generate_ed25519_key_pair();
        key_text = public_key_to_pem_base64(keys.public_key);
        ticket.seed = "s3cr3tseedabc";
        ticket.item = 42;
        ticket.variation = 7;
        ticket.subevent = 1234567890123;
    }

    SignedTicketRead read(std::string_view text) const { return read_signed_ticket(text, {key_text}); }

    Ed25519KeyPair keys;
    std::string key_text;
    SignedTicket ticket;
};

TEST_F(SignedTicketTest, PublicKeyIsBase64OfPem) {
    const Bytes pem_bytes = from_base64(key_text);
    const std::string pem(pem_bytes.begin(), pem_bytes.end());
    EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    EXPECT_TRUE(pem.ends_with("\n-----END PUBLIC KEY-----\n"));
    const std::string body = pem.substr(27, pem.size() - 27 - 26);
    const Bytes der = from_base64(body);
    ASSERT_EQ(der.size(), 44u);
    const Bytes prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), der.begin()));
    EXPECT_TRUE(std::equal(keys.public_key.begin(), keys.public_key.end(), der.begin() + 12));
}

TEST_F(SignedTicketTest, IssuedTicketReadsBackEveryField) {
    const std::string text = issue_signed_ticket(ticket, keys.secret_key);
    const Bytes blob = blob_of(text);
    ASSERT_GE(blob.size(), 5u);
    EXPECT_EQ(blob[0], 0x01);
    EXPECT_EQ(blob[3] << 8 | blob[4], 64);
    EXPECT_EQ(5u + (blob[1] << 8 | blob[2]) + 64u, blob.size());

    const SignedTicketRead result = read(text);
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_EQ(result.ticket.seed, "s3cr3tseedabc");
    EXPECT_EQ(result.ticket.item, 42);
    EXPECT_EQ(result.ticket.variation, 7);
    EXPECT_EQ(result.ticket.subevent, 1234567890123);
    EXPECT_FALSE(result.ticket.valid_from);
    EXPECT_FALSE(result.ticket.valid_until);
}

TEST_F(SignedTicketTest, ZeroMeansNone) {
    ticket.variation.reset();
    ticket.subevent = 0;
    const SignedTicketRead result = read(issue_signed_ticket(ticket, keys.secret_key));
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_FALSE(result.ticket.variation);
    EXPECT_FALSE(result.ticket.subevent);

    // Explicit zeros on the wire, as some encoders write them.
    Bytes payload = {0x0a, 0x01, 'x', 0x10, 0x05, 0x18, 0x00, 0x20, 0x00, 0x28, 0x00, 0x30, 0x00};
    const SignedTicketRead zeros = read(sign_payload(payload, keys));
    ASSERT_EQ(zeros.check, SignatureCheck::valid);
    EXPECT_EQ(zeros.ticket.item, 5);
    EXPECT_FALSE(zeros.ticket.variation);
    EXPECT_FALSE(zeros.ticket.subevent);
    EXPECT_FALSE(zeros.ticket.valid_from);
    EXPECT_FALSE(zeros.ticket.valid_until);
}

TEST_F(SignedTicketTest, ValidityWindowRoundTrips) {
    ticket.valid_from = at_unix(1777878000);
    ticket.valid_until = at_unix(1777964400);
    const SignedTicketRead result = read(issue_signed_ticket(ticket, keys.secret_key));
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_EQ(result.ticket.valid_from, at_unix(1777878000));
    EXPECT_EQ(result.ticket.valid_until, at_unix(1777964400));

    ticket.valid_from.reset();
    const SignedTicketRead until_only = read(issue_signed_ticket(ticket, keys.secret_key));
    ASSERT_EQ(until_only.check, SignatureCheck::valid);
    EXPECT_FALSE(until_only.ticket.valid_from);
    EXPECT_EQ(until_only.ticket.valid_until, at_unix(1777964400));
}

TEST_F(SignedTicketTest, WrongKeyIsBadSignature) {
    const Ed25519KeyPair other = generate_ed25519_key_pair();
    const std::string text = issue_signed_ticket(ticket, other.secret_key);
    EXPECT_EQ(read(text).check, SignatureCheck::bad_signature);
    EXPECT_EQ(read_signed_ticket(text, {}).check, SignatureCheck::bad_signature);
    EXPECT_EQ(read_signed_ticket(text, {"not a key", ""}).check, SignatureCheck::bad_signature);
}

TEST_F(SignedTicketTest, AnyOfSeveralKeysMayHaveSigned) {
    const Ed25519KeyPair second = generate_ed25519_key_pair();
    const std::string text = issue_signed_ticket(ticket, second.secret_key);
    const SignedTicketRead result =
        read_signed_ticket(text, {"garbage", key_text, public_key_to_pem_base64(second.public_key)});
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_EQ(result.ticket.seed, ticket.seed);
}

TEST_F(SignedTicketTest, AcceptsKeyWithWrappedPemLines) {
    // Some exports wrap PEM bodies and the outer base64 at 64 / 76 characters.
    const Bytes pem_bytes = from_base64(key_text);
    std::string pem(pem_bytes.begin(), pem_bytes.end());
    pem.insert(27 + 20, "\n");
    std::string wrapped = to_base64(Bytes(pem.begin(), pem.end()));
    wrapped.insert(40, "\n");
    EXPECT_EQ(read_signed_ticket(issue_signed_ticket(ticket, keys.secret_key), {wrapped}).check, SignatureCheck::valid);
}

TEST_F(SignedTicketTest, FlippedPayloadOrSignatureByteIsBadSignature) {
    const Bytes blob = blob_of(issue_signed_ticket(ticket, keys.secret_key));
    // Flip a byte inside the seed so the payload still decodes.
    Bytes tampered_payload = blob;
    tampered_payload[5 + 2] ^= 0x01;
    EXPECT_EQ(read(text_of(tampered_payload)).check, SignatureCheck::bad_signature);

    Bytes tampered_signature = blob;
    tampered_signature.back() ^= 0x80;
    EXPECT_EQ(read(text_of(tampered_signature)).check, SignatureCheck::bad_signature);
}

TEST_F(SignedTicketTest, MissingPaddingIsAccepted) {
    ticket.seed = "ab";                     // pick a size that needs padding
    std::string text;
    for (; text.empty() || text.front() != '='; ticket.seed += 'c') text = issue_signed_ticket(ticket, keys.secret_key);
    const std::string unpadded = text.substr(text.find_first_not_of('='));
    EXPECT_EQ(read(unpadded).check, SignatureCheck::valid);
}

TEST_F(SignedTicketTest, UnknownProtobufFieldsAreSkipped) {
    Bytes payload = {0x0a, 0x04, 's', 'e', 'e', 'd', 0x10, 0x2a};
    append_varint(payload, 7 << 3 | 0);     // varint field 7
    append_varint(payload, 300);
    append_varint(payload, 8 << 3 | 2);     // length-delimited field 8
    payload.insert(payload.end(), {0x03, 'a', 'b', 'c'});
    append_varint(payload, 9 << 3 | 1);     // fixed64 field 9
    payload.insert(payload.end(), 8, 0xEE);
    append_varint(payload, 1000 << 3 | 5);  // fixed32 field 1000
    payload.insert(payload.end(), 4, 0xEE);
    payload.insert(payload.end(), {0x18, 0x09});   // variation 9 after the unknown ones
    const SignedTicketRead result = read(sign_payload(payload, keys));
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_EQ(result.ticket.seed, "seed");
    EXPECT_EQ(result.ticket.item, 42);
    EXPECT_EQ(result.ticket.variation, 9);
}

TEST_F(SignedTicketTest, MalformedProtobufIsNotSignedFormat) {
    const std::vector<Bytes> payloads = {
        {0x0a, 0x05, 's', 'e', 'e', 'd'},                           // string runs past the end
        {0x10},                                                    // varint missing
        {0x10, 0xff},                                              // varint truncated
        {0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},   // eleven-byte zero
        {0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},   // overflows 64 bits
        {0x12, 0x00},                                              // item with the wrong wire type
        {0x08, 0x01},                                              // seed with the wrong wire type
        {0x00, 0x01},                                              // field number 0
        {0x3b},                                                    // start-group, obsolete
        {0x3f},                                                    // wire type 7
        {0x39, 0x01, 0x02},                                        // fixed64 truncated
        {0x0a, 0x02, 0xc3, 0x28},                                  // seed is not UTF-8
        {0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},          // valid-from far beyond year 9999
    };
    for (const Bytes& payload : payloads)
        EXPECT_EQ(read(sign_payload(payload, keys)).check, SignatureCheck::not_signed_format)
            << "payload starting " << static_cast<int>(payload[0]) << " of " << payload.size() << " bytes";
}

TEST_F(SignedTicketTest, NegativeInt64UsesTenByteVarint) {
    Bytes payload = {0x10};
    append_varint(payload, static_cast<uint64_t>(int64_t{-5}));
    const SignedTicketRead result = read(sign_payload(payload, keys));
    ASSERT_EQ(result.check, SignatureCheck::valid);
    EXPECT_EQ(result.ticket.item, -5);
}

TEST_F(SignedTicketTest, BrokenBlobsAreNotSignedFormat) {
    const std::string good = issue_signed_ticket(ticket, keys.secret_key);
    const Bytes blob = blob_of(good);

    Bytes wrong_version = blob;
    wrong_version[0] = 0x02;
    Bytes long_payload_length = blob;
    long_payload_length[2] = static_cast<unsigned char>(long_payload_length[2] + 1);
    Bytes short_signature_length = blob;
    short_signature_length[4] = 63;
    Bytes huge_lengths = blob;
    huge_lengths[1] = huge_lengths[2] = huge_lengths[3] = huge_lengths[4] = 0xff;
    Bytes trailing = blob;
    trailing.push_back(0);
    const Bytes header_only = {0x01, 0x00, 0x00, 0x00};

    for (const Bytes& broken : {wrong_version, long_payload_length, short_signature_length, huge_lengths, trailing, header_only})
        EXPECT_EQ(read(text_of(broken)).check, SignatureCheck::not_signed_format);

    for (size_t keep = 0; keep < good.size(); keep += 3)
        EXPECT_EQ(read(good.substr(good.size() - keep)).check, SignatureCheck::not_signed_format) << keep;
    // Losing the last base64 character (not mere padding) loses blob bytes.
    EXPECT_EQ(read(good.substr(good.find_first_not_of('=') + 1)).check, SignatureCheck::not_signed_format);
}

TEST_F(SignedTicketTest, GarbageEmptyAndHugeInputsAreNotSignedFormat) {
    const std::string good = issue_signed_ticket(ticket, keys.secret_key);
    for (std::string_view text : {std::string_view(""), std::string_view("="), std::string_view("===="),
                                  std::string_view("hello world"), std::string_view("ABCD"),
                                  std::string_view("!!!!"), std::string_view("\0\0\0\0", 4),
                                  std::string_view("a=bc")})
        EXPECT_EQ(read(text).check, SignatureCheck::not_signed_format) << text;
    EXPECT_EQ(read(reversed(good)).check, SignatureCheck::not_signed_format);
    EXPECT_EQ(read(good + " ").check, SignatureCheck::not_signed_format);
    EXPECT_EQ(read(std::string(1 << 20, 'A')).check, SignatureCheck::not_signed_format);
    EXPECT_EQ(read(std::string(4097, 'A')).check, SignatureCheck::not_signed_format);
    // A valid ticket padded past the cap is still refused before any decoding.
    EXPECT_EQ(read(std::string(4100 - good.size(), 'A') + good).check, SignatureCheck::not_signed_format);

    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
    EXPECT_EQ(read(all_bytes).check, SignatureCheck::not_signed_format);
}

TEST_F(SignedTicketTest, FuzzedBlobsNeverCrash) {
    const Bytes blob = blob_of(issue_signed_ticket(ticket, keys.secret_key));
    uint32_t state = 12345;
    const auto next = [&] { return state = state * 1664525u + 1013904223u; };
    for (int round = 0; round < 2000; ++round) {
        Bytes mutated = blob;
        const size_t flips = 1 + next() % 4;
        for (size_t i = 0; i < flips; ++i) mutated[next() % mutated.size()] ^= static_cast<unsigned char>(1u << (next() % 8));
        if (next() % 3 == 0) mutated.resize(next() % mutated.size());
        const SignedTicketRead result = read(text_of(mutated));
        if (mutated != blob) { EXPECT_NE(result.check, SignatureCheck::valid); }
    }
}

} // namespace
} // namespace kiosk
