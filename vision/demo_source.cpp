// demo: a synthetic camera, so `kiosk --demo` and the tests need no hardware.
//
// Each demo ticket's QR code is held up for ~2.5 s on a busy background (a lobby of moving
// shapes and text, sensor noise): it drifts across the view, tilts in 3D, sometimes goes out of
// focus for a moment, then leaves for ~1.2 s (longer than dedupe's "gone" time, so the next
// showing of a ticket counts as a new scan) before the next ticket in the list comes.
//
// A frame is a pure function of (seed, frame index, size, fps, texts): no state carries from one
// frame to the next, so tests can rely on what frame N shows.
#include <array>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "image/qr.h"
#include "vision/frame_source_impl.h"

namespace kiosk::sources {
namespace {

// Demo tickets from the embedded demo event (assets/demo/notable.json: ok_regular, ok_student,
// incomplete_tshirt, unpaid, unknown_secret), a mix that shows admission, questions and
// rejections. Compiled in rather than read at run time: the demo must work from any folder.
const std::vector<std::string> kDemoSecrets = {
    "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "dy7v5yrysv3q5qacwjjqvbyzr4myfwc4", "gp5pwcvn8h72ut5dynhsyn6f55n4v5qs",
    "5dtgwmm9m27uk3t6jpqnm4rbbqrxy82y", "uwnnce633x4ke8sxb3trp5bb9ps7kfs4",
};

constexpr double kShowSeconds = 2.5;        // a ticket in view
constexpr double kGapSeconds = 1.2;         // nothing in view between tickets
constexpr double kBlurSeconds = 0.3;        // a focus slip; shorter than dedupe's gone_after
constexpr int kCardSide = 480;              // master card resolution; warped down per frame

// SplitMix64: the same numbers on every platform and standard library (std distributions are
// implementation-defined), which determinism across builds needs.
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Random {
public:
    Random(uint64_t seed, uint64_t stream) : state_(mix(seed) ^ mix(stream + 0x632be59bd9b4e019ULL)) {}
    double uniform(double low, double high) {
        state_ = mix(state_);
        return low + (high - low) * static_cast<double>(state_ >> 11) * 0x1.0p-53;
    }
    bool chance(double p) { return uniform(0, 1) < p; }

private:
    uint64_t state_;
};

double radians(double degrees) { return degrees * std::numbers::pi / 180.0; }
double lerp(double a, double b, double t) { return a + (b - a) * t; }

// How one ticket is shown: where it travels and how it turns during its time in view.
struct Showing {
    cv::Point2d from, to;
    double size = 0;                        // card height in frame pixels
    double yaw_from = 0, yaw_to = 0, pitch_from = 0, pitch_to = 0, roll_from = 0, roll_to = 0;
    bool blurs = false;
    double blur_at = 0;                     // 0..1 through the showing
    double wobble_phase = 0;
};

struct MovingShape {
    int kind = 0;                           // 0 circle, 1 rectangle, 2 line
    cv::Scalar colour;
    double size = 0;
    cv::Point2d start, velocity;            // pixels and pixels per second
};

class DemoSource final : public FrameSource {
public:
    DemoSource(const SourceOptions& options, std::vector<std::string> texts, std::vector<cv::Mat> cards, cv::Size size)
        : options_(options), texts_(std::move(texts)), cards_(std::move(cards)), size_(size), pacer_(options.fps),
          clock_(options.realtime, options.fps) {
        const double fps = options.fps;
        show_frames_ = std::max<int64_t>(1, std::llround(kShowSeconds * fps));
        gap_frames_ = std::max<int64_t>(1, std::llround(kGapSeconds * fps));
        build_background();
    }

    std::optional<Frame> next() override {
        if (options_.realtime && !pacer_.frame_due()) return std::nullopt;
        const int64_t index = index_++;
        return Frame{render(index), clock_.stamp(index), index};
    }

    SourceState state() const override { return SourceState::running; }
    std::string last_error() const override { return {}; }
    std::string describe() const override {
        return "demo: " + std::to_string(size_.width) + "x" + std::to_string(size_.height) + " " + std::to_string(options_.fps) +
               "fps " + std::to_string(texts_.size()) + " tickets, seed " + std::to_string(options_.demo_seed);
    }

