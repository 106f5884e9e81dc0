// The CUPS driver against a real, private scheduler (tests/support/cups_server.h) with a cups-pdf
// queue: a badge printed through it comes out as a PDF whose QR decodes to the secret and whose
// text holds the name, on the badge's page size (the job's media), not the queue's default paper;
// stopped, rejecting and unknown queues and an unreachable server give the status staff need.
// Skipped, with the reason, where the scheduler cannot run (not root).
#include "printer/drivers/cups_driver.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "image/qr.h"
#include "tests/support/cups_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk::printer {
namespace {

using kiosk::testing::CupsServer;
using kiosk::testing::run_process;

constexpr const char* secret = "Zq8mW3xK5vB1nJ7c";
constexpr const char* attendee = "Ada Lovelace";
constexpr MediaSize hand_made_page{101.6, 76.2};   // badge_pdf's MediaBox: 288 x 216 pt, 4 in x 3 in

// A one-page PDF made by hand (the renderer is tested on its own): the name in Helvetica and the
// QR of the secret as filled squares, 3 pt a module.
std::string badge_pdf(const std::string& name, const std::string& text) {
    QrStyle style;
    style.module_pixels = 1;
    style.quiet_zone_modules = 0;
    auto qr = encode_qr(text, style);
    EXPECT_TRUE(qr.has_value());
    std::string content = "BT /F1 20 Tf 24 30 Td (" + name + ") Tj ET\n0 g\n";
    const double module = 3, left = 60, top = 200;
    for (int y = 0; y < qr->height(); ++y)
        for (int x = 0; x < qr->width(); ++x)
            if (qr->data()[static_cast<size_t>(y) * qr->stride() + x] < 128)
                content += std::to_string(left + x * module) + " " + std::to_string(top - (y + 1) * module) + " 3 3 re\n";
    content += "f\n";
    std::vector<std::string> objects{
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 216] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    std::string pdf = "%PDF-1.4\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (size_t offset : offsets) {
        char line[24];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

class CupsDriverTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new CupsServer("badges"); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        if (!server_->running()) GTEST_SKIP() << "no private CUPS scheduler: " << server_->skip_reason();
        server_->enable();
        run_process({"cupsaccept", "-h", server_->server(), server_->queue()});
    }
    static std::unique_ptr<CupsDriver> driver(const std::string& queue = "badges", const std::string& extra = "") {
        auto uri = parse_printer_uri("cups:" + queue + "?server=" + server_->server() + extra);
        EXPECT_TRUE(uri) << uri.error();
        auto opened = CupsDriver::open(*uri);
        EXPECT_TRUE(opened) << opened.error();
        return opened ? std::move(*opened) : nullptr;
    }
    static CupsServer* server_;
};

CupsServer* CupsDriverTest::server_ = nullptr;

// The PDF cups-pdf wrote for the job that just completed (it renames the file as the job ends:
// a moment's grace), or an empty path.
std::filesystem::path next_pdf(const CupsServer& server, size_t before) {
    std::vector<std::filesystem::path> pdfs;
    for (int i = 0; i < 50 && (pdfs = server.pdfs()).size() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (pdfs.size() != before + 1) return {};
    std::sort(pdfs.begin(), pdfs.end(), [](const auto& a, const auto& b) { return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b); });
    return pdfs.back();
}

// pdfinfo's "Page size:  243 x 153 pts" as {width, height} in points; {0, 0} when absent.
std::pair<double, double> page_size_pt(const std::filesystem::path& pdf) {
    const auto info = run_process({"pdfinfo", pdf.string()});
    double width = 0, height = 0;
    if (const size_t at = info.out.find("Page size:"); at != std::string::npos)
        std::sscanf(info.out.c_str() + at, "Page size: %lf x %lf", &width, &height);
    return {width, height};
}

// CUPS maps the custom media onto the PPD's custom page size in whole points (Custom.%dx%d,
// truncated): the page may be up to a point smaller than the layout's.
void expect_page_of(const std::filesystem::path& pdf, const MediaSize& size) {
    const auto [width, height] = page_size_pt(pdf);
    const double want_width = size.width_mm / 25.4 * 72, want_height = size.height_mm / 25.4 * 72;
    EXPECT_NEAR(width, want_width - 0.5, 0.51) << pdf << ": " << width << " x " << height << " pt";
    EXPECT_NEAR(height, want_height - 0.5, 0.51) << pdf << ": " << width << " x " << height << " pt";
}

