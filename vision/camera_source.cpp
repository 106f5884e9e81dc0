// camera:N and camera:/dev/videoN: a V4L2 camera through OpenCV's VideoCapture.
//
// Kiosk cameras get unplugged, knocked loose and replugged by staff. A lost camera is not an
// error the kiosk stops on: the source goes to `reconnecting`, releases the device and tries to
// open it again about once a second, and the pipeline keeps running meanwhile. A camera absent at
// start-up is the same case (plugged in later).
//
// Blocking: a healthy camera returns a frame every 1/fps. A camera that stalls without
// disappearing blocks inside OpenCV's V4L2 select() for up to its timeout (10 s by default, set
// OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT=<seconds> in the environment to shorten it; OpenCV reads it
// once at load time, so it cannot be changed from here).
#include <chrono>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include <opencv2/videoio.hpp>

#include "vision/frame_source_impl.h"

namespace kiosk::sources {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kRetryEvery{1};
// A single bad read (one corrupt MJPG frame) is not an unplug; a few in a row are.
constexpr int kFailuresBeforeLost = 3;

std::string fourcc_text(int code) {
    std::string text;
    for (int shift = 0; shift < 32; shift += 8) {
        const char c = static_cast<char>((code >> shift) & 0xFF);
        if (c >= 32 && c < 127) text.push_back(c);
    }
    return text;
}

class CameraSource final : public FrameSource {
public:
    CameraSource(std::string device, SourceOptions options) : device_(std::move(device)), options_(std::move(options)) {
        node_ = device_.front() == '/' ? device_ : "/dev/video" + device_;
        if (!try_open()) {
            state_ = SourceState::reconnecting;
            next_attempt_ = Clock::now() + kRetryEvery;
        }
    }

    std::optional<Frame> next() override {
        if (state_ == SourceState::running) return read();
        const auto now = Clock::now();
        if (now < next_attempt_) {
            std::this_thread::sleep_for(std::min<Clock::duration>(next_attempt_ - now, kMaxNextSleep));
            return std::nullopt;
        }
        next_attempt_ = now + kRetryEvery;
        try_open(); // on success the next call reads; a read here could block past kMaxNextSleep
        return std::nullopt;
    }

    SourceState state() const override { return state_; }
    std::string last_error() const override { return error_; }
    std::string describe() const override {
        std::string text = "camera:" + device_ + " " + (negotiated_.empty() ? requested() : negotiated_);
        if (state_ == SourceState::reconnecting) text += " (reconnecting)";
        return text;
    }

private:
    std::string requested() const {
        return std::to_string(options_.width) + "x" + std::to_string(options_.height) + " " + options_.fourcc + " " +
               std::to_string(options_.fps) + "fps";
    }

    bool try_open() {
        // Checking the node first keeps OpenCV from logging a warning every second while the
        // camera is unplugged, and gives staff a message that says what to do.
        std::error_code ignored;
        if (!std::filesystem::exists(node_, ignored)) {
            error_ = "camera " + node_ + ": no such device (unplugged?); retrying every second";
            return false;
        }
        if (::access(node_.c_str(), R_OK | W_OK) != 0) {
            error_ = "camera " + node_ + ": permission denied (is the kiosk user in the video group?); retrying";
            return false;
        }
        try {
            const bool opened = device_.front() == '/' ? capture_.open(device_, cv::CAP_V4L2)
                                                       : capture_.open(std::stoi(device_), cv::CAP_V4L2);
            if (!opened) {
                error_ = "camera " + node_ + ": cannot open (in use by another program, or not a capture device); retrying";
                return false;
            }
            // FOURCC before the size: V4L2 drivers offer different sizes per pixel format.
            const auto& f = options_.fourcc;
            capture_.set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc(f[0], f[1], f[2], f[3]));
            capture_.set(cv::CAP_PROP_FRAME_WIDTH, options_.width);
            capture_.set(cv::CAP_PROP_FRAME_HEIGHT, options_.height);
            capture_.set(cv::CAP_PROP_FPS, options_.fps);
            negotiated_ = std::to_string(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH))) + "x" +
                          std::to_string(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT))) + " " +
                          fourcc_text(static_cast<int>(capture_.get(cv::CAP_PROP_FOURCC))) + " " +
                          std::to_string(static_cast<int>(capture_.get(cv::CAP_PROP_FPS))) + "fps";
        } catch (const cv::Exception& e) {
            capture_.release();
            error_ = "camera " + node_ + ": " + e.what();
            return false;
        }
        state_ = SourceState::running;
        error_.clear();
        failures_ = 0;
        return true;
    }

    std::optional<Frame> read() {
        cv::Mat mat;
        bool ok = false;
        try {
            ok = capture_.read(mat);
        } catch (const cv::Exception&) {
            ok = false;
        }
        if (ok) {
            if (auto image = image_of_mat(mat)) {
                failures_ = 0;
                return Frame{std::move(*image), Clock::now(), index_++};
            }
        }
        std::error_code ignored;
        if (++failures_ < kFailuresBeforeLost && std::filesystem::exists(node_, ignored)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10)); // no busy loop on a flaky device
            return std::nullopt;
        }
        capture_.release();
        state_ = SourceState::reconnecting;
        error_ = "camera " + node_ + " stopped delivering frames (unplugged?); reconnecting";
        next_attempt_ = Clock::now() + kRetryEvery;
        return std::nullopt;
    }

    std::string device_;                    // as written in the URI: "0" or "/dev/video2"
    std::string node_;                      // the device file either way
    SourceOptions options_;
    cv::VideoCapture capture_;
    SourceState state_ = SourceState::running;
    std::string error_;
    std::string negotiated_;                // what the driver actually gave us
    Clock::time_point next_attempt_{};
    int failures_ = 0;
    int64_t index_ = 0;
};

} // namespace

OpenResult open_camera(const std::string& device, const SourceOptions& options) {
    std::error_code ignored;
    if (device.front() == '/' && std::filesystem::exists(device, ignored) && !std::filesystem::is_character_file(device, ignored))
        return std::unexpected(device + " is not a video device");
    return std::make_unique<CameraSource>(device, options);
}

} // namespace kiosk::sources
