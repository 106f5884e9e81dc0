// A code held in front of the camera is read thirty times a second; the kiosk must act once.
// A repeat of the same code is suppressed until the code has left the view (not seen for
// `gone_after`) or `repeat_after` has passed, so an attendee who steps back and scans again
// still gets an answer.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace kiosk {

struct DedupeOptions {
    std::chrono::milliseconds gone_after{700};
    std::chrono::milliseconds repeat_after{5000};
};

class Deduplicator {
public:
    using Clock = std::chrono::steady_clock;
    explicit Deduplicator(DedupeOptions options = {}) : options_(options) {}
    // True when this sighting of `code` should become a scan event.
    bool admit(const std::string& code, Clock::time_point now);

private:
    struct Sighting {
        Clock::time_point first_reported, last_seen;
    };
    DedupeOptions options_;
    std::map<std::string, Sighting> seen_;
};

} // namespace kiosk