TEST_F(CupsDriverTest, BadgeComesOutAsAPdfWithTheQrAndTheName) {
    auto cups = driver();
    ASSERT_TRUE(cups);
    EXPECT_EQ(cups->server(), server_->server());
    EXPECT_EQ(cups->status().state, PrinterState::ready);
    const size_t before = server_->pdfs().size();
    auto printed = cups->print_pdf(badge_pdf(attendee, secret), "kiosk badge", hand_made_page);
    ASSERT_TRUE(printed) << printed.error().message;
    EXPECT_NE(printed->detail.find("completed"), std::string::npos) << printed->detail;
    EXPECT_GE(printed->pages, 1);
    const CupsJobTimes& times = cups->last_job_times();
    EXPECT_GT(times.spooled_ms, 0);
    EXPECT_GE(times.completed_ms, times.spooled_ms);
    EXPECT_GE(times.polls, 1);

    const std::filesystem::path produced = next_pdf(*server_, before);
    ASSERT_FALSE(produced.empty()) << "cups-pdf wrote no PDF";
    const std::string pdf = produced.string();
    expect_page_of(produced, hand_made_page);   // 288 x 216 pt, not the queue's A4

    const auto text = run_process({"pdftotext", pdf, "-"});
    EXPECT_NE(text.out.find(attendee), std::string::npos) << text.out << text.err;
    kiosk::testing::TempDir dir;
    const auto raster = run_process({"pdftoppm", "-r", "200", "-png", "-singlefile", pdf, dir.file("page")});
    ASSERT_EQ(raster.exit_code(), 0) << raster.err;
    const auto read = run_process({"zbarimg", "--raw", "-q", dir.file("page.png")});
    EXPECT_EQ(read.out, std::string(secret) + "\n") << read.err;
}

TEST_F(CupsDriverTest, TheLayoutsPageSizeGoesWithTheJob) {
    // A credit-card badge through the layout path: the PDF cups-pdf makes has the layout's page,
    // where without a media the queue's default A4 came out with the badge on it.
    auto layout = parse_badge_layout(nlohmann::json::parse(R"({"id": 7, "name": "card", "size": [{"width": 86, "height": 54}],
        "layout": [{"type": "textarea", "page": 1, "left": "4", "bottom": "30", "width": "78", "content": "attendee_name",
                    "fontsize": "16.0", "fontfamily": "Open Sans", "bold": true, "align": "center", "autoresize": true},
                   {"type": "barcodearea", "page": 1, "left": "33", "bottom": "4", "size": "20", "content": "secret"}]})"));
    ASSERT_TRUE(layout) << layout.error();
    BadgeData data;
    data.text["attendee_name"] = attendee;
    data.secret = secret;
    data.language = "en";
    auto cups = driver();
    ASSERT_TRUE(cups);
    for (int badge = 0; badge < 2; ++badge) {
        const size_t before = server_->pdfs().size();
        auto printed = cups->print(*layout, data);
        ASSERT_TRUE(printed) << printed.error().message;
        // The connection to the scheduler is kept: the second badge opens none.
        if (badge == 1) {
            EXPECT_EQ(cups->last_job_times().connect_ms, 0) << "a new connection for the second badge";
        }
        const std::filesystem::path produced = next_pdf(*server_, before);
        ASSERT_FALSE(produced.empty()) << "cups-pdf wrote no PDF";
        expect_page_of(produced, {86, 54});
        const auto text = run_process({"pdftotext", produced.string(), "-"});
        EXPECT_NE(text.out.find(attendee), std::string::npos) << text.out << text.err;
    }
}

TEST_F(CupsDriverTest, StoppedQueueIsReportedAndNothingIsSubmitted) {
    auto cups = driver();
    ASSERT_TRUE(cups);
    ASSERT_EQ(server_->disable("badge printer jammed").exit_code(), 0);
    const PrinterStatus status = cups->status();
    EXPECT_EQ(status.state, PrinterState::queue_stopped);
    EXPECT_NE(status.message.find("'badges' is stopped"), std::string::npos) << status.message;
    EXPECT_NE(status.message.find("badge printer jammed"), std::string::npos) << status.message;
    EXPECT_NE(status.message.find("cupsenable badges"), std::string::npos) << status.message;
    const size_t before = server_->pdfs().size();
    auto printed = cups->print_pdf(badge_pdf(attendee, secret), "kiosk badge");
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::queue_stopped);
    const auto jobs = run_process({"lpstat", "-h", server_->server(), "-o", "badges"});
    EXPECT_EQ(jobs.out, "");                   // no job left waiting to print twice later
    server_->enable();
    EXPECT_EQ(cups->status().state, PrinterState::ready);
    EXPECT_EQ(server_->pdfs().size(), before);
}

TEST_F(CupsDriverTest, RejectingQueueIsStoppedToo) {
    auto cups = driver();
    ASSERT_TRUE(cups);
    ASSERT_EQ(server_->reject().exit_code(), 0);
    const PrinterStatus status = cups->status();
    EXPECT_EQ(status.state, PrinterState::queue_stopped);
    EXPECT_NE(status.message.find("rejecting jobs"), std::string::npos) << status.message;
}

