// The synthetic test corpus for the decoder: ticket QR codes (ZXing-cpp's writer) rendered into
// camera-like frames under the conditions a kiosk meets, made at test time from a seed so nothing
// large is committed and every run sees the same frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/image.h"

namespace kiosk::testing {

struct CorpusSample {
    std::string condition;                  // e.g. "clean", "dark_mode", "empty"
    int height = 1080;                      // 720 or 1080 (width 1280 / 1920)
    std::string expected;                   // the encoded text; empty for frames without a code
    Image frame;                            // bgr24
};

// Every condition name, in report order. "empty" frames carry no code.
const std::vector<std::string>& corpus_conditions();

// `per_condition` samples of each condition at each height; deterministic for a seed.
std::vector<CorpusSample> make_corpus(uint32_t seed, int per_condition, const std::vector<int>& heights = {720, 1080});

// One sample, for tests that need a specific case.
CorpusSample make_sample(const std::string& condition, int height, uint32_t seed);

} // namespace kiosk::testing
