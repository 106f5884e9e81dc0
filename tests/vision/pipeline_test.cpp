// ScanPipeline: the demo camera's tickets come out as one event per showing, a backlog is
// dropped, errors stay inside the threads, and stop()/start() hold up under load.
//
// Timing is only ever a liveness bound (something must happen within many seconds), so these
// tests pass on a loaded machine and under sanitizers.
#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "image/qr.h"
#include "vision/pipeline.h"

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Sanitizer builds decode many times slower; a generous budget keeps results independent of speed.
DecodeOptions patient_decoder() {
    DecodeOptions options;
    options.budget = 500ms;
    return options;
}

// Texts are ticket-length (32 bytes, QR version 3) like real secrets; see frame_source_test.
std::unique_ptr<FrameSource> open_demo(const std::vector<std::string>& texts) {
    SourceOptions options;
    options.realtime = false;
    options.width = 640;
    options.height = 480;
    options.fps = 10;
    options.demo_texts = texts;
    auto result = open_frame_source("demo:", options);
    if (!result) {
        ADD_FAILURE() << result.error();
        return nullptr;
    }
    return std::move(*result);
}

// Polls `done` until it holds or `limit` passes; the liveness bound of every test here.
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = 30s) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

// Hands the wrapped source's frames over one at a time, each only once the pipeline has decoded
// the previous one: no frame is dropped, so what dedupe sees does not depend on machine speed.
class LockstepSource final : public FrameSource {
public:
    explicit LockstepSource(std::unique_ptr<FrameSource> inner) : inner_(std::move(inner)) {}
    void attach(const ScanPipeline* pipeline) { pipeline_ = pipeline; }

    std::optional<Frame> next() override {
        const ScanPipeline* pipeline = pipeline_.load();
        if (pipeline == nullptr || pipeline->stats().frames_decoded < handed_out_) {
            std::this_thread::sleep_for(1ms);
            return std::nullopt;
        }
        ++handed_out_;
        return inner_->next();
    }
    SourceState state() const override { return inner_->state(); }
    std::string describe() const override { return "lockstep " + inner_->describe(); }
    std::string last_error() const override { return inner_->last_error(); }

private:
    std::unique_ptr<FrameSource> inner_;
    std::atomic<const ScanPipeline*> pipeline_{nullptr};
    int64_t handed_out_ = 0;
};

// The same picture as fast as the pipeline takes it: the "load" in the shutdown tests.
class FloodSource final : public FrameSource {
public:
    explicit FloodSource(const std::string& text, int width = 1280, int height = 720) : picture_(width, height, PixelFormat::gray8, 230) {
        if (text.empty()) return;
        QrStyle style;
        style.module_pixels = 6;
        const auto code = encode_qr(text, style);
        EXPECT_TRUE(code.has_value());
        for (int y = 0; y < code->height(); ++y)
            std::copy(code->data() + y * code->stride(), code->data() + (y + 1) * code->stride(), picture_.row(y + 50) + 50);
    }
    std::optional<Frame> next() override { return Frame{picture_, Clock::now(), index_++}; }
    SourceState state() const override { return SourceState::running; }
    std::string describe() const override { return "flood"; }
    std::string last_error() const override { return {}; }

private:
    Image picture_;
    int64_t index_ = 0;
};

class ThrowingSource final : public FrameSource {
public:
    std::optional<Frame> next() override { throw std::runtime_error("the driver fell over"); }
    SourceState state() const override { return SourceState::running; }
    std::string describe() const override { return "throwing"; }
    std::string last_error() const override { return {}; }
};

// A device that takes its time: each next() blocks for the longest a source may (100 ms).
class SlowSource final : public FrameSource {
public:
    std::optional<Frame> next() override {
        std::this_thread::sleep_for(100ms);
        return Frame{Image(64, 48, PixelFormat::gray8, 128), Clock::now(), index_++};
    }
    SourceState state() const override { return SourceState::running; }
    std::string describe() const override { return "slow"; }
    std::string last_error() const override { return {}; }

private:
    int64_t index_ = 0;
};

