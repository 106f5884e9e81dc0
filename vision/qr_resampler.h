// Reads the module grid of a QR code on bent, crumpled or tilted paper, in dim light or on a
// dark-mode screen.
//
// ZXing samples a QR code through one perspective transform fitted to its finder patterns, so on
// paper that is not flat the samples drift off the modules and error correction gives up. This
// finds the three finder patterns itself (as nested contours, in either polarity, checked by
// sampling their rings), then anchors a module map on every alignment pattern it can find: a
// homography through all anchors plus what each anchor says the homography misses, spread over
// its neighbourhood. It renders the modules sampled on that map as a clean code, with the
// function patterns (finders, timing, alignment) drawn as the standard has them; when that does
// not read, it fits a displacement field between the anchors and renders again. ZXing then
// decodes and error-corrects the rendering, so a wrong grid gives no text, never a wrong one.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

namespace kiosk {

struct ResampledQr {
    cv::Mat image;                          // 8-bit, black modules on white, 4 modules of quiet zone
    int modules = 0;                        // symbol side: 17 + 4 * version
    std::array<cv::Point2f, 4> corners{};   // the symbol in input pixels: top-left, top-right, bottom-right, bottom-left
};

// Passes renderings to `try_code`, best guess first, until it returns true (then returns true).
// For each polarity whose finders look like a code's (the better-looking first), and for each
// plausible version (the finder distance's estimate and one either side, best timing-line fit
// first, clearly worse ones left out): the modules sampled through the anchors alone, then
// through a fitted displacement field. After the first rendering, stops at `deadline`. Nothing
// when three finder patterns are not found. `gray` is a crop around one code, a few hundred
// pixels wide.
bool resample_qr(const cv::Mat& gray, std::chrono::steady_clock::time_point deadline,
                 const std::function<bool(const ResampledQr&)>& try_code);

} // namespace kiosk
