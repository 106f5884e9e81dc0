// Frame sources: a video written here with cv::VideoWriter, a folder of stills with a corrupt
// one, the synthetic demo camera, a camera that is not there, and URIs that make no sense.
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "image/opencv.h"
#include "image/qr.h"
#include "tests/support/temp_dir.h"
#include "vision/decoder.h"
#include "vision/frame_source.h"

namespace kiosk {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

std::unique_ptr<FrameSource> open_or_fail(const std::string& uri, const SourceOptions& options = {}) {
    auto result = open_frame_source(uri, options);
    if (!result) {
        ADD_FAILURE() << uri << ": " << result.error();
        return nullptr;
    }
    return std::move(*result);
}

std::string open_error(const std::string& uri, const SourceOptions& options = {}) {
    const auto result = open_frame_source(uri, options);
    return result ? std::string() : result.error();
}

SourceOptions as_fast_as_possible() {
    SourceOptions options;
    options.realtime = false;
    return options;
}

// A 640x480 grey frame with the code of `text` in it, or without a code when text is empty.
cv::Mat qr_frame(const std::string& text) {
    cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(200, 200, 200));
    if (text.empty()) return frame;
    QrStyle style;
    style.module_pixels = 7;
    auto code = encode_qr(text, style);
    EXPECT_TRUE(code.has_value()) << code.error();
    if (!code) return frame;
    cv::Mat bgr;
    cv::cvtColor(mat_of(code->view()), bgr, cv::COLOR_GRAY2BGR);
    bgr.copyTo(frame(cv::Rect((640 - bgr.cols) / 2, (480 - bgr.rows) / 2, bgr.cols, bgr.rows)));
    return frame;
}

// Ten frames at 10 fps: four of ticket A, two blank, four of ticket B.
const std::vector<std::string> kVideoScript = {"TICKET-A", "TICKET-A", "TICKET-A", "TICKET-A", "", "",
                                               "TICKET-B", "TICKET-B", "TICKET-B", "TICKET-B"};

std::string write_test_video(const TempDir& dir) {
    const std::string path = dir.file("tickets.avi");
    // MJPG in AVI: Debian's OpenCV writes it through FFmpeg without extra codecs.
    cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(640, 480));
    EXPECT_TRUE(writer.isOpened());
    for (const std::string& text : kVideoScript) writer.write(qr_frame(text));
    writer.release();
    return path;
}

std::string decoded_text(const Frame& frame) {
    // A generous budget: what a frame shows must not depend on how loaded the machine is.
    DecodeOptions options;
    options.budget = std::chrono::milliseconds(500);
    const FrameDecode result = decode_image(frame.image.view(), options);
    return result.codes.empty() ? std::string() : result.codes.front().text;
}

// --- file: ---------------------------------------------------------------------------------

TEST(FileSource, PlaysEveryFrameOnceThenFinishes) {
    TempDir dir;
    const std::string path = write_test_video(dir);
    auto source = open_or_fail("file:" + path, as_fast_as_possible());
    ASSERT_TRUE(source);
    EXPECT_NE(source->describe().find("640x480"), std::string::npos) << source->describe();
    std::vector<Frame> frames;
    while (auto frame = source->next()) frames.push_back(std::move(*frame));
    ASSERT_EQ(frames.size(), kVideoScript.size());
    EXPECT_EQ(source->state(), SourceState::finished);
    EXPECT_EQ(source->last_error(), "");
    EXPECT_FALSE(source->next().has_value()); // stays finished
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].index, static_cast<int64_t>(i));
        EXPECT_EQ(frames[i].image.width(), 640);
        EXPECT_EQ(frames[i].image.height(), 480);
        EXPECT_EQ(frames[i].image.format(), PixelFormat::bgr24);
        EXPECT_EQ(decoded_text(frames[i]), kVideoScript[i]) << "frame " << i;
    }
    // Not realtime: stamps follow the video's own timeline (10 fps), whatever the read speed.
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(frames[5].captured - frames[0].captured).count(), 500);
}

TEST(FileSource, LoopsFromTheUriOrTheOptions) {
    TempDir dir;
    const std::string path = write_test_video(dir);
    SourceOptions looped = as_fast_as_possible();
    looped.loop = true;
    for (auto& source : {open_or_fail("file:" + path + "?loop=1", as_fast_as_possible()), open_or_fail("file:" + path, looped)}) {
        ASSERT_TRUE(source);
        for (int64_t i = 0; i < 25; ++i) {
            auto frame = source->next();
            ASSERT_TRUE(frame.has_value()) << "frame " << i;
            EXPECT_EQ(frame->index, i); // counts on across the rewind
            if (i == 20) {
                EXPECT_EQ(decoded_text(*frame), "TICKET-A");
            }
        }
        EXPECT_EQ(source->state(), SourceState::running);
        EXPECT_NE(source->describe().find("loop"), std::string::npos);
    }
}

