// FrameDecoder and decode_image: the search for a code in one frame.
//
// [SECTION] Symbologies
// [SECTION] Reading one attempt: ZXing's results as DecodedCodes in frame pixels
// [SECTION] The frame being searched: gray image, shared scaled copies, the budget's clock
// [SECTION] The attempt tables
// [SECTION] Preparations: the image operations attempts apply
// [SECTION] What a FrameDecoder remembers between frames
// [SECTION] One frame's search, stage by stage
// [SECTION] Public API
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

double ms_since(Clock::time_point started) { return std::chrono::duration<double, std::milli>(Clock::now() - started).count(); }

// -----------------------------------------------------------------------------------------------
// [SECTION] Symbologies
// -----------------------------------------------------------------------------------------------

constexpr std::pair<Symbology, const char*> kSymbologyNames[] = {
    {Symbology::qr, "qr"},           {Symbology::aztec, "aztec"},     {Symbology::pdf417, "pdf417"},
    {Symbology::data_matrix, "datamatrix"}, {Symbology::code128, "code128"},
};

bool wants(Symbologies symbologies, Symbology symbology) { return symbologies & static_cast<Symbologies>(symbology); }

ZXing::BarcodeFormats zxing_formats(Symbologies symbologies) {
    ZXing::BarcodeFormats formats;
    if (wants(symbologies, Symbology::qr)) formats |= ZXing::BarcodeFormat::QRCode;
    if (wants(symbologies, Symbology::aztec)) formats |= ZXing::BarcodeFormat::Aztec;
    if (wants(symbologies, Symbology::pdf417)) formats |= ZXing::BarcodeFormat::PDF417;
    if (wants(symbologies, Symbology::data_matrix)) formats |= ZXing::BarcodeFormat::DataMatrix;
    if (wants(symbologies, Symbology::code128)) formats |= ZXing::BarcodeFormat::Code128;
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

ZXing::DecodeHints hints_for(const DecodeOptions& options, bool thorough, ZXing::Binarizer binarizer) {
    ZXing::DecodeHints hints;
    hints.setFormats(zxing_formats(options.symbologies));
    hints.setTryHarder(thorough);
    hints.setTryDownscale(thorough);
    hints.setTryRotate(wants(options.symbologies, Symbology::code128)); // 2D codes are found at any angle anyway
    hints.setBinarizer(binarizer);
    return hints;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Reading one attempt: ZXing's results as DecodedCodes in frame pixels
// -----------------------------------------------------------------------------------------------

// One way of looking at the frame: an image derived from it, and how its pixels map back.
struct Attempt {
    const char* name;
    cv::Mat image;                          // 8-bit gray
    double scale = 1.0;                     // attempt pixels per frame pixel
    cv::Point offset{0, 0};                 // of the attempt's origin in frame pixels
    ZXing::DecodeHints hints;
    std::optional<std::array<cv::Point2f, 4>> corners; // known corners in attempt pixels, instead of ZXing's
};

// The payload as text: the bytes themselves when they are UTF-8; ZXing's conversion when the code
// declares another character set (e.g. Shift-JIS or Latin-1 under an ECI); otherwise binary, with
// no text (pretix's "binary:<base64>" form is the caller's to make).
void set_text(DecodedCode& code, const ZXing::Result& result) {
    if (utf8::is_valid(code.bytes)) {
        code.text = code.bytes;
    } else if (result.contentType() == ZXing::ContentType::Text) {
        code.text = result.text();
    } else {
        code.binary = true;
    }
}

DecodedCode decoded_code(const ZXing::Result& result, const Attempt& attempt) {
    DecodedCode code;
    const ZXing::ByteArray& bytes = result.bytes();
    code.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    set_text(code, result);
    code.symbology = symbology_of(result.format());
    const auto& position = result.position();
    for (size_t i = 0; i < 4; ++i) {
        const cv::Point2f corner = attempt.corners ? (*attempt.corners)[i]
                                                   : cv::Point2f(static_cast<float>(position[i].x), static_cast<float>(position[i].y));
        code.corners[i] = PointF{static_cast<float>(corner.x / attempt.scale + attempt.offset.x),
                                 static_cast<float>(corner.y / attempt.scale + attempt.offset.y)};
    }
    return code;
}

// Runs one attempt (the caller checked the budget) and adds what it read to `out`; true when the
// frame now has a code. Only results ZXing verified count (error correction or a checksum), and a
// payload already read in this frame is not added twice.
bool read_attempt(const Attempt& attempt, FrameDecode& out) {
    ++out.attempts;
    const cv::Mat& image = attempt.image;
    const ZXing::ImageView view(image.data, image.cols, image.rows, ZXing::ImageFormat::Lum, static_cast<int>(image.step[0]));
    for (const ZXing::Result& result : ZXing::ReadBarcodes(view, attempt.hints)) {
        if (!result.isValid()) continue;
        DecodedCode code = decoded_code(result, attempt);
        const bool duplicate = std::any_of(out.codes.begin(), out.codes.end(),
                                           [&](const DecodedCode& other) { return other.bytes == code.bytes; });
        if (!duplicate) out.codes.push_back(std::move(code));
    }
    if (out.codes.empty()) return false;
    out.winning_attempt = attempt.name;
    return true;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The frame being searched: gray image, shared scaled copies, the budget's clock
// -----------------------------------------------------------------------------------------------

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

// The long side of the image most whole-frame attempts and the region finder work on.
constexpr int kSmallSide = 960;
// The long side of the "mid" attempt, between the small image and full resolution.
constexpr int kMidSide = 1400;
// Frames whose long side is at most this (720p) are never shrunk.
constexpr int kLargestUnshrunkSide = 1400;

class Session {
public:
    Session(const ImageView& frame, const DecodeOptions& options)
        : options_(options), started_(Clock::now()), gray_(gray_of(frame)) {}

    const cv::Mat& gray() const { return gray_; }
    double elapsed_ms() const { return ms_since(started_); }
    double budget_ms() const { return std::chrono::duration<double, std::milli>(options_.budget).count(); }
    std::chrono::microseconds elapsed() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    }

    // The scale that shrinks the frame so its long side is at most `max_side`. Frames up to
    // 1400 px (720p) are left alone: shrinking them by 3/4 costs more than decoding them whole
    // and blurs 2-3 px modules away, where halving 1080p is cheap and exact.
    double scale_for(int max_side) const {
        const int long_side = std::max(gray_.cols, gray_.rows);
        return long_side > std::max(max_side, kLargestUnshrunkSide) ? static_cast<double>(max_side) / long_side : 1.0;
    }
    // The frame at scale_for(max_side), made once per size: several attempts share it.
    const cv::Mat& downscaled(int max_side) {
        const double scale = scale_for(max_side);
        if (scale == 1.0) return gray_;
        cv::Mat& cached = downscaled_[max_side];
        if (cached.empty()) cv::resize(gray_, cached, cv::Size(), scale, scale, cv::INTER_AREA);
        return cached;
    }
    // Frames up to 720p are not shrunk (see scale_for); their modules are the ones that can be
    // too small to read.
    bool small_frame() const { return scale_for(kSmallSide) == 1.0; }

private:
    const DecodeOptions& options_;
    Clock::time_point started_;
    cv::Mat gray_;
    std::map<int, cv::Mat> downscaled_;
};

// -----------------------------------------------------------------------------------------------
// [SECTION] The attempt tables
// -----------------------------------------------------------------------------------------------

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

// Cheap whole-frame attempts, in this order. The first runs on every frame that the region of
// the last detection did not settle, and reads most codes; the others run in the whole-frame
// stage. A global threshold rescues gray-on-white print and small codes, a contrast stretch dim
// and washed-out frames. (`decode_bench --raw` records which attempt read each frame.)
constexpr AttemptSpec kCheapAttempts[] = {
    {"downscaled", Source::small, Prep::none, false, kLocal},
    {"downscaled_inverted", Source::small, Prep::invert, false, kLocal},   // dark mode
    {"downscaled_global", Source::small, Prep::none, false, kGlobal},
    {"stretched", Source::small, Prep::stretch, false, kLocal},
};

// Expensive whole-frame attempts, after the cheap ones. A frame whose budget ends part-way leaves
// a cursor and the next frame continues there: a code held still in hard light gets every
// strategy within a few frames.
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
// crop around a code is 10-20x smaller than the frame, so each costs a fraction of a whole-frame
// attempt. They rescue what the whole-frame attempts lose to one local defect: a highlight that
// washes out a finder pattern (adaptive threshold), 2-3 px modules softened by blur (upscaled),
// ink spread or thinned by a crumpled or covered code (Otsu, dilation), dim light (stretched,
// equalized, global threshold), a smooth highlight or shadow over the code (black-hat). The
// resampler (qr_resampler.h) reads QR codes on bent paper, in noise and in either polarity, so it
// comes right after the plain and inverted crops. Order: chosen on a training run of the corpus
// (seed 777, not the benchmark's frames), cheap and often useful first.
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

// -----------------------------------------------------------------------------------------------
// [SECTION] Preparations: the image operations attempts apply
// -----------------------------------------------------------------------------------------------

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
// -----------------------------------------------------------------------------------------------
// [SECTION] What a FrameDecoder remembers between frames
// -----------------------------------------------------------------------------------------------

// How long each kind of attempt takes per megapixel, preparation included, learnt as the
// decoder runs (a moving average), so the budget check skips an attempt that cannot finish in
// time. The starting values are rough costs on one core of the development machine; after a few
// frames the learnt ones take over.
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
        {"candidate_resampled", 1.5}, // ms per call, not per megapixel: see FrameSearch::candidate_megapixels
    };
};

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

} // namespace

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

