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

void KeyboardWedge::on_text(std::string_view text, std::chrono::steady_clock::time_point when) {
    if (when - last_key_ > options_.max_stall) {
        // A pause: start over from this key, a scanner burst may still follow. That includes
        // forgetting an overlong burst, or the scan after a stuck key would be lost.
        buffer_.clear();
        first_key_ = when;
        overflowed_ = false;
    } else if (buffer_.empty() && !overflowed_) {
        first_key_ = when;
    }
    last_key_ = when;
    if (buffer_.size() + text.size() > options_.max_length) {
        overflowed_ = true; // longer than any code: a stuck key or a paste, not a scan
        return;
    }
    buffer_.append(text);
}

std::optional<ScanEvent> KeyboardWedge::on_enter(std::chrono::steady_clock::time_point when) {
    // Fast on average (a scanner), ending in Enter without a pause; one stall along the way is the
    // machine's, not the typist's.
    const size_t keys = key_count(buffer_);
    const bool fast = keys >= 2 && (last_key_ - first_key_) <= options_.max_key_gap * static_cast<int>(keys - 1);
    const bool qualifies = !overflowed_ && keys >= options_.min_length && fast && when - last_key_ <= options_.max_stall;
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

void KeyboardWedge::reset() {
    buffer_.clear();
    overflowed_ = false;
}

} // namespace kiosk
