// The synthetic decoder corpus: camera-like frames with a ticket code, made from a seed.
//
// [SECTION] Random numbers and texts
// [SECTION] Conditions: what each one varies
// [SECTION] Carriers: paper tickets and phones, drawn in their own plane ("canvas", in texels)
// [SECTION] Damage on the carrier: crumpling, a thumb
// [SECTION] The scene: busy background, distractors, a carrier placed with a 3-D pose
// [SECTION] The camera: light, optics, motion, sensor noise
// [SECTION] Public API
//
// How a frame is made. A busy background (room, people, signs) is drawn at frame size. The code
// is drawn on a carrier, a paper ticket or a phone, in the carrier's own plane, at a resolution a
// little above what the camera will see (a phone at several texels per screen pixel, so that its
// pixel grid exists and aliases into moiré as a real camera sees it). Creases are drawn there too.
// The carrier is then projected into the frame through a pinhole camera looking at the carrier
// tilted in 3-D; a thumb is laid on the same plane; and the camera model adds what
// happens in front of and inside a real camera: glare, light level, defocus, motion, sensor
// noise, haze. Every number comes from one splitmix64 stream per sample (and cv::RNG for the
// noise fields), so a (condition, height, seed) triple always gives the same pixels.
//
// The conditions stay within what a person could read off the frame: codes are never smaller
// than ~2.5 px per module, damage stays within what the code's error correction recovers, and a
// finger never covers a finder pattern.
#include "tests/vision/corpus.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "image/qr.h"

namespace kiosk::testing {
namespace {

constexpr double kPi = 3.14159265358979323846;

// [SECTION] Random numbers and texts ------------------------------------------------------------

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t fnv1a(std::string_view text) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (char c : text) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
    return hash;
}

// Our own generator and distributions: std::uniform_*_distribution differ between standard
// libraries, and the corpus must not.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() { return splitmix64(state_); }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
    int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); } // inclusive
    bool chance(double p) { return unit() < p; }
    template <typename T, size_t N> const T& pick(const std::array<T, N>& items) { return items[next() % N]; }
    cv::Scalar colour(double lo, double hi) { return {uniform(lo, hi), uniform(lo, hi), uniform(lo, hi)}; }

private:
    uint64_t state_;
};

int iround(double value) { return static_cast<int>(std::lround(value)); }
float to_f(double value) { return static_cast<float>(value); }

std::string random_chars(Rng& rng, std::string_view alphabet, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out.push_back(alphabet[rng.next() % alphabet.size()]);
    return out;
}

constexpr std::string_view kSecretAlphabet = "abcdefghijklmnopqrstuvwxyz23456789";

std::string pretix_secret(Rng& rng) { return random_chars(rng, kSecretAlphabet, 32); }

std::string ticket_url(Rng& rng) {
    static constexpr std::array<const char*, 4> hosts = {"pretix.eu", "tickets.example.org", "events.fosscon.de", "checkin.example.com"};
    static constexpr std::array<const char*, 4> events = {"democon/2026", "fosscon/fc26", "summit/berlin", "meetup/june"};
    return std::string("https://") + rng.pick(hosts) + "/" + rng.pick(events) + "/ticket/" +
           random_chars(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 5) + "/" + std::to_string(rng.range(1, 9)) + "/" +
           random_chars(rng, kSecretAlphabet, rng.range(24, 32)) + "/";
}

std::string named_ticket(Rng& rng) {
    static constexpr std::array<const char*, 10> names = {
        "Zoë Ørsted-Müller", "José Álvarez Núñez", "Łukasz Wójcik", "Søren Kierkegård", "Chloé Lefèvre",
        "Αλέξανδρος Παπαδόπουλος", "Дмитрий Иванов", "김민준", "山田 太郎", "Ayşe Yılmaz"};
    return "ticket:" + random_chars(rng, kSecretAlphabet, 16) + ";name:" + rng.pick(names);
}

