#include "vision/qr_resampler.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include <opencv2/imgproc.hpp>

namespace kiosk {

namespace {

struct Finder {
    cv::Point2f center{};
    float module = 0;                       // estimated module size in pixels
};

// Finder patterns as nested contours: a dark ring around a light ring around a dark square,
// with area ratios near 49 : 25 : 9 and concentric.
std::vector<Finder> find_finders(const cv::Mat& dark) {
    std::vector<std::vector<cv::Point>> contours;
    std::vector<cv::Vec4i> hierarchy;
    cv::findContours(dark, contours, hierarchy, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);
    std::vector<Finder> finders;
    for (size_t outer = 0; outer < contours.size(); ++outer) {
        const int ring = hierarchy[outer][2];
        if (ring < 0) continue;
        const int inner = hierarchy[static_cast<size_t>(ring)][2];
        if (inner < 0) continue;
        const double outer_area = cv::contourArea(contours[outer]);
        const double ring_area = cv::contourArea(contours[static_cast<size_t>(ring)]);
        const double inner_area = cv::contourArea(contours[static_cast<size_t>(inner)]);
        if (inner_area < 4) continue;
        const double outer_ratio = outer_area / inner_area, ring_ratio = ring_area / inner_area;
        if (outer_ratio < 2.5 || outer_ratio > 12 || ring_ratio < 1.3 || ring_ratio > 6) continue;
        const cv::Moments inner_moments = cv::moments(contours[static_cast<size_t>(inner)]);
        const cv::Moments outer_moments = cv::moments(contours[outer]);
        if (inner_moments.m00 <= 0 || outer_moments.m00 <= 0) continue;
        const cv::Point2f center(static_cast<float>(inner_moments.m10 / inner_moments.m00),
                                 static_cast<float>(inner_moments.m01 / inner_moments.m00));
        const cv::Point2f outer_center(static_cast<float>(outer_moments.m10 / outer_moments.m00),
                                       static_cast<float>(outer_moments.m01 / outer_moments.m00));
        if (cv::norm(center - outer_center) > std::sqrt(outer_area) * 0.15) continue;
        finders.push_back({center, static_cast<float>(std::sqrt(outer_area) / 7.0)});
    }
    return finders;
}

// The three finders of one code: the triple closest to a right isosceles triangle with equal
// module sizes, ordered top-left (the right angle), top-right, bottom-left.
bool pick_corners(const std::vector<Finder>& finders, Finder& top_left, Finder& top_right, Finder& bottom_left) {
    double best = 1e9;
    for (size_t a = 0; a < finders.size(); ++a)
        for (size_t b = 0; b < finders.size(); ++b)
            for (size_t c = b + 1; c < finders.size(); ++c) {
                if (a == b || a == c) continue;
                const cv::Point2f u = finders[b].center - finders[a].center, v = finders[c].center - finders[a].center;
                const double length_u = cv::norm(u), length_v = cv::norm(v);
                const double module = finders[a].module;
                if (length_u < 8 * module || length_v < 8 * module) continue; // two finders touch: not a code
                const double cosine = std::abs(u.dot(v) / (length_u * length_v));
                const double unequal = std::abs(length_u - length_v) / std::max(length_u, length_v);
                const double sizes = (std::abs(finders[b].module - module) + std::abs(finders[c].module - module)) / module;
                const double score = cosine + unequal + sizes;
                if (score < best) {
                    best = score;
                    top_left = finders[a];
                    top_right = finders[b];
                    bottom_left = finders[c];
                }
            }
    if (best > 1.2) return false;         // loose: a tilted code is far from right isosceles
    const cv::Point2f u = top_right.center - top_left.center, v = bottom_left.center - top_left.center;
    if (u.x * v.y - u.y * v.x < 0) std::swap(top_right, bottom_left); // y points down: clockwise order
    return true;
}

// Alignment pattern centres along one axis (ISO/IEC 18004, annex E): module 6, then up to
// N - 7 in equal even steps counted back from the far end (version 32 is the one exception).
std::vector<int> alignment_positions(int version) {
    if (version < 2) return {};
    const int count = version / 7 + 2;
    const int last = 4 * version + 10;
    const int intervals = count - 1;
    const int step = version == 32 ? 26 : (last - 6 + 2 * intervals - 1) / (2 * intervals) * 2;
    std::vector<int> positions(static_cast<size_t>(count));
    positions[0] = 6;
    for (int i = count - 1, at = last; i >= 1; --i, at -= step) positions[static_cast<size_t>(i)] = at;
    return positions;
}

// The homography (h33 = 1) that best maps `from` onto `to`, at least four points; empty when
// they are degenerate.
cv::Mat least_squares_homography(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to) {
    cv::Mat a(static_cast<int>(2 * from.size()), 8, CV_64F, cv::Scalar(0)), b(static_cast<int>(2 * from.size()), 1, CV_64F);
    for (size_t i = 0; i < from.size(); ++i) {
        const double x = from[i].x, y = from[i].y, u = to[i].x, v = to[i].y;
        double* row = a.ptr<double>(static_cast<int>(2 * i));
        row[0] = x, row[1] = y, row[2] = 1, row[6] = -u * x, row[7] = -u * y;
        row = a.ptr<double>(static_cast<int>(2 * i + 1));
        row[3] = x, row[4] = y, row[5] = 1, row[6] = -v * x, row[7] = -v * y;
        b.at<double>(static_cast<int>(2 * i)) = u;
        b.at<double>(static_cast<int>(2 * i + 1)) = v;
    }
    cv::Mat h;
    if (!cv::solve(a, b, h, cv::DECOMP_SVD)) return {};
    cv::Mat homography(3, 3, CV_64F);
    for (int i = 0; i < 8; ++i) homography.at<double>(i / 3, i % 3) = h.at<double>(i);
    homography.at<double>(2, 2) = 1;
    return homography;
}

// Where module coordinates land in the image: a homography through the anchors found so far (an
// affine map while only the three finders are known), plus what the anchors say it misses,
// spread from each anchor over about half the distance to the next one.
class ModuleMap {
public:
    explicit ModuleMap(double anchor_spacing) : spread_(0.45 * anchor_spacing) {}