    Image render(int64_t index) const {
        Image image(size_.width, size_.height, PixelFormat::bgr24);
        // Drawn in place: a Mat header on the Image's own pixels, no copy.
        cv::Mat frame(size_.height, size_.width, CV_8UC3, image.data(), static_cast<size_t>(image.stride()));
        background_.copyTo(frame);
        const double seconds = static_cast<double>(index) / options_.fps;
        draw_moving_shapes(frame, seconds, index);

        const int64_t cycle = index / (show_frames_ + gap_frames_);
        const int64_t in_cycle = index % (show_frames_ + gap_frames_);
        if (in_cycle < show_frames_) {
            const size_t ticket = static_cast<size_t>(cycle % static_cast<int64_t>(cards_.size()));
            const double t = show_frames_ > 1 ? static_cast<double>(in_cycle) / static_cast<double>(show_frames_ - 1) : 0.5;
            draw_ticket(frame, cards_[ticket], showing(cycle), t);
        }
        // Sensor noise last, over everything, as a camera would add it.
        cv::add(frame, noise_[static_cast<size_t>(index % 2)], frame);
        cv::subtract(frame, cv::Scalar::all(kNoiseAmplitude), frame);
        return image;
    }

private:
    static constexpr int kNoiseAmplitude = 6;

    Showing showing(int64_t cycle) const {
        Random random(options_.demo_seed, static_cast<uint64_t>(cycle) * 2 + 1);
        Showing s;
        const double w = size_.width, h = size_.height;
        s.size = std::min(h, w) * random.uniform(0.40, 0.52);
        // Keep the whole card in view at any tilt: half its diagonal from every edge.
        const double margin = s.size * 0.62;
        const auto place = [&] {
            return cv::Point2d(w > 2 * margin ? random.uniform(margin, w - margin) : w / 2,
                               h > 2 * margin ? random.uniform(margin, h - margin) : h / 2);
        };
        s.from = place();
        s.to = place();
        s.yaw_from = random.uniform(-35, 35), s.yaw_to = random.uniform(-35, 35);
        s.pitch_from = random.uniform(-30, 30), s.pitch_to = random.uniform(-30, 30);
        s.roll_from = random.uniform(-25, 25), s.roll_to = random.uniform(-25, 25);
        s.blurs = random.chance(0.5);
        s.blur_at = random.uniform(0.2, 0.8);
        s.wobble_phase = random.uniform(0, 2 * std::numbers::pi);
        return s;
    }

    // The card seen by a pinhole camera: rotated in 3D about its centre, then projected.
    void draw_ticket(cv::Mat& frame, const cv::Mat& card, const Showing& s, double t) const {
        const double eased = t * t * (3 - 2 * t); // a hand starts and stops gently
        const double wobble = s.size * 0.015;
        const cv::Point2d centre(lerp(s.from.x, s.to.x, eased) + wobble * std::sin(t * 19 + s.wobble_phase),
                                 lerp(s.from.y, s.to.y, eased) + wobble * std::cos(t * 23 + s.wobble_phase));
        const double yaw = radians(lerp(s.yaw_from, s.yaw_to, t));
        const double pitch = radians(lerp(s.pitch_from, s.pitch_to, t));
        const double roll = radians(lerp(s.roll_from, s.roll_to, t));
        const cv::Matx33d ry(std::cos(yaw), 0, std::sin(yaw), 0, 1, 0, -std::sin(yaw), 0, std::cos(yaw));
        const cv::Matx33d rx(1, 0, 0, 0, std::cos(pitch), -std::sin(pitch), 0, std::sin(pitch), std::cos(pitch));
        const cv::Matx33d rz(std::cos(roll), -std::sin(roll), 0, std::sin(roll), std::cos(roll), 0, 0, 0, 1);
        const cv::Matx33d rotation = rz * rx * ry;
        const double focal = 1.1 * frame.cols; // a webcam-like field of view: tilt shows as perspective
        const double scale = s.size / card.rows;

        const std::array<cv::Point2f, 4> source{cv::Point2f(0, 0), cv::Point2f(static_cast<float>(card.cols), 0),
                                                cv::Point2f(static_cast<float>(card.cols), static_cast<float>(card.rows)),
                                                cv::Point2f(0, static_cast<float>(card.rows))};
        std::array<cv::Point2f, 4> target;
        for (size_t i = 0; i < 4; ++i) {
            const cv::Vec3d corner((source[i].x - card.cols / 2.0) * scale, (source[i].y - card.rows / 2.0) * scale, 0);
            const cv::Vec3d turned = rotation * corner;
            const double depth = focal / (focal + turned[2]);
            target[i] = cv::Point2f(static_cast<float>(centre.x + turned[0] * depth), static_cast<float>(centre.y + turned[1] * depth));
        }
        const cv::Rect bounds = cv::boundingRect(std::vector<cv::Point2f>(target.begin(), target.end())) & cv::Rect(0, 0, frame.cols, frame.rows);
        if (bounds.empty()) return;
        // Warp into the card's bounding box only; a whole-frame warp would cost a full pass per frame.
        for (auto& point : target) point -= cv::Point2f(static_cast<float>(bounds.x), static_cast<float>(bounds.y));
        const cv::Mat homography = cv::getPerspectiveTransform(source.data(), target.data());
        cv::Mat region = frame(bounds);
        cv::warpPerspective(card, region, homography, region.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);

        const double blur_half = kBlurSeconds / kShowSeconds / 2;
        const double from_blur = std::abs(t - s.blur_at);
        if (s.blurs && from_blur < blur_half) {
            const double sigma = 2.2 * (1 - from_blur / blur_half) * frame.rows / 720.0;
            if (sigma > 0.3) cv::GaussianBlur(region, region, cv::Size(0, 0), sigma);
        }
    }

