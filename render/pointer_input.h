// The pointer (one finger or the mouse) as ImGui 1.86 must see it, one change per frame.
//
// ImGui 1.86 reads io.MousePos and io.MouseDown once per frame. Given several changes in one frame
// it sees only the last: a tap whose move, press and release all arrive between two frames is lost
// or lands on the widget under the previous position. This queue hands out the changes in order,
// holding back a press until the frame after the move before it, a release until the frame after
// the press, and adds a "leave" (position -FLT_MAX) the frame after every release, so a lifted
// finger leaves nothing hovered. Pure logic, no SDL: the window pushes, tests push.
//
// Thread rule: UI thread (owned by the Window).
#pragma once

#include <deque>

#include <imgui.h>

namespace kiosk::render {

class PointerQueue {
public:
    struct State {
        ImVec2 pos{-FLT_MAX, -FLT_MAX};     // -FLT_MAX: no pointer over the window
        bool down = false;
    };

    void move(ImVec2 pos);                  // finger or mouse moved to pos (window pixels)
    void press(ImVec2 pos);                 // finger down / left button down at pos
    void release(ImVec2 pos);               // finger up / left button up at pos
    void leave();                           // pointer left the window

    // The state for the next frame: applies queued changes in order, stopping before a press or
    // release when the position or the button already changed this frame, and before a move when
    // the button did.
    State next_frame();
    const State& state() const { return state_; }
    bool idle() const { return queue_.empty(); }

private:
    enum class Kind { move, press, release, leave };
    struct Change { Kind kind; ImVec2 pos; };
    std::deque<Change> queue_;
    State state_;
    bool logical_down_ = false;             // after everything queued
};

} // namespace kiosk::render