// Frames with no pixels at all: a broken driver. The decoder must shrug, the pipeline live on.
class EmptyFrameSource final : public FrameSource {
public:
    std::optional<Frame> next() override {
        std::this_thread::sleep_for(1ms);
        return Frame{Image(), Clock::now(), index_++};
    }
    SourceState state() const override { return SourceState::running; }
    std::string describe() const override { return "empty"; }
    std::string last_error() const override { return {}; }

private:
    int64_t index_ = 0;
};

std::vector<ScanEvent> collect(ScanPipeline& pipeline, size_t count, std::chrono::seconds limit = 60s) {
    std::vector<ScanEvent> events;
    eventually(
        [&] {
            for (ScanEvent& event : pipeline.drain_events()) events.push_back(std::move(event));
            return events.size() >= count;
        },
        limit);
    return events;
}

TEST(ScanPipeline, DemoTicketsBecomeOneEventPerShowing) {
    const std::vector<std::string> texts = {"alpha-7q2m9x4c8v1b6n3z5w0r8t2y4u", "bravo-3l5k7j9h1g3f5d7s9a2q4w6e8r", "charlie-xcvbnmasdfghjklqwertyuio"};
    auto lockstep = std::make_unique<LockstepSource>(open_demo(texts));
    LockstepSource* source = lockstep.get();
    ScanPipeline pipeline(std::move(lockstep), patient_decoder());
    source->attach(&pipeline);
    pipeline.start();
    const std::vector<ScanEvent> events = collect(pipeline, 6);
    pipeline.stop();
    ASSERT_GE(events.size(), 6u);
    // A showing read twice would repeat a text; a showing missed would skip one.
    for (size_t i = 0; i < events.size(); ++i) {
        const ScanEvent& event = events[i];
        EXPECT_EQ(event.bytes, texts[i % texts.size()]) << "event " << i;
        EXPECT_EQ(event.text, event.bytes);
        EXPECT_FALSE(event.binary);
        EXPECT_EQ(event.origin, ScanOrigin::camera);
        EXPECT_EQ(event.symbology, Symbology::qr);
        EXPECT_NE(event.captured, Clock::time_point{});
        EXPECT_GT(event.decode_time.count(), 0);
        for (const PointF& corner : event.corners) {
            EXPECT_GE(corner.x, 0);
            EXPECT_LE(corner.x, 640);
            EXPECT_GE(corner.y, 0);
            EXPECT_LE(corner.y, 480);
        }
    }
    const PipelineStats stats = pipeline.stats();
    EXPECT_EQ(stats.frames_dropped, 0); // lockstep
    EXPECT_GE(stats.events, static_cast<int64_t>(events.size()));
    EXPECT_GT(stats.codes_read, stats.events);
    EXPECT_GT(stats.decode_ms_avg, 0);
    EXPECT_GE(stats.decode_ms_max, stats.decode_ms_avg);
    EXPECT_EQ(stats.source_state, SourceState::running);
    EXPECT_EQ(stats.source_error, "");
}

// One ticket shown again and again: each return after the gap is a new scan, a held one is not.
TEST(ScanPipeline, SameTicketShownAgainIsANewScan) {
    auto lockstep = std::make_unique<LockstepSource>(open_demo({"solo-9x8c7v6b5n4m3a2s1d0f9g8h7jk"}));
    LockstepSource* source = lockstep.get();
    ScanPipeline pipeline(std::move(lockstep), patient_decoder());
    source->attach(&pipeline);
    pipeline.start();
    const std::vector<ScanEvent> events = collect(pipeline, 3);
    pipeline.stop();
    ASSERT_GE(events.size(), 3u);
    for (size_t i = 1; i < events.size(); ++i) {
        EXPECT_EQ(events[i].bytes, "solo-9x8c7v6b5n4m3a2s1d0f9g8h7jk");
        // Showings start ~3.7 s apart on the demo's timeline; two events within one would be a repeat.
        EXPECT_GT(events[i].captured - events[i - 1].captured, 2s) << "event " << i;
    }
}

