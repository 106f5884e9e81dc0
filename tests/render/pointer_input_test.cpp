// The pointer queue: one change per frame, press after the move, leave after the release.
#include <gtest/gtest.h>

#include <cfloat>

#include "render/pointer_input.h"

namespace kiosk::render {
namespace {

bool away(const PointerQueue::State& s) { return s.pos.x == -FLT_MAX && s.pos.y == -FLT_MAX; }
bool at(const PointerQueue::State& s, float x, float y) { return s.pos.x == x && s.pos.y == y; }

TEST(PointerQueue, TapBetweenTwoFramesTakesFourFrames) {
    PointerQueue q;
    EXPECT_TRUE(away(q.next_frame()));
    // Down and up both arrive before the next frame (a quick tap).
    q.press({100, 200});
    q.release({100, 200});
    auto s = q.next_frame();                 // 1: the finger is there, not yet down
    EXPECT_TRUE(at(s, 100, 200));
    EXPECT_FALSE(s.down);
    s = q.next_frame();                      // 2: down where ImGui already saw it
    EXPECT_TRUE(at(s, 100, 200));
    EXPECT_TRUE(s.down);
    s = q.next_frame();                      // 3: up
    EXPECT_TRUE(at(s, 100, 200));
    EXPECT_FALSE(s.down);
    s = q.next_frame();                      // 4: gone, nothing hovered
    EXPECT_TRUE(away(s));
    EXPECT_TRUE(q.idle());
}

TEST(PointerQueue, PressWhereThePointerAlreadyIsLandsAtOnce) {
    PointerQueue q;
    q.move({10, 10});
    q.next_frame();
    q.press({10, 10});
    EXPECT_TRUE(q.next_frame().down);
}

TEST(PointerQueue, DragMovesAfterThePressAndKeepsOrder) {
    PointerQueue q;
    q.press({50, 50});
    q.move({50, 60});
    q.move({50, 90});                        // collapses with the previous move
    q.release({50, 95});
    auto s = q.next_frame();
    EXPECT_TRUE(at(s, 50, 50));
    EXPECT_FALSE(s.down);
    s = q.next_frame();
    EXPECT_TRUE(s.down);
    EXPECT_TRUE(at(s, 50, 50));              // the press is seen where it happened
    s = q.next_frame();
    EXPECT_TRUE(s.down);
    EXPECT_TRUE(at(s, 50, 95));              // the drag, then the release position
    s = q.next_frame();
    EXPECT_FALSE(s.down);
    EXPECT_TRUE(away(q.next_frame()));
}

TEST(PointerQueue, StrayReleasesAndSecondPressesAreIgnored) {
    PointerQueue q;
    q.release({1, 1});                       // never pressed
    EXPECT_TRUE(q.idle());
    q.press({5, 5});
    q.press({7, 7});                         // a second finger
    q.next_frame();
    EXPECT_TRUE(q.next_frame().down);
    q.leave();                               // dragging out of the window keeps the press
    EXPECT_TRUE(q.next_frame().down);
}

} // namespace
} // namespace kiosk::render