TEST_F(CupsDriverTest, UnknownQueueAndUnreachableServer) {
    auto missing = driver("nosuchqueue");
    ASSERT_TRUE(missing);
    const PrinterStatus status = missing->status();
    EXPECT_EQ(status.state, PrinterState::error);
    EXPECT_NE(status.message.find("no print queue named 'nosuchqueue'"), std::string::npos) << status.message;
    auto printed = missing->print_pdf(badge_pdf(attendee, secret), "kiosk badge");
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::error);

    // A port bound and never listened on refuses at once.
    kiosk::testing::UniqueFd held(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(held.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(held.get(), reinterpret_cast<sockaddr*>(&address), &length);
    auto uri = parse_printer_uri("cups:badges?server=127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
    auto unreachable = CupsDriver::open(*uri);
    ASSERT_TRUE(unreachable);
    const PrinterStatus offline = (*unreachable)->status();
    EXPECT_EQ(offline.state, PrinterState::offline);
    EXPECT_NE(offline.message.find("cannot be reached"), std::string::npos) << offline.message;
    auto refused = (*unreachable)->print_pdf("%PDF", "kiosk badge");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().state, PrinterState::offline);
}

TEST_F(CupsDriverTest, JobThatCannotFinishIsCanceledAtTheTimeout) {
    // A raw queue to a printer whose port refuses: CUPS's socket backend retries for ever (with
    // only a printer-state-message, no state reason); at the URI's timeout the driver gives up,
    // quoting CUPS, and takes its job back so it never prints later as a second copy.
    kiosk::testing::UniqueFd held(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(held.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(held.get(), reinterpret_cast<sockaddr*>(&address), &length);
    const auto added = server_->add_queue("gone", "socket://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
    ASSERT_EQ(added.exit_code(), 0) << added.err;
    auto cups = driver("gone", "&timeout=3");
    ASSERT_TRUE(cups);
    const auto started = std::chrono::steady_clock::now();
    auto printed = cups->print_pdf(badge_pdf(attendee, secret), "kiosk badge");
    ASSERT_FALSE(printed);
    EXPECT_EQ(printed.error().state, PrinterState::error) << printed.error().message;
    EXPECT_NE(printed.error().message.find("did not finish within 3 s"), std::string::npos) << printed.error().message;
    EXPECT_NE(printed.error().message.find("may not exist"), std::string::npos) << printed.error().message;
    EXPECT_NE(printed.error().message.find("was canceled"), std::string::npos) << printed.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(6));
    const auto jobs = run_process({"lpstat", "-h", server_->server(), "-o", "gone"});
    EXPECT_EQ(jobs.out, "");
}

TEST(CupsMediaName, PwgCustomSizeInMillimetres) {
    EXPECT_EQ(cups_media_name({86, 54}), "custom_86x54mm_86x54mm");
    EXPECT_EQ(cups_media_name({203.2, 82.55}), "custom_203.2x82.55mm_203.2x82.55mm");   // pretix's default badge
    EXPECT_EQ(cups_media_name({101.6, 76.2}), "custom_101.6x76.2mm_101.6x76.2mm");
    EXPECT_FALSE(cups_media_name({0, 54}));
    EXPECT_FALSE(cups_media_name({86, std::nan("")}));
    EXPECT_FALSE(cups_media_name({-86, 54}));
}

TEST(CupsQueueWords, PrinterStateReasonsInWords) {
    EXPECT_EQ(cups_printer_status({3, true, {}, ""}, "q").state, PrinterState::ready);
    EXPECT_EQ(cups_printer_status({4, true, {}, ""}, "q").state, PrinterState::busy);
    EXPECT_EQ(cups_printer_status({3, true, {"media-empty-error"}, ""}, "q").state, PrinterState::out_of_media);
    EXPECT_EQ(cups_printer_status({3, true, {"media-empty-warning"}, ""}, "q").state, PrinterState::ready);
    EXPECT_EQ(cups_printer_status({5, true, {"cover-open"}, ""}, "q").state, PrinterState::cover_open);
    EXPECT_EQ(cups_printer_status({4, true, {"offline-report"}, ""}, "q").state, PrinterState::offline);
    EXPECT_EQ(cups_printer_status({5, true, {"paused"}, "Paused"}, "q").state, PrinterState::queue_stopped);
    const PrinterStatus stopped = cups_printer_status({5, true, {"media-empty-error"}, ""}, "q");
    EXPECT_EQ(stopped.message, "The printer is out of labels. The queue 'q' is stopped until it is enabled again (cupsenable).");
    EXPECT_EQ(stopped.reasons, std::vector<std::string>{"media-empty-error"});
}

} // namespace
} // namespace kiosk::printer
