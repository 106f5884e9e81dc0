#include "printer/drivers/label_raster.h"

#include <algorithm>
#include <cmath>

namespace kiosk::printer {
namespace {

void set_black(MonoRaster& raster, int x, int y) {
    raster.bits[static_cast<size_t>(y) * raster.stride + x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
}

} // namespace

LabelFit fit_layout(const BadgeLayout& layout, const LabelArea& area) {
    const double width_dots = layout.page_width_mm / 25.4 * area.dpi;
    const double height_dots = layout.page_height_mm / 25.4 * area.dpi;
    const auto scale = [&](double across, double along) {
        double s = area.across / across;
        if (area.along > 0) s = std::min(s, area.along / along);
        return std::min(s, 1.0);
    };
    const double upright = scale(width_dots, height_dots);
    const double turned = scale(height_dots, width_dots);
    LabelFit fit;
    fit.rotate = turned > upright * 1.0001;
    // A hair under the exact fit, so rounding the page to whole dots never spills over the edge.
    const double s = std::max(upright, turned);
    fit.dpi = s >= 1.0 ? area.dpi : area.dpi * s * 0.999;
    return fit;
}

MonoRaster blank_raster(int width, int height) {
    MonoRaster raster;
    raster.width = std::max(width, 0);
    raster.height = std::max(height, 0);
    raster.stride = (raster.width + 7) / 8;
    raster.bits.assign(static_cast<size_t>(raster.stride) * raster.height, 0);
    return raster;
}

MonoRaster rotate_clockwise(const MonoRaster& raster) {
    // Source (x, y) lands at (height - 1 - y, x): the badge's top edge becomes its right edge.
    MonoRaster turned = blank_raster(raster.height, raster.width);
    for (int y = 0; y < raster.height; ++y)
        for (int x = 0; x < raster.width; ++x)
            if (raster.black(x, y)) set_black(turned, raster.height - 1 - y, x);
    return turned;
}

MonoRaster centred_on(const MonoRaster& raster, int width, int height) {
    MonoRaster page = blank_raster(width, height);
    const int dx = (width - raster.width) / 2, dy = (height - raster.height) / 2;
    for (int y = std::max(0, -dy); y < raster.height && y + dy < height; ++y)
        for (int x = std::max(0, -dx); x < raster.width && x + dx < width; ++x)
            if (raster.black(x, y)) set_black(page, x + dx, y + dy);
    return page;
}

std::expected<MonoRaster, std::string> render_for_label(const BadgeLayout& layout, const BadgeData& data, const LabelArea& area) {
    const LabelFit fit = fit_layout(layout, area);
    auto rendered = render_mono(layout, data, fit.dpi);
    if (!rendered) return std::unexpected(rendered.error());
    MonoRaster badge = fit.rotate ? rotate_clockwise(*rendered) : std::move(*rendered);
    const int along = area.along > 0 ? area.along : badge.height;
    if (badge.width == area.across && badge.height == along) return badge;
    return centred_on(badge, area.across, along);
}

} // namespace kiosk::printer