    void draw_moving_shapes(cv::Mat& frame, double seconds, int64_t index) const {
        const double w = frame.cols, h = frame.rows;
        for (const MovingShape& shape : shapes_) {
            // Wrap around the frame with a margin so shapes leave and re-enter smoothly.
            const double span_x = w + 2 * shape.size, span_y = h + 2 * shape.size;
            const double x = std::fmod(std::fmod(shape.start.x + shape.velocity.x * seconds, span_x) + span_x, span_x) - shape.size;
            const double y = std::fmod(std::fmod(shape.start.y + shape.velocity.y * seconds, span_y) + span_y, span_y) - shape.size;
            const cv::Point at(static_cast<int>(x), static_cast<int>(y));
            const int r = static_cast<int>(shape.size);
            switch (shape.kind) {
            case 0: cv::circle(frame, at, r, shape.colour, cv::FILLED, cv::LINE_AA); break;
            case 1: cv::rectangle(frame, cv::Rect(at.x - r, at.y - r / 2, 2 * r, r), shape.colour, cv::FILLED); break;
            default: cv::line(frame, at - cv::Point(r, r / 3), at + cv::Point(r, r / 3), shape.colour, std::max(2, r / 8), cv::LINE_AA); break;
            }
        }
        const double unit = h / 720.0;
        const int ticker_x = static_cast<int>(w - std::fmod(seconds * 120 * unit, w + 900 * unit));
        cv::putText(frame, "Welcome! Hold your ticket up to the camera", cv::Point(ticker_x, static_cast<int>(h - 30 * unit)),
                    cv::FONT_HERSHEY_SIMPLEX, 1.1 * unit, cv::Scalar(250, 250, 250), std::max(1, static_cast<int>(2 * unit)), cv::LINE_AA);
        cv::putText(frame, "DEMO CAMERA  frame " + std::to_string(index), cv::Point(static_cast<int>(20 * unit), static_cast<int>(40 * unit)),
                    cv::FONT_HERSHEY_SIMPLEX, 0.9 * unit, cv::Scalar(40, 40, 220), std::max(1, static_cast<int>(2 * unit)), cv::LINE_AA);
    }

