// kioskctl print end to end on the demo event: the badge to a PDF (the name found by pdftotext,
// the QR read by zbarimg from pdftoppm's rendering) and a PNG, through the file:, zpl:// (the
// loopback Zebra, its label decoded) and cups: (a private cupsd with a cups-pdf queue) printers;
// an unknown ticket and a bad printer URI are refusals in a sentence (exit 2), a printer out of
// labels a well-formed negative answer (exit 1) with the reason in words.
#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "image/png.h"
#include "tests/support/cups_server.h"
#include "tests/support/db_dump.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zebra_printer.h"

namespace kiosk {
namespace {

using nlohmann::json;
using kiosk::testing::run_process;

const std::filesystem::path kDemo = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "demo";
constexpr const char* kSamuel = "8bmub2af8hgcku36aguwaaxpxzuhkdcq";     // Samuel Ashworth
constexpr const char* kMikhail = "4hh5d35ef369en69byeskn78ydrcak5n";    // Михаил Фёдоров

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

class KioskctlPrintTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto imported = ctl({"import", kDemo.string(), "--organizer", "demo"});
        ASSERT_EQ(imported.exit_code(), 0) << imported.err;
    }
    testing::ProcessResult ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {KIOSKCTL_PATH, "--db", db});
        return run_process(args);
    }
    // `kioskctl print SECRET --list 11 ARGS...`: one line of JSON with the expected exit code.
    json print(const std::string& secret, std::vector<std::string> args, int expected_exit) {
        args.insert(args.begin(), {"print", secret, "--list", "11"});
        const auto result = ctl(std::move(args));
        EXPECT_EQ(result.exit_code(), expected_exit) << result.out << result.err;
        EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
        try {
            const json answer = json::parse(result.out);
            for (const char* key : {"status", "printer", "pages", "reason", "job"}) EXPECT_TRUE(answer.contains(key)) << key;
            return answer;
        } catch (const json::exception&) {
            ADD_FAILURE() << "not JSON: " << result.out << " / " << result.err;
            return nullptr;
        }
    }
    // A refusal: exit 2, nothing on stdout, one sentence on stderr (returned).
    std::string refusal(std::vector<std::string> args) {
        const auto result = ctl(std::move(args));
        EXPECT_EQ(result.exit_code(), 2) << result.out << result.err;
        EXPECT_TRUE(result.out.empty()) << result.out;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        return trimmed(result.err);
    }
    std::string pdf_text(const std::string& pdf) { return run_process({"pdftotext", "-enc", "UTF-8", pdf, "-"}).out; }
    std::string zbar(const std::string& image) {
        const auto read = run_process({"zbarimg", "--raw", "-q", image});
        return read.exit_code() == 0 ? trimmed(read.out) : "zbarimg exit " + std::to_string(read.exit_code()) + ": " + read.err;
    }
    std::string pdf_qr(const std::string& pdf) {
        const std::string page = dir.file("page-" + std::to_string(std::random_device()()));
        const auto raster = run_process({"pdftoppm", "-r", "200", "-png", "-singlefile", pdf, page});
        if (raster.exit_code() != 0) return "pdftoppm: " + raster.err;
        return zbar(page + ".png");
    }
    std::string label_qr(const std::string& label) {
        const auto raster = kiosk::testing::decode_zpl_label(label);
        if (!raster) return "undecodable label: " + raster.error();
        const int margin = 24;
        Image image(raster->width + 2 * margin, raster->height + 2 * margin, PixelFormat::gray8, 255);
        for (int y = 0; y < raster->height; ++y)
            for (int x = 0; x < raster->width; ++x)
                if (raster->black(x, y)) image.row(y + margin)[x + margin] = 0;
        const std::string path = dir.file("label-" + std::to_string(std::random_device()()) + ".png");
        if (auto written = write_png(image.view(), path); !written) return "write_png: " + written.error();
        return zbar(path);
    }

    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
};