// Free running, as the kiosk runs it: every ticket is read, the rates are there.
TEST(ScanPipeline, FreeRunningDemoReadsEveryTicket) {
    const std::vector<std::string> texts = {"alpha-7q2m9x4c8v1b6n3z5w0r8t2y4u", "bravo-3l5k7j9h1g3f5d7s9a2q4w6e8r"};
    ScanPipeline pipeline(open_demo(texts), patient_decoder());
    pipeline.start();
    EXPECT_TRUE(pipeline.running());
    std::set<std::string> seen;
    bool rates_seen = false;
    eventually([&] {
        for (const ScanEvent& event : pipeline.drain_events()) seen.insert(event.bytes);
        const PipelineStats stats = pipeline.stats();
        rates_seen = rates_seen || (stats.capture_fps > 0 && stats.decode_fps > 0 && stats.decode_ms_avg > 0);
        return seen.size() == texts.size() && rates_seen;
    });
    const auto preview = pipeline.latest_frame();
    pipeline.stop();
    EXPECT_EQ(seen, std::set<std::string>(texts.begin(), texts.end()));
    EXPECT_TRUE(rates_seen);
    ASSERT_TRUE(preview.has_value());
    EXPECT_EQ(preview->image.width(), 640);
    const PipelineStats stats = pipeline.stats();
    EXPECT_GE(stats.frames_captured, stats.frames_decoded + stats.frames_dropped);
}

// A source much faster than the decoder: the decoder takes the newest frame, the rest are
// counted as dropped, and frames never queue up.
TEST(ScanPipeline, DropsTheBacklogInsteadOfQueueing) {
    ScanPipeline pipeline(std::make_unique<FloodSource>(""));
    pipeline.start();
    EXPECT_TRUE(eventually([&] {
        const PipelineStats stats = pipeline.stats();
        return stats.frames_dropped > 10 && stats.frames_decoded > 2;
    }));
    pipeline.stop();
    const PipelineStats stats = pipeline.stats();
    // Every captured frame was either decoded, dropped, or is the one left in the slot.
    EXPECT_GE(stats.frames_captured, stats.frames_decoded + stats.frames_dropped);
    EXPECT_LE(stats.frames_captured, stats.frames_decoded + stats.frames_dropped + 1);
}

// A code held in front of the camera: one event, not one per frame.
TEST(ScanPipeline, HeldCodeIsReportedOnce) {
    // Dedupe's clocks out of the way: a slow (sanitizer) run must not look like "left the view".
    DedupeOptions dedupe;
    dedupe.gone_after = std::chrono::hours(1);
    dedupe.repeat_after = std::chrono::hours(1);
    ScanPipeline pipeline(std::make_unique<FloodSource>("HELD-TICKET", 640, 480), patient_decoder(), dedupe);
    pipeline.start();
    ASSERT_TRUE(eventually([&] { return pipeline.stats().codes_read >= 5; }));
    pipeline.stop();
    const std::vector<ScanEvent> events = pipeline.drain_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].bytes, "HELD-TICKET");
}

TEST(ScanPipeline, SourceExceptionsBecomeAnErrorNotACrash) {
    ScanPipeline pipeline(std::make_unique<ThrowingSource>());
    pipeline.start();
    EXPECT_TRUE(eventually([&] { return pipeline.stats().source_error.find("the driver fell over") != std::string::npos; }));
    EXPECT_TRUE(pipeline.running());
    pipeline.stop();
    EXPECT_FALSE(pipeline.running());
}

TEST(ScanPipeline, EmptyFramesAreHarmless) {
    ScanPipeline pipeline(std::make_unique<EmptyFrameSource>());
    pipeline.start();
    EXPECT_TRUE(eventually([&] { return pipeline.stats().frames_decoded > 20; }));
    pipeline.stop();
    EXPECT_TRUE(pipeline.drain_events().empty());
}

TEST(ScanPipeline, MissingCameraShowsReconnectingAndStopsPromptly) {
    auto source = open_frame_source("camera:/dev/video99");
    ASSERT_TRUE(source) << source.error();
    ScanPipeline pipeline(std::move(*source));
    pipeline.start();
    EXPECT_TRUE(eventually([&] {
        const PipelineStats stats = pipeline.stats();
        return stats.source_state == SourceState::reconnecting && stats.source_error.find("/dev/video99") != std::string::npos;
    }));
    const auto before = Clock::now();
    pipeline.stop();
    EXPECT_LT(Clock::now() - before, 5s);
    EXPECT_EQ(pipeline.stats().frames_captured, 0);
}

