// The camera thread: source -> newest frame only -> decode -> dedupe -> ScanEvent queue.
//
// Two threads inside: capture keeps pulling frames so device buffers never fill (a stale frame
// is latency), and decode always takes the newest frame, dropping the backlog. The UI drains
// events once per frame (Tracy-style: swap under the lock, process outside). Statistics sit
// behind their own mutex, held only to copy them, so the staff panel can call stats() any time
// without slowing the camera. stop() joins both threads; start() may follow again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vision/decoder.h"
#include "vision/dedupe.h"
#include "vision/frame_source.h"
#include "vision/scan_event.h"

namespace kiosk {

struct PipelineStats {
    double capture_fps = 0;                 // frames arriving from the source
    double decode_fps = 0;                  // frames decoded
    double decode_ms_avg = 0;               // mean decode time of recent frames
    double decode_ms_max = 0;
    int64_t frames_captured = 0, frames_decoded = 0, frames_dropped = 0, codes_read = 0, events = 0;
    SourceState source_state = SourceState::running;
    std::string source_error;
    std::string decoder_error;              // the last decode failure; cleared by the next good decode
};

class ScanPipeline {
public:
    ScanPipeline(std::unique_ptr<FrameSource> source, DecodeOptions decode = {}, DedupeOptions dedupe = {});
    ~ScanPipeline();                        // stops
    ScanPipeline(const ScanPipeline&) = delete;
    ScanPipeline& operator=(const ScanPipeline&) = delete;

    void start();
    void stop();                            // joins; safe to call twice
    bool running() const { return running_.load(); }

    std::vector<ScanEvent> drain_events();  // UI thread, once per frame
    PipelineStats stats() const;
    // The newest frame with its time, for the camera preview (a copy; cheap enough at preview rate).
    std::optional<Frame> latest_frame() const;

private:
    void capture_loop();
    void decode_loop();

    std::unique_ptr<FrameSource> source_;
    FrameDecoder decoder_;
    Deduplicator dedupe_;

    std::atomic<bool> running_{false};
    std::thread capture_thread_, decode_thread_;

    mutable std::mutex frame_mutex_;
    std::condition_variable frame_ready_;
    std::optional<Frame> newest_;           // the one slot between capture and decode
    std::optional<Frame> preview_;

    std::mutex event_mutex_;
    std::vector<ScanEvent> events_;

    mutable std::mutex stats_mutex_;
    PipelineStats stats_;
    // Recent history behind the rates and decode times in stats(); guarded by stats_mutex_.
    std::deque<std::chrono::steady_clock::time_point> capture_times_, decode_times_;
    std::deque<double> decode_ms_;
};

} // namespace kiosk