// -----------------------------------------------------------------------------------------------
// [SECTION] One frame's search, stage by stage
// -----------------------------------------------------------------------------------------------

// The stages, in the order run() tries them; the first code found ends the search:
//   1. the region of the last detection, at full resolution (FrameDecoder only);
//   2. the first cheap attempt on the downscaled frame, which reads most codes;
//   3. on a still scene the full search has already been through: nothing more (idle);
//   4. candidate regions, each with several preparations, and the rest of the whole frame (the
//      other cheap attempts, then the thorough ones from the cursor); candidates first, but after
//      a frame that ran out of budget the other stage goes first.
// Attempts after the first are skipped when their learnt cost does not fit the time left; a
// cheaper one later in the list may still fit.
class FrameSearch {
public:
    FrameSearch(const ImageView& frame, const DecodeOptions& options, DecoderMemory& memory)
        : options_(options), memory_(memory), session_(frame, options) {}

    FrameDecode run(bool use_region) {
        if (use_region && read_last_region()) return finish();
        if (run_whole_frame_attempt(kCheapAttempts[0]) == Outcome::found) return finish();
        if (options_.idle_when_still && idles_on_still_scene()) {
            out_.idle = true;
            return finish();
        }
        search_candidates_and_whole_frame();
        return finish();
    }

private:
    enum class Outcome { found, missed, skipped };