    void add_anchor(cv::Point2d module, cv::Point2d pixel) {
        modules_.push_back(module);
        pixels_.push_back(pixel);
        fit();
    }

    size_t anchors() const { return modules_.size(); }

    cv::Point2d position(double x, double y) const {
        cv::Point2d p = projected(x, y);
        double weight_sum = 1e-4;                // far from every anchor: the projection alone
        cv::Point2d residual(0, 0);
        for (size_t i = 0; i < modules_.size(); ++i) {
            const double dx = x - modules_[i].x, dy = y - modules_[i].y;
            const double weight = std::exp(-(dx * dx + dy * dy) / (2 * spread_ * spread_));
            residual += residuals_[i] * weight;
            weight_sum += weight;
        }
        return p + residual * (1.0 / weight_sum);
    }

private:
    void fit() {
        std::vector<cv::Point2f> from, to;
        for (size_t i = 0; i < modules_.size(); ++i) {
            from.emplace_back(static_cast<float>(modules_[i].x), static_cast<float>(modules_[i].y));
            to.emplace_back(static_cast<float>(pixels_[i].x), static_cast<float>(pixels_[i].y));
        }
        homography_ = cv::Mat();
        if (from.size() >= 4) homography_ = least_squares_homography(from, to);
        if (homography_.empty()) {
            const cv::Mat affine = cv::getAffineTransform(from.data(), to.data());
            homography_ = cv::Mat::eye(3, 3, CV_64F);
            affine.copyTo(homography_(cv::Rect(0, 0, 3, 2)));
        }
        residuals_.clear();
        for (size_t i = 0; i < modules_.size(); ++i) residuals_.push_back(pixels_[i] - projected(modules_[i].x, modules_[i].y));
    }

