// USB handheld scanners that pretend to be keyboards: they "type" the code fast and press Enter.
// The UI feeds every text key press here (with its time); a burst of fast keystrokes ending in
// Enter becomes a ScanEvent, while a person typing (slow, irregular) is left alone.
//
// A scanner's burst is not always even: a Bluetooth link or a starved X client can hold its keys
// back for a few hundred ms in the middle. A pause after keys that came at a scanner's pace is
// therefore taken as the machine's (up to max_scanner_stall) and the burst goes on; a pause after
// a person's keys ends their burst at max_stall, as before.
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
    // The longest pause inside a burst whose keys so far came at a scanner's pace (or before its
    // Enter): no person types two keys that fast and then waits this long to go on.
    std::chrono::milliseconds max_scanner_stall{800};
    size_t min_length = 4;                       // shorter bursts are stray keys
    size_t max_length = 4096;
};

class KeyboardWedge {
public:
    explicit KeyboardWedge(WedgeOptions options = {}) : options_(options) {}
    // Text typed by one key press (UTF-8, usually one character) at time `when`. Returns false when
    // this key starts a new burst: the keys before it were a person's (or stray), not a scan's.
    bool on_text(std::string_view text, std::chrono::steady_clock::time_point when);
    // Enter (or Tab, which some scanners send) at `when`: returns the scan if the burst qualifies.
    std::optional<ScanEvent> on_enter(std::chrono::steady_clock::time_point when);
    // True while the keys so far came at a scanner's pace and its next key (or Enter) may still come
    // at `now`: the UI holds them back from the focused field until then.
    bool expects_more(std::chrono::steady_clock::time_point now) const;
    void reset();

private:
    bool at_scanner_pace() const;
    WedgeOptions options_;
    std::string buffer_;
    std::chrono::steady_clock::time_point first_key_{}, last_key_{};
    std::chrono::steady_clock::duration stalled_{};   // pauses excused as the machine's, left out of the pace
    bool overflowed_ = false;               // this burst outgrew max_length: a paste or a stuck key
};

} // namespace kiosk
