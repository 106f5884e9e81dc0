#include "vision/decoder.h"

#include <algorithm>
#include <map>
#include <sstream>

#include <ZXing/ReadBarcode.h>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "image/utf8.h"
#include "vision/code_regions.h"
#include "vision/qr_resampler.h"

namespace kiosk {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::pair<Symbology, const char*> kSymbologyNames[] = {
    {Symbology::qr, "qr"},           {Symbology::aztec, "aztec"},     {Symbology::pdf417, "pdf417"},
    {Symbology::data_matrix, "datamatrix"}, {Symbology::code128, "code128"},
};

ZXing::BarcodeFormats zxing_formats(Symbologies symbologies) {
    ZXing::BarcodeFormats formats;
    if (symbologies & static_cast<Symbologies>(Symbology::qr)) formats |= ZXing::BarcodeFormat::QRCode;
    if (symbologies & static_cast<Symbologies>(Symbology::aztec)) formats |= ZXing::BarcodeFormat::Aztec;
    if (symbologies & static_cast<Symbologies>(Symbology::pdf417)) formats |= ZXing::BarcodeFormat::PDF417;
    if (symbologies & static_cast<Symbologies>(Symbology::data_matrix)) formats |= ZXing::BarcodeFormat::DataMatrix;
    if (symbologies & static_cast<Symbologies>(Symbology::code128)) formats |= ZXing::BarcodeFormat::Code128;
    return formats;
}

Symbology symbology_of(ZXing::BarcodeFormat format) {
    switch (format) {
    case ZXing::BarcodeFormat::Aztec: return Symbology::aztec;
    case ZXing::BarcodeFormat::PDF417: return Symbology::pdf417;
    case ZXing::BarcodeFormat::DataMatrix: return Symbology::data_matrix;
    case ZXing::BarcodeFormat::Code128: return Symbology::code128;
    default: return Symbology::qr;
    }
}

bool wants_linear(Symbologies symbologies) { return symbologies & static_cast<Symbologies>(Symbology::code128); }

// The frame as 8-bit gray, the only input ZXing's detectors use. A gray frame is used in place.
cv::Mat gray_of(const ImageView& frame) {
    const cv::Mat mat = mat_of(frame);
    if (frame.format == PixelFormat::gray8) return mat;
    cv::Mat gray;
    switch (frame.format) {
    case PixelFormat::bgr24: cv::cvtColor(mat, gray, cv::COLOR_BGR2GRAY); break;
    case PixelFormat::rgb24: cv::cvtColor(mat, gray, cv::COLOR_RGB2GRAY); break;
    case PixelFormat::rgba32: cv::cvtColor(mat, gray, cv::COLOR_RGBA2GRAY); break;
    case PixelFormat::gray8: break;
    }
    return gray;
}

// One way of looking at the frame: an image derived from it, and how its pixels map back.
struct Attempt {
    const char* name;
    cv::Mat image;                          // 8-bit gray
    double scale = 1.0;                     // attempt pixels per frame pixel
    cv::Point offset{0, 0};                 // of the attempt's origin in frame pixels
    ZXing::DecodeHints hints;
    std::optional<std::array<cv::Point2f, 4>> corners; // known corners in attempt pixels, instead of ZXing's
};

class Session {
public:
    Session(const ImageView& frame, const DecodeOptions& options)
        : options_(options), started_(Clock::now()), gray_(gray_of(frame)) {}