// pretix_sig1 secrets are reversed base64 of a protobuf payload and an Ed25519 signature.
std::string signed_ticket(Rng& rng) {
    static constexpr std::string_view b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const int bytes = rng.range(109, 113);
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (int i = 0; i < bytes; ++i) {
        acc = (acc << 8) | static_cast<uint32_t>(rng.next() & 0xFF);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(b64[(acc >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(b64[(acc << (6 - bits)) & 0x3F]);
    while (out.size() % 4 != 0) out.push_back('=');
    std::reverse(out.begin(), out.end());
    return out;
}

std::string ticket_text(Rng& rng, bool short_only) {
    if (short_only) return pretix_secret(rng);
    const double kind = rng.unit();
    if (kind < 0.5) return pretix_secret(rng);
    if (kind < 0.7) return ticket_url(rng);
    if (kind < 0.85) return named_ticket(rng);
    return signed_ticket(rng);
}

constexpr std::array<const char*, 24> kWords = {
    "Registration", "Welcome", "EXIT", "Hall B", "Coffee", "Badges", "Wi-Fi: venue-guest", "Room 2.14",
    "Keynote 09:30", "Sponsors", "Cloakroom", "Check-in", "Speakers", "Lunch 12:00-13:30", "FOSSCON 2026",
    "Toilets", "Info", "Track A", "Workshops", "No entry", "Day 1", "Press", "Volunteers", "Level -1"};

// [SECTION] Conditions: what each one varies -------------------------------------------------------

const std::vector<std::string> kConditions = {
    "clean", "small", "rotated", "perspective", "blurred", "motion_blur", "noisy", "dark", "low_contrast",
    "glare", "dark_mode", "phone_screen", "occluded", "occluded_heavy", "crumpled", "empty"};

struct Pose {
    double rotation_deg = 0;                // in the carrier's plane
    double tilt_deg = 0;                    // out of the image plane
    double tilt_axis_deg = 0;               // direction of the tilt axis in the image plane
};

struct Camera {
    double gain = 1.0;                      // scene light times exposure
    cv::Vec3d white{1, 1, 1};               // white balance error
    double vignette = 0.1;                  // light fall-off at the corners
    double optics_sigma = 0.7;              // the lens at best focus, px
    double defocus_sigma = 0;               // extra gaussian blur, px
    double motion_length = 0;               // px
    double motion_angle_deg = 0;
    double read_noise = 2;                  // sigma in 8-bit levels
    double shot_noise = 0.03;               // variance per level of signal
    double contrast = 1, offset = 0;        // haze: out = in * contrast + offset
};

struct Recipe {
    bool has_code = true;
    bool phone = false;
    bool dark_mode = false;
    double grid = 0;                        // visibility of the screen's pixel grid, 0..1
    double screen_glare = 0;                // additive reflection band on a screen, levels
    double width_lo = 0.2, width_hi = 0.38; // code width without quiet zone, fraction of frame height
    double small_px = 0;                    // > 0: code width in px at 1080p instead
    QrErrorCorrection ecc = QrErrorCorrection::medium;
    Pose pose;
    bool short_text = false;
    double occlusion_lo = 0, occlusion_hi = 0;  // fraction of modules under a finger
    double crumple = 0;                     // displacement amplitude, modules
    double glare_peak = 0;                  // specular highlight on the carrier, levels
    double glare_size = 0;                  // its sigma, fraction of the code width
    bool grey_print = false;
    double defocus_modules = 0, motion_modules = 0;  // blur relative to the module size
    Camera camera;
};

Recipe recipe_for(const std::string& condition, Rng& rng) {
    Recipe r;
    r.ecc = rng.chance(0.8) ? QrErrorCorrection::medium : QrErrorCorrection::quartile;
    r.phone = rng.chance(0.35);
    r.grid = rng.uniform(0.15, 0.45);
    r.screen_glare = rng.uniform(0, 20);
    r.pose = {rng.uniform(-12, 12), rng.uniform(0, 15), rng.uniform(0, 360)};
    Camera& c = r.camera;
    c.gain = rng.uniform(0.85, 1.05);
    c.white = {rng.uniform(0.94, 1.06), 1.0, rng.uniform(0.94, 1.06)};
    c.vignette = rng.uniform(0, 0.25);
    c.optics_sigma = rng.uniform(0.5, 0.9);
    c.read_noise = rng.uniform(1.5, 3);
    c.shot_noise = rng.uniform(0.02, 0.04);

    if (condition == "clean") {
    } else if (condition == "small") {
        r.small_px = rng.uniform(110, 135);
        r.short_text = true;
        r.pose.tilt_deg = rng.uniform(0, 10);
    } else if (condition == "rotated") {
        r.pose.rotation_deg = rng.uniform(0, 360);
    } else if (condition == "perspective") {
        r.pose.tilt_deg = rng.uniform(30, 50);
        r.pose.rotation_deg = rng.uniform(-25, 25);
        r.width_lo = 0.25, r.width_hi = 0.4;
    } else if (condition == "blurred") {
        r.defocus_modules = rng.uniform(0.25, 0.42);
    } else if (condition == "motion_blur") {
        r.motion_modules = rng.uniform(0.7, 1.3);
        c.motion_angle_deg = rng.uniform(0, 180);
    } else if (condition == "noisy") {
        c.read_noise = rng.uniform(12, 20);
        c.shot_noise = rng.uniform(0.1, 0.4);
    } else if (condition == "dark") {
        c.gain = rng.uniform(0.08, 0.2);
        c.read_noise = rng.uniform(3, 5);
        c.shot_noise = rng.uniform(0.04, 0.08);
    } else if (condition == "low_contrast") {
        r.grey_print = true;
        c.contrast = rng.uniform(0.6, 0.8);
        c.offset = rng.uniform(40, 80);
    } else if (condition == "glare") {
        r.glare_peak = rng.uniform(180, 280);
        r.glare_size = rng.uniform(0.1, 0.17);
    } else if (condition == "dark_mode") {
        r.phone = true;
        r.dark_mode = true;
        r.grid = rng.uniform(0.3, 0.6);
        r.screen_glare = rng.uniform(0, 25);
    } else if (condition == "phone_screen") {
        r.phone = true;
        r.grid = rng.uniform(0.6, 1.0);
        r.screen_glare = rng.uniform(30, 80);
        r.pose.tilt_deg = rng.uniform(5, 20);
    } else if (condition == "occluded") {
        r.occlusion_lo = 0.04, r.occlusion_hi = 0.09;
    } else if (condition == "occluded_heavy") {
        r.ecc = QrErrorCorrection::quartile;
        r.occlusion_lo = 0.12, r.occlusion_hi = 0.17;
    } else if (condition == "crumpled") {
        r.phone = false;
        r.crumple = rng.uniform(0.4, 0.9);
    } else if (condition == "empty") {
        r.has_code = false;
        // Empty frames get one of the ordinary degradations, so "no code" is not "clean image".
        const int kind = rng.range(0, 3);
        if (kind == 1) c.read_noise = rng.uniform(8, 14);
        if (kind == 2) c.gain = rng.uniform(0.15, 0.3);
        if (kind == 3) c.defocus_sigma = rng.uniform(1, 3);
    } else {
        throw std::invalid_argument("unknown corpus condition: " + condition);
    }
    return r;
}

// [SECTION] Carriers ---------------------------------------------------------------------------------

// A carrier drawn in its own plane: colour premultiplied by alpha (float, may exceed 255 for a
// bright screen), alpha in 0..1, and where the code's modules are.
struct Canvas {
    cv::Mat colour;                         // CV_32FC3
    cv::Mat alpha;                          // CV_32FC1
    cv::Point2d code_origin;                // texel position of module (0, 0), quiet zone excluded
    double module = 1;                      // texels per module
    int modules = 0;                        // modules per side, quiet zone excluded

    cv::Point2d module_point(double mx, double my) const { return code_origin + cv::Point2d(mx, my) * module; }
};

// Draws the modules (1 = dark) onto an 8-bit image, `unit` pixels per module.
void draw_modules(cv::Mat& target, const Image& code, cv::Point origin, int unit, const cv::Scalar& dark) {
    for (int y = 0; y < code.height(); ++y)
        for (int x = 0; x < code.width(); ++x)
            if (code.data()[static_cast<size_t>(y) * static_cast<size_t>(code.stride()) + static_cast<size_t>(x)] < 128)
                cv::rectangle(target, cv::Rect(origin.x + x * unit, origin.y + y * unit, unit, unit), dark, cv::FILLED);
}

void put_lines(cv::Mat& target, Rng& rng, cv::Rect area, const cv::Scalar& ink, double scale) {
    int y = area.y;
    while (true) {
        const double size = scale * rng.uniform(0.6, 1.1);
        const int line_height = std::max(2, iround(28 * size));
        if (y + line_height > area.y + area.height) break;
        y += line_height;
        std::string line = rng.pick(kWords);
        if (rng.chance(0.5)) line += std::string("  ") + rng.pick(kWords);
        cv::putText(target, line, {area.x, y}, cv::FONT_HERSHEY_SIMPLEX, size, ink, std::max(1, iround(2 * size)), cv::LINE_AA);
        y += line_height / 2;
    }
}

// A printed ticket: the code with its quiet zone and a paper margin, some printed lines, uneven
// light across the sheet.
Canvas paper_canvas(const Image& code, int texels, bool grey_print, Rng& rng) {
    const int n = code.width();
    const int margin_x = rng.range(1, 6), margin_top = rng.range(1, 5), margin_bottom = rng.range(2, 12);
    const int paper_w = (n + 8 + 2 * margin_x) * texels, paper_h = (n + 8 + margin_top + margin_bottom) * texels;
    cv::Scalar paper = rng.colour(218, 245), ink = rng.colour(15, 45);
    if (grey_print) {
        const double paper_level = rng.uniform(180, 215), ink_level = rng.uniform(110, std::min(160.0, paper_level - 45));
        paper = {paper_level + rng.uniform(-8, 8), paper_level, paper_level + rng.uniform(-8, 8)};
        ink = {ink_level, ink_level + rng.uniform(-6, 6), ink_level};
    }
    cv::Mat sheet(paper_h, paper_w, CV_8UC3, paper);
    const cv::Point origin((margin_x + 4) * texels, (margin_top + 4) * texels);
    draw_modules(sheet, code, origin, texels, ink);
    const int text_top = (margin_top + 8 + n) * texels + texels;
    if (margin_bottom >= 4)
        put_lines(sheet, rng, {margin_x * texels + texels, text_top, paper_w - 2 * texels, paper_h - text_top - texels}, ink, texels * 0.08);

    Canvas canvas;
    sheet.convertTo(canvas.colour, CV_32FC3);
    canvas.alpha = cv::Mat(canvas.colour.size(), CV_32FC1, cv::Scalar(1));
    cv::Mat& inner = canvas.colour;
    // Uneven light across the sheet.
    const double a = rng.uniform(0, 2 * kPi), strength = rng.uniform(0.0, 0.15);
    for (int y = 0; y < paper_h; ++y) {
        auto* px = inner.ptr<cv::Vec3f>(y);
        for (int x = 0; x < paper_w; ++x) {
            const double t = ((x - paper_w / 2.0) * std::cos(a) + (y - paper_h / 2.0) * std::sin(a)) / std::max(paper_w, paper_h);
            px[x] *= to_f(1.0 + strength * 2 * t);
        }
    }
    canvas.code_origin = origin;
    canvas.module = texels;
    canvas.modules = n;
    return canvas;
}

// A phone showing a ticket app. The screen is drawn in screen pixels, then each screen pixel
// becomes 3x3 texels: R, G and B stripes with a darker gap row, mixed in by `grid`. Screens are
// brighter than paper (an emitter), so levels above 255 are allowed until the camera clips them.
Canvas phone_canvas(const Image& code, int screen_px_per_module, const Recipe& recipe, Rng& rng) {
    const int n = code.width();
    const int unit = screen_px_per_module;
    const int screen_w = iround((n + 8) * unit * rng.uniform(1.05, 1.3));
    const int screen_h = iround(screen_w * rng.uniform(1.7, 2.0));
    const bool dark = recipe.dark_mode;
    const cv::Scalar background = dark ? rng.colour(14, 34) : rng.colour(238, 255);
    const cv::Scalar foreground = dark ? rng.colour(200, 235) : rng.colour(10, 35);
    cv::Scalar module_dark = dark ? rng.colour(205, 240) : rng.colour(0, 25);
    cv::Mat screen(screen_h, screen_w, CV_8UC3, background);
    if (recipe.grey_print && !dark) module_dark = cv::Scalar::all(rng.uniform(90, 140));

    // App chrome: a header bar, the event name, the code, attendee lines, a button.
    const cv::Scalar brand(rng.uniform(60, 200), rng.uniform(40, 160), rng.uniform(20, 200));
    const int header = iround(screen_h * 0.08);
    cv::rectangle(screen, cv::Rect(0, 0, screen_w, header), brand, cv::FILLED);
    const double font = screen_w / 420.0;
    cv::putText(screen, "My tickets", {iround(screen_w * 0.06), iround(header * 0.68)}, cv::FONT_HERSHEY_SIMPLEX, font * 0.9,
                cv::Scalar::all(250), std::max(1, iround(font * 2)), cv::LINE_AA);
    const int code_px = n * unit;
    const cv::Point origin((screen_w - code_px) / 2, iround(screen_h * rng.uniform(0.36, 0.42)) - code_px / 2);
    put_lines(screen, rng, {iround(screen_w * 0.06), header + unit, iround(screen_w * 0.9), origin.y - 4 * unit - header - unit}, foreground, font * 0.8);
    draw_modules(screen, code, origin, unit, module_dark);
    const int below = origin.y + code_px + 5 * unit;
    put_lines(screen, rng, {iround(screen_w * 0.06), below, iround(screen_w * 0.9), iround(screen_h * 0.88) - below}, foreground, font * 0.8);
    cv::rectangle(screen, cv::Rect(iround(screen_w * 0.1), iround(screen_h * 0.9), iround(screen_w * 0.8), iround(screen_h * 0.06)), brand,
                  cv::FILLED);

    // Screen pixels to subpixel texels.
    const double g = recipe.grid;
    const double brightness = dark ? rng.uniform(1.0, 1.15) : rng.uniform(1.0, 1.2);
    constexpr int k = 3;
    const double own = 1.0 + 1.2 * g, other = 1.0 - 0.6 * g;  // channel weights keep the mean level
    const double lit_row = 1.0 + 0.1 * g, gap_row = 1.0 - 0.2 * g;
    const int bezel = std::max(2, iround(screen_w * rng.uniform(0.03, 0.05))) * k;
    const int chin = bezel * 2;
    const int body_w = screen_w * k + 2 * bezel, body_h = screen_h * k + 2 * chin;

    Canvas canvas;
    canvas.colour = cv::Mat(body_h, body_w, CV_32FC3, cv::Scalar::all(0));
    const cv::Scalar body_colour = rng.colour(12, 30);
    cv::Mat body_alpha(body_h, body_w, CV_8UC1, cv::Scalar(0));
    const int corner = bezel * 3;
    // The rounded body as two rectangles and four circles.
    cv::rectangle(body_alpha, cv::Rect(corner, 0, body_w - 2 * corner, body_h), cv::Scalar(255), cv::FILLED);
    cv::rectangle(body_alpha, cv::Rect(0, corner, body_w, body_h - 2 * corner), cv::Scalar(255), cv::FILLED);
    for (const cv::Point c : {cv::Point(corner, corner), cv::Point(body_w - corner - 1, corner), cv::Point(corner, body_h - corner - 1),
                              cv::Point(body_w - corner - 1, body_h - corner - 1)})
        cv::circle(body_alpha, c, corner, cv::Scalar(255), cv::FILLED, cv::LINE_AA);
    cv::Mat body_alpha_f;
    body_alpha.convertTo(body_alpha_f, CV_32FC1, 1.0 / 255);
    canvas.alpha = body_alpha_f;
    cv::Mat& body = canvas.colour;
    body.setTo(body_colour);

    // Screen glare: a soft diagonal band of reflected room light.
    const double glare_angle = rng.uniform(0, 2 * kPi), glare_pos = rng.uniform(-0.3, 0.3), glare_width = rng.uniform(0.15, 0.4);
    for (int sy = 0; sy < screen_h; ++sy) {
        const auto* src = screen.ptr<cv::Vec3b>(sy);
        for (int r = 0; r < k; ++r) {
            auto* dst = body.ptr<cv::Vec3f>(chin + sy * k + r) + bezel;
            const double row_weight = r == k - 1 ? gap_row : lit_row;
            for (int sx = 0; sx < screen_w; ++sx) {
                const double u = (sx - screen_w / 2.0) / screen_w, v = (sy - screen_h / 2.0) / screen_w;
                const double d = (u * std::cos(glare_angle) + v * std::sin(glare_angle) - glare_pos) / glare_width;
                const double reflection = recipe.screen_glare * std::exp(-d * d);
                for (int c = 0; c < k; ++c) {
                    // Stripe c shows red, green, blue from left to right; BGR storage puts red in channel 2.
                    const int lit_channel = 2 - c;
                    cv::Vec3f& texel = dst[sx * k + c];
                    for (int ch = 0; ch < 3; ++ch)
                        texel[ch] = to_f(src[sx][ch] * brightness * row_weight * (ch == lit_channel ? own : other) + reflection);
                }
            }
        }
    }
    // Premultiply by the body's alpha (rounded corners); the screen sits inside the opaque part.
    std::vector<cv::Mat> planes;
    cv::split(body, planes);
    for (auto& plane : planes) plane = plane.mul(body_alpha_f);
    cv::merge(planes, body);

    canvas.code_origin = cv::Point2d(bezel + origin.x * k, chin + origin.y * k);
    canvas.module = unit * k;
    canvas.modules = n;
    return canvas;
}

// [SECTION] Damage on the carrier --------------------------------------------------------------------

// Paper that was folded and crumpled: a smooth displacement (the gradient of a random height
// field made of a few long waves), the shading the same slopes cause, and one or two fold lines
// where the light changes abruptly.
void crumple(Canvas& canvas, double amplitude_modules, Rng& rng) {
    const double unit = canvas.module;
    struct Wave { double fx, fy, phase, weight; };
    std::array<Wave, 3> waves{};
    double norm = 0;
    for (auto& w : waves) {
        const double cycles = rng.uniform(0.5, 1.2) / (canvas.modules * unit);  // per texel
        const double dir = rng.uniform(0, 2 * kPi);
        w = {cycles * std::cos(dir), cycles * std::sin(dir), rng.uniform(0, 2 * kPi), rng.uniform(0.5, 1.0)};
        norm += w.weight * 2 * kPi * cycles;
    }
    const double light = rng.uniform(0, 2 * kPi), shading = rng.uniform(0.15, 0.3);
    struct Fold { cv::Point2d point, normal; double dark_side; };
    std::vector<Fold> folds;
    for (int i = rng.range(1, 2); i > 0; --i) {
        const double angle = rng.uniform(0, kPi);
        const cv::Point2d point = canvas.module_point(rng.uniform(0.2, 0.8) * canvas.modules, rng.uniform(0.2, 0.8) * canvas.modules);
        folds.push_back({point, {std::cos(angle), std::sin(angle)}, rng.uniform(0.86, 0.95)});
    }
    const double amplitude = amplitude_modules * unit;
    cv::Mat map_x(canvas.colour.size(), CV_32FC1), map_y(canvas.colour.size(), CV_32FC1), shade(canvas.colour.size(), CV_32FC1);
    for (int y = 0; y < map_x.rows; ++y) {
        auto* mx = map_x.ptr<float>(y);
        auto* my = map_y.ptr<float>(y);
        auto* sh = shade.ptr<float>(y);
        for (int x = 0; x < map_x.cols; ++x) {
            double gx = 0, gy = 0;
            for (const auto& w : waves) {
                const double c = w.weight * 2 * kPi * std::cos(2 * kPi * (w.fx * x + w.fy * y) + w.phase);
                gx += c * w.fx;
                gy += c * w.fy;
            }
            gx /= norm, gy /= norm;
            mx[x] = to_f(x + amplitude * gx);
            my[x] = to_f(y + amplitude * gy);
            double s = 1.0 + shading * (gx * std::cos(light) + gy * std::sin(light));
            for (const auto& fold : folds) {
                const double d = (cv::Point2d(x, y) - fold.point).dot(fold.normal) / unit;  // modules from the fold
                s *= (d < 0 ? fold.dark_side : 1.0) * (1.0 + 0.12 * std::exp(-d * d / 0.08));
            }
            sh[x] = to_f(s);
        }
    }
    cv::Mat colour, alpha;
    cv::remap(canvas.colour, colour, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::remap(canvas.alpha, alpha, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    std::vector<cv::Mat> planes;
    cv::split(colour, planes);
    for (auto& plane : planes) plane = plane.mul(shade);
    cv::merge(planes, canvas.colour);
    canvas.alpha = alpha;
}

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
    const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
    return {v[0] / v[2], v[1] / v[2]};
}

double distance_to_segment(cv::Point2d p, cv::Point2d a, cv::Point2d b) {
    const cv::Point2d ab = b - a;
    const double t = std::clamp((p - a).dot(ab) / ab.dot(ab), 0.0, 1.0);
    const cv::Point2d d = p - (a + t * ab);
    return std::sqrt(d.dot(d));
}

// A thumb laid over the code from the bottom or right edge (the corner without a finder
// pattern), pushed in until it covers the wanted fraction of modules. In module coordinates.
struct Finger {
    cv::Point2d tip, dir;                   // dir points from the hand towards the tip
    double radius = 0;                      // half the thumb's width, modules
    double covered = 0;                     // fraction of modules under it
    cv::Vec3f skin;
};

Finger plan_finger(int n, double lo, double hi, Rng& rng) {
    Finger finger;
    const double target = rng.uniform(lo, hi);
    finger.radius = n * rng.uniform(0.17, 0.24);                    // a thumb is wide next to a module
    const bool from_bottom = rng.chance(0.5);
    const double along = rng.uniform(0.5, 0.8) * n;                 // where along the edge it enters
    const double slant = rng.uniform(-0.45, 0.45);
    const cv::Point2d inward = from_bottom ? cv::Point2d(slant, -1) : cv::Point2d(-1, slant);
    finger.dir = inward * (1.0 / std::sqrt(inward.dot(inward)));
    const cv::Point2d edge = from_bottom ? cv::Point2d(along, n) : cv::Point2d(n, along);
    finger.tip = edge - finger.dir * finger.radius;

    auto finder = [n](int x, int y) { return (x < 8 && y < 8) || (x >= n - 8 && y < 8) || (x < 8 && y >= n - 8); };
    for (double depth = -finger.radius; depth < n; depth += 0.25) {
        const cv::Point2d candidate = edge + finger.dir * depth;
        const cv::Point2d start = candidate - finger.dir * (3.0 * n);
        int covered = 0;
        bool hits_finder = false;
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x)
                if (distance_to_segment({x + 0.5, y + 0.5}, start, candidate) < finger.radius) {
                    ++covered;
                    hits_finder = hits_finder || finder(x, y);
                }
        const double fraction = static_cast<double>(covered) / (n * n);
        if (hits_finder || fraction > hi) break;
        finger.tip = candidate;
        finger.covered = fraction;
        if (fraction >= target) break;
    }
    finger.skin = cv::Vec3f(to_f(rng.uniform(90, 160)), to_f(rng.uniform(120, 185)), to_f(rng.uniform(170, 235)));
    return finger;
}

// Draws the thumb into the scene, lying on the carrier's plane: skin with a rounded
// cross-section, a nail near the tip, a soft shadow around it. Drawn in frame space so the
// hand reaches out of the picture instead of ending at the carrier's edge.
void draw_finger(cv::Mat& scene, const Finger& finger, const Canvas& canvas, const cv::Matx33d& canvas_to_frame, double module_px) {
    const int n = canvas.modules;
    const cv::Matx33d module_to_canvas(canvas.module, 0, canvas.code_origin.x, 0, canvas.module, canvas.code_origin.y, 0, 0, 1);
    const cv::Matx33d module_to_frame = canvas_to_frame * module_to_canvas;
    const cv::Matx33d frame_to_module = module_to_frame.inv();
    const cv::Point2d a = finger.tip - finger.dir * (8.0 * n), b = finger.tip;  // long enough to leave the frame
    const double r = finger.radius, shadow = 0.25 * r, soft = 0.7 / module_px;
    const cv::Point2d across(-finger.dir.y, finger.dir.x);
    const cv::Point2d nail_centre = b - finger.dir * (0.45 * r);

    std::vector<cv::Point2f> outline;
    bool beyond_horizon = false;            // the far end of the hand may project behind the camera
    for (const cv::Point2d end : {a, b})
        for (double side : {-1.0, 1.0})
            for (double ahead : {-1.0, 1.0}) {
                const cv::Point2d m = end + across * (side * (r + shadow)) + finger.dir * (ahead * (r + shadow));
                const cv::Vec3d v = module_to_frame * cv::Vec3d(m.x, m.y, 1);
                beyond_horizon = beyond_horizon || v[2] <= 0;
                if (v[2] > 0) outline.emplace_back(to_f(v[0] / v[2]), to_f(v[1] / v[2]));
            }
    const cv::Rect frame_rect(0, 0, scene.cols, scene.rows);
    const cv::Rect box = beyond_horizon ? frame_rect : cv::boundingRect(outline) & frame_rect;
    for (int y = box.y; y < box.y + box.height; ++y) {
        auto* colour = scene.ptr<cv::Vec3f>(y);
        for (int x = box.x; x < box.x + box.width; ++x) {
            const cv::Vec3d v = frame_to_module * cv::Vec3d(x, y, 1);
            if (v[2] <= 0) continue;
            const cv::Point2d p(v[0] / v[2], v[1] / v[2]);
            const double d = distance_to_segment(p, a, b);
            if (d > r + shadow) continue;
            if (d > r) {  // shadow on what lies below
                colour[x] *= to_f(0.8 + 0.2 * (d - r) / shadow);
                continue;
            }
            const double t = d / r;
            cv::Vec3f tone = finger.skin * to_f(0.6 + 0.4 * std::sqrt(std::max(0.0, 1 - t * t)));
            const cv::Point2d q = p - nail_centre;
            const double nu = q.dot(finger.dir) / (0.35 * r), nv = q.dot(across) / (0.55 * r);
            if (nu * nu + nv * nv < 1) tone = tone * 0.6f + cv::Vec3f(200, 205, 235) * 0.4f;
            const float cover = to_f(std::clamp((r - d) / soft, 0.0, 1.0));
            colour[x] = colour[x] * (1 - cover) + tone * cover;
        }
    }
}

// [SECTION] The scene ----------------------------------------------------------------------------------

void random_text(cv::Mat& frame, Rng& rng, double scale) {
    static constexpr std::array<int, 4> fonts = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_COMPLEX,
                                                 cv::FONT_HERSHEY_TRIPLEX};
    const double size = scale * rng.uniform(0.6, 3.0);
    const cv::Point at(rng.range(-100, frame.cols - 50), rng.range(20, frame.rows));
    cv::putText(frame, rng.pick(kWords), at, rng.pick(fonts), size, rng.colour(0, 255), std::max(1, iround(size * rng.uniform(1, 3))),
                cv::LINE_AA);
}

void person(cv::Mat& frame, Rng& rng, double scale) {
    const cv::Point face(rng.range(frame.cols / 8, frame.cols * 7 / 8), rng.range(frame.rows / 6, frame.rows / 2));
    const int w = iround(rng.uniform(70, 130) * scale), h = iround(w * rng.uniform(1.2, 1.4));
    const cv::Scalar skin(rng.uniform(70, 160), rng.uniform(100, 180), rng.uniform(140, 230));
    cv::ellipse(frame, cv::Point(face.x, face.y + h * 3), cv::Size(w * 3, h * 2), 0, 0, 360, rng.colour(20, 200), cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, face, cv::Size(w, h), 0, 0, 360, skin, cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, cv::Point(face.x, face.y - h / 2), cv::Size(w + w / 10, h * 2 / 3), 0, 180, 360, rng.colour(10, 90), cv::FILLED, cv::LINE_AA);
    for (int side : {-1, 1})
        cv::ellipse(frame, cv::Point(face.x + side * w * 2 / 5, face.y - h / 10), cv::Size(w / 7, w / 12), 0, 0, 360, cv::Scalar::all(30),
                    cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, cv::Point(face.x, face.y + h / 2), cv::Size(w / 3, h / 10), 0, 0, 180, cv::Scalar(60, 60, 140), std::max(1, w / 20),
                cv::LINE_AA);
}

// A room: a smooth low-frequency base (walls, lights, furniture), then sharper shapes, signs,
// people. Drawn at frame size, slightly out of focus.
cv::Mat background(int width, int height, Rng& rng) {
    const double scale = height / 1080.0;
    cv::Mat low(height / 8, width / 8, CV_8UC3);
    const cv::Scalar c0 = rng.colour(30, 200), c1 = rng.colour(30, 200);
    const double a = rng.uniform(0, 2 * kPi);
    for (int y = 0; y < low.rows; ++y) {
        auto* px = low.ptr<cv::Vec3b>(y);
        for (int x = 0; x < low.cols; ++x) {
            const double t = std::clamp(0.5 + ((x - low.cols / 2.0) * std::cos(a) + (y - low.rows / 2.0) * std::sin(a)) / low.cols, 0.0, 1.0);
            for (int c = 0; c < 3; ++c) px[x][c] = cv::saturate_cast<uint8_t>(c0[c] * (1 - t) + c1[c] * t);
        }
    }
    for (int i = rng.range(3, 7); i > 0; --i) {
        const cv::Point at(rng.range(0, low.cols), rng.range(0, low.rows));
        const cv::Size size(rng.range(5, low.cols / 3), rng.range(5, low.rows / 3));
        if (rng.chance(0.5)) cv::ellipse(low, at, size, rng.uniform(0, 180), 0, 360, rng.colour(0, 255), cv::FILLED, cv::LINE_AA);
        else cv::rectangle(low, cv::Rect(at, size), rng.colour(0, 255), cv::FILLED);
    }
    cv::GaussianBlur(low, low, cv::Size(), 2.0);
    cv::Mat frame;
    cv::resize(low, frame, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);

    for (int i = rng.range(12, 28); i > 0; --i) {
        const cv::Point at(rng.range(0, width), rng.range(0, height));
        const int size = iround(rng.uniform(10, 220) * scale);
        const cv::Scalar colour = rng.colour(0, 255);
        switch (rng.range(0, 4)) {
        case 0: cv::rectangle(frame, cv::Rect(at.x, at.y, size, iround(size * rng.uniform(0.3, 2))), colour, cv::FILLED); break;
        case 1: cv::circle(frame, at, size / 2, colour, cv::FILLED, cv::LINE_AA); break;
        case 2: cv::line(frame, at, at + cv::Point(rng.range(-size * 3, size * 3), rng.range(-size * 3, size * 3)), colour, rng.range(1, 6), cv::LINE_AA); break;
        case 3: cv::ellipse(frame, at, cv::Size(size, size / 3 + 1), rng.uniform(0, 180), 0, 360, colour, rng.range(1, 4), cv::LINE_AA); break;
        default: {
            std::vector<cv::Point> poly;
            for (int k = rng.range(3, 6); k > 0; --k) poly.push_back(at + cv::Point(rng.range(-size, size), rng.range(-size, size)));
            cv::fillPoly(frame, std::vector<std::vector<cv::Point>>{poly}, colour, cv::LINE_AA);
        }
        }
    }
    if (rng.chance(0.6)) person(frame, rng, scale);
    for (int i = rng.range(3, 8); i > 0; --i) random_text(frame, rng, scale);
    cv::GaussianBlur(frame, frame, cv::Size(), rng.uniform(0.6, 1.4));
    for (int i = rng.range(1, 3); i > 0; --i) random_text(frame, rng, scale);  // in focus
    return frame;
}

// What an empty frame adds so that "no code" is not "nothing code-like": barcode-like stripes,
// regular stripes, a checkerboard, a finder-like logo, more text, faces.
void distractors(cv::Mat& frame, Rng& rng) {
    const double scale = frame.rows / 1080.0;
    auto spot = [&](int w, int h) { return cv::Point(rng.range(0, std::max(1, frame.cols - w)), rng.range(0, std::max(1, frame.rows - h))); };
    // A 1-D barcode-like label (random bar widths: not a valid symbol of any kind by design).
    {
        const int bar = std::max(1, iround(rng.uniform(2, 4) * scale)), h = iround(rng.uniform(60, 150) * scale);
        int bars_w = 0;
        std::vector<int> widths;
        for (int i = 0; i < 60; ++i) widths.push_back(rng.range(1, 4) * bar), bars_w += widths.back();
        const cv::Point at = spot(bars_w + 20 * bar, h + 10 * bar);
        cv::rectangle(frame, cv::Rect(at.x, at.y, bars_w + 20 * bar, h + 10 * bar), cv::Scalar::all(240), cv::FILLED);
        int x = at.x + 10 * bar;
        for (size_t i = 0; i < widths.size(); ++i) {
            if (i % 2 == 0) cv::rectangle(frame, cv::Rect(x, at.y + 5 * bar, widths[i], h), cv::Scalar::all(20), cv::FILLED);
            x += widths[i];
        }
    }
    // Stripes (a shirt, blinds).
    {
        const int w = iround(rng.uniform(120, 300) * scale), h = iround(rng.uniform(80, 240) * scale), period = std::max(3, iround(rng.uniform(6, 20) * scale));
        const cv::Point at = spot(w, h);
        const cv::Scalar c = rng.colour(0, 255);
        for (int y = 0; y < h; y += period) cv::rectangle(frame, cv::Rect(at.x, at.y + y, w, period / 2), c, cv::FILLED);
    }
    // A checkerboard (floor tiles, a calibration target on a wall).
    {
        const int cell = std::max(3, iround(rng.uniform(8, 24) * scale)), cells = rng.range(5, 10);
        const cv::Point at = spot(cell * cells, cell * cells);
        for (int y = 0; y < cells; ++y)
            for (int x = 0; x < cells; ++x)
                cv::rectangle(frame, cv::Rect(at.x + x * cell, at.y + y * cell, cell, cell), cv::Scalar::all((x + y) % 2 ? 235 : 25), cv::FILLED);
    }
    // A logo made of nested squares in the 1:1:3:1:1 ratio of a finder pattern.
    for (int i = rng.range(1, 2); i > 0; --i) {
        const int unit = std::max(2, iround(rng.uniform(4, 12) * scale));
        const cv::Point at = spot(9 * unit, 9 * unit);
        cv::rectangle(frame, cv::Rect(at.x, at.y, 9 * unit, 9 * unit), cv::Scalar::all(245), cv::FILLED);
        cv::rectangle(frame, cv::Rect(at.x + unit, at.y + unit, 7 * unit, 7 * unit), cv::Scalar::all(20), cv::FILLED);
        cv::rectangle(frame, cv::Rect(at.x + 2 * unit, at.y + 2 * unit, 5 * unit, 5 * unit), cv::Scalar::all(245), cv::FILLED);
        cv::rectangle(frame, cv::Rect(at.x + 3 * unit, at.y + 3 * unit, 3 * unit, 3 * unit), cv::Scalar::all(20), cv::FILLED);
    }
    for (int i = rng.range(2, 5); i > 0; --i) random_text(frame, rng, scale);
    if (rng.chance(0.5)) person(frame, rng, scale);
}

// The canvas seen by a pinhole camera: the canvas point `pivot` at frame point `centre`, `scale`
// frame pixels per texel when face-on, rotated in its plane, then tilted about an axis in the
// image plane. The focal length is a typical webcam's (about 70 degrees across).
cv::Matx33d pose_homography(cv::Size canvas, cv::Point2d pivot, double scale, const Pose& pose, cv::Point2d centre, double focal) {
    const double th = pose.rotation_deg * kPi / 180, tilt = pose.tilt_deg * kPi / 180, axis_angle = pose.tilt_axis_deg * kPi / 180;
    const cv::Vec3d axis(std::cos(axis_angle), std::sin(axis_angle), 0);
    std::array<cv::Point2f, 4> src = {cv::Point2f(0, 0), cv::Point2f(to_f(canvas.width), 0), cv::Point2f(to_f(canvas.width), to_f(canvas.height)),
                                      cv::Point2f(0, to_f(canvas.height))};
    std::array<cv::Point2f, 4> dst;
    for (size_t i = 0; i < 4; ++i) {
        const double x = (src[i].x - pivot.x) * scale, y = (src[i].y - pivot.y) * scale;
        const cv::Vec3d v(x * std::cos(th) - y * std::sin(th), x * std::sin(th) + y * std::cos(th), 0);
        const cv::Vec3d rotated = v * std::cos(tilt) + axis.cross(v) * std::sin(tilt) + axis * axis.dot(v) * (1 - std::cos(tilt));
        const double depth = focal + rotated[2];
        dst[i] = cv::Point2f(to_f(centre.x + focal * rotated[0] / depth), to_f(centre.y + focal * rotated[1] / depth));
    }
    return cv::Matx33d(cv::getPerspectiveTransform(src.data(), dst.data()));
}

// Projects the canvas into the scene (premultiplied "over"). Returns the carrier's coverage of
// the frame (CV_32FC1, frame size) so that light effects can be limited to the carrier's surface.
cv::Mat composite(cv::Mat& scene, const Canvas& canvas, const cv::Matx33d& h) {
    cv::Mat coverage(scene.size(), CV_32FC1, cv::Scalar(0));
    std::vector<cv::Point2f> corners;
    for (cv::Point2d p : {cv::Point2d(0, 0), cv::Point2d(canvas.colour.cols, 0), cv::Point2d(canvas.colour.cols, canvas.colour.rows),
                          cv::Point2d(0, canvas.colour.rows)}) {
        const cv::Point2d q = apply(h, p);
        corners.emplace_back(to_f(q.x), to_f(q.y));
    }
    const cv::Rect roi = cv::boundingRect(corners) & cv::Rect(0, 0, scene.cols, scene.rows);
    if (roi.empty()) return coverage;
    const cv::Matx33d shift(1, 0, -roi.x, 0, 1, -roi.y, 0, 0, 1);
    const cv::Matx33d to_roi = shift * h;
    cv::Mat colour, alpha;
    cv::warpPerspective(canvas.colour, colour, to_roi, roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::warpPerspective(canvas.alpha, alpha, to_roi, roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    for (int y = 0; y < roi.height; ++y) {
        auto* dst = scene.ptr<cv::Vec3f>(roi.y + y) + roi.x;
        const auto* src = colour.ptr<cv::Vec3f>(y);
        const auto* a = alpha.ptr<float>(y);
        for (int x = 0; x < roi.width; ++x) dst[x] = dst[x] * (1 - a[x]) + src[x];
    }
    alpha.copyTo(coverage(roi));
    return coverage;
}

// Anti-aliasing before projection: the lens blurs the carrier before the sensor samples it.
// Kept below a full low-pass on purpose, so a screen's pixel grid can still alias into moiré.
void lens_prefilter(Canvas& canvas, double texels_per_pixel) {
    const double sigma = 0.35 * texels_per_pixel;
    if (sigma < 0.4) return;
    cv::GaussianBlur(canvas.colour, canvas.colour, cv::Size(), sigma);
    cv::GaussianBlur(canvas.alpha, canvas.alpha, cv::Size(), sigma);
}

// [SECTION] The camera -----------------------------------------------------------------------------------

cv::Mat expose(cv::Mat scene, const Camera& camera, uint64_t noise_seed) {
    const int w = scene.cols, h = scene.rows;
    const double half_diagonal_sq = (w * w + h * h) / 4.0;
    for (int y = 0; y < h; ++y) {
        auto* px = scene.ptr<cv::Vec3f>(y);
        for (int x = 0; x < w; ++x) {
            const double dx = x - w / 2.0, dy = y - h / 2.0;
            const double light = camera.gain * (1 - camera.vignette * (dx * dx + dy * dy) / half_diagonal_sq);
            for (int c = 0; c < 3; ++c) px[x][c] = to_f(px[x][c] * light * camera.white[c]);
        }
    }
    const double sigma = std::sqrt(camera.optics_sigma * camera.optics_sigma + camera.defocus_sigma * camera.defocus_sigma);
    cv::GaussianBlur(scene, scene, cv::Size(), sigma);
    if (camera.motion_length >= 1.5) {
        const int size = iround(camera.motion_length) | 1;
        cv::Mat kernel(size, size, CV_32FC1, cv::Scalar(0));
        const double a = camera.motion_angle_deg * kPi / 180;
        const cv::Point2d c(size / 2.0, size / 2.0), d(std::cos(a) * camera.motion_length / 2, std::sin(a) * camera.motion_length / 2);
        // Drawn at 8x and shrunk, so the line kernel is anti-aliased.
        cv::Mat fine(size * 8, size * 8, CV_32FC1, cv::Scalar(0));
        cv::line(fine, (c - d) * 8, (c + d) * 8, cv::Scalar(1), 8);
        cv::resize(fine, kernel, kernel.size(), 0, 0, cv::INTER_AREA);
        kernel /= cv::sum(kernel)[0];
        cv::filter2D(scene, scene, -1, kernel);
    }
    cv::Mat noise(scene.size(), CV_32FC3);
    cv::RNG rng(noise_seed);
    rng.fill(noise, cv::RNG::NORMAL, 0, 1);
    const double read_sq = camera.read_noise * camera.read_noise;
    for (int y = 0; y < h; ++y) {
        auto* px = scene.ptr<cv::Vec3f>(y);
        const auto* n = noise.ptr<cv::Vec3f>(y);
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) {
                const double signal = std::clamp(static_cast<double>(px[x][c]), 0.0, 255.0);
                const double hazed = signal * camera.contrast + camera.offset;
                px[x][c] = to_f(hazed + n[x][c] * std::sqrt(read_sq + camera.shot_noise * signal));
            }
    }
    cv::Mat out;
    scene.convertTo(out, CV_8UC3);
    return out;
}

int width_for(int height) { return height == 720 ? 1280 : height == 1080 ? 1920 : (height * 16 / 9 + 1) / 2 * 2; }

cv::Mat make_frame(const std::string& condition, int height, Rng& rng, std::string& expected) {
    const int width = width_for(height);
    Recipe recipe = recipe_for(condition, rng);
    cv::Mat back = background(width, height, rng);
    if (!recipe.has_code) distractors(back, rng);
    cv::Mat scene;
    back.convertTo(scene, CV_32FC3);
    expected.clear();

    if (recipe.has_code) {
        // The code, its size in the frame, and a carrier drawn a little finer than that.
        // A text that does not fit a code at this level is drawn again.
        const auto draw_code = [&] {
            expected = ticket_text(rng, recipe.short_text);
            return encode_qr(expected, QrStyle{1, 0, recipe.ecc});
        };
        auto code = draw_code();
        while (!code) code = draw_code();
        const int n = code->width();
        double code_px = recipe.small_px > 0 ? recipe.small_px * height / 1080.0 : rng.uniform(recipe.width_lo, recipe.width_hi) * height;
        if (recipe.small_px <= 0) code_px = std::max(code_px, 3.0 * n);
        const double module_px = code_px / n;
        Canvas canvas;
        if (recipe.phone) {
            const int screen_px = std::max(2, iround(module_px * rng.uniform(0.7, 1.1)));
            canvas = phone_canvas(*code, screen_px, recipe, rng);
        } else {
            const int texels = std::max(3, iround(module_px * 1.5));
            canvas = paper_canvas(*code, texels, recipe.grey_print, rng);
        }
        if (recipe.crumple > 0) crumple(canvas, recipe.crumple, rng);
        const double scale = module_px / canvas.module;
        lens_prefilter(canvas, 1 / scale);

        // Place it: a random spot where the code with its quiet zone stays inside the frame.
        const double focal = width * 0.7;
        const cv::Point2d pivot = canvas.module_point(n / 2.0, n / 2.0);
        // The projection is the same up to a shift wherever the pivot lands, so one bounding box fits all spots.
        const cv::Matx33d probe = pose_homography(canvas.colour.size(), pivot, scale, recipe.pose, {width / 2.0, height / 2.0}, focal);
        double min_x = 1e9, max_x = -1e9, min_y = 1e9, max_y = -1e9;
        for (cv::Point2d m : {cv::Point2d(-4, -4), cv::Point2d(n + 4, -4), cv::Point2d(n + 4, n + 4), cv::Point2d(-4, n + 4)}) {
            const cv::Point2d q = apply(probe, canvas.module_point(m.x, m.y)) - cv::Point2d(width / 2.0, height / 2.0);
            min_x = std::min(min_x, q.x), max_x = std::max(max_x, q.x), min_y = std::min(min_y, q.y), max_y = std::max(max_y, q.y);
        }
        const double margin = 0.02 * height;
        auto place = [&](double lo, double hi) { return lo <= hi ? rng.uniform(lo, hi) : (lo + hi) / 2; };
        const cv::Point2d centre(place(margin - min_x, width - margin - max_x), place(margin - min_y, height - margin - max_y));
        const cv::Matx33d h = pose_homography(canvas.colour.size(), pivot, scale, recipe.pose, centre, focal);
        const cv::Mat coverage = composite(scene, canvas, h);
        if (recipe.occlusion_hi > 0) draw_finger(scene, plan_finger(n, recipe.occlusion_lo, recipe.occlusion_hi, rng), canvas, h, module_px);

        // A specular highlight: light added on the carrier's surface over part of the code.
        if (recipe.glare_peak > 0) {
            const cv::Point2d spot = apply(h, canvas.module_point(n * rng.uniform(0.2, 0.8), n * rng.uniform(0.2, 0.8)));
            const double sigma = recipe.glare_size * code_px, aspect = rng.uniform(1, 2), angle = rng.uniform(0, kPi);
            const cv::Rect box = cv::Rect(iround(spot.x - 4 * sigma * aspect), iround(spot.y - 4 * sigma * aspect), iround(8 * sigma * aspect),
                                          iround(8 * sigma * aspect)) & cv::Rect(0, 0, width, height);
            for (int y = box.y; y < box.y + box.height; ++y) {
                auto* px = scene.ptr<cv::Vec3f>(y);
                const auto* cover = coverage.ptr<float>(y);
                for (int x = box.x; x < box.x + box.width; ++x) {
                    const double dx = x - spot.x, dy = y - spot.y;
                    const double u = (dx * std::cos(angle) + dy * std::sin(angle)) / aspect, v = -dx * std::sin(angle) + dy * std::cos(angle);
                    const float add = to_f(recipe.glare_peak * std::exp(-(u * u + v * v) / (2 * sigma * sigma)) * cover[x]);
                    px[x] += cv::Vec3f(add, add, add);
                }
            }
        }
        recipe.camera.defocus_sigma = std::max(recipe.camera.defocus_sigma, recipe.defocus_modules * module_px);
        recipe.camera.motion_length = recipe.motion_modules * module_px;
    }
    return expose(scene, recipe.camera, rng.next());
}

} // namespace

// [SECTION] Public API -----------------------------------------------------------------------------------

const std::vector<std::string>& corpus_conditions() { return kConditions; }

CorpusSample make_sample(const std::string& condition, int height, uint32_t seed) {
    if (std::find(kConditions.begin(), kConditions.end(), condition) == kConditions.end())
        throw std::invalid_argument("unknown corpus condition: " + condition);
    uint64_t state = fnv1a(condition) ^ (static_cast<uint64_t>(height) << 32) ^ seed;
    Rng rng(splitmix64(state));
    CorpusSample sample;
    sample.condition = condition;
    sample.height = height;
    const cv::Mat frame = make_frame(condition, height, rng, sample.expected);
    sample.frame = Image(frame.cols, frame.rows, PixelFormat::bgr24);
    for (int y = 0; y < frame.rows; ++y) std::copy_n(frame.ptr<uint8_t>(y), sample.frame.stride(), sample.frame.row(y));
    return sample;
}

// Sample i of a (condition, height) is make_sample(condition, height, seed + i), so a caller that
// cannot hold a whole corpus in memory can walk it with make_corpus(seed + i, 1, heights).
std::vector<CorpusSample> make_corpus(uint32_t seed, int per_condition, const std::vector<int>& heights) {
    std::vector<CorpusSample> corpus;
    for (const auto& condition : kConditions)
        for (int height : heights)
            for (int i = 0; i < per_condition; ++i) corpus.push_back(make_sample(condition, height, seed + static_cast<uint32_t>(i)));
    return corpus;
}

} // namespace kiosk::testing
