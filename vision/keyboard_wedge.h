// USB handheld scanners that pretend to be keyboards: they "type" the code fast and press Enter.
// The UI feeds every text key press here (with its time); a burst of fast keystrokes ending in
// Enter becomes a ScanEvent, while a person typing (slow, irregular) is left alone.
//
// Thread rule: one thread (the UI thread) feeds and polls it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "vision/scan_event.h"

namespace kiosk {

struct WedgeOptions {
    std::chrono::milliseconds max_key_gap{50};  // a burst's mean gap: scanners type a key every few ms; humans ~150 ms
    // One gap this long may sit inside a burst: the keys reach us through a busy X server and a
    // frame loop that can stall for a frame or two. Longer is a pause: the burst starts over.
    std::chrono::milliseconds max_stall{150};
    size_t min_length = 4;                       // shorter bursts are stray keys
    size_t max_length = 4096;
};

class KeyboardWedge {
public:
    explicit KeyboardWedge(WedgeOptions options = {}) : options_(options) {}
    // Text typed by one key press (UTF-8, usually one character) at time `when`.
    void on_text(std::string_view text, std::chrono::steady_clock::time_point when);
    // Enter (or Tab, which some scanners send) at `when`: returns the scan if the burst qualifies.
    std::optional<ScanEvent> on_enter(std::chrono::steady_clock::time_point when);
    void reset();

private:
    WedgeOptions options_;
    std::string buffer_;
    std::chrono::steady_clock::time_point first_key_{}, last_key_{};
    bool overflowed_ = false;               // this burst outgrew max_length: a paste or a stuck key
};

} // namespace kiosk