    cv::Point2d projected(double x, double y) const {
        const auto* h = homography_.ptr<double>();
        const double w = h[6] * x + h[7] * y + h[8];
        return {(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w};
    }

    double spread_;
    std::vector<cv::Point2d> modules_, pixels_, residuals_;
    cv::Mat homography_;
};

// The pixel against its neighbourhood's mean (16-bit): negative is dark. Outside: undecided.
int contrast_at(const cv::Mat& contrast, const cv::Point2d& p) {
    const int x = static_cast<int>(std::lround(p.x)), y = static_cast<int>(std::lround(p.y));
    if (x < 0 || y < 0 || x >= contrast.cols || y >= contrast.rows) return 0;
    return contrast.at<int16_t>(y, x);
}

// Looks for the alignment pattern (dark 5x5 ring, light ring, dark centre) within `reach`
// modules of where the map puts it, in quarter-module steps; anchors the map there when at
// least 23 of its 25 modules agree. Every offset within half a module of the centre samples the
// same modules, so the anchor is the middle of the best-agreeing offsets around the best one.
bool anchor_alignment(const cv::Mat& contrast, ModuleMap& map, int column, int row, double reach) {
    const double cx = column + 0.5, cy = row + 0.5;
    const cv::Point2d at = map.position(cx, cy);
    const cv::Point2d step_x = map.position(cx + 1, cy) - at, step_y = map.position(cx, cy + 1) - at;
    struct Offset {
        double u, v;
        int agree;
        double score;
    };
    std::vector<Offset> offsets;
    const int steps = static_cast<int>(std::floor(reach * 4));
    for (int iu = -steps; iu <= steps; ++iu)
        for (int iv = -steps; iv <= steps; ++iv) {
            const double du = iu * 0.25, dv = iv * 0.25;
            const cv::Point2d origin = at + step_x * du + step_y * dv;
            Offset offset{du, dv, 0, 0};
            for (int j = -2; j <= 2; ++j)
                for (int i = -2; i <= 2; ++i) {
                    const bool dark = std::max(std::abs(i), std::abs(j)) != 1;
                    const int darkness = -contrast_at(contrast, origin + step_x * i + step_y * j);
                    const int signed_value = dark ? darkness : -darkness;
                    offset.agree += signed_value > 0;
                    offset.score += std::min(signed_value, 40);
                }
            offsets.push_back(offset);
        }
    const Offset best = *std::max_element(offsets.begin(), offsets.end(), [](const Offset& a, const Offset& b) {
        return a.agree != b.agree ? a.agree < b.agree : a.score < b.score;
    });
    if (best.agree < 23) return false;
    double sum_u = 0, sum_v = 0;
    int count = 0;
    for (const Offset& offset : offsets)
        if (offset.agree == best.agree && std::abs(offset.u - best.u) <= 0.75 && std::abs(offset.v - best.v) <= 0.75) {
            sum_u += offset.u;
            sum_v += offset.v;
            ++count;
        }
    map.add_anchor({cx, cy}, at + step_x * (sum_u / count) + step_y * (sum_v / count));
    return true;
}

// Samples a code of `modules` modules on the module map, following the paper between anchors.
class GridFit {
public:
    GridFit(const cv::Mat& contrast, int modules, const ModuleMap& map) : contrast_(contrast), modules_(modules), map_(map) {
        spacing_ = std::max(4, modules / 6);
        grid_ = (modules + spacing_ - 1) / spacing_ + 1;
        displacement_.assign(static_cast<size_t>(grid_ * grid_), cv::Point2d(0, 0));
        centers_.reserve(static_cast<size_t>(modules * modules));
        for (int y = 0; y < modules; ++y)
            for (int x = 0; x < modules; ++x) centers_.push_back(map.position(x + 0.5, y + 0.5));
    }

