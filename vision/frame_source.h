// Where frames come from, chosen by a URI in the config or on the command line:
//   camera:0  camera:/dev/video2          a V4L2 camera through OpenCV (reconnects when replugged)
//   file:PATH[?loop=1]                    a video file, played once or looped
//   images:DIR                            a folder of stills (png, jpg, bmp, webp, tiff, pgm, ppm), in name order
//   demo:                                 a synthetic camera showing demo tickets as moving QR codes
// Any of them may end in options that override SourceOptions: ?loop=1&realtime=0&width=1280&height=720
// &fps=30&fourcc=YUYV&seed=7.
//
// Thread rule: a FrameSource is used by one thread at a time (the pipeline's capture thread).
// next() blocks until a frame is available; it paces itself like the real device (a file plays
// at its frame rate unless `realtime` is false). It waits ~100 ms at most (a stalled V4L2 camera
// excepted), so the pipeline can stop promptly: nullopt while state() is running means "not yet".
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/image.h"

namespace kiosk {

struct Frame {
    Image image;                            // bgr24 or gray8
    std::chrono::steady_clock::time_point captured{};  // realtime = false: the source's own timeline (open + index / fps)
    int64_t index = 0;                      // frame number since the source opened
};

enum class SourceState {
    running,
    reconnecting,                           // camera unplugged or stalled; retrying by itself
    finished,                               // a file or folder played once reached its end
    failed,                                 // cannot work at all (bad path, no such device)
};

struct SourceOptions {
    int width = 1920;                       // camera: requested resolution; demo: picture size (1280x720 if left at 1920x1080)
    int height = 1080;
    int fps = 30;
    std::string fourcc = "MJPG";            // camera: "MJPG" or "YUYV"
    bool loop = false;                      // file:, images:
    bool realtime = true;                   // file:, images:, demo: pace frames at `fps`
    std::vector<std::string> demo_texts;    // demo: the ticket secrets to show
    uint32_t demo_seed = 1;
};

class FrameSource {
public:
    virtual ~FrameSource() = default;
    // The next frame, or nullopt when none is available now (state() says why: finished,
    // failed, reconnecting). Never throws for device trouble.
    virtual std::optional<Frame> next() = 0;
    virtual SourceState state() const = 0;
    virtual std::string describe() const = 0;   // for the staff panel: "camera:/dev/video0 1920x1080 MJPG"
    virtual std::string last_error() const = 0; // empty when all is well
};

// Opens the source a URI names, or explains in one line, naming the URI, why it cannot.
std::expected<std::unique_ptr<FrameSource>, std::string> open_frame_source(const std::string& uri,
                                                                           const SourceOptions& options = {});

} // namespace kiosk
