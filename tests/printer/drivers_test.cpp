// Printer drivers: URIs, the ZPL and Brother QL encoders against loopback printers that decode
// what they receive (the QR read back from the received bytes), printer error states, files.
// The CUPS tests are in cups_driver_test.cpp.
#include "printer/drivers/brother_ql_driver.h"
#include "printer/drivers/file_driver.h"
#include "printer/drivers/label_raster.h"
#include "printer/drivers/printer_uri.h"
#include "printer/drivers/zpl_driver.h"
#include "printer/printer_driver.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "image/png.h"
#include "image/qr.h"
#include "tests/support/brother_ql_printer.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zebra_printer.h"

namespace kiosk::printer {
namespace {

using kiosk::testing::BrotherQlPrinter;
using kiosk::testing::BrotherQlState;
using kiosk::testing::TempDir;
using kiosk::testing::ZebraPrinter;
using kiosk::testing::ZebraState;

constexpr const char* secret = "k7ZxQm2pR9vT4wLs";

void set_black(MonoRaster& raster, int x, int y) {
    raster.bits[static_cast<size_t>(y) * raster.stride + x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
}

// A hand-made badge raster: the QR of `text` (6 dots a module) at (left, top) on a white page.
MonoRaster qr_raster(const std::string& text, int width, int height, int left, int top) {
    MonoRaster raster = blank_raster(width, height);
    QrStyle style;
    style.module_pixels = 6;
    auto qr = encode_qr(text, style);
    EXPECT_TRUE(qr.has_value());
    for (int y = 0; y < qr->height() && y + top < height; ++y)
        for (int x = 0; x < qr->width() && x + left < width; ++x)
            if (qr->data()[static_cast<size_t>(y) * qr->stride() + x] < 128) set_black(raster, x + left, y + top);
    return raster;
}

// What zbarimg reads in the raster (written as a PNG with a white margin), or its complaint.
std::string zbar_read(const MonoRaster& raster, const TempDir& dir) {
    const int margin = 24;
    Image image(raster.width + 2 * margin, raster.height + 2 * margin, PixelFormat::gray8, 255);
    for (int y = 0; y < raster.height; ++y)
        for (int x = 0; x < raster.width; ++x)
            if (raster.black(x, y)) image.row(y + margin)[x + margin] = 0;
    const std::string path = dir.file("read-" + std::to_string(std::random_device()()) + ".png");
    if (auto written = write_png(image.view(), path); !written) return "write_png: " + written.error();
    const auto result = kiosk::testing::run_process({"zbarimg", "--raw", "-q", path});
    std::string text = result.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return result.exit_code() == 0 ? text : "zbarimg exit " + std::to_string(result.exit_code()) + ": " + result.err;
}

template <class Driver> std::unique_ptr<Driver> open_as(const std::string& uri) {
    auto opened = open_printer(uri);
    EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error());
    if (!opened) return nullptr;
    auto* typed = dynamic_cast<Driver*>(opened->get());
    EXPECT_NE(typed, nullptr) << uri;
    if (typed) opened->release();
    return std::unique_ptr<Driver>(typed);
}

// --- URIs -------------------------------------------------------------------------------------------

TEST(PrinterUri, ParsesTheFourForms) {
    auto cups = parse_printer_uri("cups:badges?server=127.0.0.1:6310");
    ASSERT_TRUE(cups) << cups.error();
    EXPECT_EQ(cups->scheme, PrinterScheme::cups);
    EXPECT_EQ(cups->queue, "badges");
    EXPECT_EQ(cups->query.at("server"), "127.0.0.1:6310");

    auto zpl = parse_printer_uri("zpl://printer.local?dpi=300&darkness=-5");
    ASSERT_TRUE(zpl) << zpl.error();
    EXPECT_EQ(zpl->scheme, PrinterScheme::zpl);
    EXPECT_EQ(zpl->host, "printer.local");
    EXPECT_EQ(zpl->port, 9100);
    EXPECT_EQ(zpl->query.at("darkness"), "-5");

    auto brother = parse_printer_uri("brother-ql://[::1]:9101?model=QL-820NWB&label=62x29");
    ASSERT_TRUE(brother) << brother.error();
    EXPECT_EQ(brother->scheme, PrinterScheme::brother_ql);
    EXPECT_EQ(brother->host, "::1");
    EXPECT_EQ(brother->port, 9101);
    EXPECT_EQ(host_port(brother->host, brother->port), "[::1]:9101");

    auto file = parse_printer_uri("file:///var/badges%20out?format=png");
    ASSERT_TRUE(file) << file.error();
    EXPECT_EQ(file->scheme, PrinterScheme::file);
    EXPECT_EQ(file->path, "/var/badges out");
    EXPECT_EQ(parse_printer_uri("file:out/badges")->path, "out/badges");
}

TEST(PrinterUri, RefusalsSayWhatIsWrong) {
    const auto error_of = [](std::string_view uri) {
        auto parsed = open_printer(uri);
        return parsed ? std::string("(opened)") : parsed.error();
    };
    EXPECT_EQ(error_of(""), "The printer URI is empty.");
    EXPECT_NE(error_of("ipp://host/printers/x").find("unknown kind of printer"), std::string::npos);
    EXPECT_NE(error_of("zpl:host:9100").find("'//' before its host"), std::string::npos);
    EXPECT_NE(error_of("zpl://host:99999").find("the port '99999' is not a number from 1 to 65535"), std::string::npos);
    EXPECT_NE(error_of("zpl://::1:9100").find("in brackets"), std::string::npos);
    EXPECT_NE(error_of("zpl://:9100").find("no printer host"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?dpl=203").find("unknown option 'dpl'"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?dpl=203").find("did you mean 'dpi'?"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?dpi=250").find("dpi must be 203, 300 or 600"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?darkness=40").find("darkness must be a whole number from -30 to 30"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?label=big").find("label must be WIDTHxLENGTH"), std::string::npos);
    EXPECT_NE(error_of("zpl://host?dpi=203&dpi=300").find("given twice"), std::string::npos);
    EXPECT_NE(error_of("brother-ql://host?model=QL-9000&label=62").find("unknown Brother model 'QL-9000'"), std::string::npos);
    EXPECT_NE(error_of("brother-ql://host?model=QL-720NW&label=63").find("unknown label '63'"), std::string::npos);
    EXPECT_NE(error_of("cups:my queue").find("CUPS does not allow"), std::string::npos);
    EXPECT_NE(error_of("cups:").find("no queue name"), std::string::npos);
    EXPECT_NE(error_of("cups:badges?server=").find("server is empty"), std::string::npos);
    EXPECT_NE(error_of("file://relative").find("absolute path"), std::string::npos);
    EXPECT_NE(error_of("file:out?format=jpg").find("format must be pdf or png"), std::string::npos);
    EXPECT_NE(error_of("file:out?format=%zz").find("two hex digits"), std::string::npos);
    for (const char* good : {"cups:badges", "zpl://127.0.0.1:9100?dpi=300&darkness=15&label=102x76", "brother-ql://h?model=ql-570&label=29x90",
                             "file:/tmp/x?format=png&dpi=150"})
        EXPECT_EQ(error_of(good), "(opened)") << good;
}

TEST(PrinterStateName, NamesEveryState) {
    EXPECT_EQ(printer_state_name(PrinterState::ready), "ready");
    EXPECT_EQ(printer_state_name(PrinterState::busy), "busy");
    EXPECT_EQ(printer_state_name(PrinterState::offline), "offline");
    EXPECT_EQ(printer_state_name(PrinterState::out_of_media), "out_of_media");
    EXPECT_EQ(printer_state_name(PrinterState::cover_open), "cover_open");
    EXPECT_EQ(printer_state_name(PrinterState::wrong_media), "wrong_media");
    EXPECT_EQ(printer_state_name(PrinterState::queue_stopped), "queue_stopped");
    EXPECT_EQ(printer_state_name(PrinterState::error), "error");
}

// --- Label fitting ----------------------------------------------------------------------------------

TEST(LabelRaster, FitTurnsAndShrinksTheBadgeOntoTheLabel) {
    BadgeLayout layout;
    layout.page_width_mm = 90;
    layout.page_height_mm = 29;
    // 29 x 90 mm die-cut: 306 dots across, 991 along: the badge must turn to fit.
    LabelFit fit = fit_layout(layout, {306, 991, 300});
    EXPECT_TRUE(fit.rotate);
    EXPECT_LE(29 / 25.4 * fit.dpi, 306);
    // 62 mm continuous: turned, the badge's 90 mm run along the roll at full resolution.
    fit = fit_layout(layout, {696, 0, 300});
    EXPECT_TRUE(fit.rotate);
    EXPECT_EQ(fit.dpi, 300);
    // 62 x 29 mm die-cut (696 x 271 dots) and a 100 x 20 mm badge: upright, shrunk to 696 dots wide.
    layout.page_width_mm = 100;
    layout.page_height_mm = 20;
    fit = fit_layout(layout, {696, 271, 300});
    EXPECT_FALSE(fit.rotate);
    EXPECT_LE(100 / 25.4 * fit.dpi, 696.0);
    EXPECT_GT(100 / 25.4 * fit.dpi, 690.0);
    // Small enough: printed at the printer's resolution.
    layout.page_width_mm = 50;
    EXPECT_EQ(fit_layout(layout, {696, 0, 300}).dpi, 300);

    MonoRaster raster = blank_raster(3, 2);
    set_black(raster, 0, 0);            // top left
    const MonoRaster turned = rotate_clockwise(raster);
    EXPECT_EQ(turned.width, 2);
    EXPECT_EQ(turned.height, 3);
    EXPECT_TRUE(turned.black(1, 0));    // top right
    const MonoRaster centred = centred_on(raster, 7, 4);
    EXPECT_TRUE(centred.black(2, 1));
}

// --- ZPL --------------------------------------------------------------------------------------------

TEST(Zpl, CompressionRoundTripsThroughTheDecoder) {
    MonoRaster raster = blank_raster(3300, 40);   // rows longer than 400 hex digits of one value
    for (int x = 0; x < raster.width; ++x) set_black(raster, x, 1);                  // all ones: '!'
    for (int x = 100; x < 3000; ++x) set_black(raster, x, 2);                        // long runs
    for (int y = 3; y < 6; ++y) set_black(raster, 7, y);                            // ':' repeats
    std::mt19937 random(7);
    for (int i = 0; i < 2000; ++i) set_black(raster, static_cast<int>(random() % 3300), 10 + static_cast<int>(random() % 30));
    const std::string label = zpl_label(raster, {});
    EXPECT_LT(label.size(), raster.bits.size());  // compressed below the raw bytes, let alone hex
    auto decoded = kiosk::testing::decode_zpl_label(label);
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(decoded->width, raster.width);
    EXPECT_EQ(decoded->height, raster.height);
    EXPECT_EQ(decoded->bits, raster.bits);
}

TEST(Zpl, LabelCarriesWidthLengthAndDarkness) {
    const MonoRaster raster = blank_raster(812, 600);
    ZplOptions options;
    options.darkness = -7;
    const std::string label = zpl_label(raster, options);
    EXPECT_TRUE(label.starts_with("^XA"));
    EXPECT_NE(label.find("^PW812\n"), std::string::npos);
    EXPECT_NE(label.find("^LL600\n"), std::string::npos);
    EXPECT_NE(label.find("^MD-7\n"), std::string::npos);
    EXPECT_NE(label.find("^FO0,0^GFA,61200,61200,102,"), std::string::npos);
    EXPECT_TRUE(label.ends_with("^XZ\n"));
    EXPECT_EQ(zpl_label(raster, {}).find("^MD"), std::string::npos);
}

TEST(Zpl, HostStatusParsesTheThreeLines) {
    ZebraState state;
    state.paper_out = true;
    state.head_open = true;
    auto parsed = parse_zpl_host_status(ZebraPrinter::host_status(state, 3));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_TRUE(parsed->paper_out);
    EXPECT_TRUE(parsed->head_up);
    EXPECT_FALSE(parsed->paused);
    EXPECT_FALSE(parsed->ribbon_out);
    EXPECT_EQ(parsed->formats_in_buffer, 3);
    EXPECT_FALSE(parse_zpl_host_status("\x02garbage\x03"));
}

TEST(Zpl, PrintedLabelDecodesToTheSecret) {
    ZebraPrinter printer;
    auto driver = open_as<ZplDriver>(printer.uri("dpi=203&darkness=12"));
    ASSERT_TRUE(driver);
    const MonoRaster badge = qr_raster(secret, 812, 480, 250, 40);
    auto printed = driver->print_raster(badge);
    ASSERT_TRUE(printed) << printed.error().message;
    EXPECT_NE(printed->detail.find("127.0.0.1:"), std::string::npos);
    const auto labels = printer.labels();
    ASSERT_EQ(labels.size(), 1u);
    EXPECT_EQ(printer.status_queries(), 2);     // before and after the label
    EXPECT_NE(labels[0].find("^MD12"), std::string::npos);
    auto received = kiosk::testing::decode_zpl_label(labels[0]);
    ASSERT_TRUE(received) << received.error();
    EXPECT_EQ(received->bits, badge.bits);
    TempDir dir;
    EXPECT_EQ(zbar_read(*received, dir), secret);
}

TEST(Zpl, ErrorStatesStopThePrintInWords) {
    ZebraPrinter printer;
    auto driver = open_as<ZplDriver>(printer.uri("timeout=2"));
    ASSERT_TRUE(driver);
    const MonoRaster badge = qr_raster(secret, 400, 300, 10, 10);
    struct Case {
        ZebraState state;
        PrinterState expected;
        std::string words;
    };
    const std::vector<Case> cases{
        {{.paper_out = true}, PrinterState::out_of_media, "out of labels"},
        {{.head_open = true}, PrinterState::cover_open, "head is open"},
        {{.ribbon_out = true}, PrinterState::out_of_media, "ribbon"},
        {{.paused = true}, PrinterState::busy, "paused"},
    };
    for (const Case& c : cases) {
        printer.set_state(c.state);
        const PrinterStatus status = driver->status();
        EXPECT_EQ(status.state, c.expected) << status.message;
        EXPECT_NE(status.message.find(c.words), std::string::npos) << status.message;
        auto printed = driver->print_raster(badge);
        ASSERT_FALSE(printed);
        EXPECT_EQ(printed.error().state, c.expected);
    }
    EXPECT_TRUE(printer.labels().empty());     // nothing was sent to a printer in trouble

    printer.set_state({});
    EXPECT_EQ(driver->status().state, PrinterState::ready);
    printer.set_state({.paper_out_after_label = true});
    auto printed = driver->print_raster(badge);
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::out_of_media);   // ran out during the label
    EXPECT_EQ(printer.labels().size(), 1u);
}

TEST(Zpl, UnreachableAndSilentPrinters) {
    const kiosk::testing::RefusingPort refusing;
    auto offline = open_as<ZplDriver>("zpl://127.0.0.1:" + std::to_string(refusing.port()) + "?timeout=1");
    ASSERT_TRUE(offline);
    const PrinterStatus status = offline->status();
    EXPECT_EQ(status.state, PrinterState::offline);
    EXPECT_NE(status.message.find("cannot be reached"), std::string::npos) << status.message;
    auto printed = offline->print_raster(blank_raster(8, 8));
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::offline);

    ZebraPrinter silent;
    silent.set_state({.silent = true});
    auto driver = open_as<ZplDriver>(silent.uri("timeout=1"));
    ASSERT_TRUE(driver);
    const auto started = std::chrono::steady_clock::now();
    const PrinterStatus quiet = driver->status();
    EXPECT_EQ(quiet.state, PrinterState::error);
    EXPECT_NE(quiet.message.find("did not answer its status query"), std::string::npos) << quiet.message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

// --- Brother QL -------------------------------------------------------------------------------------

TEST(BrotherQl, PackBitsAsTiffWritesIt) {
    const std::vector<uint8_t> line{0, 0, 0, 0, 1, 2, 3, 9, 9};
    const std::string packed = packbits(line);
    EXPECT_EQ(packed, std::string("\xfd\x00\x02\x01\x02\x03\xff\x09", 8));
    const std::vector<uint8_t> blank(90, 0);
    EXPECT_EQ(packbits(blank), std::string("\xa7\x00", 2));   // 90 zeros: -(90-1)
}

TEST(BrotherQl, LabelTableHasThePrintableAreas) {
    const BrotherQlLabel* continuous = find_brother_ql_label("62");
    ASSERT_NE(continuous, nullptr);
    EXPECT_EQ(continuous->printable_across, 696);
    EXPECT_EQ(continuous->offset, 12);
    EXPECT_FALSE(continuous->die_cut());
    const BrotherQlLabel* small = find_brother_ql_label("62x29");
    ASSERT_NE(small, nullptr);
    EXPECT_EQ(small->printable_along, 271);
    const BrotherQlLabel* tall = find_brother_ql_label("29x90");
    ASSERT_NE(tall, nullptr);
    EXPECT_EQ(tall->printable_across, 306);
    EXPECT_EQ(tall->printable_along, 991);
    EXPECT_EQ(tall->offset, 6);
    EXPECT_EQ(tall->describe(), "29 x 90 mm die-cut labels");
    for (const char* model : {"QL-820NWB", "QL-810W", "QL-720NW", "QL-570"}) EXPECT_NE(find_brother_ql_model(model), nullptr) << model;
}

TEST(BrotherQl, RasterLinesAreMirroredFromTheLabelsOffset) {
    const BrotherQlLabel& label = *find_brother_ql_label("62");
    MonoRaster raster = blank_raster(696, 1);
    set_black(raster, 0, 0);       // the badge's left edge
    const std::string job = brother_ql_job(raster, *find_brother_ql_model("QL-800"), label);
    // QL-800: no compression, so the first line is g 00 5A and 90 bytes.
    const size_t first_line = job.find(std::string("g\x00\x5a", 3));
    ASSERT_NE(first_line, std::string::npos);
    const std::string line = job.substr(first_line + 3, 90);
    const int pin = 12 + 695;      // the left edge prints at the far end of the head
    for (int byte = 0; byte < 90; ++byte)
        EXPECT_EQ(static_cast<uint8_t>(line[static_cast<size_t>(byte)]), byte == pin / 8 ? 0x80 >> (pin % 8) : 0) << byte;
}

struct BrotherCase {
    const char* model;
    const char* label;
    int width, height;             // the hand-made badge
};

void PrintTo(const BrotherCase& c, std::ostream* out) { *out << c.model << " with " << c.label; }

class BrotherQlPrints : public ::testing::TestWithParam<BrotherCase> {};

TEST_P(BrotherQlPrints, PageDecodesToTheSecret) {
    const BrotherCase& c = GetParam();
    BrotherQlPrinter printer;
    const BrotherQlLabel& label = *find_brother_ql_label(c.label);
    printer.set_state({.media_width_mm = label.width_mm, .media_length_mm = label.length_mm, .media_type = static_cast<uint8_t>(label.die_cut() ? 0x0B : 0x0A)});
    auto driver = open_as<BrotherQlDriver>(printer.uri(std::string("model=") + c.model + "&label=" + c.label));
    ASSERT_TRUE(driver);
    const MonoRaster badge = qr_raster(secret, c.width, c.height, 40, 30);
    auto printed = driver->print_raster(badge);
    ASSERT_TRUE(printed) << printed.error().message;
    EXPECT_EQ(printer.protocol_error(), "");
    EXPECT_EQ(printer.status_requests(), 1);
    const auto pages = printer.pages();
    ASSERT_EQ(pages.size(), 1u);
    const kiosk::testing::BrotherQlPage& page = pages[0];
    const BrotherQlModel& model = *find_brother_ql_model(c.model);
    EXPECT_EQ(page.raster_mode, model.raster_mode_command);
    EXPECT_EQ(page.compressed, model.compression);
    EXPECT_EQ(page.media_type, label.die_cut() ? 0x0B : 0x0A);
    EXPECT_EQ(page.media_width_mm, label.width_mm);
    EXPECT_EQ(page.media_length_mm, label.length_mm);
    EXPECT_EQ(page.raster_count, page.lines.size());
    EXPECT_EQ(page.lines.size(), static_cast<size_t>(label.die_cut() ? label.printable_along : c.height));
    EXPECT_EQ(page.various_mode, 0x40);        // auto cut
    EXPECT_EQ(page.cut_every, 1);
    EXPECT_EQ(page.expanded, 0x08);            // cut at end
    EXPECT_EQ(page.margin, label.die_cut() ? 0 : 35);
    EXPECT_TRUE(page.feed);
    auto image = kiosk::testing::brother_ql_page_image(page, label);
    ASSERT_TRUE(image) << image.error();
    TempDir dir;
    EXPECT_EQ(zbar_read(*image, dir), secret);
}

INSTANTIATE_TEST_SUITE_P(ModelsAndLabels, BrotherQlPrints,
                         ::testing::Values(BrotherCase{"QL-820NWB", "62", 696, 400}, BrotherCase{"QL-810W", "62x29", 696, 271},
                                           BrotherCase{"QL-720NW", "29x90", 306, 991}, BrotherCase{"QL-570", "62", 600, 300}),
                         [](const ::testing::TestParamInfo<BrotherCase>& param) {
                             std::string name = std::string(param.param.model) + "_" + param.param.label;
                             std::erase(name, '-');
                             return name;
                         });

TEST(BrotherQl, StatusBlockErrorsBecomeWords) {
    const BrotherQlLabel* wanted = find_brother_ql_label("62");
    const auto words = [&](BrotherQlState state) {
        auto block = parse_brother_ql_status(BrotherQlPrinter::status_block(state, 0, 0, state.error1, state.error2));
        EXPECT_TRUE(block);
        return brother_ql_printer_status(*block, wanted);
    };
    EXPECT_EQ(words({}).state, PrinterState::ready);
    EXPECT_EQ(words({.error1 = 0x01}).state, PrinterState::out_of_media);
    EXPECT_EQ(words({.error1 = 0x02}).state, PrinterState::out_of_media);
    EXPECT_EQ(words({.media_type = 0x00}).state, PrinterState::out_of_media);
    EXPECT_EQ(words({.error2 = 0x10}).state, PrinterState::cover_open);
    EXPECT_EQ(words({.error2 = 0x10}).reasons, std::vector<std::string>{"cover open"});
    EXPECT_EQ(words({.error1 = 0x04}).state, PrinterState::error);
    EXPECT_EQ(words({.error2 = 0x01}).state, PrinterState::wrong_media);
    const PrinterStatus narrow = words({.media_width_mm = 29});
    EXPECT_EQ(narrow.state, PrinterState::wrong_media);
    EXPECT_EQ(narrow.message, "A 29 mm label is loaded, the badge needs 62 mm: load 62 mm continuous tape.");
    const PrinterStatus die_cut = words({.media_length_mm = 29, .media_type = 0x0B});
    EXPECT_EQ(die_cut.state, PrinterState::wrong_media);
    EXPECT_EQ(die_cut.message, "62 x 29 mm die-cut labels are loaded, the badge needs 62 mm continuous tape.");
    EXPECT_FALSE(parse_brother_ql_status(std::string(32, 'x')));
}

TEST(BrotherQl, PrinterErrorsStopThePrint) {
    BrotherQlPrinter printer;
    auto driver = open_as<BrotherQlDriver>(printer.uri("model=QL-820NWB&label=62&timeout=2"));
    ASSERT_TRUE(driver);
    const MonoRaster badge = qr_raster(secret, 696, 300, 10, 10);
    struct Case {
        BrotherQlState state;
        PrinterState expected;
        std::string words;
    };
    const std::vector<Case> cases{
        {{.error1 = 0x01}, PrinterState::out_of_media, "no labels"},
        {{.error1 = 0x02}, PrinterState::out_of_media, "out of labels"},
        {{.error2 = 0x10}, PrinterState::cover_open, "cover is open"},
        {{.media_width_mm = 29}, PrinterState::wrong_media, "A 29 mm label is loaded, the badge needs 62 mm"},
    };
    for (const Case& c : cases) {
        printer.set_state(c.state);
        const PrinterStatus status = driver->status();
        EXPECT_EQ(status.state, c.expected) << status.message;
        EXPECT_NE(status.message.find(c.words), std::string::npos) << status.message;
        auto printed = driver->print_raster(badge);
        ASSERT_FALSE(printed);
        EXPECT_EQ(printed.error().state, c.expected);
        EXPECT_NE(printed.error().message.find(c.words), std::string::npos) << printed.error().message;
    }
    EXPECT_TRUE(printer.pages().empty());      // refused before any raster was sent

    // The roll runs out while the badge prints: the printer's error block after the job says so.
    printer.set_state({.print_error1 = 0x02});
    auto printed = driver->print_raster(badge);
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::out_of_media);
    EXPECT_EQ(printer.pages().size(), 1u);
    EXPECT_EQ(printer.protocol_error(), "");
}

TEST(BrotherQl, UnreachableAndOneWayPrinters) {
    const kiosk::testing::RefusingPort refusing;
    auto offline = open_as<BrotherQlDriver>("brother-ql://127.0.0.1:" + std::to_string(refusing.port()) + "?label=62&timeout=1");
    ASSERT_TRUE(offline);
    EXPECT_EQ(offline->status().state, PrinterState::offline);
    auto refused = offline->print_raster(blank_raster(696, 200));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().state, PrinterState::offline);

