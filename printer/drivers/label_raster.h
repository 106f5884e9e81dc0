// Putting a badge on a label printer's label: which way round and at what resolution the layout
// fits the printable area, and the 1-bit raster operations the label drivers share.
//
// Raster rows run across the print head and follow each other along the feed, for Zebra and
// Brother alike, so a raster's width is "across" and its height "along".
#pragma once

#include <expected>
#include <string>

#include "printer/badge_render.h"

namespace kiosk::printer {

struct LabelArea {
    int across = 0;                         // printable dots across the head
    int along = 0;                          // printable dots along the feed; 0 = continuous (any length)
    double dpi = 300;
};

struct LabelFit {
    double dpi = 300;                       // render the layout at this resolution (<= the printer's)
    bool rotate = false;                    // turn the badge a quarter (its width runs along the feed)
};

// The orientation that prints the badge largest, at the printer's resolution or shrunk to fit:
// never cut. A continuous roll is limited across only.
LabelFit fit_layout(const BadgeLayout& layout, const LabelArea& area);

MonoRaster blank_raster(int width, int height);
MonoRaster rotate_clockwise(const MonoRaster& raster);
// `raster` centred on a white page of `width` x `height` (cut where it is larger).
MonoRaster centred_on(const MonoRaster& raster, int width, int height);

// The badge rendered for the label: fitted, turned, and centred on the printable area (for a
// continuous roll the page is as long as the badge).
std::expected<MonoRaster, std::string> render_for_label(const BadgeLayout& layout, const BadgeData& data, const LabelArea& area);

} // namespace kiosk::printer