    FrameDecode finish() {
        out_.elapsed = session_.elapsed();
        return std::move(out_);
    }

    // Stage 1. Where the code was a moment ago: a small crop at full resolution is cheap and sharp.
    bool read_last_region() {
        if (!memory_.region) return false;
        const cv::Mat& gray = session_.gray();
        const auto& r = *memory_.region;
        const cv::Rect rect = cv::Rect(r[0], r[1], r[2], r[3]) & cv::Rect(0, 0, gray.cols, gray.rows);
        if (rect.area() <= 0) return false;
        const cv::Mat crop = memory_.region_inverted ? inverted(gray(rect)) : gray(rect);
        return read_attempt({"region", crop, 1.0, rect.tl(), hints_for(options_, true, kLocal), {}}, out_);
    }

    // Stage 3. A still scene the full search has been through long enough for every attempt to
    // have had its turn (the cursors move on each frame): the cheap attempt of stage 2 is enough
    // to notice a code that appears, and the scene changing starts the full search again.
    bool idles_on_still_scene() {
        constexpr int kStillFramesBeforeIdle = 15; // half a second at 30 fps
        const bool still = memory_.still.same_as_before(session_.downscaled(kSmallSide));
        memory_.fruitless_still_frames = still ? memory_.fruitless_still_frames + 1 : 0;
        return memory_.fruitless_still_frames > kStillFramesBeforeIdle;
    }

