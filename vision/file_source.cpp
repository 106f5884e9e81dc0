// file:PATH: a recorded video played once or looped, paced at its own frame rate unless
// `realtime` is false (tests and benchmarks read it as fast as it decodes).
#include <filesystem>

#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "vision/frame_source_impl.h"

namespace kiosk::sources {
namespace {

// FFmpeg reads every container a kiosk meets. Letting OpenCV try all its backends instead makes a
// file that is not a video go through GStreamer, camera SDKs and image sequences, each logging
// errors (and leaking, in Debian's build) before the answer is the same "no".
int backend() { return cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG : cv::CAP_ANY; }

// Containers without a usable rate (broken headers, image sequences) play at the configured fps.
double rate_of(const cv::VideoCapture& capture, int fallback) {
    const double fps = capture.get(cv::CAP_PROP_FPS);
    return fps >= 1 && fps <= 1000 ? fps : fallback;
}

class VideoFileSource final : public FrameSource {
public:
    // Opened in place by open(): VideoCapture cannot be moved into a member.
    VideoFileSource(std::string path, const SourceOptions& options, int fallback_fps)
        : path_(std::move(path)), loop_(options.loop), realtime_(options.realtime), fallback_fps_(fallback_fps) {}

    // Nothing, or why the file cannot be played.
    std::expected<void, std::string> open() {
        try {
            capture_.open(path_, backend());
        } catch (const cv::Exception& e) {
            return std::unexpected(path_ + ": " + e.what());
        }
        if (!capture_.isOpened()) return std::unexpected(path_ + ": cannot open as a video");
        const double fps = rate_of(capture_, fallback_fps_);
        pacer_ = Pacer(fps);
        clock_ = FrameClock(realtime_, fps);
        size_ = std::to_string(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH))) + "x" +
                std::to_string(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT)));
        return {};
    }

    std::optional<Frame> next() override {
        if (state_ != SourceState::running) return std::nullopt;
        if (realtime_ && !pacer_.frame_due()) return std::nullopt;
        cv::Mat mat;
        if (!read(mat)) {
            if (!loop_ || frames_this_pass_ == 0) {
                finish();
                return std::nullopt;
            }
            // Rewind by reopening: seeking is unreliable across containers and codecs.
            capture_.release();
            frames_this_pass_ = 0;
            if (!reopen() || !read(mat)) {
                finish();
                return std::nullopt;
            }
        }
        auto image = image_of_mat(mat);
        if (!image) {
            state_ = SourceState::failed;
            error_ = path_ + ": unsupported pixel format";
            return std::nullopt;
        }
        ++frames_this_pass_;
        const int64_t index = index_++;
        return Frame{std::move(*image), clock_.stamp(index), index};
    }

    SourceState state() const override { return state_; }
    std::string last_error() const override { return error_; }
    std::string describe() const override {
        return "file:" + path_ + " " + size_ + " " + std::to_string(static_cast<int>(pacer_.fps() + 0.5)) + "fps" +
               (loop_ ? " loop" : "");
    }

private:
    bool reopen() {
        try {
            return capture_.open(path_, backend());
        } catch (const cv::Exception&) {
            return false; // the file vanished or changed between passes: the loop ends
        }
    }

    bool read(cv::Mat& mat) {
        try {
            return capture_.read(mat) && !mat.empty();
        } catch (const cv::Exception&) {
            return false; // a corrupt packet ends the video like its end would
        }
    }

    void finish() {
        if (index_ == 0) {
            state_ = SourceState::failed;
            error_ = path_ + ": no frame could be read (not a video, or a codec this build lacks)";
        } else {
            state_ = SourceState::finished;
        }
    }

    std::string path_;
    bool loop_, realtime_;
    int fallback_fps_;
    cv::VideoCapture capture_;
    Pacer pacer_{30};
    FrameClock clock_{true, 30};
    std::string size_;
    SourceState state_ = SourceState::running;
    std::string error_;
    int64_t index_ = 0;                     // frames since open, across loops
    int64_t frames_this_pass_ = 0;
};

} // namespace

OpenResult open_video_file(const std::string& path, const SourceOptions& options) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) return std::unexpected(path + ": no such file");
    if (std::filesystem::is_directory(path, ignored)) return std::unexpected(path + " is a folder (use images:" + path + ")");
    auto source = std::make_unique<VideoFileSource>(path, options, options.fps);
    if (auto opened = source->open(); !opened) return std::unexpected(opened.error());
    return source;
}

} // namespace kiosk::sources
