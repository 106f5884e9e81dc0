// Reads the module grid of a QR code on bent or crumpled paper.
//
// ZXing samples a QR code through one perspective transform fitted to its finder patterns, so on
// paper that is not flat the samples drift off the modules and error correction gives up. This
// finds the three finder patterns itself, fits a grid that follows the paper (a displacement at
// control points every few modules, chosen where the samples are most decisive and kept close to
// what the neighbours predict), and renders the modules it sampled as a clean code. ZXing then
// decodes and error-corrects that image, so a wrong grid gives no text, never a wrong one.
#pragma once

#include <array>
#include <chrono>
#include <vector>

#include <opencv2/core.hpp>

namespace kiosk {

struct ResampledQr {
    cv::Mat image;                          // 8-bit, black modules on white, 4 modules of quiet zone
    int modules = 0;                        // symbol side: 17 + 4 * version
    std::array<cv::Point2f, 4> corners{};   // the symbol in input pixels: top-left, top-right, bottom-right, bottom-left
};

// One rendering per plausible version (the estimate from the finder distance, then one either
// side), best guess first; the other versions only while `deadline` has not passed. Empty when
// three finder patterns are not found. `gray` is a crop around one code, a few hundred pixels
// wide. One rendering costs a few milliseconds (its module count squared).
std::vector<ResampledQr> resample_qr(const cv::Mat& gray, std::chrono::steady_clock::time_point deadline);

} // namespace kiosk