    // Stage 4. A hard frame: both stages, in the order the previous hard frame left.
    void search_candidates_and_whole_frame() {
        const bool whole_frame_first = memory_.thorough_first;
        const bool found = whole_frame_first ? search_whole_frame() || search_candidate_regions()
                                             : search_candidate_regions() || search_whole_frame();
        // Swapped after a frame that ran out of budget, so a code held still in hard light gets
        // both stages within a few frames.
        if (!found && out_.budget_exhausted) memory_.thorough_first = !whole_frame_first;
    }

    // --- whole-frame attempts ---

    // The rest of the whole frame: the other cheap attempts, then the thorough ones from where
    // the previous frame's budget ran out. One that does not fit the time left is skipped, not
    // the end: a cheaper one may fit.
    bool search_whole_frame() {
        for (size_t i = 1; i < std::size(kCheapAttempts); ++i)
            if (run_whole_frame_attempt(kCheapAttempts[i]) == Outcome::found) return true;
        constexpr size_t kCount = std::size(kThoroughAttempts);
        std::optional<size_t> first_skipped;
        for (size_t i = 0; i < kCount; ++i) {
            const size_t index = (memory_.thorough_cursor + i) % kCount;
            const Outcome outcome = run_whole_frame_attempt(kThoroughAttempts[index]);
            if (outcome == Outcome::found) return true;
            if (outcome == Outcome::skipped && out_.budget_exhausted && !first_skipped) first_skipped = index;
        }
        memory_.thorough_cursor = first_skipped.value_or(0);
        return false;
    }

    // The size a whole-frame attempt works at: `max_side` 0 is full resolution.
    struct WholeFrameSize {
        int max_side = 0;
        double scale = 1.0;                 // attempt pixels per frame pixel
        double megapixels = 0;
    };

    // Nothing when the attempt does not apply to this frame: inverted ones when told not to try
    // them, "mid" when it would be the small image again, upscaling above 720p.
    std::optional<WholeFrameSize> whole_frame_size(const AttemptSpec& spec) const {
        if (is_inverted(spec.prep) && !options_.try_inverted) return std::nullopt;
        WholeFrameSize size;
        size.max_side = spec.source == Source::small ? kSmallSide : spec.source == Source::mid ? kMidSide : 0;
        size.scale = size.max_side == 0 ? 1.0 : session_.scale_for(size.max_side);
        if (spec.source == Source::mid && size.scale == 1.0) return std::nullopt;
        // Upscaling only pays where modules are a few pixels wide: frames up to 720p.
        if (spec.source == Source::upscaled && !session_.small_frame()) return std::nullopt;
        if (spec.source == Source::upscaled) size.scale = 2.0;
        size.megapixels = static_cast<double>(session_.gray().total()) * size.scale * size.scale / 1e6;
        return size;
    }

    cv::Mat whole_frame_image(const AttemptSpec& spec, const WholeFrameSize& size) {
        if (spec.source == Source::upscaled) {
            cv::Mat upscaled;
            cv::resize(session_.gray(), upscaled, cv::Size(), 2.0, 2.0, cv::INTER_LINEAR);
            return prepared(upscaled, spec.prep);
        }
        return prepared(size.max_side == 0 ? session_.gray() : session_.downscaled(size.max_side), spec.prep);
    }

