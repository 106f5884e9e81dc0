// What the vision side hands the UI: one read of one code, from the camera or a handheld scanner.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "vision/decoder.h"

namespace kiosk {

enum class ScanOrigin { camera, keyboard_wedge };

struct ScanEvent {
    std::string bytes;                      // raw payload, the input to the decision engine
    std::string text;                       // the payload as UTF-8 text; empty when `binary`
    bool binary = false;                    // not text (pretix shows these as "binary:<base64>")
    ScanOrigin origin = ScanOrigin::camera;
    Symbology symbology = Symbology::qr;
    std::array<PointF, 4> corners{};        // camera only: where the code was in the frame
    std::chrono::steady_clock::time_point captured{};  // when the frame (or first keystroke) arrived
    std::chrono::microseconds decode_time{0};
};

} // namespace kiosk
