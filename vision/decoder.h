// Finding and reading ticket codes in camera frames, built on ZXing-cpp.
//
// Kiosk conditions beat plain ZXing defaults: phones held at an angle, dark-mode screens
// (light-on-dark codes), glare, low light, crumpled paper. FrameDecoder searches a frame in
// stages, cheap before expensive: the region of the last detection, one attempt on the downscaled
// frame, then crops of the regions that look like a code (with several preparations and a QR grid
// fit for bent paper) and the rest of the whole frame (other scales, contrast-normalised,
// inverted, sharpened). It stops at the first success; an attempt that would overrun the frame's
// time budget is skipped, so a hard frame never delays the next one, and the next frame continues
// where this one stopped. A wrong text is worse than none: only results ZXing verified (error
// correction / checksums) are returned.
//
// Thread rule: a FrameDecoder keeps the region of its last detection and where its search
// stopped, so it belongs to one thread (the camera thread). decode_image() keeps nothing between
// calls but the learnt cost of each attempt (per thread), and is safe on any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/image.h"

namespace kiosk {

// The symbologies tickets use. QR by default; others switchable in the config.
enum class Symbology : uint16_t {
    qr = 1 << 0,
    aztec = 1 << 1,
    pdf417 = 1 << 2,
    data_matrix = 1 << 3,
    code128 = 1 << 4,
};
using Symbologies = uint16_t;               // bitwise or of Symbology values
constexpr Symbologies kDefaultSymbologies = static_cast<Symbologies>(Symbology::qr);
std::string symbology_name(Symbology symbology);                      // "qr", "aztec", ...
// "qr,aztec" -> bits, or a sentence naming the unknown name.
std::expected<Symbologies, std::string> parse_symbologies(const std::string& csv);

struct PointF {
    float x = 0, y = 0;
};

struct DecodedCode {
    std::string bytes;                      // the payload exactly as encoded
    std::string text;                       // the payload as UTF-8 text; empty when `binary`
    bool binary = false;                    // not text (pretix shows these as "binary:<base64>")
    Symbology symbology = Symbology::qr;
    std::array<PointF, 4> corners{};        // in frame pixels: top-left, top-right, bottom-right, bottom-left
};

struct DecodeOptions {
    Symbologies symbologies = kDefaultSymbologies;
    std::chrono::microseconds budget{12000}; // per frame; attempts that would overrun it are skipped
    bool try_inverted = true;               // dark-mode phone screens
    bool track_region = true;               // start with the region of the last detection
    // FrameDecoder only: once the full search has been through the same still scene for a while
    // (nobody at the kiosk, or nothing in view is a code), only the cheapest attempt runs until
    // the scene changes. An idle kiosk then spends a few milliseconds per frame instead of the
    // whole budget (docs/BENCHMARKS.md, "An idle kiosk").
    bool idle_when_still = true;
};

struct FrameDecode {
    std::vector<DecodedCode> codes;         // empty: no code in this frame (an ordinary outcome)
    std::chrono::microseconds elapsed{0};
    int attempts = 0;                       // attempts run (the grid fit's renderings count as one)
    bool budget_exhausted = false;          // at least one attempt was skipped for lack of time
    std::string winning_attempt;            // which attempt read it ("region", "downscaled", ...); for stats and tuning
    bool idle = false;                      // a still scene already searched in full: only the cheapest attempt ran
};

struct DecoderMemory;                       // region and polarity, attempt cursors, stage order, still scene, learnt costs

class FrameDecoder {
public:
    explicit FrameDecoder(DecodeOptions options = {});
    ~FrameDecoder();
    FrameDecoder(FrameDecoder&&) noexcept;
    FrameDecoder& operator=(FrameDecoder&&) noexcept;
    FrameDecode decode(const ImageView& frame);
    void forget_region();                   // e.g. after the source changed
    const DecodeOptions& options() const { return options_; }

private:
    DecodeOptions options_;
    std::unique_ptr<DecoderMemory> memory_;
    int frames_since_hit_ = 0;
};

// One-shot decode of a still image with the same stages, minus the region and the idling (kioskctl decode).
FrameDecode decode_image(const ImageView& image, const DecodeOptions& options = {});

} // namespace kiosk