    // Runs one attempt (the caller checked the budget); true when it found a code.
    bool run(Attempt&& attempt, FrameDecode& out) {
        ++out.attempts;
        const cv::Mat& image = attempt.image;
        const ZXing::ImageView view(image.data, image.cols, image.rows, ZXing::ImageFormat::Lum, static_cast<int>(image.step[0]));
        const ZXing::Results results = ZXing::ReadBarcodes(view, attempt.hints);
        for (const ZXing::Result& result : results) {
            if (!result.isValid()) continue; // only what error correction or a checksum confirmed
            DecodedCode code;
            const ZXing::ByteArray& bytes = result.bytes();
            code.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            // pretix's "binary:<base64>" form of a binary payload is the caller's to make.
            if (utf8::is_valid(code.bytes)) {
                code.text = code.bytes;
            } else if (result.contentType() == ZXing::ContentType::Text) {
                code.text = result.text(); // e.g. Shift-JIS or Latin-1 text under an ECI: ZXing converted it
            } else {
                code.binary = true;
            }
            code.symbology = symbology_of(result.format());
            const auto& position = result.position();
            for (size_t i = 0; i < 4; ++i) {
                const cv::Point2f corner = attempt.corners ? (*attempt.corners)[i]
                                                           : cv::Point2f(static_cast<float>(position[i].x), static_cast<float>(position[i].y));
                code.corners[i] = PointF{static_cast<float>(corner.x / attempt.scale + attempt.offset.x),
                                         static_cast<float>(corner.y / attempt.scale + attempt.offset.y)};
            }
            const bool duplicate = std::any_of(out.codes.begin(), out.codes.end(),
                                               [&](const DecodedCode& other) { return other.bytes == code.bytes; });
            if (!duplicate) out.codes.push_back(std::move(code));
        }
        if (out.codes.empty()) return false;
        out.winning_attempt = attempt.name;
        return true;
    }

    const cv::Mat& gray() const { return gray_; }
    double elapsed_ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - started_).count(); }
    double budget_ms() const { return std::chrono::duration<double, std::milli>(options_.budget).count(); }
    std::chrono::microseconds elapsed() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    }

    // The scale that shrinks the frame so its long side is at most `max_side`. Frames up to
    // 1400 px (720p) are left alone: shrinking them by 3/4 costs more than decoding them whole
    // and blurs 2-3 px modules away, where halving 1080p is cheap and exact.
    double scale_for(int max_side) const {
        const int long_side = std::max(gray_.cols, gray_.rows);
        return long_side > std::max(max_side, 1400) ? static_cast<double>(max_side) / long_side : 1.0;
    }
    // The frame at scale_for(max_side), made once per size: several attempts share it.
    const cv::Mat& downscaled(int max_side) {
        const double scale = scale_for(max_side);
        if (scale == 1.0) return gray_;
        cv::Mat& cached = downscaled_[max_side];
        if (cached.empty()) cv::resize(gray_, cached, cv::Size(), scale, scale, cv::INTER_AREA);
        return cached;
    }

private:
    const DecodeOptions& options_;
    Clock::time_point started_;
    cv::Mat gray_;
    std::map<int, cv::Mat> downscaled_;
};

ZXing::DecodeHints hints_for(const DecodeOptions& options, bool thorough, ZXing::Binarizer binarizer) {
    ZXing::DecodeHints hints;
    hints.setFormats(zxing_formats(options.symbologies));
    hints.setTryHarder(thorough);
    hints.setTryDownscale(thorough);
    hints.setTryRotate(wants_linear(options.symbologies)); // 2D codes are found at any angle anyway
    hints.setBinarizer(binarizer);
    return hints;
}

// How an attempt derives its image from the frame.
enum class Source { small, full, mid, upscaled };
enum class Prep { none, invert, stretch, equalize, equalize_invert, sharpen, adaptive, otsu, dilate, blackhat, resample };

struct AttemptSpec {
    const char* name;
    Source source;
    Prep prep;
    bool thorough;                          // ZXing's tryHarder + its own downscaling
    ZXing::Binarizer binarizer;
};

constexpr auto kLocal = ZXing::Binarizer::LocalAverage;
constexpr auto kGlobal = ZXing::Binarizer::GlobalHistogram;

// Cheap attempts, tried on every frame in this order while they fit the budget. Measured on the
// test corpus (docs/BENCHMARKS.md): most codes fall to the first; a global threshold rescues
// gray-on-white print and small codes; a contrast stretch rescues dim and washed-out frames.
constexpr AttemptSpec kCheapAttempts[] = {
    {"downscaled", Source::small, Prep::none, false, kLocal},
    {"downscaled_inverted", Source::small, Prep::invert, false, kLocal},   // dark mode
    {"downscaled_global", Source::small, Prep::none, false, kGlobal},
    {"stretched", Source::small, Prep::stretch, false, kLocal},
};