TEST(FileSource, RealtimePacesAtTheVideoRate) {
    TempDir dir;
    const std::string path = write_test_video(dir);
    auto source = open_or_fail("file:" + path); // realtime by default
    ASSERT_TRUE(source);
    const auto start = std::chrono::steady_clock::now();
    int frames = 0;
    while (frames < 4 && std::chrono::steady_clock::now() - start < 10s)
        if (source->next()) ++frames;
    EXPECT_EQ(frames, 4);
    // Four frames at 10 fps cannot take less than three periods (a lower bound, never flaky).
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(FileSource, ExplainsFilesItCannotPlay) {
    TempDir dir;
    EXPECT_NE(open_error("file:" + dir.file("missing.avi")).find("no such file"), std::string::npos);
    EXPECT_NE(open_error("file:" + dir.path().string()).find("folder"), std::string::npos);

    // Not a video at all: refused at open, or failed at the first read; never a crash.
    std::ofstream(dir.file("notes.avi")) << "this is not a video\n";
    auto result = open_frame_source("file:" + dir.file("notes.avi"), as_fast_as_possible());
    if (result) {
        const std::unique_ptr<FrameSource>& source = *result;
        EXPECT_FALSE(source->next().has_value());
        EXPECT_EQ(source->state(), SourceState::failed);
        EXPECT_NE(source->last_error(), "");
    } else {
        EXPECT_EQ(result.error().find('\n'), std::string::npos) << result.error();
    }
}

// --- images: -------------------------------------------------------------------------------

void write_image(const std::string& path, int width, const std::string& text) {
    cv::Mat image(width / 2, width, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(image, text, cv::Point(5, 20), cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0));
    ASSERT_TRUE(cv::imwrite(path, image));
}

// a.png, b.png, broken.png (not an image), c.png and a text file that is not even tried.
void make_folder(const TempDir& dir) {
    write_image(dir.file("a.png"), 100, "a");
    write_image(dir.file("c.png"), 140, "c");
    write_image(dir.file("b.png"), 120, "b");
    std::ofstream(dir.file("broken.png")) << "\x89PNG but then nothing useful";
    std::ofstream(dir.file("readme.txt")) << "ignored";
}

TEST(ImageFolderSource, ReadsStillsInNameOrderAndSkipsBrokenOnes) {
    TempDir dir;
    make_folder(dir);
    auto source = open_or_fail("images:" + dir.path().string(), as_fast_as_possible());
    ASSERT_TRUE(source);
    std::vector<int> widths;
    while (auto frame = source->next()) {
        EXPECT_EQ(frame->index, static_cast<int64_t>(widths.size()));
        EXPECT_EQ(frame->image.format(), PixelFormat::bgr24);
        widths.push_back(frame->image.width());
    }
    EXPECT_EQ(widths, (std::vector<int>{100, 120, 140}));
    EXPECT_EQ(source->state(), SourceState::finished);
    EXPECT_NE(source->last_error().find("broken.png"), std::string::npos) << source->last_error();
}

TEST(ImageFolderSource, Loops) {
    TempDir dir;
    make_folder(dir);
    auto source = open_or_fail("images:" + dir.path().string() + "?loop=1", as_fast_as_possible());
    ASSERT_TRUE(source);
    std::vector<int> widths;
    for (int i = 0; i < 7; ++i) {
        auto frame = source->next();
        ASSERT_TRUE(frame.has_value());
        widths.push_back(frame->image.width());
    }
    EXPECT_EQ(widths, (std::vector<int>{100, 120, 140, 100, 120, 140, 100}));
    EXPECT_EQ(source->state(), SourceState::running);
}

TEST(ImageFolderSource, FolderOfOnlyBrokenFilesFailsWithAReason) {
    TempDir dir;
    std::ofstream(dir.file("one.png")) << "nope";
    std::ofstream(dir.file("two.jpg")) << "nope";
    SourceOptions options = as_fast_as_possible();
    options.loop = true; // must not spin forever looking for a good one
    auto source = open_or_fail("images:" + dir.path().string(), options);
    ASSERT_TRUE(source);
    EXPECT_FALSE(source->next().has_value());
    EXPECT_EQ(source->state(), SourceState::failed);
    EXPECT_NE(source->last_error().find("no readable image"), std::string::npos) << source->last_error();
}

TEST(ImageFolderSource, ExplainsFoldersItCannotUse) {
    TempDir dir;
    EXPECT_NE(open_error("images:" + dir.path().string()).find("no images"), std::string::npos);
    EXPECT_NE(open_error("images:" + dir.file("nowhere")).find("no such folder"), std::string::npos);
    write_image(dir.file("a.png"), 100, "a");
    EXPECT_NE(open_error("images:" + dir.file("a.png")).find("not a folder"), std::string::npos);
}

// --- demo: ---------------------------------------------------------------------------------

SourceOptions small_demo(uint32_t seed = 1) {
    SourceOptions options = as_fast_as_possible();
    options.width = 640;
    options.height = 480;
    options.fps = 10;
    options.demo_seed = seed;
    // Ticket-length texts (QR version 3, with an alignment pattern) like real secrets: version 1
    // codes have none, and ZXing loses some of them under the demo's strongest tilts.
    options.demo_texts = {"alpha-7q2m9x4c8v1b6n3z5w0r8t2y4u", "bravo-3l5k7j9h1g3f5d7s9a2q4w6e8r", "charlie-xcvbnmasdfghjklqwertyuio"};
    return options;
}

bool same_pixels(const Image& a, const Image& b) {
    return a.width() == b.width() && a.height() == b.height() && a.format() == b.format() &&
           std::equal(a.data(), a.data() + a.stride() * a.height(), b.data());
}

TEST(DemoSource, IsDeterministicForASeed) {
    auto first = open_or_fail("demo:", small_demo(7));
    auto second = open_or_fail("demo:", small_demo(7));
    auto other = open_or_fail("demo:", small_demo(8));
    ASSERT_TRUE(first && second && other);
    int differing = 0;
    for (int64_t i = 0; i < 60; ++i) {
        auto a = first->next(), b = second->next(), c = other->next();
        ASSERT_TRUE(a && b && c);
        EXPECT_EQ(a->index, i);
        EXPECT_TRUE(same_pixels(a->image, b->image)) << "frame " << i;
        differing += same_pixels(a->image, c->image) ? 0 : 1;
    }
    EXPECT_EQ(differing, 60);
    EXPECT_EQ(first->state(), SourceState::running);
    EXPECT_EQ(first->last_error(), "");
}

TEST(DemoSource, SizeComesFromTheOptionsOrTheUri) {
    auto sized = open_or_fail("demo:", small_demo());
    ASSERT_TRUE(sized);
    auto frame = sized->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->image.width(), 640);
    EXPECT_EQ(frame->image.height(), 480);
    EXPECT_EQ(frame->image.format(), PixelFormat::bgr24);

    auto plain = open_or_fail("demo:", as_fast_as_possible());
    ASSERT_TRUE(plain);
    frame = plain->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->image.width(), 1280); // the camera's 1080p default is not the demo's
    EXPECT_EQ(frame->image.height(), 720);

    auto from_uri = open_or_fail("demo:?width=320&height=240&fps=5&seed=3&realtime=0");
    ASSERT_TRUE(from_uri);
    frame = from_uri->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->image.width(), 320);
    EXPECT_NE(from_uri->describe().find("5fps"), std::string::npos) << from_uri->describe();
}