    // A print server that passes data one way: printed without checks, and the outcome says so.
    BrotherQlPrinter printer;
    printer.set_state({.silent = true});
    auto driver = open_as<BrotherQlDriver>(printer.uri("model=QL-720NW&label=62&timeout=1"));
    ASSERT_TRUE(driver);
    auto printed = driver->print_raster(qr_raster(secret, 696, 300, 10, 10));
    ASSERT_TRUE(printed) << printed.error().message;
    EXPECT_NE(printed->detail.find("no status"), std::string::npos);
    for (int i = 0; i < 200 && printer.pages().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(printer.pages().size(), 1u);
}

// --- Files ------------------------------------------------------------------------------------------

TEST(FileDriver, WritesEachBadgeWholeUnderANewName) {
    TempDir dir;
    const std::string folder = dir.file("badges/out");
    auto first = open_as<FileDriver>("file:" + folder);
    auto second = open_as<FileDriver>("file://" + folder + "?format=pdf");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->status().state, PrinterState::ready);
    std::vector<std::string> written;
    for (int i = 0; i < 3; ++i) {
        for (FileDriver* driver : {first.get(), second.get()}) {
            auto printed = driver->write_badge("%PDF-1.4 badge " + std::to_string(i));
            ASSERT_TRUE(printed) << printed.error().message;
            written.push_back(printed->detail);
        }
    }
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename().string());
    EXPECT_EQ(names.size(), 6u);                  // two drivers, one folder: nothing overwritten, no temporaries left
    for (const std::string& name : names) {
        EXPECT_TRUE(name.starts_with("badge-")) << name;
        EXPECT_TRUE(name.ends_with(".pdf")) << name;
    }
    std::ifstream in(written.back());
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "%PDF-1.4 badge 2");

    auto png = open_as<FileDriver>("file:" + folder + "?format=png");
    ASSERT_TRUE(png);
    auto printed = png->write_badge("png bytes");
    ASSERT_TRUE(printed);
    EXPECT_TRUE(printed->detail.ends_with(".png"));
}

TEST(FileDriver, AFileInPlaceOfTheFolderIsAnError) {
    TempDir dir;
    std::ofstream(dir.file("taken")) << "x";
    auto driver = open_as<FileDriver>("file:" + dir.file("taken"));
    ASSERT_TRUE(driver);
    EXPECT_EQ(driver->status().state, PrinterState::error);
    auto printed = driver->write_badge("%PDF");
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::error);
    EXPECT_NE(printed.error().message.find("cannot be created"), std::string::npos) << printed.error().message;
}

} // namespace
} // namespace kiosk::printer
