// The flow's worker: runs what the flow asks for (scans, lookups, badges, PIN checks, staff
// actions, photos) on its own thread with its own App, so the UI thread never waits on the store,
// the printer or argon2; answers come back as flow events, drained once per frame.
//
// A failure of the machine (the store's disk, a corrupt file) is caught here: the request gets an
// ordinary answer ("something went wrong") and DeviceHealth reports the store as faulty, so the
// kiosk goes out of order instead of down.
//
// Thread rule: submit(), save_photo() and drain() from the UI thread; everything else runs on the
// worker's thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "image/image.h"
#include "kiosk/app/flow.h"
#include "kiosk/app/sync_settings.h"

namespace kiosk {

class BackgroundSync;
class PrintQueue;

struct FlowWorkerSettings {
    std::string db_path;
    std::string staff_pin_hash;             // empty: every PIN is wrong
    std::filesystem::path photo_dir;        // where photo answers are kept
    PrintQueue* print_queue = nullptr;      // woken when a badge is queued; null: no printer
    std::shared_ptr<BackgroundSync> background_sync;   // told about admissions and "sync now"; null: no backend
    std::optional<std::filesystem::path> badge_layout;  // replaces the events' layouts (kiosk.badge_layout)
    std::filesystem::path device_file;      // where a device set-up scanned on the staff panel is saved
    std::string ca_file;
    ScanConnection scan_connection;         // pretix's online mode, another backend, or none (sync_settings.h)
};

class FlowWorker {
public:
    explicit FlowWorker(FlowWorkerSettings settings);
    ~FlowWorker();                          // finishes the request in hand, drops the rest
    FlowWorker(const FlowWorker&) = delete;
    FlowWorker& operator=(const FlowWorker&) = delete;

    void submit(flow::Command command);     // RunScan, RunLookup, QueueBadge, CheckPin, RunStaffAction
    // After a device set-up started a sync: the new background sync, and scans connected afresh
    // (the worker's App is reopened before its next request).
    void connect(std::shared_ptr<BackgroundSync> background, ScanConnection scans);
    // Who decides scans now: nullopt when the store alone does; else whether the server answered
    // the last ask, and why not. Updated after every request; any thread.
    std::optional<sync::OnlineState> scan_mode() const;
    void save_photo(Image photo);           // answers flow::PhotoTaken
    std::vector<flow::Event> drain();

private:
    struct SavePhoto { Image photo; };
    using Job = std::variant<flow::Command, SavePhoto>;
    void run();
    void open_app(std::optional<App>& app);   // the worker's App, its scans connected to the backend
    void execute(App& app, const Job& job);
    void execute(App& app, const flow::Command& command);
    void post(flow::Event event);

    FlowWorkerSettings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::vector<flow::Event> events_;
    bool stopping_ = false;
    bool store_failed_ = false;             // worker thread only: the last request hit a store failure
    std::shared_ptr<BackgroundSync> background_sync_;   // guarded by mutex_; shared: the shell may replace it
    std::shared_ptr<BackgroundSync> background_sync();
    ScanConnection scan_connection_;        // guarded by mutex_
    bool reconnect_ = false;                // guarded by mutex_: reopen the App before the next request
    std::optional<sync::OnlineState> scan_mode_;   // guarded by mutex_
    std::thread thread_;
};

} // namespace kiosk
