// open_frame_source(): the URI grammar, and the pacing / copying helpers every source shares.
//
//   camera:0  camera:/dev/video2    file:PATH    images:DIR    demo:
//   optional query: ?loop=1&realtime=0&width=1280&height=720&fps=30&fourcc=YUYV&seed=7
//
// Query values override the SourceOptions the caller passed, so one config string can say
// everything ("camera:/dev/video2?width=1280&height=720&fourcc=YUYV").
#include "vision/frame_source.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <system_error>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "image/opencv.h"
#include "vision/frame_source_impl.h"

namespace kiosk {
namespace {

std::optional<int> parse_int(std::string_view text, int min, int max) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off") return false;
    return std::nullopt;
}

// Applies "key=value&key=value" to `options`; an error message names the first bad pair.
std::optional<std::string> apply_query(std::string_view query, SourceOptions& options) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        const auto bad = [&] { return "bad value for " + std::string(key) + ": \"" + std::string(value) + "\""; };
        if (key == "loop" || key == "realtime") {
            const auto flag = parse_bool(value);
            if (!flag) return bad();
            (key == "loop" ? options.loop : options.realtime) = *flag;
        } else if (key == "width" || key == "height") {
            const auto number = parse_int(value, 16, 16384);
            if (!number) return bad();
            (key == "width" ? options.width : options.height) = *number;
        } else if (key == "fps") {
            const auto number = parse_int(value, 1, 1000);
            if (!number) return bad();
            options.fps = *number;
        } else if (key == "fourcc") {
            if (value.size() != 4) return bad();
            options.fourcc = std::string(value);
        } else if (key == "seed") {
            const auto number = parse_int(value, 0, std::numeric_limits<int>::max());
            if (!number) return bad();
            options.demo_seed = static_cast<uint32_t>(*number);
        } else {
            return "unknown option \"" + std::string(key) + "\" (known: loop, realtime, width, height, fps, fourcc, seed)";
        }
    }
    return std::nullopt;
}

sources::OpenResult open_checked(const std::string& uri, SourceOptions options) {
    const size_t colon = uri.find(':');
    if (colon == std::string::npos || colon == 0)
        return std::string("expected scheme:argument (camera:0, camera:/dev/video2, file:PATH, images:DIR, demo:)");
    const std::string scheme = uri.substr(0, colon);
    std::string argument = uri.substr(colon + 1);

    // A '?' starts the options, unless the whole argument names an existing file (paths may
    // contain one).
    std::error_code ignored;
    const size_t question = argument.rfind('?');
    if (question != std::string::npos && !std::filesystem::exists(argument, ignored)) {
        if (auto error = apply_query(std::string_view(argument).substr(question + 1), options)) return *error;
        argument.resize(question);
    }
    if (options.fps < 1 || options.fps > 1000) return "fps must be between 1 and 1000, not " + std::to_string(options.fps);
    const bool sized = scheme == "camera" || scheme == "demo"; // files and stills have their own size
    if (sized && (options.width < 16 || options.height < 16 || options.width > 7680 || options.height > 4320))
        return "size " + std::to_string(options.width) + "x" + std::to_string(options.height) + " is outside 16x16 .. 7680x4320";

    if (scheme == "camera") {
        if (argument.empty()) return std::string("camera: needs a device number or path (camera:0, camera:/dev/video2)");
        if (options.fourcc.size() != 4) return "fourcc must be four characters (MJPG, YUYV), not \"" + options.fourcc + "\"";
        const bool is_number = parse_int(argument, 0, 1023).has_value();
        if (!is_number && argument.front() != '/')
            return "camera: expects a device number or an absolute device path, not \"" + argument + "\"";
        return sources::open_camera(argument, options);
    }
    if (scheme == "file") {
        if (argument.empty()) return std::string("file: needs a path to a video file");
        return sources::open_video_file(argument, options);
    }
    if (scheme == "images") {
        if (argument.empty()) return std::string("images: needs a folder of images");
        return sources::open_image_folder(argument, options);
    }
    if (scheme == "demo") {
        if (!argument.empty()) return "demo: takes no argument, only options (demo:?seed=2), not \"" + argument + "\"";
        return sources::open_demo(options);
    }
    return "unknown frame source \"" + scheme + ":\" (camera:, file:, images:, demo:)";
}

} // namespace

std::variant<std::unique_ptr<FrameSource>, std::string> open_frame_source(const std::string& uri, const SourceOptions& options) {
    // Sources report trouble as values; OpenCV may still throw (e.g. out of memory, a broken
    // codec), and a bad config line must never take the kiosk down.
    try {
        auto result = open_checked(uri, options);
        if (auto* error = std::get_if<std::string>(&result)) return "frame source \"" + uri + "\": " + *error;
        return result;
    } catch (const std::exception& e) {
        return "frame source \"" + uri + "\": " + e.what();
    }
}

namespace sources {

Pacer::Pacer(double fps)
    : fps_(fps > 0 ? fps : 30),
      period_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(1.0 / fps_))) {}

bool Pacer::frame_due() {
    using Clock = std::chrono::steady_clock;
    auto now = Clock::now();
    if (!due_) due_ = now;
    if (now < *due_) {
        std::this_thread::sleep_for(std::min<Clock::duration>(*due_ - now, kMaxNextSleep));
        now = Clock::now();
        if (now < *due_) return false;
    }
    // More than a period late (the consumer paused, or the pipeline was stopped): restart the
    // schedule instead of bursting out the frames we "owe".
    *due_ = now - *due_ > period_ ? now + period_ : *due_ + period_;
    return true;
}

FrameClock::FrameClock(bool realtime, double fps)
    : realtime_(realtime), fps_(fps > 0 ? fps : 30), origin_(std::chrono::steady_clock::now()) {}

std::chrono::steady_clock::time_point FrameClock::stamp(int64_t index) const {
    if (realtime_) return std::chrono::steady_clock::now();
    return origin_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(static_cast<double>(index) / fps_));
}

std::optional<Image> image_of_mat(const cv::Mat& mat) {
    if (mat.empty()) return std::nullopt;
    cv::Mat converted;
    const cv::Mat* source = &mat;
    if (mat.depth() == CV_16U) {
        mat.convertTo(converted, CV_8U, 1.0 / 256);
        source = &converted;
    }
    if (source->channels() == 4) {
        cv::Mat bgr;
        cv::cvtColor(*source, bgr, cv::COLOR_BGRA2BGR);
        converted = bgr;
        source = &converted;
    }
    const auto view = view_of(*source);
    if (!view || view->empty()) return std::nullopt;
    return Image::copy_of(*view);
}

} // namespace sources
} // namespace kiosk