// Decoding every frame of eight seconds: the tickets come in list order, each readable for most
// of its showing, with empty frames between two showings.
TEST(DemoSource, ShowsEachTicketInTurnWithGapsBetween) {
    const SourceOptions options = small_demo();
    auto source = open_or_fail("demo:", options);
    ASSERT_TRUE(source);
    std::vector<std::string> seen; // decoded text per frame, "" for none
    for (int i = 0; i < 80; ++i) {
        auto frame = source->next();
        ASSERT_TRUE(frame);
        seen.push_back(decoded_text(*frame));
    }
    std::vector<std::string> order;  // collapsed runs of decoded tickets
    int empty_frames_between = 0, decoded_frames = 0;
    std::string previous;
    for (const std::string& text : seen) {
        if (text.empty()) continue;
        ++decoded_frames;
        if (order.empty() || order.back() != text) order.push_back(text);
    }
    ASSERT_GE(order.size(), 2u);
    for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], options.demo_texts[i % 3]);
    // Between the last frame of the first ticket and the first of the second, nothing decodes.
    const auto last_first = std::find(seen.rbegin(), seen.rend(), order[0]);
    const auto first_second = std::find(seen.begin(), seen.end(), order[1]);
    for (auto it = last_first.base(); it != first_second; ++it) empty_frames_between += it->empty() ? 1 : 0;
    EXPECT_GE(empty_frames_between, 5) << "the gap lets dedupe see the code leave";
    EXPECT_GE(decoded_frames, 30) << "most frames of a showing should be readable";
}

