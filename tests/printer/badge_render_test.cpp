// Badges are checked from their rendering: the QR is decoded, the name's ink is found and
// measured, the PDF's text is extracted with pdftotext. Renderings of a few scripts are kept in
// /tmp/badges/ for a person to look at.

// ZX_USE_UTF8 before any ZXing header: Result::text() is then UTF-8.
#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>

#include "printer/badge_render.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "image/png.h"
#include "image/transform.h"
#include "tests/support/temp_dir.h"

namespace kiosk::printer {
namespace {

using nlohmann::json;

constexpr double kDpi = 300;
const std::string kSecret = "8bmub2af8hgcku36aguwaaxpxzuhkdcq";

BadgeLayout demo_layout() {
    std::ifstream in(std::string(KIOSK_SOURCE_DIR) + "/assets/demo/badgelayouts.json");
    std::stringstream text;
    text << in.rdbuf();
    auto layout = parse_badge_layout(json::parse(text.str())["results"][0]);
    EXPECT_TRUE(layout) << layout.error();
    return layout ? *layout : BadgeLayout{};
}

BadgeData badge_for(const std::string& name, const std::string& language = "en") {
    BadgeData data;
    data.secret = kSecret;
    data.language = language;
    data.text = {{"attendee_name", name},
                 {"event_name", "KioskConf 2027"},
                 {"itemvar", "Conference pass – Regular"},
                 {"attendee_company", "Acme GmbH"}};
    return data;
}

struct Script {
    const char* file;
    const char* language;
    const char* name;
};
const Script kScripts[] = {
    {"latin", "fr", "Anaïs Moreau"},
    {"cyrillic", "uk", "Богдан Шевченко"},
    {"greek", "el", "Κωνσταντίνος Παπαδόπουλος"},
    {"arabic", "ar", "مريم العلي"},
    {"hebrew", "he", "איתי אשכנזי"},
    {"chinese", "zh-cn", "吴芳"},
    {"japanese", "ja", "伊藤 健一"},
};
const std::string kLongName = "Maximiliane Alexandra Konstantina Freifrau von Hohenzollern-Sigmaringen-Wittelsbach de la Cruz y Fernández";

Image gray_of(const MonoRaster& raster) {
    Image image(raster.width, raster.height, PixelFormat::gray8, 255);
    for (int y = 0; y < raster.height; ++y)
        for (int x = 0; x < raster.width; ++x)
            if (raster.black(x, y)) image.row(y)[x] = 0;
    return image;
}

std::string decoded_qr(const Image& image) {
    const Image gray = image.format() == PixelFormat::gray8 ? Image::copy_of(image.view()) : to_gray(image.view());
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    const ZXing::Result result = ZXing::ReadBarcode({gray.data(), gray.width(), gray.height(), ZXing::ImageFormat::Lum, gray.stride()}, hints);
    return result.isValid() ? result.text() : std::string("(no QR code found)");
}

void keep_for_a_person(const std::string& png, const std::string& file) {
    std::filesystem::create_directories("/tmp/badges");
    std::ofstream("/tmp/badges/" + file + ".png", std::ios::binary) << png;
}

// Dots that differ between two renderings of the same size.
struct Ink {
    int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;  // inclusive bounds; right < 0: none
    int count = 0;
};

Ink difference(const Image& a, const Image& b) {
    Ink ink;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const uint8_t* p = a.view().row(y) + 3 * x;
            const uint8_t* q = b.view().row(y) + 3 * x;
            if (p[0] == q[0] && p[1] == q[1] && p[2] == q[2]) continue;
            ink.left = std::min(ink.left, x), ink.right = std::max(ink.right, x);
            ink.top = std::min(ink.top, y), ink.bottom = std::max(ink.bottom, y);
            ++ink.count;
        }
    return ink;
}

int dots(double mm, double dpi = kDpi) { return static_cast<int>(std::lround(mm / 25.4 * dpi)); }

// The name's ink: what changes when the name is added to an otherwise identical badge.
Ink name_ink(const BadgeLayout& layout, const std::string& name, const std::string& language = "en") {
    const auto with = render_image(layout, badge_for(name, language), kDpi);
    const auto without = render_image(layout, badge_for("", language), kDpi);
    EXPECT_TRUE(with && without);
    return with && without ? difference(*with, *without) : Ink{};
}

void expect_inside_name_box(const BadgeLayout& layout, const Ink& ink, const std::string& name) {
    const auto& box = std::get<TextArea>(layout.elements[0]);
    ASSERT_GT(ink.count, 0) << name << ": no ink";
    EXPECT_GE(ink.left, dots(box.left_mm) - 1) << name;
    EXPECT_LE(ink.right, dots(box.left_mm + box.width_mm) + 1) << name;
    // Ink on the first row means text ran off the top of the page and was cut there.
    EXPECT_GT(ink.top, 0) << name << ": cut at the top of the page";
    EXPECT_LE(ink.bottom, dots(layout.page_height_mm - box.bottom_mm) + 1) << name;  // grows up from `bottom`
}

TEST(RenderBadge, QrDecodesToTheSecretInEveryOutput) {
    const BadgeLayout layout = demo_layout();
    for (const Script& script : kScripts) {
        const BadgeData data = badge_for(script.name, script.language);
        for (const double dpi : {203.0, 300.0, 600.0}) {
            const auto mono = render_mono(layout, data, dpi);
            ASSERT_TRUE(mono) << mono.error();
            EXPECT_EQ(decoded_qr(gray_of(*mono)), kSecret) << script.file << " at " << dpi << " dpi";
        }
        const auto png = render_png(layout, data, kDpi);
        ASSERT_TRUE(png) << png.error();
        keep_for_a_person(*png, script.file);
        testing::TempDir dir;
        std::ofstream(dir.file("badge.png"), std::ios::binary) << *png;
        const auto read = read_png(dir.file("badge.png"));
        ASSERT_TRUE(read) << read.error();
        EXPECT_EQ(decoded_qr(*read), kSecret) << script.file << " PNG";
    }
}

TEST(RenderBadge, NamesInEveryScriptStayInTheirBox) {
    const BadgeLayout layout = demo_layout();
    for (const Script& script : kScripts) expect_inside_name_box(layout, name_ink(layout, script.name, script.language), script.name);
}

TEST(RenderBadge, AVeryLongNameShrinksToFit) {
    const BadgeLayout layout = demo_layout();
    const Ink long_ink = name_ink(layout, kLongName);
    expect_inside_name_box(layout, long_ink, kLongName);
    const Ink short_ink = name_ink(layout, "Anaïs Moreau");
    EXPECT_LT(long_ink.bottom - long_ink.top, (short_ink.bottom - short_ink.top) * 2 / 3) << "the long name did not shrink";
    EXPECT_GT(long_ink.right - long_ink.left, dots(100)) << "the long name shrank far more than needed";
    const auto png = render_png(layout, badge_for(kLongName), kDpi);
    ASSERT_TRUE(png);
    keep_for_a_person(*png, "long_name");
}

TEST(RenderBadge, WithoutAutoresizeALongNameWrapsAndStaysOnThePage) {
    BadgeLayout layout = demo_layout();
    std::get<TextArea>(layout.elements[0]).autoresize = false;
    const std::string name = kLongName + " " + kLongName + " " + kLongName;
    const Ink ink = name_ink(layout, name);
    expect_inside_name_box(layout, ink, name);
    EXPECT_GT(ink.bottom - ink.top, dots(15)) << "expected several lines";
    const auto png = render_png(layout, badge_for(name), kDpi);
    ASSERT_TRUE(png);
    keep_for_a_person(*png, "long_name_wrapped");
}

// Text lays out alike at every resolution: a preview shows what the label printer prints.
TEST(RenderBadge, LayoutDoesNotDependOnTheResolution) {
    BadgeLayout layout = demo_layout();
    std::get<TextArea>(layout.elements[0]).autoresize = false;
    const std::string name = kLongName + " " + kLongName;
    const auto ink_at = [&](double dpi) {
        const auto with = render_image(layout, badge_for(name), dpi);
        const auto without = render_image(layout, badge_for(""), dpi);
        return difference(*with, *without);
    };
    const Ink fine = ink_at(400), coarse = ink_at(100);
    EXPECT_NEAR(fine.top, coarse.top * 4, 6);
    EXPECT_NEAR(fine.bottom, coarse.bottom * 4, 6);
    EXPECT_NEAR(fine.right, coarse.right * 4, 6);
    // Two names of four lines at most, 26 pt x 1.15 x 1.15 apart: lines stay close together.
    EXPECT_LT(fine.bottom - fine.top, dots(8 * 26 * 1.32 / 72 * 25.4, 400));
}

// Right to left: the first word of the name ends up on the right. Of "long short" the gap
// between the words lies in the left part of the ink when the text runs right to left.
double gap_position(const BadgeLayout& layout, const std::string& name, const std::string& language) {
    const auto with = render_image(layout, badge_for(name, language), kDpi);
    const auto without = render_image(layout, badge_for("", language), kDpi);
    const Ink ink = difference(*with, *without);
    std::vector<bool> column(static_cast<size_t>(with->width()), false);
    for (int y = ink.top; y <= ink.bottom; ++y)
        for (int x = ink.left; x <= ink.right; ++x)
            if (std::memcmp(with->view().row(y) + 3 * x, without->view().row(y) + 3 * x, 3) != 0) column[static_cast<size_t>(x)] = true;
    int best_start = 0, best_length = 0;
    for (int x = ink.left; x <= ink.right;) {
        int end = x;
        while (end <= ink.right && !column[static_cast<size_t>(end)]) ++end;
        if (end - x > best_length) best_start = x, best_length = end - x;
        x = end + 1;
    }
    return (best_start + best_length / 2.0 - ink.left) / (ink.right - ink.left);
}

TEST(RenderBadge, HebrewAndArabicRunRightToLeft) {
    const BadgeLayout layout = demo_layout();
    EXPECT_GT(gap_position(layout, "Konstantinos Pa", "en"), 0.6);  // the check itself, left to right
    EXPECT_LT(gap_position(layout, "אשכנזיאשכנזי אי", "he"), 0.4);
    EXPECT_LT(gap_position(layout, "العليالعلي مر", "ar"), 0.4);
}

TEST(RenderBadge, MonoRasterHasSquareQrModules) {
    const BadgeLayout layout = demo_layout();
    const auto& qr = std::get<BarcodeArea>(layout.elements[3]);
    for (const double dpi : {203.0, 300.0}) {
        const auto mono = render_mono(layout, badge_for("مريم العلي", "ar"), dpi);
        ASSERT_TRUE(mono) << mono.error();
        ASSERT_EQ(mono->width, dots(layout.page_width_mm, dpi));
        std::filesystem::create_directories("/tmp/badges");
        ASSERT_TRUE(write_png(gray_of(*mono).view(), "/tmp/badges/mono_" + std::to_string(static_cast<int>(dpi)) + "dpi.png"));
        // The finder pattern's top-left corner is the first black dot in the QR area.
        const int x0 = dots(qr.left_mm, dpi), y0 = dots(layout.page_height_mm - qr.bottom_mm - qr.size_mm, dpi), side = dots(qr.size_mm, dpi);
        int fx = -1, fy = -1;
        for (int y = y0; y < y0 + side && fx < 0; ++y)
            for (int x = x0; x < x0 + side; ++x)
                if (mono->black(x, y)) { fx = x, fy = y; break; }
        ASSERT_GE(fx, 0);
        int run_x = 0, run_y = 0;
        while (mono->black(fx + run_x, fy)) ++run_x;
        while (mono->black(fx, fy + run_y)) ++run_y;
        ASSERT_EQ(run_x, run_y) << "modules are not square at " << dpi << " dpi";
        ASSERT_EQ(run_x % 7, 0) << "the finder pattern is 7 modules";
        const int module = run_x / 7;
        int far_right = x0 + side - 1;
        while (!mono->black(far_right, fy)) --far_right;  // the top-right finder's last dot
        const int span = far_right - fx + 1;
        ASSERT_EQ(span % module, 0);
        const int modules = span / module;
        ASSERT_EQ((modules - 21) % 4, 0) << modules << " modules is no QR version";
        EXPECT_GT(module * (modules + 8), side - (modules + 8)) << "modules as large as whole dots allow";
        // Every module cell is one colour throughout: edges fall on dot boundaries.
        for (int cy = 0; cy < modules; ++cy)
            for (int cx = 0; cx < modules; ++cx) {
                const bool black = mono->black(fx + cx * module, fy + cy * module);
                for (int dy = 0; dy < module; ++dy)
                    for (int dx = 0; dx < module; ++dx)
                        ASSERT_EQ(mono->black(fx + cx * module + dx, fy + cy * module + dy), black) << "cell " << cx << "," << cy;
            }
    }
}

TEST(RenderBadge, MonoDithersPhotosButNotText) {
    BadgeLayout layout = demo_layout();
    layout.elements.push_back(ImageArea{150, 62, 40, 18, "photo"});
    BadgeData data = badge_for("Anaïs Moreau");
    Image photo(64, 32, PixelFormat::gray8, 128);  // mid gray: half the dots black
    data.images["photo"] = photo;
    const auto mono = render_mono(layout, data, kDpi);
    ASSERT_TRUE(mono) << mono.error();
    const int top = dots(layout.page_height_mm - 80), height = dots(18), left = dots(150);
    int black = 0, total = 0;
    for (int y = top + 10; y < top + height - 10; ++y)
        for (int x = left + 40; x < left + dots(40) - 40; ++x) black += mono->black(x, y), ++total;
    EXPECT_NEAR(static_cast<double>(black) / total, 0.5, 0.05) << "the gray photo should dither to half black";
    std::filesystem::create_directories("/tmp/badges");
    ASSERT_TRUE(write_png(gray_of(*mono).view(), "/tmp/badges/mono_photo.png"));
    EXPECT_EQ(decoded_qr(gray_of(*mono)), kSecret);
}

std::string run(const std::string& command) {
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buffer[4096];
        while (const size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
        pclose(pipe);
    }
    return out;
}

TEST(RenderBadge, PdfCarriesTheNameAsText) {
    const BadgeLayout layout = demo_layout();
    for (const Script& script : kScripts) {
        const auto pdf = render_pdf(layout, badge_for(script.name, script.language));
        ASSERT_TRUE(pdf) << pdf.error();
        ASSERT_TRUE(pdf->starts_with("%PDF-"));
        testing::TempDir dir;
        std::ofstream(dir.file("badge.pdf"), std::ios::binary) << *pdf;
        const std::string text = run("pdftotext -enc UTF-8 " + dir.file("badge.pdf") + " -");
        EXPECT_NE(text.find(script.name), std::string::npos) << script.file << ": pdftotext gave\n" << text;
        EXPECT_NE(text.find("KioskConf 2027"), std::string::npos);
    }
}

TEST(RenderBadge, PdfQrScansAfterRasterising) {
    const auto pdf = render_pdf(demo_layout(), badge_for("伊藤 健一", "ja"));
    ASSERT_TRUE(pdf);
    testing::TempDir dir;
    std::ofstream(dir.file("badge.pdf"), std::ios::binary) << *pdf;
    run("pdftoppm -r 200 -gray -png -singlefile " + dir.file("badge.pdf") + " " + dir.file("page"));
    const auto page = read_png(dir.file("page.png"));
    ASSERT_TRUE(page) << page.error();
    EXPECT_EQ(decoded_qr(*page), kSecret);
}

TEST(RenderBadge, TextFeaturesOfPretixLayouts) {
    BadgeLayout layout;
    layout.page_width_mm = 90;
    layout.page_height_mm = 54;
    TextArea other;
    other.left_mm = 5, other.bottom_mm = 40, other.width_mm = 80, other.content = "other";
    other.text = "Hello {attendee_name}, {unknown} {";
    other.align = Align::center;
    TextArea turned = other;
    turned.content = "other_i18n", turned.text_i18n = {{"en", "Welcome"}, {"de", "Willkommen"}};
    turned.bottom_mm = 30, turned.left_mm = 45, turned.width_mm = 20, turned.rotation_deg = 90;
    turned.color = {0.8, 0, 0, 1};
    layout.elements = {other, turned, BarcodeArea{5, 2, 25, "secret", "", true}};
    const auto pdf = render_pdf(layout, badge_for("Anaïs", "de"));
    ASSERT_TRUE(pdf) << pdf.error();
    testing::TempDir dir;
    std::ofstream(dir.file("badge.pdf"), std::ios::binary) << *pdf;
    const std::string text = run("pdftotext -enc UTF-8 " + dir.file("badge.pdf") + " -");
    EXPECT_NE(text.find("Hello Anaïs, {unknown} {"), std::string::npos) << text;
    EXPECT_NE(text.find("Willkommen"), std::string::npos) << text;
    const auto png = render_png(layout, badge_for("Anaïs", "de"), kDpi);
    ASSERT_TRUE(png);
    keep_for_a_person(*png, "features");
    const auto image = render_image(layout, badge_for("Anaïs", "de"), kDpi);
    EXPECT_EQ(decoded_qr(*image), kSecret) << "QR without quiet zone, on a white page";
}

TEST(RenderBadge, RefusesImpossibleResolutions) {
    const BadgeLayout layout = demo_layout();
    EXPECT_FALSE(render_image(layout, badge_for("x"), 0));
    EXPECT_FALSE(render_mono(layout, badge_for("x"), std::nan("")));
    BadgeLayout huge = layout;
    huge.page_width_mm = huge.page_height_mm = 2000;
    const auto refused = render_mono(huge, badge_for("x"), 1200);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("too large"), std::string::npos) << refused.error();
}

TEST(RenderBadge, DefaultLayoutRenders) {
    const auto png = render_png(default_badge_layout(), badge_for("Κωνσταντίνος Παπαδόπουλος", "el"), kDpi);
    ASSERT_TRUE(png) << png.error();
    keep_for_a_person(*png, "default_layout");
    const auto mono = render_mono(default_badge_layout(), badge_for("Κωνσταντίνος Παπαδόπουλος", "el"), 203);
    ASSERT_TRUE(mono);
    EXPECT_EQ(decoded_qr(gray_of(*mono)), kSecret);
}

} // namespace
} // namespace kiosk::printer
