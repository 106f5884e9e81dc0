// Text without a window: which strings need shaping, and what pango makes of them (joined Arabic
// letters, right-to-left order, sizes that match the atlas font).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "render/shaped_text.h"
#include "render/text.h"

namespace kiosk::render {
namespace {

TEST(NeedsShaping, TruthTable) {
    struct Case {
        const char* text;
        bool shaping;
    };
    const Case cases[] = {
        {"", false},
        {"Samuel Ashworth", false},
        {"Zoë Müller-Łukasiewicz", false},      // precomposed accents: the atlas draws them
        {"Наталія Бойко", false},
        {"Γιώργος Παπαδόπουλος", false},
        {"刘娜", false},
        {"山田 太郎", false},
        {"김민준", false},                        // precomposed Hangul syllables
        {"Welcome!", false},
        {"مرحبا يوسف", true},
        {"Welcome, يوسف العلي!", true},
        {"שלום דניאל", true},
        {"ܫܠܡܐ", true},                          // Syriac
        {"ދިވެހި", true},                          // Thaana
        {"नमस्ते", true},                          // Devanagari
        {"வணக்கம்", true},                         // Tamil
        {"สวัสดี", true},                          // Thai
        {"Zoe\xCC\x88", true},                    // e + combining diaeresis (decomposed)
        {"a\xE2\x80\x8F" "b", true},              // right-to-left mark
        {"\xEF\xBB\xBF" "abc", true},             // U+FEFF sits in Arabic presentation forms B: harmless, shaped
        {"\xFF\xFE broken", false},               // not UTF-8: drawn (with replacement glyphs), not shaped
    };
    for (const Case& c : cases) EXPECT_EQ(needs_shaping(c.text), c.shaping) << c.text;
}

struct Ink {
    int left = -1, right = -1, top = -1, bottom = -1;   // inclusive; -1 when blank
    long sum = 0;
    int width() const { return left < 0 ? 0 : right - left + 1; }
};

Ink ink_of(const Image& image) {
    Ink ink;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const int v = image.data()[static_cast<size_t>(y) * image.stride() + x];
            if (v < 64) continue;
            ink.sum += v;
            if (ink.left < 0 || x < ink.left) ink.left = x;
            if (x > ink.right) ink.right = x;
            if (ink.top < 0) ink.top = y;
            ink.bottom = y;
        }
    return ink;
}

ShapedImage shaped(const std::string& text, float px = 64) { return render_shaped({.text = text, .px = px}); }

TEST(ShapedText, ArabicLettersJoin) {
    // Joined, the letters of مرحبا take their connecting forms and overlap at the joins: the word
    // is narrower than its letters set one by one in their isolated forms.
    const Ink word = ink_of(shaped("مرحبا").coverage);
    int isolated = 0;
    for (const char* letter : {"م", "ر", "ح", "ب", "ا"}) isolated += ink_of(shaped(letter).coverage).width();
    ASSERT_GT(word.width(), 0);
    EXPECT_LT(word.width(), isolated * 0.9) << "word " << word.width() << " px, letters " << isolated << " px";
}

TEST(ShapedText, ArabicRunsRightToLeft) {
    // A word added after مرحبا (in reading order) goes to its LEFT: the right ends of the two
    // renderings match when aligned on their right edges, not on their left edges.
    const Image full = shaped("مرحبا يوسف").coverage, shorter = shaped("مرحبا").coverage;
    const Ink a = ink_of(full), b = ink_of(shorter);
    ASSERT_GT(a.width(), b.width() * 3 / 2);
    const int columns = b.width();
    auto difference = [&](int a_from, int b_from) {
        long total = 0;
        for (int y = 0; y < std::min(full.height(), shorter.height()); ++y)
            for (int x = 0; x < columns; ++x)
                total += std::abs(full.data()[static_cast<size_t>(y) * full.stride() + a_from + x] -
                                  shorter.data()[static_cast<size_t>(y) * shorter.stride() + b_from + x]);
        return total;
    };
    const long right_aligned = difference(a.right + 1 - columns, b.left);
    const long left_aligned = difference(a.left, b.left);
    EXPECT_LT(right_aligned * 5, left_aligned) << "right " << right_aligned << ", left " << left_aligned;
}

TEST(ShapedText, MixedTextKeepsLatinLeftOfArabic) {
    // "Welcome, يوسف!" is a left-to-right paragraph: the Latin word comes first from the left.
    const Image mixed = shaped("Welcome, يوسف").coverage;
    const Image latin = shaped("Welcome,").coverage;
    const Ink m = ink_of(mixed), l = ink_of(latin);
    ASSERT_GT(m.width(), l.width());
    long diff = 0;
    for (int y = 0; y < std::min(mixed.height(), latin.height()); ++y)
        for (int x = 0; x < l.width(); ++x)
            diff += std::abs(mixed.data()[static_cast<size_t>(y) * mixed.stride() + m.left + x] -
                             latin.data()[static_cast<size_t>(y) * latin.stride() + l.left + x]);
    EXPECT_LT(diff, l.sum / 10);
}

TEST(ShapedText, BlockSizeFollowsTheRequest) {
    // Line height near the px size (pango's line of Noto Sans is its ascent + descent, as ImGui's).
    const ShapedImage latin = shaped("Hello", 40);
    EXPECT_NEAR(latin.size.y, 40, 4);
    EXPECT_GT(latin.size.x, 40);
    // A wrap width makes the block that wide and breaks lines.
    const ImVec2 wrapped = measure_shaped({.text = "مرحبا يوسف العلي مرحبا يوسف العلي", .px = 40, .wrap_width = 200});
    EXPECT_EQ(wrapped.x, 200);
    EXPECT_GT(wrapped.y, 80);
    // Bigger px, bigger text.
    EXPECT_GT(ink_of(shaped("שלום", 80).coverage).width(), ink_of(shaped("שלום", 40).coverage).width() * 1.7);
}

TEST(ShapedText, AlignmentIsVisual) {
    // Align::right puts a short Arabic line against the right edge of its wrap width and
    // Align::left against the left edge, whatever the paragraph direction.
    const ShapedImage left = render_shaped({.text = "مرحبا", .px = 40, .wrap_width = 600, .align = Align::left});
    const ShapedImage right = render_shaped({.text = "مرحبا", .px = 40, .wrap_width = 600, .align = Align::right});
    const Ink l = ink_of(left.coverage), r = ink_of(right.coverage);
    EXPECT_LT(static_cast<float>(l.left) - left.pad, 60.0f);
    EXPECT_GT(static_cast<float>(r.right) - right.pad, 540.0f);
}

} // namespace
} // namespace kiosk::render
