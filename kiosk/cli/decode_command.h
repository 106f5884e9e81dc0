// `kioskctl decode PATH...`: images, folders of images and video files through the kiosk's
// decoder, one JSON line per image or frame: {"file", "frame", "text" | "error", "ms"}.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "vision/decoder.h"

namespace kiosk::cli {

struct DecodeCommand {
    std::vector<std::string> paths;
    DecodeOptions options;
    bool every_frame = true;                // videos: a line for every frame, also those without a code
};

// Prints the lines and returns the exit code: 0 when at least one code was read, 1 when none
// was, 2 when a path could not be read at all (the other paths are still decoded).
int run_decode(const DecodeCommand& command);

} // namespace kiosk::cli