    Outcome run_whole_frame_attempt(const AttemptSpec& spec) {
        const auto size = whole_frame_size(spec);
        if (!size) return Outcome::skipped;
        if (out_.attempts > 0 && over_budget(spec.name, size->megapixels)) {
            out_.budget_exhausted = true;
            return Outcome::skipped;
        }
        const auto started = Clock::now();
        const bool found = read_attempt({spec.name, whole_frame_image(spec, *size), size->scale, {},
                                         hints_for(options_, spec.thorough, spec.binarizer), {}},
                                        out_);
        memory_.costs.record(spec.name, size->megapixels, ms_since(started));
        return found ? Outcome::found : Outcome::missed;
    }

    // --- candidate regions ---

    // Crops of the regions that look like a code, at full resolution, each with several
    // preparations. The best candidate continues where the previous frame stopped; the others
    // start from the top of the table.
    bool search_candidate_regions() {
        std::optional<size_t> first_skipped; // on the best candidate: where the next frame continues
        bool best = true;
        for (const cv::Rect& rect : candidate_regions()) {
            if (run_candidate_attempts(rect, best ? memory_.candidate_cursor : 0, best ? &first_skipped : nullptr)) return true;
            best = false;
        }
        memory_.candidate_cursor = first_skipped.value_or(0);
        return false;
    }

    // The regions code_regions.h finds on the small image, in frame pixels, most code-like first.
    std::vector<cv::Rect> candidate_regions() {
        const cv::Mat& gray = session_.gray();
        const cv::Mat& small = session_.downscaled(kSmallSide);
        const double to_frame = static_cast<double>(gray.cols) / small.cols;
        const cv::Rect bounds(0, 0, gray.cols, gray.rows);
        std::vector<cv::Rect> regions;
        for (const cv::Rect& found : find_code_regions(small))
            regions.push_back(cv::Rect(static_cast<int>(found.x * to_frame), static_cast<int>(found.y * to_frame),
                                       static_cast<int>(found.width * to_frame), static_cast<int>(found.height * to_frame)) &
                              bounds);
        return regions;
    }

    // Every candidate attempt on one region, round the table from `first`. An attempt that does
    // not fit the time left is skipped; the first one skipped goes to `first_skipped` when given.
    bool run_candidate_attempts(const cv::Rect& rect, size_t first, std::optional<size_t>* first_skipped) {
        const cv::Mat crop = session_.gray()(rect);
        constexpr size_t kCount = std::size(kCandidateAttempts);
        for (size_t i = 0; i < kCount; ++i) {
            const size_t index = (first + i) % kCount;
            const CandidateSpec& spec = kCandidateAttempts[index];
            const double megapixels = candidate_megapixels(spec, rect);
            if (over_budget(spec.name, megapixels)) {
                out_.budget_exhausted = true;
                if (first_skipped && !*first_skipped) *first_skipped = index;
                continue;
            }
            const auto started = Clock::now();
            const bool found = spec.prep == Prep::resample ? read_resampled(spec, crop, rect) : read_prepared_crop(spec, crop, rect);
            memory_.costs.record(spec.name, megapixels, ms_since(started));
            if (found) return true;
        }
        return false;
    }

    // Crops of 720p frames are upscaled more: their modules are the smaller ones.
    double candidate_upscale() const { return session_.small_frame() ? 2.0 : 1.5; }

    // What the cost model counts for a candidate attempt: the pixels it works on, except for the
    // grid fit, whose cost follows the code's module count, not the crop's size: it is learnt per
    // call.
    double candidate_megapixels(const CandidateSpec& spec, const cv::Rect& rect) const {
        if (spec.prep == Prep::resample) return 1.0;
        const double scale = spec.upscaled ? candidate_upscale() : 1.0;
        return static_cast<double>(rect.area()) * scale * scale / 1e6;
    }

