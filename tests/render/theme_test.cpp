// The palette's contrast, computed: every text colour at least 7:1 on what it is drawn on.
#include <gtest/gtest.h>

#include "render/theme.h"

namespace kiosk::render {
namespace {

TEST(Theme, ContrastRatioMatchesWcagExamples) {
    EXPECT_NEAR(contrast_ratio(IM_COL32(0, 0, 0, 255), IM_COL32(255, 255, 255, 255)), 21.0, 1e-9);
    EXPECT_NEAR(contrast_ratio(IM_COL32(255, 255, 255, 255), IM_COL32(255, 255, 255, 255)), 1.0, 1e-9);
    EXPECT_NEAR(contrast_ratio(IM_COL32(0x77, 0x77, 0x77, 255), IM_COL32(255, 255, 255, 255)), 4.48, 0.01);
    EXPECT_DOUBLE_EQ(contrast_ratio(IM_COL32(10, 20, 30, 255), IM_COL32(200, 100, 50, 255)),
                     contrast_ratio(IM_COL32(200, 100, 50, 255), IM_COL32(10, 20, 30, 255)));
}

TEST(Theme, EveryTextPairReachesAAA) {
    const Palette& p = palette();
    struct Pair {
        const char* name;
        ImU32 fore, back;
    };
    const Pair pairs[] = {
        {"text on background", p.text, p.background},
        {"text on surface", p.text, p.surface},
        {"text_muted on background", p.text_muted, p.background},
        {"text_muted on surface", p.text_muted, p.surface},
        {"primary_text on primary", p.primary_text, p.primary},
        {"danger_text on danger", p.danger_text, p.danger},
        {"success on background", p.success, p.background},
        {"success on surface", p.success, p.surface},
        {"warning on background", p.warning, p.background},
        {"warning on surface", p.warning, p.surface},
        {"focus on background", p.focus, p.background},
        {"focus on surface", p.focus, p.surface},
        {"primary (as text) on background", p.primary, p.background},
        {"danger (as text) on background", p.danger, p.background},
    };
    for (const Pair& pair : pairs) EXPECT_GE(contrast_ratio(pair.fore, pair.back), 7.0) << pair.name;
    // The focus ring must stand out from a primary button's fill too (non-text: 3:1).
    EXPECT_GE(contrast_ratio(p.focus, p.background), 3.0);
}

} // namespace
} // namespace kiosk::render
