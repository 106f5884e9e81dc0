// Private to vision/: the concrete frame sources behind open_frame_source() and the pieces they
// share. Each source lives in its own file (camera_source.cpp, file_source.cpp,
// image_folder_source.cpp, demo_source.cpp); frame_source.cpp parses the URI and picks one.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core/mat.hpp>

#include "vision/frame_source.h"

namespace kiosk::sources {

// The source, or why it cannot be opened (one line; open_frame_source adds the URI).
using OpenResult = std::expected<std::unique_ptr<FrameSource>, std::string>;

// `device` is a number ("0") or a device path ("/dev/video2"), already checked by the caller.
OpenResult open_camera(const std::string& device, const SourceOptions& options);
OpenResult open_video_file(const std::string& path, const SourceOptions& options);
OpenResult open_image_folder(const std::string& directory, const SourceOptions& options);
OpenResult open_demo(const SourceOptions& options);

// The longest a next() call may sleep, so the pipeline's stop() never waits on a source for long.
inline constexpr std::chrono::milliseconds kMaxNextSleep{100};

// Paces a source at `fps` like a real device. Sleeps at most kMaxNextSleep per call; a source
// whose frame is not due yet returns nullopt (still running) and is asked again. A late source
// does not burst to catch up: the schedule restarts from now (after a pause or a stop()).
class Pacer {
public:
    explicit Pacer(double fps);
    bool frame_due();                       // true: produce a frame now
    double fps() const { return fps_; }

private:
    double fps_;
    std::chrono::steady_clock::duration period_;
    std::optional<std::chrono::steady_clock::time_point> due_;
};

// When a frame was "captured". Realtime sources stamp the wall clock. A source played as fast as
// possible (realtime = false) stamps its own timeline instead (open time + index / fps), so that
// time-based logic downstream (dedupe's "left the view", repeat_after) sees the recording's
// timing rather than how fast this machine happens to read it.
class FrameClock {
public:
    FrameClock(bool realtime, double fps);
    std::chrono::steady_clock::time_point stamp(int64_t index) const;

private:
    bool realtime_;
    double fps_;
    std::chrono::steady_clock::time_point origin_;
};

// An owned copy of a decoded cv::Mat as gray8 or bgr24 (BGRA and 16-bit images are converted);
// nullopt for anything else. Always a copy: VideoCapture reuses its output buffer on the next
// read, and the frame outlives that (it crosses to the decode thread and the preview).
std::optional<Image> image_of_mat(const cv::Mat& mat);

} // namespace kiosk::sources
