// `kioskctl decode` end to end: images, folders, a video, and paths that cannot be read. Frames
// are made here with our own QR writer; nothing binary is committed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <fstream>
#include <sstream>

#include "image/opencv.h"
#include "image/png.h"
#include "image/qr.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

// A 1280x720 camera-like frame: grey background with the code pasted in, or no code at all.
cv::Mat frame_with(const std::string& text) {
    cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar(90, 110, 120));
    cv::putText(frame, "KioskConf 2027", {40, 100}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(230, 230, 230), 3);
    if (!text.empty()) {
        const auto code = encode_qr(text, QrStyle{6, 4, QrErrorCorrection::medium});
        cv::Mat gray = mat_of(code->view()), bgr;
        cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
        bgr.copyTo(frame(cv::Rect(400, 150, bgr.cols, bgr.rows)));
    }
    return frame;
}

std::vector<json> lines_of(const std::string& out) {
    std::vector<json> lines;
    std::istringstream stream(out);
    for (std::string line; std::getline(stream, line);) lines.push_back(json::parse(line));
    return lines;
}

class DecodeCommandTest : public ::testing::Test {
protected:
    testing::ProcessResult decode(std::vector<std::string> args) {
        args.insert(args.begin(), {KIOSKCTL_PATH, "decode"});
        return testing::run_process(args);
    }
    std::string write_frame(const std::string& name, const std::string& text) {
        const std::string path = dir.file(name);
        const cv::Mat frame = frame_with(text);
        EXPECT_TRUE(write_png(*view_of(frame), path));
        return path;
    }
    testing::TempDir dir;
};

TEST_F(DecodeCommandTest, ImageWithATicketCode) {
    const auto result = decode({write_frame("ticket.png", "8bmub2af8hgcku36aguwaaxpxzuhkdcq")});
    ASSERT_EQ(result.exit_code(), 0) << result.err;
    const auto lines = lines_of(result.out);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["text"], "8bmub2af8hgcku36aguwaaxpxzuhkdcq");
    EXPECT_EQ(lines[0]["frame"], nullptr);
    EXPECT_TRUE(lines[0]["ms"].is_number());
    EXPECT_NE(lines[0]["file"].get<std::string>().find("ticket.png"), std::string::npos);
}

TEST_F(DecodeCommandTest, ImageWithoutACodeIsANegativeAnswer) {
    const auto result = decode({write_frame("empty.png", "")});
    EXPECT_EQ(result.exit_code(), 1);
    const auto lines = lines_of(result.out);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_FALSE(lines[0].contains("text"));
    EXPECT_EQ(lines[0]["error"], "no code found");
}

TEST_F(DecodeCommandTest, FolderInNameOrderAndNonAsciiText) {
    std::filesystem::create_directories(dir.path() / "folder");
    write_frame("folder/b.png", "Ærøskøbing — Кира 李娜");
    write_frame("folder/a.png", "secret-a");
    std::ofstream(dir.path() / "folder" / "notes.txt") << "not an image";
    const auto result = decode({dir.file("folder")});
    ASSERT_EQ(result.exit_code(), 0) << result.err;
    const auto lines = lines_of(result.out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["text"], "secret-a");
    EXPECT_EQ(lines[1]["text"], "Ærøskøbing — Кира 李娜");
}

TEST_F(DecodeCommandTest, VideoGivesALinePerFrame) {
    const std::string path = dir.file("walkup.avi");
    {
        cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(1280, 720));
        ASSERT_TRUE(writer.isOpened());
        for (int i = 0; i < 4; ++i) writer.write(frame_with(""));
        for (int i = 0; i < 6; ++i) writer.write(frame_with("video-ticket-0001"));
    }
    const auto result = decode({path});
    ASSERT_EQ(result.exit_code(), 0) << result.err;
    const auto lines = lines_of(result.out);
    ASSERT_EQ(lines.size(), 10u);
    int read = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i]["frame"], i);
        if (lines[i].contains("text")) {
            EXPECT_EQ(lines[i]["text"], "video-ticket-0001"); // never a wrong text
            ++read;
        }
    }
    EXPECT_GE(read, 5);
    EXPECT_EQ(lines_of(decode({path, "--codes-only"}).out).size(), static_cast<size_t>(read));
}

TEST_F(DecodeCommandTest, UnreadablePathsAreReportedAndTheRestStillDecoded) {
    const std::string good = write_frame("good.png", "still-read");
    std::ofstream(dir.path() / "broken.png") << "\x89PNG\r\n\x1a\n truncated";
    std::ofstream(dir.path() / "garbage.mp4") << std::string(1000, 'x');
    const auto result = decode({dir.file("missing.png"), dir.file("broken.png"), dir.file("garbage.mp4"), good});
    EXPECT_EQ(result.exit_code(), 2);
    const auto lines = lines_of(result.out);
    ASSERT_EQ(lines.size(), 4u);
    for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(lines[i].contains("error")) << lines[i];
    EXPECT_EQ(lines[3]["text"], "still-read");
}

TEST_F(DecodeCommandTest, UsageErrors) {
    EXPECT_EQ(decode({}).exit_code(), 2);
    EXPECT_EQ(decode({"x.png", "--symbologies", "qr,teapot"}).exit_code(), 2);
    EXPECT_EQ(decode({"x.png", "--budget-ms", "0"}).exit_code(), 2);
}

} // namespace
} // namespace kiosk
