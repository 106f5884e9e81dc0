// Badges printed through each driver from a layout (rendered by badge_render), read back from what
// the printer received: the QR decodes to the secret, and where there is text (PDF), the name is there.
#include "printer/drivers/brother_ql_driver.h"
#include "printer/drivers/cups_driver.h"
#include "printer/drivers/file_driver.h"
#include "printer/drivers/zpl_driver.h"
#include "printer/printer_driver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "image/png.h"
#include "printer/badge_layout.h"
#include "tests/support/brother_ql_printer.h"
#include "tests/support/cups_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zebra_printer.h"

namespace kiosk::printer {
namespace {

using kiosk::testing::run_process;
using kiosk::testing::TempDir;

constexpr const char* secret = "pR4tixS3cret8Kq2";
constexpr const char* attendee = "Zoë Ångström";

BadgeData badge_data() {
    BadgeData data;
    data.text["attendee_name"] = attendee;
    data.text["attendee_company"] = "Analytical Engines Ltd";
    data.text["itemvar"] = "Conference pass";
    data.text["event_name"] = "KioskConf 2026";
    data.secret = secret;
    return data;
}

std::string zbar_png(const std::string& path) {
    const auto read = run_process({"zbarimg", "--raw", "-q", path});
    std::string text = read.out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return read.exit_code() == 0 ? text : "zbarimg exit " + std::to_string(read.exit_code()) + ": " + read.err;
}

std::string zbar_raster(const MonoRaster& raster, const TempDir& dir, const std::string& name) {
    const int margin = 24;
    Image image(raster.width + 2 * margin, raster.height + 2 * margin, PixelFormat::gray8, 255);
    for (int y = 0; y < raster.height; ++y)
        for (int x = 0; x < raster.width; ++x)
            if (raster.black(x, y)) image.row(y + margin)[x + margin] = 0;
    const std::string path = dir.file(name + ".png");
    if (auto written = write_png(image.view(), path); !written) return written.error();
    return zbar_png(path);
}

TEST(DriversRender, ZebraLabelFromTheDefaultLayoutScans) {
    kiosk::testing::ZebraPrinter printer;
    TempDir dir;
    for (const char* options : {"dpi=203", "dpi=300&label=62x100"}) {
        auto driver = open_printer(printer.uri(options));
        ASSERT_TRUE(driver) << driver.error();
        auto printed = (*driver)->print(default_badge_layout(), badge_data());
        ASSERT_TRUE(printed) << printed.error().message;
    }
    const auto labels = printer.labels();
    ASSERT_EQ(labels.size(), 2u);
    auto upright = kiosk::testing::decode_zpl_label(labels[0]);
    ASSERT_TRUE(upright) << upright.error();
    EXPECT_EQ(upright->width, 812);            // 101.6 mm at 203 dpi
    EXPECT_EQ(upright->height, 609);
    EXPECT_EQ(zbar_raster(*upright, dir, "zebra-203"), secret);
    auto fitted = kiosk::testing::decode_zpl_label(labels[1]);
    ASSERT_TRUE(fitted) << fitted.error();
    EXPECT_EQ(fitted->width, 732);             // 62 mm at 300 dpi: the badge turned to fit
    EXPECT_EQ(fitted->height, 1181);
    EXPECT_EQ(zbar_raster(*fitted, dir, "zebra-62x100"), secret);
}

TEST(DriversRender, BrotherLabelsFromTheDefaultLayoutScan) {
    TempDir dir;
    for (const char* id : {"62", "62x29", "29x90"}) {
        kiosk::testing::BrotherQlPrinter printer;
        const BrotherQlLabel& label = *find_brother_ql_label(id);
        printer.set_state({.media_width_mm = label.width_mm, .media_length_mm = label.length_mm,
                           .media_type = static_cast<uint8_t>(label.die_cut() ? 0x0B : 0x0A)});
        auto driver = open_printer(printer.uri(std::string("model=QL-820NWB&label=") + id));
        ASSERT_TRUE(driver) << driver.error();
        auto printed = (*driver)->print(default_badge_layout(), badge_data());
        ASSERT_TRUE(printed) << id << ": " << printed.error().message;
        EXPECT_EQ(printer.protocol_error(), "") << id;
        const auto pages = printer.pages();
        ASSERT_EQ(pages.size(), 1u) << id;
        auto image = kiosk::testing::brother_ql_page_image(pages[0], label);
        ASSERT_TRUE(image) << image.error();
        EXPECT_EQ(zbar_raster(*image, dir, std::string("brother-") + id), secret) << id;
    }
}

TEST(DriversRender, FilesHoldTheNameAndTheQr) {
    TempDir dir;
    auto pdf_driver = open_printer("file:" + dir.file("pdf"));
    auto png_driver = open_printer("file:" + dir.file("png") + "?format=png&dpi=200");
    ASSERT_TRUE(pdf_driver && png_driver);
    auto pdf = (*pdf_driver)->print(default_badge_layout(), badge_data());
    ASSERT_TRUE(pdf) << pdf.error().message;
    EXPECT_NE(run_process({"pdftotext", pdf->detail, "-"}).out.find(attendee), std::string::npos);
    auto png = (*png_driver)->print(default_badge_layout(), badge_data());
    ASSERT_TRUE(png) << png.error().message;
    EXPECT_EQ(zbar_png(png->detail), secret);
}

TEST(DriversRender, CupsBadgeThroughCupsPdfScansAndNamesTheAttendee) {
    kiosk::testing::CupsServer server;
    if (!server.running()) GTEST_SKIP() << "no private CUPS scheduler: " << server.skip_reason();
    auto driver = open_printer("cups:" + server.queue() + "?server=" + server.server());
    ASSERT_TRUE(driver) << driver.error();
    auto printed = (*driver)->print(default_badge_layout(), badge_data());
    ASSERT_TRUE(printed) << printed.error().message;
    std::vector<std::filesystem::path> pdfs;
    for (int i = 0; i < 50 && (pdfs = server.pdfs()).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_EQ(pdfs.size(), 1u);
    const std::string text = run_process({"pdftotext", pdfs[0].string(), "-"}).out;
    EXPECT_NE(text.find(attendee), std::string::npos) << text;
    TempDir dir;
    const auto page = run_process({"pdftoppm", "-r", "200", "-png", "-singlefile", pdfs[0].string(), dir.file("page")});
    ASSERT_EQ(page.exit_code(), 0) << page.err;
    EXPECT_EQ(zbar_png(dir.file("page.png")), secret);
}

} // namespace
} // namespace kiosk::printer
