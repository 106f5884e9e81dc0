#include "vision/qr_resampler.h"

#include <algorithm>
#include <cmath>

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
    if (best > 0.6) return false;
    const cv::Point2f u = top_right.center - top_left.center, v = bottom_left.center - top_left.center;
    if (u.x * v.y - u.y * v.x < 0) std::swap(top_right, bottom_left); // y points down: clockwise order
    return true;
}

// Samples a code of `modules` modules whose finder centers are known, following the paper.
// `contrast` is each pixel minus its neighbourhood's mean (16-bit): negative is dark.
class GridFit {
public:
    GridFit(const cv::Mat& contrast, int modules, const Finder& top_left, const Finder& top_right, const Finder& bottom_left)
        : contrast_(contrast), modules_(modules) {
        const float far = static_cast<float>(modules) - 3.5f;
        const cv::Point2f from[3] = {{3.5f, 3.5f}, {far, 3.5f}, {3.5f, far}};
        const cv::Point2f to[3] = {top_left.center, top_right.center, bottom_left.center};
        affine_ = cv::getAffineTransform(from, to);
        step_x_ = {affine_.at<double>(0, 0), affine_.at<double>(1, 0)};
        step_y_ = {affine_.at<double>(0, 1), affine_.at<double>(1, 1)};
        spacing_ = std::max(4, modules / 6);
        grid_ = (modules + spacing_ - 1) / spacing_ + 1;
        displacement_.assign(static_cast<size_t>(grid_ * grid_), cv::Point2d(0, 0));
        centers_.reserve(static_cast<size_t>(modules * modules));
        for (int y = 0; y < modules; ++y)
            for (int x = 0; x < modules; ++x) centers_.push_back(position(x + 0.5, y + 0.5));
    }

    // Control points from the top-left finder outwards; each starts where its solved neighbours
    // extrapolate and moves up to a module where the samples around it are most decisive.
    void fit() {
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
            displacement_[index(gx, gy)] = best_displacement(gx * spacing_, gy * spacing_, start);
            solved[index(gx, gy)] = 1;
        }
    }

    // Module (x, y) is dark.
    bool dark(int x, int y) const {
        return contrast(centers_[static_cast<size_t>(y * modules_ + x)] + displacement_at(x + 0.5, y + 0.5)) < 0;
    }

    cv::Point2f corner(double x, double y) const {
        const cv::Point2d p = position(x, y) + displacement_at(std::clamp(x, 0.5, modules_ - 0.5), std::clamp(y, 0.5, modules_ - 0.5));
        return {static_cast<float>(p.x), static_cast<float>(p.y)};
    }

