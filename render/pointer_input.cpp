#include "render/pointer_input.h"

#include <cfloat>

namespace kiosk::render {

void PointerQueue::move(ImVec2 pos) {
    // Consecutive moves collapse: ImGui needs where the pointer is, not the path it took (the drag
    // delta is the difference of frame positions either way).
    if (!queue_.empty() && queue_.back().kind == Kind::move) {
        queue_.back().pos = pos;
        return;
    }
    queue_.push_back({Kind::move, pos});
}

void PointerQueue::press(ImVec2 pos) {
    if (logical_down_) return;              // a second finger while one is down: ignored
    move(pos);
    queue_.push_back({Kind::press, pos});
    logical_down_ = true;
}

void PointerQueue::release(ImVec2 pos) {
    if (!logical_down_) return;             // a release whose press we never saw (e.g. synthesized)
    move(pos);
    queue_.push_back({Kind::release, pos});
    queue_.push_back({Kind::leave, pos});
    logical_down_ = false;
}

void PointerQueue::leave() {
    if (logical_down_) return;              // a drag out of the window keeps its press
    queue_.push_back({Kind::leave, {}});
}

PointerQueue::State PointerQueue::next_frame() {
    bool moved = false, button = false;
    while (!queue_.empty()) {
        const Change change = queue_.front();
        if (change.kind == Kind::move || change.kind == Kind::leave) {
            if (button) break;
            const ImVec2 target = change.kind == Kind::move ? change.pos : ImVec2(-FLT_MAX, -FLT_MAX);
            if (target.x != state_.pos.x || target.y != state_.pos.y) moved = true;
            state_.pos = target;
        } else {
            if (moved || button) break;
            state_.down = change.kind == Kind::press;
            button = true;
        }
        queue_.pop_front();
    }
    return state_;
}

} // namespace kiosk::render
