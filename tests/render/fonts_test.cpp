// The glyph set and the atlas, baked on the CPU in an ImGui context without a window.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "render/fonts.h"

namespace kiosk::render {
namespace {

class FontsTest : public ::testing::Test {
protected:
    void SetUp() override { context_ = ImGui::CreateContext(); }
    void TearDown() override { ImGui::DestroyContext(context_); }
    ImFontAtlas& atlas() { return *ImGui::GetIO().Fonts; }

    ImGuiContext* context_ = nullptr;
};

std::string utf8_of(char32_t cp) {
    std::string out;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

TEST_F(FontsTest, AtlasHoldsLatinAlwaysAndCjkOnlyWhenAdded) {
    auto fonts = Fonts::load();
    ASSERT_TRUE(fonts) << fonts.error();
    Fonts& f = **fonts;
    EXPECT_TRUE(f.rebuild_pending());
    ASSERT_TRUE(f.rebuild(atlas()));
    EXPECT_FALSE(f.rebuild_pending());
    for (const FontRole role : kFontRoles) {
        ImFont* font = f.get(role);
        ASSERT_NE(font, nullptr);
        EXPECT_EQ(font->FontSize, f.px(role));
        EXPECT_NE(font->FindGlyphNoFallback(u'A'), nullptr);
        EXPECT_NE(font->FindGlyphNoFallback(u'ł'), nullptr);        // Latin Extended-A
        EXPECT_NE(font->FindGlyphNoFallback(u'é'), nullptr);
        EXPECT_EQ(font->FindGlyphNoFallback(u'刘'), nullptr);
        EXPECT_EQ(font->FindGlyphNoFallback(u'Ж'), nullptr);        // Cyrillic comes when added too
    }
    EXPECT_FALSE(f.has_glyph(U'刘'));

    f.add_glyphs("刘娜");
    EXPECT_TRUE(f.rebuild_pending());
    EXPECT_TRUE(f.has_glyph(U'刘'));
    ASSERT_TRUE(f.rebuild(atlas()));
    for (const FontRole role : kFontRoles) {
        EXPECT_NE(f.get(role)->FindGlyphNoFallback(u'刘'), nullptr);
        EXPECT_NE(f.get(role)->FindGlyphNoFallback(u'娜'), nullptr);
        EXPECT_EQ(f.get(role)->FindGlyphNoFallback(u'山'), nullptr);
    }

    // Known code points schedule nothing; Latin is always there.
    f.add_glyphs("刘 Samuel Łukasz");
    EXPECT_FALSE(f.rebuild_pending());
    const std::string names[] = {"Наталія Бойко", "Γιώργος"};
    f.add_glyphs(names);
    EXPECT_TRUE(f.rebuild_pending());
    ASSERT_TRUE(f.rebuild(atlas()));
    EXPECT_NE(f.get(FontRole::body)->FindGlyphNoFallback(u'і'), nullptr);
    EXPECT_NE(f.get(FontRole::body)->FindGlyphNoFallback(u'ώ'), nullptr);
}

TEST_F(FontsTest, SizesFollowShortSideAndScale) {
    auto fonts = Fonts::load();
    ASSERT_TRUE(fonts) << fonts.error();
    Fonts& f = **fonts;
    EXPECT_EQ(f.px(FontRole::small), 30);
    EXPECT_EQ(f.px(FontRole::body), 40);
    EXPECT_EQ(f.px(FontRole::large), 64);
    EXPECT_EQ(f.px(FontRole::huge), 96);
    ASSERT_TRUE(f.rebuild(atlas()));
    f.set_scale(1.4f);
    EXPECT_TRUE(f.rebuild_pending());
    EXPECT_EQ(f.px(FontRole::body), 56);
    f.set_short_side(720);
    EXPECT_EQ(f.px(FontRole::body), 37);    // 40 * 720 / 1080 * 1.4 = 37.3
    ASSERT_TRUE(f.rebuild(atlas()));
    EXPECT_EQ(f.get(FontRole::body)->FontSize, 37);
    EXPECT_EQ(ImGui::GetIO().FontGlobalScale, 1.0f);
    f.set_scale(0.0f);                       // nonsense is ignored
    EXPECT_FLOAT_EQ(f.scale(), 1.4f);
}

TEST_F(FontsTest, MissingFontFileIsAnError) {
    FontFiles files;
    files.cjk_regular = "/nonexistent/NotoSansCJK-Regular.ttc";
    auto fonts = Fonts::load(files);
    ASSERT_FALSE(fonts);
    EXPECT_NE(fonts.error().find("/nonexistent/NotoSansCJK-Regular.ttc"), std::string::npos) << fonts.error();
}

TEST_F(FontsTest, FiveHundredCjkGlyphsBakeQuickly) {
    auto fonts = Fonts::load();
    ASSERT_TRUE(fonts) << fonts.error();
    Fonts& f = **fonts;
    std::string text;
    for (char32_t cp = 0x4E00; cp < 0x4E00 + 500; ++cp) text += utf8_of(cp);
    f.add_glyphs(text);
    ASSERT_TRUE(f.rebuild(atlas()));        // warm: pages of the CJK file in the page cache
    f.set_scale(1.01f);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(f.rebuild(atlas()));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    int width = 0, height = 0;
    unsigned char* pixels = nullptr;
    atlas().GetTexDataAsAlpha8(&pixels, &width, &height);
    std::printf("[ measure  ] atlas with 500 CJK glyphs x 4 roles at 1080p: %.0f ms, %dx%d texels\n", ms, width, height);
    EXPECT_NE(f.get(FontRole::huge)->FindGlyphNoFallback(static_cast<ImWchar>(0x4E00 + 499)), nullptr);
    EXPECT_LT(ms, 5000);                    // a bound against pathologies, not a benchmark
}

} // namespace
} // namespace kiosk::render
