#include "vision/keyboard_wedge.h"

#include "kiosk/core/text.h"

namespace kiosk {

void KeyboardWedge::on_text(std::string_view text, std::chrono::steady_clock::time_point when) {
    if (buffer_.empty()) {
        first_key_ = when;
        too_slow_ = false;
    } else if (when - last_key_ > options_.max_key_gap) {
        // A human typing: start over from this key, a scanner burst may still follow.
        buffer_.clear();
        first_key_ = when;
    }
    last_key_ = when;
    if (buffer_.size() + text.size() > options_.max_length) {
        too_slow_ = true; // longer than any code: a stuck key or a paste, not a scan
        return;
    }
    buffer_.append(text);
}

std::optional<ScanEvent> KeyboardWedge::on_enter(std::chrono::steady_clock::time_point when) {
    const bool qualifies = !too_slow_ && buffer_.size() >= options_.min_length && when - last_key_ <= options_.max_key_gap;
    std::optional<ScanEvent> event;
    if (qualifies) {
        event.emplace();
        event->bytes = buffer_;
        event->text = printable_scan(buffer_);
        event->origin = ScanOrigin::keyboard_wedge;
        event->captured = first_key_;
    }
    reset();
    return event;
}

void KeyboardWedge::reset() {
    buffer_.clear();
    too_slow_ = false;
}

} // namespace kiosk
