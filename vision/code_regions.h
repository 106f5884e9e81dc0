// Where in a frame a 2-D code probably is, found without decoding it.
//
// When the cheap whole-frame attempts fail, the frame's remaining budget is better spent on a
// few crops at full resolution, each tried with several preparations (adaptive threshold,
// upscaling, dilation...), than on the whole frame: a crop around a code is 10-20x smaller. A
// code is a patch dense in edges in both directions and roughly square; text lines are dense
// in edges too but long and thin, and most of the background is smooth.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace kiosk {

struct CodeRegionOptions {
    int max_regions = 3;                    // the best ones only: every region costs attempts
    int analysis_width = 480;               // the edge map is made at about this size
    double padding = 1.0 / 6;               // of the region's size on every side, for the quiet zone and edges
};

// Candidate regions in `gray` pixels, most code-like first, clipped to the image. Empty for a
// smooth or tiny image.
std::vector<cv::Rect> find_code_regions(const cv::Mat& gray, const CodeRegionOptions& options = {});

} // namespace kiosk