// Expensive attempts. A frame whose budget ends part-way leaves a cursor and the next frame
// continues there: a code held still in hard light gets every strategy within a few frames.
constexpr AttemptSpec kThoroughAttempts[] = {
    {"equalized", Source::small, Prep::equalize, false, kLocal},            // glare, uneven light
    {"full", Source::full, Prep::none, true, kLocal},                       // small, far-away codes
    {"equalized_inverted", Source::small, Prep::equalize_invert, false, kLocal},
    {"sharpened", Source::full, Prep::sharpen, true, kLocal},               // soft focus, motion
    {"mid", Source::mid, Prep::none, true, kLocal},
    {"full_global", Source::full, Prep::none, true, kGlobal},
    {"full_inverted", Source::full, Prep::invert, true, kLocal},
    {"upscaled", Source::upscaled, Prep::none, false, kLocal},              // 720p: 2-3 px modules
};

// Attempts on a candidate region (code_regions.h) at full resolution, always with tryHarder: a
// crop around a code is 10-20x smaller than the frame, so each costs 0.3-2 ms. They rescue what
// the whole-frame attempts lose to one local defect: a highlight that washes out a finder
// pattern (adaptive threshold), 2-3 px modules softened by blur (upscaled), ink spread or thinned
// by a crumpled or covered code (Otsu, dilation), dim light (equalized, global threshold). The
// resampler (qr_resampler.h) reads QR codes on bent paper, in noise and in either polarity for
// 0.5-2 ms, so it comes right after the plain and inverted crops. Order: chosen on a training run
// of the corpus (seed 777, not the benchmark's frames), cheap and often useful first.
struct CandidateSpec {
    const char* name;
    Prep prep;
    bool upscaled;                          // by 2 up to 720p, by 1.5 above
    ZXing::Binarizer binarizer;
};

constexpr CandidateSpec kCandidateAttempts[] = {
    {"candidate", Prep::none, false, kLocal},
    {"candidate_inverted", Prep::invert, false, kLocal},
    {"candidate_resampled", Prep::resample, false, kLocal},             // bent paper: qr_resampler.h
    {"candidate_stretched", Prep::stretch, false, kLocal},
    {"candidate_adaptive", Prep::adaptive, false, kLocal},
    {"candidate_otsu", Prep::otsu, false, kLocal},
    {"candidate_upscaled", Prep::none, true, kLocal},
    {"candidate_dilated", Prep::dilate, false, kLocal},
    {"candidate_equalized", Prep::equalize, false, kLocal},
    {"candidate_blackhat", Prep::blackhat, false, kLocal},
    {"candidate_equalized_global", Prep::equalize, false, kGlobal},
};

bool is_inverted(Prep prep) { return prep == Prep::invert || prep == Prep::equalize_invert; }

cv::Mat inverted(const cv::Mat& gray) {
    cv::Mat out;
    cv::bitwise_not(gray, out);
    return out;
}

// Local contrast normalisation: glare and dim light leave a code whose dark and light modules
// differ by a few grey levels; CLAHE spreads them apart tile by tile.
cv::Mat equalized(const cv::Mat& gray) {
    static thread_local cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(3.0, cv::Size(8, 8));
    cv::Mat out;
    clahe->apply(gray, out);
    return out;
}

// Maps the 1st..99th percentile of grey levels onto 0..255: a dim or washed-out frame gets the
// contrast ZXing's local threshold expects, while a few specular pixels cannot stretch it.
cv::Mat stretched(const cv::Mat& gray) {
    std::array<int, 256> histogram{};
    for (int y = 0; y < gray.rows; ++y) {
        const uint8_t* row = gray.ptr<uint8_t>(y);
        for (int x = 0; x < gray.cols; ++x) ++histogram[row[x]];
    }
    const auto total = static_cast<int64_t>(gray.total());
    int low = 0, high = 255;
    for (int64_t seen = 0; low < 255 && (seen += histogram[static_cast<size_t>(low)]) < total / 100;) ++low;
    for (int64_t seen = 0; high > 0 && (seen += histogram[static_cast<size_t>(high)]) < total / 100;) --high;
    if (high - low < 8) return gray; // a flat frame: nothing to stretch
    cv::Mat out;
    const double gain = 255.0 / (high - low);
    gray.convertTo(out, CV_8U, gain, -low * gain);
    return out;
}

// Unsharp mask: a slightly defocused phone screen regains module edges.
cv::Mat sharpened(const cv::Mat& gray) {
    cv::Mat blurred, out;
    cv::GaussianBlur(gray, blurred, cv::Size(0, 0), 2.0);
    cv::addWeighted(gray, 2.0, blurred, -1.0, 0, out);
    return out;
}

