// Facts the screens show that live in the store (the check-in lists, the event's names, the sync
// and queue state), read every couple of seconds on a thread of their own so that the UI thread
// never waits on the disk. The UI takes the newest snapshot once per frame.
//
// Thread rule: snapshot() from any thread; the poller's own thread does the reading.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsync/sync/sync_engine.h"

namespace kiosk { class App; }

namespace kiosk::ui {

struct StoreSnapshot {
    int64_t version = 0;                    // grows with every read
    struct List { int64_t id = 0; std::string name; nlohmann::json event_name; std::string event_timezone = "UTC"; };
    std::vector<List> lists;
    std::vector<std::string> glyph_texts;   // every name and question text of every event, all languages
    size_t glyph_generation = 0;            // changes when the event data changed
    sync::SyncStatus sync;
    bool store_failed = false;
    std::string store_error;
};

// One reading of the store (the poller's, also used once at start-up so the first font atlas
// already holds the events' names). Throws like the App does when the store fails.
StoreSnapshot read_store_snapshot(App& app);

class StatusPoller {
public:
    StatusPoller(std::string db_path, std::chrono::milliseconds interval);
    ~StatusPoller();
    StatusPoller(const StatusPoller&) = delete;
    StatusPoller& operator=(const StatusPoller&) = delete;
    std::shared_ptr<const StoreSnapshot> snapshot() const;
    void poll_now();                        // after a staff action: read again without waiting

private:
    void run();
    std::string db_path_;
    std::chrono::milliseconds interval_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false, poll_now_ = false;
    std::shared_ptr<const StoreSnapshot> snapshot_;
    std::thread thread_;
};

} // namespace kiosk::ui