    // Control points from the top-left finder outwards; each starts where its solved neighbours
    // extrapolate and moves up to `reach` modules where the samples around it are most decisive.
    void fit(double reach) {
        std::vector<std::pair<int, int>> order;
        for (int y = 0; y < grid_; ++y)
            for (int x = 0; x < grid_; ++x) order.emplace_back(x, y);
        std::stable_sort(order.begin(), order.end(), [](auto a, auto b) { return a.first + a.second < b.first + b.second; });
        std::vector<char> solved(displacement_.size(), 0);
        auto is_solved = [&](int x, int y) { return x >= 0 && y >= 0 && x < grid_ && y < grid_ && solved[index(x, y)]; };
        for (const auto& [gx, gy] : order) {
            cv::Point2d start(0, 0);
            int predictions = 0;
            auto predict = [&](int x1, int y1, int x2, int y2) {
                if (is_solved(x1, y1) && is_solved(x2, y2)) {
                    start += 2 * displacement_[index(x1, y1)] - displacement_[index(x2, y2)];
                    ++predictions;
                } else if (is_solved(x1, y1)) {
                    start += displacement_[index(x1, y1)];
                    ++predictions;
                }
            };
            predict(gx - 1, gy, gx - 2, gy);
            predict(gx, gy - 1, gx, gy - 2);
            if (predictions) start *= 1.0 / predictions;
            displacement_[index(gx, gy)] = best_displacement(gx * spacing_, gy * spacing_, start, reach);
            solved[index(gx, gy)] = 1;
        }
    }

    // Module (x, y) is dark.
    bool dark(int x, int y) const {
        return contrast_at(contrast_, centers_[static_cast<size_t>(y * modules_ + x)] + displacement_at(x + 0.5, y + 0.5)) < 0;
    }

    cv::Point2f corner(double x, double y) const {
        const cv::Point2d p = map_.position(x, y) + displacement_at(std::clamp(x, 0.5, modules_ - 0.5), std::clamp(y, 0.5, modules_ - 0.5));
        return {static_cast<float>(p.x), static_cast<float>(p.y)};
    }

private:
    size_t index(int x, int y) const { return static_cast<size_t>(y * grid_ + x); }

    cv::Point2d displacement_at(double x, double y) const {
        const double fx = x / spacing_, fy = y / spacing_;
        const int x0 = std::clamp(static_cast<int>(fx), 0, grid_ - 2), y0 = std::clamp(static_cast<int>(fy), 0, grid_ - 2);
        const double ax = std::clamp(fx - x0, 0.0, 1.0), ay = std::clamp(fy - y0, 0.0, 1.0);
        return displacement_[index(x0, y0)] * ((1 - ax) * (1 - ay)) + displacement_[index(x0 + 1, y0)] * (ax * (1 - ay)) +
               displacement_[index(x0, y0 + 1)] * ((1 - ax) * ay) + displacement_[index(x0 + 1, y0 + 1)] * (ax * ay);
    }

    // Searched within `reach` modules of `start`, coarse then fine; a move costs a little, so a
    // flat or covered area stays where the neighbours put it.
    cv::Point2d best_displacement(int cx, int cy, cv::Point2d start, double reach) const {
        const double mx = std::min(cx, modules_ - 1) + 0.5, my = std::min(cy, modules_ - 1) + 0.5;
        const cv::Point2d here = map_.position(mx, my);
        const cv::Point2d step_x = map_.position(mx + 1, my) - here, step_y = map_.position(mx, my + 1) - here;
        const int x_begin = std::max(0, cx - spacing_), x_end = std::min(modules_, cx + spacing_);
        const int y_begin = std::max(0, cy - spacing_), y_end = std::min(modules_, cy + spacing_);
        auto score = [&](double du, double dv) {
            const cv::Point2d moved = start + step_x * du + step_y * dv;
            double sum = 0;
            for (int y = y_begin; y < y_end; ++y)
                for (int x = x_begin; x < x_end; ++x) sum += std::abs(contrast_at(contrast_, centers_[static_cast<size_t>(y * modules_ + x)] + moved));
            constexpr double kMovePenalty = 0.3;
            return sum * (1.0 - kMovePenalty * (du * du + dv * dv));
        };
        double best_score = -1, best_u = 0, best_v = 0;
        auto search = [&](double center_u, double center_v, double step, int steps) {
            for (int i = -steps; i <= steps; ++i)
                for (int j = -steps; j <= steps; ++j) {
                    const double du = center_u + i * step, dv = center_v + j * step;
                    if (std::abs(du) > reach + 1e-6 || std::abs(dv) > reach + 1e-6) continue;
                    const double value = score(du, dv);
                    if (value > best_score) {
                        best_score = value;
                        best_u = du;
                        best_v = dv;
                    }
                }
        };
        search(0, 0, reach / 3, 3);
        search(best_u, best_v, 0.15, 1);
        return start + step_x * best_u + step_y * best_v;
    }