// A window of a few modules for the local operations on a candidate region: the region is
// about 1.3 code widths, and codes have 21-57 modules.
int local_window(const cv::Mat& region) { return std::max(3, std::max(region.cols, region.rows) / 10) | 1; }

// Each pixel against the mean of its neighbourhood: the two sides of a highlight's edge are
// thresholded separately, where ZXing's 8x8-block binarizer sees one low-contrast block as white.
cv::Mat adaptive_thresholded(const cv::Mat& gray) {
    cv::Mat out;
    cv::adaptiveThreshold(gray, out, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY, local_window(gray), 5);
    return out;
}

// One threshold for the whole region: on crumpled paper local thresholds follow the fold shading.
cv::Mat otsu_thresholded(const cv::Mat& gray) {
    cv::Mat out;
    cv::threshold(gray, out, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    return out;
}

// Thins dark modules by a pixel: blur and ink spread merge neighbouring modules.
cv::Mat dilated(const cv::Mat& gray) {
    cv::Mat out;
    cv::dilate(gray, out, cv::Mat());
    return out;
}

// Dark detail against the local white level (a closing), so a smooth highlight or shadow over the
// code cancels out; inverted back to dark-on-light and stretched.
cv::Mat blackhat(const cv::Mat& gray) {
    const int window = local_window(gray);
    cv::Mat out;
    cv::morphologyEx(gray, out, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(window, window)));
    cv::normalize(out, out, 0, 255, cv::NORM_MINMAX);
    cv::bitwise_not(out, out);
    return out;
}

cv::Mat prepared(const cv::Mat& source, Prep prep) {
    switch (prep) {
    case Prep::adaptive: return adaptive_thresholded(source);
    case Prep::otsu: return otsu_thresholded(source);
    case Prep::dilate: return dilated(source);
    case Prep::blackhat: return blackhat(source);
    case Prep::resample: return source; // not an image preparation: qr_resampler.h renders its own
    case Prep::none: return source;
    case Prep::invert: return inverted(source);
    case Prep::stretch: return stretched(source);
    case Prep::equalize: return equalized(source);
    case Prep::equalize_invert: return inverted(equalized(source));
    case Prep::sharpen: return sharpened(source);
    }
    return source;
}

// How long each kind of attempt takes per megapixel, preparation included, learnt as the
// decoder runs (a moving average), so the budget check skips an attempt that cannot finish in
// time. Starting values: one core of the development machine (docs/BENCHMARKS.md).
class CostModel {
public:
    double expected_ms(const std::string& attempt, double megapixels) const {
        const auto it = ms_per_megapixel_.find(attempt);
        return (it == ms_per_megapixel_.end() ? 5.0 : it->second) * megapixels;
    }
    void record(const std::string& attempt, double megapixels, double ms) {
        if (megapixels <= 0) return;
        auto [it, inserted] = ms_per_megapixel_.try_emplace(attempt, ms / megapixels);
        if (!inserted) it->second = 0.8 * it->second + 0.2 * (ms / megapixels);
    }

private:
    std::map<std::string, double> ms_per_megapixel_{
        {"downscaled", 2.5},  {"downscaled_inverted", 2.8}, {"downscaled_global", 2.5}, {"stretched", 3.5},
        {"equalized", 8.0},   {"full", 4.0},                {"equalized_inverted", 8.5}, {"sharpened", 8.0},
        {"mid", 4.5},         {"full_global", 4.0},         {"full_inverted", 4.5},       {"upscaled", 4.5},
        {"candidate", 4.2},   {"candidate_inverted", 4.5},  {"candidate_stretched", 5.0}, {"candidate_adaptive", 6.5},
        {"candidate_otsu", 5.0}, {"candidate_upscaled", 5.2}, {"candidate_dilated", 4.2}, {"candidate_equalized", 8.5},
        {"candidate_blackhat", 7.5}, {"candidate_equalized_global", 7.5},
        {"candidate_resampled", 1.5}, // ms per call, not per megapixel: see run_candidates
    };
};

} // namespace