private:
    size_t index(int x, int y) const { return static_cast<size_t>(y * grid_ + x); }

    cv::Point2d position(double x, double y) const {
        return {affine_.at<double>(0, 0) * x + affine_.at<double>(0, 1) * y + affine_.at<double>(0, 2),
                affine_.at<double>(1, 0) * x + affine_.at<double>(1, 1) * y + affine_.at<double>(1, 2)};
    }

    // The pixel against its neighbourhood's mean: negative is dark. Outside the crop: undecided.
    int contrast(const cv::Point2d& p) const {
        const int x = static_cast<int>(std::lround(p.x)), y = static_cast<int>(std::lround(p.y));
        if (x < 0 || y < 0 || x >= contrast_.cols || y >= contrast_.rows) return 0;
        return contrast_.at<int16_t>(y, x);
    }

    cv::Point2d displacement_at(double x, double y) const {
        const double fx = x / spacing_, fy = y / spacing_;
        const int x0 = std::clamp(static_cast<int>(fx), 0, grid_ - 2), y0 = std::clamp(static_cast<int>(fy), 0, grid_ - 2);
        const double ax = std::clamp(fx - x0, 0.0, 1.0), ay = std::clamp(fy - y0, 0.0, 1.0);
        return displacement_[index(x0, y0)] * ((1 - ax) * (1 - ay)) + displacement_[index(x0 + 1, y0)] * (ax * (1 - ay)) +
               displacement_[index(x0, y0 + 1)] * ((1 - ax) * ay) + displacement_[index(x0 + 1, y0 + 1)] * (ax * ay);
    }

    // Searched within a module of `start`, coarse (half a module) then fine (a fifth); a move
    // costs a little, so a flat or covered area stays where the neighbours put it.
    cv::Point2d best_displacement(int cx, int cy, cv::Point2d start) const {
        const int reach = spacing_;
        const int x_begin = std::max(0, cx - reach), x_end = std::min(modules_, cx + reach);
        const int y_begin = std::max(0, cy - reach), y_end = std::min(modules_, cy + reach);
        auto score = [&](double du, double dv) {
            const cv::Point2d moved = start + step_x_ * du + step_y_ * dv;
            double sum = 0;
            for (int y = y_begin; y < y_end; ++y)
                for (int x = x_begin; x < x_end; ++x) sum += std::abs(contrast(centers_[static_cast<size_t>(y * modules_ + x)] + moved));
            constexpr double kMovePenalty = 0.3;
            return sum * (1.0 - kMovePenalty * (du * du + dv * dv));
        };
        double best_score = -1, best_u = 0, best_v = 0;
        auto search = [&](double center_u, double center_v, double step, int steps) {
            const double from_u = center_u, from_v = center_v;
            for (int i = -steps; i <= steps; ++i)
                for (int j = -steps; j <= steps; ++j) {
                    const double du = from_u + i * step, dv = from_v + j * step;
                    if (std::abs(du) > 1.0 + 1e-6 || std::abs(dv) > 1.0 + 1e-6) continue;
                    const double value = score(du, dv);
                    if (value > best_score) {
                        best_score = value;
                        best_u = du;
                        best_v = dv;
                    }
                }
        };
        search(0, 0, 1.0 / 3, 3);
        search(best_u, best_v, 0.15, 1);
        return start + step_x_ * best_u + step_y_ * best_v;
    }

    const cv::Mat& contrast_;
    int modules_;
    cv::Mat affine_;
    cv::Point2d step_x_, step_y_;           // pixels per module along the code's axes
    int spacing_ = 4, grid_ = 2;
    std::vector<cv::Point2d> displacement_;
    std::vector<cv::Point2d> centers_;      // module centres under the affine fit, row by row
};

} // namespace

std::vector<ResampledQr> resample_qr(const cv::Mat& gray, std::chrono::steady_clock::time_point deadline) {
    std::vector<ResampledQr> out;
    if (gray.empty() || gray.type() != CV_8UC1 || std::min(gray.cols, gray.rows) < 21) return out;
    const int window = std::max(3, std::max(gray.cols, gray.rows) / 10) | 1;
    cv::Mat local_mean, contrast;
    cv::blur(gray, local_mean, cv::Size(window, window));
    cv::subtract(gray, local_mean, contrast, cv::noArray(), CV_16S);
    cv::Mat dark;
    cv::compare(contrast, -5, dark, cv::CMP_LT);
    Finder top_left, top_right, bottom_left;
    if (!pick_corners(find_finders(dark), top_left, top_right, bottom_left)) return out;

    const float module = (top_left.module + top_right.module + bottom_left.module) / 3;
    const double span = (cv::norm(top_right.center - top_left.center) + cv::norm(bottom_left.center - top_left.center)) / 2 / module;
    const int estimate = static_cast<int>(std::lround((span + 7 - 17) / 4.0));
    for (const int version : {estimate, estimate - 1, estimate + 1}) {
        if (version < 1 || version > 40) continue;
        if (!out.empty() && std::chrono::steady_clock::now() >= deadline) break;
        const int modules = 17 + 4 * version;
        GridFit grid(contrast, modules, top_left, top_right, bottom_left);
        grid.fit();
        constexpr int kQuiet = 4, kPixels = 4;
        ResampledQr code;
        code.modules = modules;
        code.image = cv::Mat((modules + 2 * kQuiet) * kPixels, (modules + 2 * kQuiet) * kPixels, CV_8UC1, cv::Scalar(255));
        for (int y = 0; y < modules; ++y)
            for (int x = 0; x < modules; ++x)
                if (grid.dark(x, y)) code.image(cv::Rect((x + kQuiet) * kPixels, (y + kQuiet) * kPixels, kPixels, kPixels)).setTo(0);
        code.corners = {grid.corner(0, 0), grid.corner(modules, 0), grid.corner(modules, modules), grid.corner(0, modules)};
        out.push_back(std::move(code));
    }
    return out;
}

} // namespace kiosk
