#include "vision/code_regions.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace kiosk {

std::vector<cv::Rect> find_code_regions(const cv::Mat& gray, const CodeRegionOptions& options) {
    std::vector<cv::Rect> regions;
    const int long_side = std::max(gray.cols, gray.rows);
    if (gray.empty() || long_side < 32 || options.max_regions <= 0) return regions;

    const double scale = std::min(1.0, static_cast<double>(options.analysis_width) / long_side);
    cv::Mat small;
    if (scale < 1.0)
        cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);
    else
        small = gray;

    // Edge density in x and in y, each averaged over a few modules; their minimum is high only
    // where edges run both ways, as in a code's module grid.
    cv::Mat dx, dy, edges_x, edges_y;
    cv::Sobel(small, dx, CV_16S, 1, 0);
    cv::Sobel(small, dy, CV_16S, 0, 1);
    cv::convertScaleAbs(dx, edges_x);
    cv::convertScaleAbs(dy, edges_y);
    const cv::Size window(5, 5);
    cv::blur(edges_x, edges_x, window);
    cv::blur(edges_y, edges_y, window);
    cv::Mat texture;
    cv::min(edges_x, edges_y, texture);

    double peak = 0;
    cv::minMaxLoc(texture, nullptr, &peak);
    if (peak < 8) return regions; // a smooth image: nothing to look at

    // Otsu splits textured from smooth whatever the light level; closing joins the modules of a
    // code that the blur left apart. Contours, not connected components: 5x cheaper here.
    cv::Mat mask;
    cv::threshold(texture, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));

    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    struct Scored {
        double score;
        cv::Rect box;
    };
    std::vector<Scored> scored;
    for (const std::vector<cv::Point>& contour : contours) {
        const cv::Rect box = cv::boundingRect(contour);
        // Smaller than ~10 px here is below 21 modules of 2 px in the frame at 1080p.
        if (box.width < 10 || box.height < 10) continue;
        // Shape from the rotated bounding rectangle, so a code held at 45 degrees counts as
        // square and filled.
        const cv::RotatedRect rotated = cv::minAreaRect(contour);
        const double longer = std::max(rotated.size.width, rotated.size.height);
        const double shorter = std::max(1.0f, std::min(rotated.size.width, rotated.size.height));
        if (longer / shorter > 3.0) continue; // a text line, an edge
        const double area = cv::contourArea(contour);
        const double fill = area / std::max(1.0, static_cast<double>(rotated.size.area()));
        if (fill < 0.5) continue; // a ring or a scribble, not a filled patch
        const double strength = cv::mean(texture(box))[0];
        scored.push_back({strength * std::sqrt(area) * fill, box});
    }
    std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });

    const cv::Rect bounds(0, 0, gray.cols, gray.rows);
    for (const Scored& candidate : scored) {
        if (static_cast<int>(regions.size()) == options.max_regions) break;
        const cv::Rect& box = candidate.box;
        const double pad = std::max(box.width, box.height) * options.padding;
        const cv::Rect region(static_cast<int>(std::floor((box.x - pad) / scale)),
                              static_cast<int>(std::floor((box.y - pad) / scale)),
                              static_cast<int>(std::ceil((box.width + 2 * pad) / scale)),
                              static_cast<int>(std::ceil((box.height + 2 * pad) / scale)));
        const cv::Rect clipped = region & bounds;
        // A code merged with its surroundings: a crop this big costs about what the frame costs.
        if (clipped.area() > 0 && clipped.area() <= bounds.area() / 4) regions.push_back(clipped);
    }
    return regions;
}

} // namespace kiosk