// What a FrameDecoder remembers between frames.
// Whether the camera sees what it saw in the previous frame: 64x36 thumbnails compared pixel by
// pixel. Sensor noise averages out at that size; a hand, a phone or a person entering the view
// changes many thumbnail pixels, and a code held in the hand never stays still to the pixel.
class StillScene {
public:
    bool same_as_before(const cv::Mat& small_gray) {
        cv::Mat thumbnail;
        cv::resize(small_gray, thumbnail, cv::Size(64, 36), 0, 0, cv::INTER_AREA);
        const bool same = !previous_.empty() && changed_pixels(thumbnail) <= 2;
        previous_ = thumbnail;
        return same;
    }

private:
    int changed_pixels(const cv::Mat& thumbnail) const {
        cv::Mat difference;
        cv::absdiff(thumbnail, previous_, difference);
        return cv::countNonZero(difference > 6);
    }

    cv::Mat previous_;
};

struct DecoderMemory {
    std::optional<std::array<int, 4>> region; // x, y, width, height of the last detection, padded
    bool region_inverted = false;             // the last code was light-on-dark
    size_t thorough_cursor = 0;               // index into kThoroughAttempts to start from
    size_t candidate_cursor = 0;              // index into kCandidateAttempts for the best candidate
    bool thorough_first = false;              // whole frame before candidates; alternates after hard frames
    StillScene still;
    int fruitless_still_frames = 0;           // frames in a row of the same scene without a code
    CostModel costs;
};

