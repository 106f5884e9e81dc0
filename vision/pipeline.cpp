// The camera thread pair. Locking: frame_mutex_ guards the newest/preview slots, event_mutex_ the
// outgoing events, stats_mutex_ the statistics; no code path holds two of them at once, so the
// three can never deadlock. Workers catch everything at the loop boundary: a source or decoder
// that throws becomes an error in stats(), never a dead thread or a dead kiosk.
#include "vision/pipeline.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace kiosk {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kRateWindow{2};      // fps is averaged over this much history
constexpr size_t kMaxRateSamples = 4096;            // bounds memory for sources faster than any camera
constexpr size_t kDecodeSamples = 64;               // decode ms avg/max over these many frames
constexpr std::chrono::milliseconds kWaitSlice{100}; // longest a worker waits before looking at the stop flag
// An undrained queue (UI stalled) keeps the newest scans only: a scan many seconds old is one
// the attendee has given up on.
constexpr size_t kMaxQueuedEvents = 64;

void record_arrival(std::deque<Clock::time_point>& times, Clock::time_point now) {
    times.push_back(now);
    while (!times.empty() && (now - times.front() > kRateWindow || times.size() > kMaxRateSamples)) times.pop_front();
}

double rate(const std::deque<Clock::time_point>& times, Clock::time_point now) {
    const auto first = std::lower_bound(times.begin(), times.end(), now - kRateWindow);
    const auto count = std::distance(first, times.end());
    if (count < 2) return 0;
    const std::chrono::duration<double> span = times.back() - *first;
    return span.count() > 0 ? static_cast<double>(count - 1) / span.count() : 0;
}