TEST(DemoSource, DefaultTicketsAreSecretsOfTheDemoEvent) {
    SourceOptions options = as_fast_as_possible();
    options.width = 960;
    options.height = 540;
    options.fps = 10;
    auto source = open_or_fail("demo:", options);
    ASSERT_TRUE(source);
    std::set<std::string> texts;
    for (int i = 0; i < 90; ++i) {
        auto frame = source->next();
        ASSERT_TRUE(frame);
        if (i % 3 == 0) {
            const std::string text = decoded_text(*frame);
            if (!text.empty()) texts.insert(text);
        }
    }
    ASSERT_GE(texts.size(), 2u);
    std::ifstream file(std::string(KIOSK_SOURCE_DIR) + "/assets/demo/notable.json");
    std::stringstream json;
    json << file.rdbuf();
    for (const std::string& text : texts) EXPECT_NE(json.str().find('"' + text + '"'), std::string::npos) << text;
}

TEST(DemoSource, RefusesTextsThatCannotBeShown) {
    SourceOptions options = small_demo();
    options.demo_texts = {"fine", std::string(5000, 'x')};
    EXPECT_NE(open_error("demo:", options).find("does not fit"), std::string::npos);
    options.demo_texts = {""};
    EXPECT_NE(open_error("demo:", options).find("empty"), std::string::npos);
}

// --- camera: -------------------------------------------------------------------------------

// No camera on the test machine: a missing device is "unplugged", retried, never a hang.
TEST(CameraSource, MissingDeviceReconnectsWithoutHanging) {
    for (const std::string uri : {"camera:/dev/video99", "camera:99"}) {
        auto source = open_or_fail(uri);
        ASSERT_TRUE(source);
        EXPECT_EQ(source->state(), SourceState::reconnecting);
        EXPECT_NE(source->last_error().find("/dev/video99"), std::string::npos) << source->last_error();
        EXPECT_NE(source->describe().find(uri), std::string::npos) << source->describe();
        // Long enough to include a retry; every call returns promptly with nothing.
        const auto start = std::chrono::steady_clock::now();
        int calls = 0;
        while (std::chrono::steady_clock::now() - start < 1500ms) {
            const auto call = std::chrono::steady_clock::now();
            EXPECT_FALSE(source->next().has_value());
            EXPECT_LT(std::chrono::steady_clock::now() - call, 2s);
            ++calls;
        }
        EXPECT_GT(calls, 5); // it sleeps between attempts instead of blocking
        EXPECT_LT(calls, 1000); // and does not spin either
        EXPECT_EQ(source->state(), SourceState::reconnecting);
    }
}

TEST(CameraSource, RefusesFilesThatAreNotDevices) {
    TempDir dir;
    std::ofstream(dir.file("fake")) << "x";
    EXPECT_NE(open_error("camera:" + dir.file("fake")).find("not a video device"), std::string::npos);
}

// --- URIs ----------------------------------------------------------------------------------

TEST(OpenFrameSource, BadUrisGetAOneLineReason) {
    SourceOptions zero_fps;
    zero_fps.fps = 0;
    SourceOptions bad_fourcc;
    bad_fourcc.fourcc = "MJPEG";
    const std::vector<std::pair<std::string, SourceOptions>> cases = {
        {"", {}},
        {"camera", {}},
        {"camera:", {}},
        {"camera:front", {}},
        {"camera:0?width=abc", {}},
        {"camera:0?zoom=2", {}},
        {"camera:0", bad_fourcc},
        {"webcam:0", {}},
        {":0", {}},
        {"file:", {}},
        {"images:", {}},
        {"demo:please", {}},
        {"demo:?fps=0", {}},
        {"demo:", zero_fps},
        {"demo:?loop=maybe", {}},
    };
    for (const auto& [uri, options] : cases) {
        const std::string error = open_error(uri, options);
        EXPECT_NE(error, "") << uri;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        EXPECT_NE(error.find(uri), std::string::npos) << "the message names the URI: " << error;
    }
}

} // namespace
} // namespace kiosk