    // The parts of the picture that never change, drawn once: a lobby wall and posters.
    void build_background() {
        Random random(options_.demo_seed, 0);
        const int w = size_.width, h = size_.height;
        background_.create(h, w, CV_8UC3);
        const cv::Vec3d top(random.uniform(90, 160), random.uniform(90, 150), random.uniform(80, 140));
        const cv::Vec3d bottom(random.uniform(30, 70), random.uniform(30, 70), random.uniform(30, 70));
        for (int y = 0; y < h; ++y) {
            const cv::Vec3d c = top + (bottom - top) * (static_cast<double>(y) / h);
            background_.row(y).setTo(cv::Scalar(c[0], c[1], c[2]));
        }
        const double unit = h / 720.0;
        for (int i = 0; i < 7; ++i) {
            const cv::Rect poster(static_cast<int>(random.uniform(0, w * 0.9)), static_cast<int>(random.uniform(0, h * 0.7)),
                                  static_cast<int>(random.uniform(60, 220) * unit), static_cast<int>(random.uniform(80, 260) * unit));
            const cv::Scalar colour(random.uniform(0, 255), random.uniform(0, 255), random.uniform(0, 255));
            cv::rectangle(background_, poster, colour, cv::FILLED);
            cv::rectangle(background_, poster, cv::Scalar(20, 20, 20), std::max(1, static_cast<int>(3 * unit)));
            cv::putText(background_, i % 2 ? "CHECK-IN" : "EXIT", poster.tl() + cv::Point(static_cast<int>(8 * unit), static_cast<int>(30 * unit)),
                        cv::FONT_HERSHEY_DUPLEX, 0.8 * unit, cv::Scalar(255, 255, 255) - colour, 1, cv::LINE_AA);
        }
        // Stripes and a grid: edges and corners that a finder-pattern search must reject.
        for (int x = 0; x < w; x += static_cast<int>(48 * unit))
            cv::line(background_, cv::Point(x, h * 3 / 4), cv::Point(x + static_cast<int>(40 * unit), h), cv::Scalar(15, 15, 15), 2);

        for (int i = 0; i < 9; ++i) {
            MovingShape shape;
            shape.kind = i % 3;
            shape.colour = cv::Scalar(random.uniform(0, 255), random.uniform(0, 255), random.uniform(0, 255));
            shape.size = random.uniform(25, 90) * unit;
            shape.start = cv::Point2d(random.uniform(0, w), random.uniform(0, h));
            shape.velocity = cv::Point2d(random.uniform(-160, 160) * unit, random.uniform(-60, 60) * unit);
            shapes_.push_back(shape);
        }
        // Two fixed noise fields, alternated: fresh noise every frame would cost more than the rest
        // of the frame, and nobody can tell.
        cv::RNG rng(options_.demo_seed * 7919ULL + 17);
        for (cv::Mat& noise : noise_) {
            noise.create(h, w, CV_8UC3);
            rng.fill(noise, cv::RNG::UNIFORM, 0, 2 * kNoiseAmplitude + 1);
        }
    }

    SourceOptions options_;
    std::vector<std::string> texts_;
    std::vector<cv::Mat> cards_;            // bgr, one per text
    cv::Size size_;
    Pacer pacer_;
    FrameClock clock_;
    int64_t show_frames_ = 1, gap_frames_ = 1;
    cv::Mat background_;
    std::vector<MovingShape> shapes_;
    std::array<cv::Mat, 2> noise_;
    int64_t index_ = 0;
};

// A paper ticket: the code (with its quiet zone) and a caption, black on white; or why the text
// makes no code.
std::expected<cv::Mat, std::string> make_card(const std::string& text, size_t number) {
    QrStyle style;
    style.module_pixels = 1;
    auto code = encode_qr(text, style);
    if (!code) return std::unexpected(code.error());
    const auto view = mat_of(code->view());
    const int module = std::max(1, kCardSide / view.cols);
    const int side = view.cols * module;
    const int caption = side / 6;
    cv::Mat card(side + caption, side, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::Mat scaled;
    cv::resize(view, scaled, cv::Size(side, side), 0, 0, cv::INTER_NEAREST); // crisp modules
    cv::cvtColor(scaled, card(cv::Rect(0, 0, side, side)), cv::COLOR_GRAY2BGR);
    cv::putText(card, "DEMO TICKET " + std::to_string(number), cv::Point(side / 10, side + caption / 2),
                cv::FONT_HERSHEY_SIMPLEX, side / 480.0, cv::Scalar(60, 60, 60), std::max(1, side / 240), cv::LINE_AA);
    cv::rectangle(card, cv::Rect(0, 0, card.cols, card.rows), cv::Scalar(170, 170, 170), std::max(1, side / 160));
    return card;
}

} // namespace

OpenResult open_demo(const SourceOptions& options) {
    // The camera's default size is 1080p; the demo picture is 720p unless another size is asked for.
    const SourceOptions defaults;
    const cv::Size size = options.width == defaults.width && options.height == defaults.height
                              ? cv::Size(1280, 720)
                              : cv::Size(options.width, options.height);
    std::vector<std::string> texts = options.demo_texts.empty() ? kDemoSecrets : options.demo_texts;
    std::vector<cv::Mat> cards;
    for (size_t i = 0; i < texts.size(); ++i) {
        if (texts[i].empty()) return std::unexpected("demo text " + std::to_string(i + 1) + " is empty");
        auto card = make_card(texts[i], i + 1);
        if (!card) return std::unexpected("demo text " + std::to_string(i + 1) + " does not fit in a QR code: " + card.error());
        cards.push_back(std::move(*card));
    }
    return std::make_unique<DemoSource>(options, std::move(texts), std::move(cards), size);
}

} // namespace kiosk::sources