std::string what_of(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace

ScanPipeline::ScanPipeline(std::unique_ptr<FrameSource> source, DecodeOptions decode, DedupeOptions dedupe)
    : source_(std::move(source)), decoder_(decode), dedupe_(dedupe) {}

ScanPipeline::~ScanPipeline() { stop(); }

void ScanPipeline::start() {
    if (capture_thread_.joinable() || decode_thread_.joinable()) return; // already started
    {
        std::lock_guard lock(frame_mutex_);
        newest_.reset();                    // a frame left from before a stop() is stale
        running_ = true;
    }
    {
        std::lock_guard lock(stats_mutex_);
        capture_times_.clear();
        decode_times_.clear();
    }
    // The scene may have changed while stopped; the remembered region would only cost a miss.
    decoder_.forget_region();
    try {
        capture_thread_ = std::thread(&ScanPipeline::capture_loop, this);
        decode_thread_ = std::thread(&ScanPipeline::decode_loop, this);
    } catch (const std::system_error& e) {
        // Out of threads: report it where the staff panel looks instead of throwing at the UI.
        stop();
        std::lock_guard lock(stats_mutex_);
        stats_.source_error = std::string("cannot start the camera threads: ") + e.what();
    }
}

void ScanPipeline::stop() {
    {
        // Under the mutex so a worker between its predicate check and its wait cannot miss it.
        std::lock_guard lock(frame_mutex_);
        running_ = false;
    }
    frame_ready_.notify_all();
    if (capture_thread_.joinable()) capture_thread_.join();
    if (decode_thread_.joinable()) decode_thread_.join();
}

std::vector<ScanEvent> ScanPipeline::drain_events() {
    std::vector<ScanEvent> out;
    std::lock_guard lock(event_mutex_);
    out.swap(events_);
    return out;
}

PipelineStats ScanPipeline::stats() const {
    const auto now = Clock::now();
    std::lock_guard lock(stats_mutex_);
    PipelineStats out = stats_;
    out.capture_fps = rate(capture_times_, now);
    out.decode_fps = rate(decode_times_, now);
    if (!decode_ms_.empty()) {
        out.decode_ms_avg = std::accumulate(decode_ms_.begin(), decode_ms_.end(), 0.0) / static_cast<double>(decode_ms_.size());
        out.decode_ms_max = *std::max_element(decode_ms_.begin(), decode_ms_.end());
    }
    return out;
}

std::optional<Frame> ScanPipeline::latest_frame() const {
    std::lock_guard lock(frame_mutex_);
    return preview_;
}

void ScanPipeline::capture_loop() {
    // Sleeps that end at once on stop(). The frame cv doubles as the stop signal.
    const auto idle = [this](std::chrono::milliseconds duration) {
        std::unique_lock lock(frame_mutex_);
        frame_ready_.wait_for(lock, duration, [this] { return !running_.load(); });
    };
    std::string reported_error; // the source's error as last copied into the stats
    while (running_) {
        try {
            if (!source_) throw std::runtime_error("no frame source");
            std::optional<Frame> frame = source_->next();
            const SourceState state = source_->state();
            std::string error = source_->last_error();
            {
                std::lock_guard lock(stats_mutex_);
                stats_.source_state = state;
                // Copied only on change, so a decoder error is not wiped by a healthy source.
                if (error != reported_error) stats_.source_error = reported_error = std::move(error);
                if (frame) {
                    ++stats_.frames_captured;
                    record_arrival(capture_times_, Clock::now());
                }
            }
            if (!frame) {
                // Sources sleep while reconnecting or pacing; the short nap only guards against
                // one that does not. A finished or failed source has nothing more to give.
                idle(state == SourceState::finished || state == SourceState::failed ? std::chrono::milliseconds(50)
                                                                                     : std::chrono::milliseconds(1));
                continue;
            }
            bool dropped = false;
            {
                std::lock_guard lock(frame_mutex_);
                dropped = newest_.has_value(); // the decoder was busy: the older frame is latency, not news
                newest_ = std::move(frame);
            }
            frame_ready_.notify_all();
            if (dropped) {
                std::lock_guard lock(stats_mutex_);
                ++stats_.frames_dropped;
            }
        } catch (...) {
            const std::string message = "frame source: " + what_of(std::current_exception());
            {
                std::lock_guard lock(stats_mutex_);
                stats_.source_error = reported_error = message;
            }
            try {
                idle(kWaitSlice); // a source that throws on every call must not spin a core
            } catch (...) {
            }
        }
    }
}

void ScanPipeline::decode_loop() {
    while (running_) {
        try {
            std::optional<Frame> frame;
            {
                std::unique_lock lock(frame_mutex_);
                frame_ready_.wait_for(lock, kWaitSlice, [this] { return newest_.has_value() || !running_.load(); });
                if (!running_ || !newest_) continue;
                frame = std::move(newest_);
                newest_.reset();
            }
            const FrameDecode result = decoder_.decode(frame->image.view());
            std::vector<ScanEvent> fresh;
            for (const DecodedCode& code : result.codes) {
                // The frame's capture time, not now: dedupe measures how long the code was in view.
                if (!dedupe_.admit(code.bytes, frame->captured)) continue;
                ScanEvent event;
                event.bytes = code.bytes;
                event.text = code.text;
                event.binary = code.binary;
                event.origin = ScanOrigin::camera;
                event.symbology = code.symbology;
                event.corners = code.corners;
                event.captured = frame->captured;
                event.decode_time = result.elapsed;
                fresh.push_back(std::move(event));
            }
            if (!fresh.empty()) {
                std::lock_guard lock(event_mutex_);
                for (ScanEvent& event : fresh) events_.push_back(std::move(event));
                if (events_.size() > kMaxQueuedEvents)
                    events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(events_.size() - kMaxQueuedEvents));
            }
            {
                std::lock_guard lock(stats_mutex_);
                stats_.decoder_error.clear();
                ++stats_.frames_decoded;
                stats_.codes_read += static_cast<int64_t>(result.codes.size());
                stats_.events += static_cast<int64_t>(fresh.size());
                record_arrival(decode_times_, Clock::now());
                decode_ms_.push_back(std::chrono::duration<double, std::milli>(result.elapsed).count());
                if (decode_ms_.size() > kDecodeSamples) decode_ms_.pop_front();
            }
            // The preview shows the frame just decoded, so event corners line up with it; moved,
            // not copied.
            std::lock_guard lock(frame_mutex_);
            preview_ = std::move(frame);
        } catch (...) {
            std::lock_guard lock(stats_mutex_);
            stats_.decoder_error = what_of(std::current_exception());
        }
    }
}

} // namespace kiosk
