#include "vision/keyboard_wedge.h"

#include "image/utf8.h"

namespace kiosk {
namespace {

// min_length is about key presses: "éé" is two stray keys, not four bytes of a code.
size_t key_count(const std::string& text) {
    size_t count = 0;
    for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0; // skip continuation bytes
    return count;
}

} // namespace

bool KeyboardWedge::on_text(std::string_view text, std::chrono::steady_clock::time_point when) {
    const auto gap = when - last_key_;
    const bool continues = !buffer_.empty() && !overflowed_ &&
                           (gap <= options_.max_stall || (gap <= options_.max_scanner_stall && at_scanner_pace()));
    if (continues && gap > options_.max_stall) {
        stalled_ += gap;                    // the machine held a scanner's keys back: not the pace
    } else if (!continues && (gap > options_.max_stall || (buffer_.empty() && !overflowed_))) {
        // A pause (or the first key): start over from this key, a scanner burst may still follow.
        // That includes forgetting an overlong burst, or the scan after a stuck key would be lost.
        buffer_.clear();
        first_key_ = when;
        stalled_ = {};
        overflowed_ = false;
    }
    last_key_ = when;
    if (buffer_.size() + text.size() > options_.max_length) {
        overflowed_ = true; // longer than any code: a stuck key or a paste, not a scan
        return continues;
    }
    buffer_.append(text);
    return continues;
}

std::optional<ScanEvent> KeyboardWedge::on_enter(std::chrono::steady_clock::time_point when) {
    // Fast on average (a scanner), ending in Enter without a person's pause; stalls along the way
    // are the machine's, not the typist's.
    const bool qualifies = !overflowed_ && key_count(buffer_) >= options_.min_length && at_scanner_pace() &&
                           when - last_key_ <= options_.max_scanner_stall;
    std::optional<ScanEvent> event;
    if (qualifies) {
        event.emplace();
        event->bytes = buffer_;
        event->binary = !utf8::is_valid(buffer_);
        if (!event->binary) event->text = buffer_;
        event->origin = ScanOrigin::keyboard_wedge;
        event->captured = first_key_;
    }
    reset();
    return event;
}

bool KeyboardWedge::expects_more(std::chrono::steady_clock::time_point now) const {
    return !overflowed_ && at_scanner_pace() && now - last_key_ <= options_.max_scanner_stall;
}

// Two keys or more, at most max_key_gap apart on average once the excused stalls are left out.
bool KeyboardWedge::at_scanner_pace() const {
    const size_t keys = key_count(buffer_);
    return keys >= 2 && last_key_ - first_key_ - stalled_ <= options_.max_key_gap * static_cast<int>(keys - 1);
}

void KeyboardWedge::reset() {
    buffer_.clear();
    stalled_ = {};
    overflowed_ = false;
}

} // namespace kiosk
