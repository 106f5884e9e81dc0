#include "kiosk/app/print_queue.h"

#include "kiosk/app/badges.h"
#include "kiosk/core/time.h"

namespace kiosk {

namespace {

Timestamp now() { return now_utc(); }

} // namespace

PrintEvent print_job_now(Store& store, const PrintJob& job, printer::PrinterDriver& printer,
                         const std::optional<std::filesystem::path>& layout_file, std::chrono::seconds retry_interval) {
    const Timestamp started = now();
    store.set_print_state(job.id, PrintJobState::printing, std::nullopt, started, started);
    const auto badge = badge_of(store, job, layout_file);
    if (!badge) {
        // Nothing a retry could change until the data does: failed, tried again after a sync.
        store.set_print_state(job.id, PrintJobState::failed, badge.error(), now(), now() + retry_interval * 4);
        return {job.id, PrintJobState::failed, badge.error()};
    }
    if (!*badge) {
        store.set_print_state(job.id, PrintJobState::done, std::string("this product has no badge"), now(), now());
        return {job.id, PrintJobState::done, "this product has no badge"};
    }
    const auto printed = printer.print((*badge)->layout, (*badge)->data);
    if (!printed) {
        store.set_print_state(job.id, PrintJobState::failed, printed.error().message, now(), now() + retry_interval);
        return {job.id, PrintJobState::failed, printed.error().message};
    }
    store.set_print_state(job.id, PrintJobState::done, std::nullopt, now(), now());
    return {job.id, PrintJobState::done, {}};
}

PrintQueue::PrintQueue(PrintQueueSettings settings) : settings_(std::move(settings)) {}

PrintQueue::~PrintQueue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PrintQueue::start() { thread_ = std::thread([this] { run(); }); }

void PrintQueue::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

std::vector<PrintEvent> PrintQueue::drain() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
}

printer::PrinterStatus PrintQueue::printer_status() const {
    std::lock_guard lock(mutex_);
    return printer_status_;
}

void PrintQueue::publish(int64_t job, PrintJobState state, std::string message) {
    std::lock_guard lock(mutex_);
    events_.push_back({job, state, std::move(message)});
}

void PrintQueue::run() {
    auto printer = printer::open_printer(settings_.printer_uri);
    if (!printer) {
        std::lock_guard lock(mutex_);
        printer_status_ = {printer::PrinterState::error, printer.error(), {}};
        return;   // a wrong printer URI is the configuration's fault; the status says so
    }
    std::optional<Store> store;
    while (true) {
        try {
            if (!store) {
                store.emplace(settings_.db_path);
                store->requeue_interrupted_prints(now());
            }
            print_next(*store, **printer);
            refresh_status(**printer);
        } catch (const std::exception& failure) {
            std::lock_guard lock(mutex_);
            printer_status_ = {printer::PrinterState::error, std::string("the print queue cannot use its store: ") + failure.what(), {}};
            store.reset();
        }
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        // Poll the store at the retry interval: a failed job comes due, or another process queued one.
        wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || woken_; });
        woken_ = false;
        if (stopping_) return;
    }
}

// The printer is asked how it is at start and every 10 s while idle, so a kiosk whose printer is
// out of labels goes out of order before it admits someone who would get no badge; a printer in
// trouble is asked every pass (about once a second), so the kiosk sees the fault clear (labels
// loaded, cover closed) without waiting for the failed job's retry.
void PrintQueue::refresh_status(printer::PrinterDriver& printer) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        const bool in_trouble = printer_status_.state != printer::PrinterState::ready;
        if (!in_trouble && now - last_status_check_ < std::chrono::seconds(10)) return;
    }
    printer::PrinterStatus fresh = printer.status();
    std::lock_guard lock(mutex_);
    printer_status_ = std::move(fresh);
    last_status_check_ = now;
}

void PrintQueue::print_next(Store& store, printer::PrinterDriver& printer) {
    while (const auto job = store.next_print_job(now())) {
        publish(job->id, PrintJobState::printing);
        const PrintEvent outcome = print_job_now(store, *job, printer, settings_.layout_file, settings_.retry_interval);
        {
            std::lock_guard lock(mutex_);
            printer_status_ = outcome.state == PrintJobState::failed ? printer.status() : printer::PrinterStatus{};
            last_status_check_ = std::chrono::steady_clock::now();
        }
        publish(outcome.job, outcome.state, outcome.message);
        if (outcome.state == PrintJobState::failed) return;   // the printer is in trouble: wait, then retry
        std::lock_guard lock(mutex_);
        if (stopping_) return;
    }
}

} // namespace kiosk