namespace {

FrameDecode decode_with(const ImageView& frame, const DecodeOptions& options, DecoderMemory& memory, bool use_region) {
    FrameDecode out;
    if (frame.empty()) return out;
    Session session(frame, options);
    const cv::Mat& gray = session.gray();
    auto finish = [&] {
        out.elapsed = session.elapsed();
        return out;
    };
    enum class Result { found, missed, skipped };
    auto run = [&](const AttemptSpec& spec) {
        if (is_inverted(spec.prep) && !options.try_inverted) return Result::skipped;
        const int max_side = spec.source == Source::small ? 960 : spec.source == Source::mid ? 1400 : 0;
        const double scale = max_side == 0 ? 1.0 : session.scale_for(max_side);
        if (spec.source == Source::mid && scale == 1.0) return Result::skipped; // same as the small image
        // Upscaling only pays where modules are a few pixels wide: frames up to 720p.
        if (spec.source == Source::upscaled && session.scale_for(960) < 1.0) return Result::skipped;
        const double megapixels = static_cast<double>(gray.total()) * (spec.source == Source::upscaled ? 4.0 : scale * scale) / 1e6;
        if (out.attempts > 0 && session.elapsed_ms() + memory.costs.expected_ms(spec.name, megapixels) > session.budget_ms()) {
            out.budget_exhausted = true;
            return Result::skipped;
        }
        const auto started = Clock::now();
        cv::Mat upscaled;
        if (spec.source == Source::upscaled) cv::resize(gray, upscaled, cv::Size(), 2.0, 2.0, cv::INTER_LINEAR);
        const cv::Mat& source = spec.source == Source::upscaled ? upscaled : max_side == 0 ? gray : session.downscaled(max_side);
        const bool found = session.run({spec.name, prepared(source, spec.prep), spec.source == Source::upscaled ? 2.0 : scale, {},
                                        hints_for(options, spec.thorough, spec.binarizer), {}},
                                       out);
        memory.costs.record(spec.name, megapixels, std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        return found ? Result::found : Result::missed;
    };

    // 1. Where the code was a moment ago: a small crop at full resolution is cheap and sharp.
    if (use_region && memory.region) {
        const auto& r = *memory.region;
        const cv::Rect rect = cv::Rect(r[0], r[1], r[2], r[3]) & cv::Rect(0, 0, gray.cols, gray.rows);
        if (rect.area() > 0) {
            const cv::Mat crop = memory.region_inverted ? inverted(gray(rect)) : gray(rect);
            if (session.run({"region", crop, 1.0, rect.tl(), hints_for(options, true, kLocal), {}}, out)) return finish();
        }
    }
    // 2. The first cheap attempt, which reads most codes.
    if (run(kCheapAttempts[0]) == Result::found) return finish();
    // 2b. A still scene the full search has been through long enough for every attempt to have
    // had its turn (the cursors move on each frame): the cheap attempt above is enough to notice
    // a code that appears, and the scene changing starts the full search again.
    if (options.idle_when_still) {
        constexpr int kStillFramesBeforeIdle = 15; // half a second at 30 fps
        const bool still = memory.still.same_as_before(session.downscaled(960));
        memory.fruitless_still_frames = still ? memory.fruitless_still_frames + 1 : 0;
        if (memory.fruitless_still_frames > kStillFramesBeforeIdle) {
            out.idle = true;
            return finish();
        }
    }
    // 3a. The rest of the whole frame: the other cheap attempts, then the thorough ones from
    // where the previous frame's budget ran out. One that does not fit the time left is skipped,
    // not the end: a cheaper one may fit.
    auto run_whole_frame = [&] {
        for (size_t i = 1; i < std::size(kCheapAttempts); ++i)
            if (run(kCheapAttempts[i]) == Result::found) return true;
        constexpr size_t kCount = std::size(kThoroughAttempts);
        std::optional<size_t> first_skipped;
        for (size_t i = 0; i < kCount; ++i) {
            const size_t index = (memory.thorough_cursor + i) % kCount;
            const Result result = run(kThoroughAttempts[index]);
            if (result == Result::found) return true;
            if (result == Result::skipped && out.budget_exhausted && !first_skipped) first_skipped = index;
        }
        memory.thorough_cursor = first_skipped.value_or(0);
        return false;
    };
    // One candidate attempt on one crop. The grid fit renders its own images (one per plausible
    // version, until the frame's deadline) and decodes them as pure codes.
    auto run_candidate = [&](const CandidateSpec& spec, const cv::Mat& crop, const cv::Rect& rect, double scale) {
        if (spec.prep != Prep::resample) {
            cv::Mat source = crop;
            if (spec.upscaled) cv::resize(crop, source, cv::Size(), scale, scale, cv::INTER_CUBIC);
            return session.run({spec.name, prepared(source, spec.prep), scale, rect.tl(), hints_for(options, true, spec.binarizer), {}},
                               out);
        }
        if (!(options.symbologies & static_cast<Symbologies>(Symbology::qr))) return false;
        ZXing::DecodeHints pure = hints_for(options, false, kLocal);
        pure.setFormats(ZXing::BarcodeFormat::QRCode).setIsPure(true);
        // Its first rendering reads most codes in 1-2 ms; the others (a fitted grid, the versions
        // either side) cost 2-3 ms each and rarely read, so they get a few milliseconds, not the
        // whole budget the preparations after it may need.
        constexpr double kResamplerMs = 5.0;
        const auto deadline = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(
                                                 std::min(kResamplerMs, session.budget_ms() - session.elapsed_ms()) * 1000));
        const int attempts_before = out.attempts;
        const bool hit = resample_qr(crop, deadline, [&](const ResampledQr& code) {
            return session.run({spec.name, code.image, 1.0, rect.tl(), pure, code.corners}, out);
        });
        out.attempts = attempts_before + 1; // its renderings count as one attempt
        return hit;
    };
    // 3b. Crops of the regions that look like a code, at full resolution, each with several
    // preparations. The best candidate continues where the previous frame stopped.
    auto run_candidates = [&] {
        const cv::Mat& small = session.downscaled(960);
        const double to_frame = static_cast<double>(gray.cols) / small.cols;
        const cv::Rect bounds(0, 0, gray.cols, gray.rows);
        const double upscale = session.scale_for(960) < 1.0 ? 1.5 : 2.0;
        constexpr size_t kCount = std::size(kCandidateAttempts);
        std::optional<size_t> first_skipped;
        bool best = true;
        for (const cv::Rect& found : find_code_regions(small)) {
            const cv::Rect rect = cv::Rect(static_cast<int>(found.x * to_frame), static_cast<int>(found.y * to_frame),
                                           static_cast<int>(found.width * to_frame), static_cast<int>(found.height * to_frame)) &
                                  bounds;
            const cv::Mat crop = gray(rect);
            for (size_t i = 0; i < kCount; ++i) {
                const size_t index = ((best ? memory.candidate_cursor : 0) + i) % kCount;
                const CandidateSpec& spec = kCandidateAttempts[index];
                const double scale = spec.upscaled ? upscale : 1.0;
                // The grid fit's cost follows the code's module count, not the crop's size: it
                // is learnt per call.
                const double megapixels = spec.prep == Prep::resample ? 1.0 : static_cast<double>(rect.area()) * scale * scale / 1e6;
                if (session.elapsed_ms() + memory.costs.expected_ms(spec.name, megapixels) > session.budget_ms()) {
                    out.budget_exhausted = true;
                    if (best && !first_skipped) first_skipped = index;
                    continue;
                }
                const auto started = Clock::now();
                const bool hit = run_candidate(spec, crop, rect, scale);
                memory.costs.record(spec.name, megapixels, std::chrono::duration<double, std::milli>(Clock::now() - started).count());
                if (hit) return true;
            }
            best = false;
        }
        memory.candidate_cursor = first_skipped.value_or(0);
        return false;
    };
    // Candidates first; but after a frame that ran out of budget the other stage goes first, so a
    // code held still in hard light gets both within a few frames.
    const bool whole_frame_first = memory.thorough_first;
    const bool found = whole_frame_first ? run_whole_frame() || run_candidates() : run_candidates() || run_whole_frame();
    if (!found && out.budget_exhausted) memory.thorough_first = !whole_frame_first;
    return finish();
}

} // namespace