TEST_F(KioskctlPrintTest, OutPdfHoldsTheNameAsTextAndTheSecretAsAQr) {
    const std::string pdf = dir.file("badge.pdf");
    const json answer = print(kSamuel, {"--out", pdf}, 0);
    EXPECT_EQ(answer["status"], "done");
    EXPECT_EQ(answer["printer"], pdf);
    EXPECT_EQ(answer["pages"], 1);
    EXPECT_EQ(answer["reason"], nullptr);
    EXPECT_GT(answer["job"].get<int64_t>(), 0);
    std::ifstream file(pdf, std::ios::binary);
    std::string head(5, '\0');
    file.read(head.data(), 5);
    EXPECT_EQ(head, "%PDF-");
    const std::string text = pdf_text(pdf);
    EXPECT_NE(text.find("Samuel Ashworth"), std::string::npos) << text;
    EXPECT_EQ(pdf_qr(pdf), kSamuel);
}

TEST_F(KioskctlPrintTest, OutPngIsABadgeImageWhoseQrScans) {
    const std::string png = dir.file("badge.png");
    const json answer = print(kMikhail, {"--out", png}, 0);
    EXPECT_EQ(answer["status"], "done");
    EXPECT_EQ(answer["pages"], 1);
    std::ifstream file(png, std::ios::binary);
    std::string head(8, '\0');
    file.read(head.data(), 8);
    EXPECT_EQ(head, "\x89PNG\r\n\x1a\n");
    EXPECT_EQ(zbar(png), kMikhail);
}

