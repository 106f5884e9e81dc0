// The badge print queue: its own thread, its own store connection, one printer.
//
// Jobs live in the store (Store::queue_print), so they survive a restart; the queue takes the
// oldest due one, renders the badge for its printer and prints it. A printer in trouble (offline,
// out of labels, cover open, queue stopped, wrong label) fails the job with the printer's state in
// words and tries it again later (retry_interval); staff see the state, and the attendee is told to
// see staff. Jobs a crash left `printing` are queued again at start: a badge interrupted mid-print
// may come out twice, a queued one never.
//
// Status goes back to the UI as events drained once per frame (the UI thread never waits on the
// printer), and as the printer's last known state.
//
// Thread rule: wake(), drain() and printer_status() may be called from any thread; everything else
// happens on the queue's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "netsync/store/store.h"
#include "printer/printer_driver.h"

namespace kiosk {

struct PrintEvent {
    int64_t job = 0;
    PrintJobState state = PrintJobState::queued;
    std::string message;                    // why it failed, in words; empty otherwise
};

struct PrintQueueSettings {
    std::string db_path;
    std::string printer_uri;
    std::optional<std::filesystem::path> layout_file;   // replaces the events' own layouts
    std::chrono::seconds retry_interval{15};
};

class PrintQueue {
public:
    explicit PrintQueue(PrintQueueSettings settings);
    ~PrintQueue();                          // finishes the badge being printed, then stops
    PrintQueue(const PrintQueue&) = delete;
    PrintQueue& operator=(const PrintQueue&) = delete;

    void start();
    void wake();                            // a job was queued: print it now
    std::vector<PrintEvent> drain();        // what happened since the last drain, oldest first
    printer::PrinterStatus printer_status() const;

private:
    void run();
    void print_next(Store& store, printer::PrinterDriver& printer);
    void refresh_status(printer::PrinterDriver& printer);
    void publish(int64_t job, PrintJobState state, std::string message = {});

    PrintQueueSettings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false, woken_ = false;
    std::vector<PrintEvent> events_;
    printer::PrinterStatus printer_status_;
    std::chrono::steady_clock::time_point last_status_check_{};   // {}: never asked yet
    std::thread thread_;
};

// Prints one job now on `printer`, on the caller's thread, and records its outcome in the store
// (kioskctl print; the queue's thread calls it too).
PrintEvent print_job_now(Store& store, const PrintJob& job, printer::PrinterDriver& printer,
                         const std::optional<std::filesystem::path>& layout_file,
                         std::chrono::seconds retry_interval = std::chrono::seconds(15));

} // namespace kiosk