    bool read_prepared_crop(const CandidateSpec& spec, const cv::Mat& crop, const cv::Rect& rect) {
        const double scale = spec.upscaled ? candidate_upscale() : 1.0;
        cv::Mat source = crop;
        if (spec.upscaled) cv::resize(crop, source, cv::Size(), scale, scale, cv::INTER_CUBIC);
        return read_attempt({spec.name, prepared(source, spec.prep), scale, rect.tl(), hints_for(options_, true, spec.binarizer), {}},
                            out_);
    }

    // The grid fit renders its own images (per polarity and plausible version, straight from the
    // anchors and then fitted) and ZXing decodes them as pure codes. Its renderings count as one
    // attempt.
    bool read_resampled(const CandidateSpec& spec, const cv::Mat& crop, const cv::Rect& rect) {
        if (!wants(options_.symbologies, Symbology::qr)) return false;
        ZXing::DecodeHints pure = hints_for(options_, false, kLocal);
        pure.setFormats(ZXing::BarcodeFormat::QRCode).setIsPure(true);
        // The first rendering reads most of what the grid fit reads; the later ones rarely do, so
        // they get a few milliseconds, not the whole budget the preparations after it may need.
        constexpr double kResamplerMs = 5.0;
        const auto deadline = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(
                                                 std::min(kResamplerMs, session_.budget_ms() - session_.elapsed_ms()) * 1000));
        const int attempts_before = out_.attempts;
        const bool found = resample_qr(crop, deadline, [&](const ResampledQr& code) {
            return read_attempt({spec.name, code.image, 1.0, rect.tl(), pure, code.corners}, out_);
        });
        out_.attempts = attempts_before + 1;
        return found;
    }

    // Whether an attempt of `megapixels` would end after the frame's budget, at its learnt cost.
    bool over_budget(const char* attempt, double megapixels) const {
        return session_.elapsed_ms() + memory_.costs.expected_ms(attempt, megapixels) > session_.budget_ms();
    }

    const DecodeOptions& options_;
    DecoderMemory& memory_;
    Session session_;
    FrameDecode out_;
};

FrameDecode decode_with(const ImageView& frame, const DecodeOptions& options, DecoderMemory& memory, bool use_region) {
    if (frame.empty()) return {};
    return FrameSearch(frame, options, memory).run(use_region);
}

// The region to search first in the next frame: the code's bounding box, padded by half its size
// (and a little more) for the hand moving between frames.
std::array<int, 4> padded_region(const DecodedCode& code) {
    float min_x = code.corners[0].x, max_x = min_x;
    float min_y = code.corners[0].y, max_y = min_y;
    for (const PointF& corner : code.corners) {
        min_x = std::min(min_x, corner.x);
        max_x = std::max(max_x, corner.x);
        min_y = std::min(min_y, corner.y);
        max_y = std::max(max_y, corner.y);
    }
    const float pad = std::max(max_x - min_x, max_y - min_y) * 0.5f + 16.0f;
    return {static_cast<int>(min_x - pad), static_cast<int>(min_y - pad), static_cast<int>(max_x - min_x + 2 * pad),
            static_cast<int>(max_y - min_y + 2 * pad)};
}

// After a hit: where the first code was and in which polarity, and the scene is not idle.
void remember_hit(DecoderMemory& memory, const FrameDecode& hit) {
    memory.fruitless_still_frames = 0;
    // A hit in the region keeps the polarity it was searched with.
    if (hit.winning_attempt != "region") memory.region_inverted = hit.winning_attempt.find("inverted") != std::string::npos;
    memory.region = padded_region(hit.codes.front());
}

} // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Public API
// -----------------------------------------------------------------------------------------------

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
    remember_hit(*memory_, result);
    return result;
}

FrameDecode decode_image(const ImageView& image, const DecodeOptions& options) {
    // No region or cursors from earlier calls, but this thread's learnt costs carry over: they
    // describe the machine, not the images.
    static thread_local CostModel costs;
    DecoderMemory memory;
    memory.costs = costs;
    FrameDecode result = decode_with(image, options, memory, false);
    costs = memory.costs;
    return result;
}

} // namespace kiosk