TEST_F(KioskctlPrintTest, OutWithAnotherExtensionIsRefused) {
    const std::string error = refusal({"print", kSamuel, "--list", "11", "--out", dir.file("badge.jpg")});
    EXPECT_NE(error.find(".pdf or .png"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(dir.file("badge.jpg")));
}

TEST_F(KioskctlPrintTest, FilePrinterWritesAPdfPerBadge) {
    const std::filesystem::path out = dir.path() / "printed";
    for (int copy = 0; copy < 2; ++copy) {
        const json answer = print(kSamuel, {"--printer", "file:" + out.string()}, 0);
        EXPECT_EQ(answer["status"], "done");
        EXPECT_EQ(answer["printer"], "file:" + out.string());
        EXPECT_EQ(answer["pages"], 1);
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(out)) files.push_back(entry.path());
    ASSERT_EQ(files.size(), 2u);   // a staff reprint is another badge, never an overwritten one
    for (const auto& file : files) {
        EXPECT_EQ(file.extension(), ".pdf") << file;
        EXPECT_NE(pdf_text(file.string()).find("Samuel Ashworth"), std::string::npos) << file;
        EXPECT_EQ(pdf_qr(file.string()), kSamuel) << file;
    }
}

TEST_F(KioskctlPrintTest, ZebraReceivesALabelWhoseQrIsTheSecret) {
    kiosk::testing::ZebraPrinter zebra;
    const json answer = print(kMikhail, {"--printer", zebra.uri()}, 0);
    EXPECT_EQ(answer["status"], "done");
    EXPECT_EQ(answer["printer"], zebra.uri());
    EXPECT_EQ(answer["pages"], 1);
    EXPECT_EQ(answer["reason"], nullptr);
    const auto labels = zebra.labels();
    ASSERT_EQ(labels.size(), 1u);
    EXPECT_EQ(label_qr(labels[0]), kMikhail);
    EXPECT_GE(zebra.status_queries(), 1);
}

TEST_F(KioskctlPrintTest, ZebraOutOfLabelsIsAFailedPrintWithTheReasonInWords) {
    kiosk::testing::ZebraPrinter zebra;
    zebra.set_state({.paper_out = true});
    const json answer = print(kSamuel, {"--printer", zebra.uri()}, 1);
    EXPECT_EQ(answer["status"], "failed");
    EXPECT_EQ(answer["printer"], zebra.uri());
    EXPECT_EQ(answer["pages"], 0);
    EXPECT_EQ(answer["reason"], "The printer is out of labels.");
    EXPECT_TRUE(zebra.labels().empty());
}

TEST_F(KioskctlPrintTest, AnUnknownTicketIsRefusedInASentence) {
    const std::string before = testing::dump_database(db);
    const std::string error = refusal({"print", "uwnnce633x4ke8sxb3trp5bb9ps7kfs4", "--list", "11", "--out", dir.file("x.pdf")});
    EXPECT_EQ(error, "kioskctl: no ticket with this code in the list's event");
    EXPECT_FALSE(std::filesystem::exists(dir.file("x.pdf")));
    EXPECT_NE(refusal({"print", kSamuel, "--list", "999", "--out", dir.file("x.pdf")}).find("999"), std::string::npos);
    EXPECT_NE(refusal({"print", kSamuel, "--list", "11"}).find("--printer"), std::string::npos);
    EXPECT_EQ(testing::dump_database(db), before);
}

TEST_F(KioskctlPrintTest, ABadPrinterUriIsRefusedInASentence) {
    const std::string before = testing::dump_database(db);
    for (const char* uri : {"lpt:/dev/lp0", "zpl://", "zpl://127.0.0.1:99999", "cups://badges", "brother-ql://127.0.0.1:9100?model=QL-1&label=62"}) {
        SCOPED_TRACE(uri);
        const std::string error = refusal({"print", kSamuel, "--list", "11", "--printer", uri});
        EXPECT_EQ(error.rfind("kioskctl: ", 0), 0u) << error;
        EXPECT_GT(error.size(), 20u) << error;
    }
    // Refused before any job exists: nothing for the kiosk's queue to print later.
    EXPECT_EQ(testing::dump_database(db), before);
}

TEST_F(KioskctlPrintTest, ThroughAPrivateCupsServerWithCupsPdf) {
    kiosk::testing::CupsServer cups;
    if (!cups.running()) GTEST_SKIP() << "no private CUPS scheduler: " << cups.skip_reason();
    const std::string uri = "cups:" + cups.queue() + "?server=" + cups.server();
    // cups-pdf writes each file as its job ends; a moment's grace for its rename.
    const auto next_pdf = [&](size_t before) -> std::string {
        std::vector<std::filesystem::path> pdfs;
        for (int i = 0; i < 50 && (pdfs = cups.pdfs()).size() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (pdfs.size() != before + 1) return {};
        std::sort(pdfs.begin(), pdfs.end(), [](const auto& a, const auto& b) { return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b); });
        return pdfs.back().string();
    };
    for (const char* secret : {kSamuel, kMikhail}) {
        SCOPED_TRACE(secret);
        const size_t before = cups.pdfs().size();
        const json answer = print(secret, {"--printer", uri}, 0);
        EXPECT_EQ(answer["status"], "done") << answer.dump();
        EXPECT_EQ(answer["printer"], uri);
        EXPECT_GE(answer["pages"].get<int>(), 1);
        const std::string pdf = next_pdf(before);
        ASSERT_FALSE(pdf.empty()) << "cups-pdf wrote no PDF";
        EXPECT_EQ(pdf_qr(pdf), secret);
        // The name as text: only a Latin one. This queue turns the PDF into PostScript (pdftops) and
        // back (cups-pdf's Ghostscript), which keeps the glyphs of the CID font that Cyrillic, Arabic,
        // CJK... names are set in but drops its ToUnicode map: the name prints, pdftotext cannot read it.
        if (std::string_view(secret) == kSamuel) {
            EXPECT_NE(pdf_text(pdf).find("Samuel Ashworth"), std::string::npos) << pdf_text(pdf);
        }
    }

    ASSERT_EQ(cups.disable("badge printer jammed").exit_code(), 0);
    const size_t before = cups.pdfs().size();
    const json stopped = print(kMikhail, {"--printer", uri}, 1);
    EXPECT_EQ(stopped["status"], "failed");
    EXPECT_EQ(stopped["pages"], 0);
    EXPECT_NE(stopped["reason"].get<std::string>().find("badge printer jammed"), std::string::npos) << stopped.dump();
    EXPECT_NE(stopped["reason"].get<std::string>().find("cupsenable"), std::string::npos) << stopped.dump();
    EXPECT_EQ(cups.pdfs().size(), before);
}

} // namespace
} // namespace kiosk