    const cv::Mat& contrast_;
    int modules_;
    const ModuleMap& map_;
    int spacing_ = 4, grid_ = 2;
    std::vector<cv::Point2d> displacement_;
    std::vector<cv::Point2d> centers_;      // module centres on the map, row by row
};

// The modules every code of `version` has in the same place and colour (finders with their
// separators, timing lines, alignment patterns, the dark module): they carry no data, so the
// rendering shows them as the standard draws them, and a bent finder corner cannot stop ZXing
// from locating the clean code. Empty for data, format and version modules, which are sampled.
class FunctionPatterns {
public:
    explicit FunctionPatterns(int version) : modules_(17 + 4 * version), alignments_(alignment_positions(version)) {}

    std::optional<bool> dark(int x, int y) const {
        const int n = modules_;
        for (const auto& [fx, fy] : {std::pair{0, 0}, std::pair{n - 7, 0}, std::pair{0, n - 7}})
            if (x >= fx - 1 && x <= fx + 7 && y >= fy - 1 && y <= fy + 7) {
                const int ring = std::max(std::abs(x - fx - 3), std::abs(y - fy - 3));
                return ring <= 3 && ring != 2;      // ring 4 is the light separator
            }
        if (y == 6 && x > 7 && x < n - 8) return x % 2 == 0;
        if (x == 6 && y > 7 && y < n - 8) return y % 2 == 0;
        if (x == 8 && y == n - 8) return true;
        const size_t count = alignments_.size();
        for (size_t i = 0; i < count; ++i)
            for (size_t j = 0; j < count; ++j) {
                if ((i == 0 && j == 0) || (i == 0 && j + 1 == count) || (i + 1 == count && j == 0)) continue;
                const int ring = std::max(std::abs(x - alignments_[i]), std::abs(y - alignments_[j]));
                if (ring <= 2) return ring != 1;
            }
        return std::nullopt;
    }

private:
    int modules_;
    std::vector<int> alignments_;
};

// How much the three finders look like a code's in this polarity: the share of the 9x9 modules
// around each (dark ring, light ring, dark 3x3 centre, light separator) that sample as the
// standard draws them, along the axes the triple spans.
double finder_agreement(const cv::Mat& contrast, const Finder& top_left, const Finder& top_right, const Finder& bottom_left) {
    const cv::Point2d across = top_right.center - top_left.center, down = bottom_left.center - top_left.center;
    const cv::Point2d unit_x = across * (1.0 / cv::norm(across)), unit_y = down * (1.0 / cv::norm(down));
    int agree = 0, total = 0;
    for (const Finder* finder : {&top_left, &top_right, &bottom_left})
        for (int j = -4; j <= 4; ++j)
            for (int i = -4; i <= 4; ++i) {
                const int ring = std::max(std::abs(i), std::abs(j));
                const bool dark = ring != 2 && ring != 4;
                const int value = contrast_at(contrast, cv::Point2d(finder->center) + (unit_x * i + unit_y * j) * finder->module);
                agree += dark ? value < 0 : value > 0;
                ++total;
            }
    return static_cast<double>(agree) / total;
}

// The map of one version: the three finders, then every alignment pattern it can find, nearest
// the known anchors first so that each prediction is short.
ModuleMap anchored_map(const cv::Mat& contrast, int version, const Finder& top_left, const Finder& top_right, const Finder& bottom_left) {
    const int modules = 17 + 4 * version;
    const std::vector<int> positions = alignment_positions(version);
    ModuleMap map(positions.size() >= 2 ? positions[1] - positions[0] : modules - 7.0);
    const double far = modules - 3.5;
    map.add_anchor({3.5, 3.5}, top_left.center);
    map.add_anchor({far, 3.5}, top_right.center);
    map.add_anchor({3.5, far}, bottom_left.center);
    std::vector<std::pair<int, int>> pending;
    const size_t count = positions.size();
    for (size_t i = 0; i < count; ++i)
        for (size_t j = 0; j < count; ++j)
            if (!((i == 0 && j == 0) || (i == 0 && j + 1 == count) || (i + 1 == count && j == 0)))
                pending.emplace_back(positions[i], positions[j]);
    std::vector<cv::Point2d> known = {{3.5, 3.5}, {far, 3.5}, {3.5, far}};
    auto distance = [&](const std::pair<int, int>& p) {
        double nearest = 1e9;
        for (const cv::Point2d& k : known) nearest = std::min(nearest, std::hypot(p.first + 0.5 - k.x, p.second + 0.5 - k.y));
        return nearest;
    };
    while (!pending.empty()) {
        const auto next = std::min_element(pending.begin(), pending.end(), [&](auto a, auto b) { return distance(a) < distance(b); });
        const auto [column, row] = *next;
        pending.erase(next);
        // The first one beyond the finders has only an affine guess, which perspective bends.
        const double reach = map.anchors() < 4 ? 3.5 : 1.5;
        if (anchor_alignment(contrast, map, column, row, reach)) known.emplace_back(column + 0.5, row + 0.5);
    }
    return map;
}

// A clean code at 4 pixels per module with 4 modules of quiet zone: the function patterns as the
// standard draws them, every other module as `dark` says.
template <typename DarkModule, typename Corner>
ResampledQr render(int version, DarkModule dark, Corner corner) {
    constexpr int kQuiet = 4, kPixels = 4;
    const int modules = 17 + 4 * version;
    const FunctionPatterns function_patterns(version);
    ResampledQr code;
    code.modules = modules;
    code.image = cv::Mat((modules + 2 * kQuiet) * kPixels, (modules + 2 * kQuiet) * kPixels, CV_8UC1, cv::Scalar(255));
    for (int y = 0; y < modules; ++y)
        for (int x = 0; x < modules; ++x)
            if (function_patterns.dark(x, y).value_or(dark(x, y)))
                code.image(cv::Rect((x + kQuiet) * kPixels, (y + kQuiet) * kPixels, kPixels, kPixels)).setTo(0);
    code.corners = {corner(0, 0), corner(modules, 0), corner(modules, modules), corner(0, modules)};
    return code;
}

// The three finders of a code in one polarity of the contrast image.
struct Corners {
    Finder top_left, top_right, bottom_left;
    double agreement = 0;                   // finder_agreement
    cv::Mat contrast;                       // in the polarity they were found in (negated for light on dark)
};

// Dark modules on light paper, or light modules on a dark screen (the contrast negated), the
// polarity whose finders sample most like finders first; a triple that hardly does is not a code.
std::vector<Corners> find_corners(const cv::Mat& contrast) {
    std::vector<Corners> polarities;
    for (const bool inverted : {false, true}) {
        if (inverted && !polarities.empty() && polarities.front().agreement >= 0.9) break; // clearly dark on light
        const cv::Mat polarity = inverted ? cv::Mat(-contrast) : contrast;       // shared, not copied, by Corners
        for (const int threshold : {5, 2}) { // the lower one for faint, noisy codes
            cv::Mat dark;
            cv::compare(polarity, -threshold, dark, cv::CMP_LT);
            Corners corners;
            corners.contrast = polarity;
            if (!pick_corners(find_finders(dark), corners.top_left, corners.top_right, corners.bottom_left)) continue;
            corners.agreement = finder_agreement(polarity, corners.top_left, corners.top_right, corners.bottom_left);
            if (corners.agreement >= 0.6) {
                polarities.push_back(corners);
                break;
            }
        }
    }
    std::sort(polarities.begin(), polarities.end(), [](const Corners& a, const Corners& b) { return a.agreement > b.agreement; });
    return polarities;
}

struct VersionMap {
    int version;
    ModuleMap map;
    double fit;                             // timing lines sampled right, plus a share of the alignment patterns found
};

// The finder distance gives the version within one. The timing lines (row and column 6,
// alternating between the finders) sample as they should only on the right version's map; the
// alignment patterns found break ties. Best first; versions that fit clearly worse are left out.
std::vector<VersionMap> plausible_versions(const Corners& corners) {
    const cv::Mat& contrast = corners.contrast;
    const Finder& top_left = corners.top_left;
    const Finder& top_right = corners.top_right;
    const Finder& bottom_left = corners.bottom_left;
    const float module = (top_left.module + top_right.module + bottom_left.module) / 3;
    const double span = (cv::norm(top_right.center - top_left.center) + cv::norm(bottom_left.center - top_left.center)) / 2 / module;
    const int estimate = static_cast<int>(std::lround((span + 7 - 17) / 4.0));
    std::vector<VersionMap> versions;
    for (const int version : {estimate, estimate - 1, estimate + 1}) {
        if (version < 1 || version > 40) continue;
        ModuleMap map = anchored_map(contrast, version, top_left, top_right, bottom_left);
        const int modules = 17 + 4 * version;
        int timing_agree = 0;
        for (int i = 8; i < modules - 8; ++i) {
            const bool dark = i % 2 == 0;
            timing_agree += (contrast_at(contrast, map.position(i + 0.5, 6.5)) < 0) == dark;
            timing_agree += (contrast_at(contrast, map.position(6.5, i + 0.5)) < 0) == dark;
        }
        const size_t expected = alignment_positions(version).size();
        const double found_share = expected == 0 ? 0.5 : static_cast<double>(map.anchors() - 3) / static_cast<double>(expected * expected - 3);
        const double fit = static_cast<double>(timing_agree) / (2 * (modules - 16)) + 0.25 * found_share;
        versions.push_back({version, std::move(map), fit});
    }
    std::stable_sort(versions.begin(), versions.end(), [](const VersionMap& a, const VersionMap& b) { return a.fit > b.fit; });
    const double best_fit = versions.empty() ? 0 : versions.front().fit;
    std::erase_if(versions, [&](const VersionMap& v) { return v.fit < best_fit - 0.25; });
    return versions;
}

} // namespace

bool resample_qr(const cv::Mat& gray, std::chrono::steady_clock::time_point deadline,
                 const std::function<bool(const ResampledQr&)>& try_code) {
    if (gray.empty() || gray.type() != CV_8UC1 || std::min(gray.cols, gray.rows) < 21) return false;
    // A little smoothing first: in low light the sensor noise breaks the finders' rings apart.
    cv::Mat smoothed, local_mean, contrast;
    cv::GaussianBlur(gray, smoothed, cv::Size(), 0.8);
    const int window = std::max(3, std::max(gray.cols, gray.rows) / 10) | 1;
    cv::blur(smoothed, local_mean, cv::Size(window, window));
    cv::subtract(smoothed, local_mean, contrast, cv::noArray(), CV_16S);

    bool rendered = false;
    auto out_of_time = [&] { return rendered && std::chrono::steady_clock::now() >= deadline; };
    auto offer = [&](const ResampledQr& code) {
        rendered = true;
        return try_code(code);
    };
    for (const Corners& corners : find_corners(contrast)) {
        if (out_of_time()) return false;
        for (const VersionMap& candidate : plausible_versions(corners)) {
            if (out_of_time()) return false;
            GridFit grid(corners.contrast, 17 + 4 * candidate.version, candidate.map);
            auto dark = [&](int x, int y) { return grid.dark(x, y); };
            auto corner = [&](double x, double y) { return grid.corner(x, y); };
            // Before fitting, the grid samples straight from the anchors: enough when they are
            // dense enough to follow the paper.
            if (offer(render(candidate.version, dark, corner))) return true;
            if (out_of_time()) return false;
            // Between sparse anchors, a fitted displacement field follows the bends.
            grid.fit(1.0);
            if (offer(render(candidate.version, dark, corner))) return true;
        }
    }
    return false;
}

} // namespace kiosk