TEST(ScanPipeline, FinishedSourceIsReportedAndTheThreadsIdle) {
    // A source that ends after one frame, like a file played once.
    class Once final : public FrameSource {
    public:
        std::optional<Frame> next() override {
            if (done_) return std::nullopt;
            done_ = true;
            return Frame{Image(32, 32, PixelFormat::gray8, 255), Clock::now(), 0};
        }
        SourceState state() const override { return done_ ? SourceState::finished : SourceState::running; }
        std::string describe() const override { return "once"; }
        std::string last_error() const override { return {}; }

    private:
        bool done_ = false;
    };
    ScanPipeline once(std::make_unique<Once>());
    once.start();
    EXPECT_TRUE(eventually([&] {
        const PipelineStats stats = once.stats();
        return stats.source_state == SourceState::finished && stats.frames_decoded == 1;
    }));
    EXPECT_TRUE(once.running()); // idle, not dead: stop() is still the way out
    once.stop();
}

// The shutdown test under load: a source flooding frames with a code in them, a "UI" thread
// draining events and reading stats and previews, and start/stop twenty times.
TEST(ScanPipeline, StartStopUnderLoad) {
    ScanPipeline pipeline(std::make_unique<FloodSource>("LOAD-TICKET"), patient_decoder());
    std::atomic<bool> ui_running{true};
    std::atomic<int64_t> ui_loops{0};
    std::thread ui([&] {
        while (ui_running) {
            pipeline.drain_events();
            // A snapshot taken while both threads run is still consistent: every frame decoded or
            // dropped was captured first, and every event is a code that was read.
            const PipelineStats stats = pipeline.stats();
            EXPECT_LE(stats.frames_decoded + stats.frames_dropped, stats.frames_captured);
            EXPECT_LE(stats.events, stats.codes_read);
            if (auto frame = pipeline.latest_frame()) {
                EXPECT_EQ(frame->image.width(), 1280);
            }
            ++ui_loops;
            std::this_thread::sleep_for(1ms);
        }
    });
    for (int round = 0; round < 20; ++round) {
        const int64_t decoded_before = pipeline.stats().frames_decoded;
        pipeline.start();
        pipeline.start(); // a second start while running is a no-op
        EXPECT_TRUE(pipeline.running());
        // Stop at different moments: right away, mid-decode, after some frames.
        if (round % 3 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(round));
        if (round % 3 == 2) {
            EXPECT_TRUE(eventually([&] { return pipeline.stats().frames_decoded > decoded_before; }));
        }
        const auto before = Clock::now();
        pipeline.stop();
        EXPECT_LT(Clock::now() - before, 5s) << "round " << round;
        EXPECT_FALSE(pipeline.running());
        pipeline.stop(); // twice is fine
    }
    ui_running = false;
    ui.join();
    EXPECT_GT(ui_loops.load(), 0);
    EXPECT_GT(pipeline.stats().frames_decoded, 0);
    // Restarted once more it still works, and the destructor stops it.
    const int64_t decoded = pipeline.stats().frames_decoded;
    pipeline.start();
    EXPECT_TRUE(eventually([&] { return pipeline.stats().frames_decoded > decoded; }));
}

TEST(ScanPipeline, StopIsPromptWhileTheSourceBlocks) {
    for (int round = 0; round < 5; ++round) {
        ScanPipeline pipeline(std::make_unique<SlowSource>());
        pipeline.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 37));
        const auto before = Clock::now();
        pipeline.stop();
        EXPECT_LT(Clock::now() - before, 2s);
    }
}

TEST(ScanPipeline, DestroyedWhileRunning) {
    for (int round = 0; round < 5; ++round) {
        ScanPipeline pipeline(std::make_unique<FloodSource>("BYE"));
        pipeline.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 5));
    } // the destructor joins
    ScanPipeline never_started(std::make_unique<FloodSource>(""));
    never_started.stop(); // stop without start is fine
    EXPECT_FALSE(never_started.running());
}

} // namespace
} // namespace kiosk