std::string symbology_name(Symbology symbology) {
    for (const auto& [value, name] : kSymbologyNames)
        if (value == symbology) return name;
    return "qr";
}

std::expected<Symbologies, std::string> parse_symbologies(const std::string& csv) {
    Symbologies out = 0;
    std::stringstream stream(csv);
    std::string token;
    while (std::getline(stream, token, ',')) {
        token.erase(0, token.find_first_not_of(' '));
        token.erase(token.find_last_not_of(' ') + 1);
        if (token == "data_matrix") token = "datamatrix";
        bool known = false;
        for (const auto& [value, name] : kSymbologyNames) {
            if (token != name) continue;
            out |= static_cast<Symbologies>(value);
            known = true;
        }
        if (!known) return std::unexpected("unknown symbology \"" + token + "\" (known: qr, aztec, pdf417, datamatrix, code128)");
    }
    if (out == 0) return std::unexpected(std::string("no symbology named (known: qr, aztec, pdf417, datamatrix, code128)"));
    return out;
}

FrameDecoder::FrameDecoder(DecodeOptions options) : options_(options), memory_(std::make_unique<DecoderMemory>()) {}
FrameDecoder::~FrameDecoder() = default;
FrameDecoder::FrameDecoder(FrameDecoder&&) noexcept = default;
FrameDecoder& FrameDecoder::operator=(FrameDecoder&&) noexcept = default;

void FrameDecoder::forget_region() {
    memory_->region.reset();
    frames_since_hit_ = 0;
}

FrameDecode FrameDecoder::decode(const ImageView& frame) {
    // A code that left the view is not looked for in its old place for long.
    constexpr int kRegionMemoryFrames = 15;
    const bool use_region = options_.track_region && frames_since_hit_ < kRegionMemoryFrames;
    FrameDecode result = decode_with(frame, options_, *memory_, use_region);
    if (result.codes.empty()) {
        ++frames_since_hit_;
        return result;
    }
    frames_since_hit_ = 0;
    memory_->fruitless_still_frames = 0;
    // A hit in the region keeps the polarity it was searched with.
    if (result.winning_attempt != "region")
        memory_->region_inverted = result.winning_attempt.find("inverted") != std::string::npos;
    // The region: the first code's bounding box, padded by half its size for movement between frames.
    float min_x = result.codes.front().corners[0].x, max_x = min_x;
    float min_y = result.codes.front().corners[0].y, max_y = min_y;
    for (const PointF& corner : result.codes.front().corners) {
        min_x = std::min(min_x, corner.x);
        max_x = std::max(max_x, corner.x);
        min_y = std::min(min_y, corner.y);
        max_y = std::max(max_y, corner.y);
    }
    const float pad = std::max(max_x - min_x, max_y - min_y) * 0.5f + 16.0f;
    memory_->region = std::array<int, 4>{static_cast<int>(min_x - pad), static_cast<int>(min_y - pad),
                                         static_cast<int>(max_x - min_x + 2 * pad), static_cast<int>(max_y - min_y + 2 * pad)};
    return result;
}

FrameDecode decode_image(const ImageView& image, const DecodeOptions& options) {
    // Stateless for callers: a fresh memory each time, but this thread's learnt costs carry over.
    static thread_local CostModel costs;
    DecoderMemory memory;
    memory.costs = costs;
    FrameDecode result = decode_with(image, options, memory, false);
    costs = memory.costs;
    return result;
}

} // namespace kiosk
