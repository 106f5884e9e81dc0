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
std::expected<void, std::string> apply_query(std::string_view query, SourceOptions& options) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        const auto bad = [&] { return std::unexpected("bad value for " + std::string(key) + ": \"" + std::string(value) + "\""); };
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
            return std::unexpected("unknown option \"" + std::string(key) + "\" (known: loop, realtime, width, height, fps, fourcc, seed)");
        }
    }
    return {};
}

// A URI taken apart: "scheme:argument?query", the query already applied to the options.
struct SourceUri {
    std::string scheme;
    std::string argument;
    SourceOptions options;
};

std::expected<SourceUri, std::string> parse_uri(const std::string& uri, SourceOptions options) {
    const size_t colon = uri.find(':');
    if (colon == std::string::npos || colon == 0)
        return std::unexpected(std::string("expected scheme:argument (camera:0, camera:/dev/video2, file:PATH, images:DIR, demo:)"));
    SourceUri parsed{uri.substr(0, colon), uri.substr(colon + 1), std::move(options)};
    // A '?' starts the options, unless the whole argument names an existing file (paths may
    // contain one).
    std::error_code ignored;
    const size_t question = parsed.argument.rfind('?');
    if (question != std::string::npos && !std::filesystem::exists(parsed.argument, ignored)) {
        if (auto applied = apply_query(std::string_view(parsed.argument).substr(question + 1), parsed.options); !applied)
            return std::unexpected(applied.error());
        parsed.argument.resize(question);
    }
    return parsed;
}

// Limits every source shares; a camera or demo picture also needs a sane size (files and stills
// have their own).
std::expected<void, std::string> check_options(const SourceUri& uri) {
    const SourceOptions& options = uri.options;
    if (options.fps < 1 || options.fps > 1000)
        return std::unexpected("fps must be between 1 and 1000, not " + std::to_string(options.fps));
    const bool sized = uri.scheme == "camera" || uri.scheme == "demo";
    if (sized && (options.width < 16 || options.height < 16 || options.width > 7680 || options.height > 4320))
        return std::unexpected("size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
                               " is outside 16x16 .. 7680x4320");
    return {};
}

sources::OpenResult open_camera_uri(const SourceUri& uri) {
    const std::string& device = uri.argument;
    if (device.empty()) return std::unexpected(std::string("camera: needs a device number or path (camera:0, camera:/dev/video2)"));
    if (uri.options.fourcc.size() != 4)
        return std::unexpected("fourcc must be four characters (MJPG, YUYV), not \"" + uri.options.fourcc + "\"");
    const bool is_number = parse_int(device, 0, 1023).has_value();
    if (!is_number && device.front() != '/')
        return std::unexpected("camera: expects a device number or an absolute device path, not \"" + device + "\"");
    return sources::open_camera(device, uri.options);
}

sources::OpenResult open_uri(const SourceUri& uri) {
    if (uri.scheme == "camera") return open_camera_uri(uri);
    if (uri.scheme == "file") {
        if (uri.argument.empty()) return std::unexpected(std::string("file: needs a path to a video file"));
        return sources::open_video_file(uri.argument, uri.options);
    }
    if (uri.scheme == "images") {
        if (uri.argument.empty()) return std::unexpected(std::string("images: needs a folder of images"));
        return sources::open_image_folder(uri.argument, uri.options);
    }
    if (uri.scheme == "demo") {
        if (!uri.argument.empty())
            return std::unexpected("demo: takes no argument, only options (demo:?seed=2), not \"" + uri.argument + "\"");
        return sources::open_demo(uri.options);
    }
    return std::unexpected("unknown frame source \"" + uri.scheme + ":\" (camera:, file:, images:, demo:)");
}

sources::OpenResult open_checked(const std::string& uri, const SourceOptions& options) {
    const auto parsed = parse_uri(uri, options);
    if (!parsed) return std::unexpected(parsed.error());
    if (const auto checked = check_options(*parsed); !checked) return std::unexpected(checked.error());
    return open_uri(*parsed);
}

} // namespace

std::expected<std::unique_ptr<FrameSource>, std::string> open_frame_source(const std::string& uri, const SourceOptions& options) {
    // Sources report trouble as values; OpenCV may still throw (e.g. out of memory, a broken
    // codec), and a bad config line must never take the kiosk down.
    try {
        auto result = open_checked(uri, options);
        if (!result) return std::unexpected("frame source \"" + uri + "\": " + result.error());
        return result;
    } catch (const std::exception& e) {
        return std::unexpected("frame source \"" + uri + "\": " + e.what());
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
