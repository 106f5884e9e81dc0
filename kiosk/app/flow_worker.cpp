#include "kiosk/app/flow_worker.h"

#include <cstdio>
#include <exception>

#include "image/png.h"
#include "kiosk/app/backend_sync.h"
#include "kiosk/app/print_queue.h"
#include "kiosk/app/staff_pin.h"
#include "kiosk/core/nonce.h"
#include "kiosk/core/time.h"

namespace kiosk {

namespace {

std::string undo_report(const Outcome<UndoOutcome>& undone) {
    if (!undone) return "undo failed: " + undone.error();
    if (!undone->reverted) return "nothing undone: " + undone->explanation;
    if (undone->checkin && undone->checkin->settled_locally) return "check-in undone (it had not been sent yet)";
    return "check-in undone; the server is told at the next upload";
}

} // namespace

FlowWorker::FlowWorker(FlowWorkerSettings settings)
    : settings_(std::move(settings)), background_sync_(std::move(settings_.background_sync)),
      scan_connection_(std::move(settings_.scan_connection)) {
    thread_ = std::thread([this] { run(); });
}

FlowWorker::~FlowWorker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void FlowWorker::connect(std::shared_ptr<BackgroundSync> background, ScanConnection scans) {
    std::lock_guard lock(mutex_);
    background_sync_ = std::move(background);
    scan_connection_ = std::move(scans);
    reconnect_ = true;
}

std::optional<sync::OnlineState> FlowWorker::scan_mode() const {
    std::lock_guard lock(mutex_);
    return scan_mode_;
}

std::shared_ptr<BackgroundSync> FlowWorker::background_sync() {
    std::lock_guard lock(mutex_);
    return background_sync_;
}

void FlowWorker::submit(flow::Command command) {
    {
        std::lock_guard lock(mutex_);
        jobs_.emplace_back(std::move(command));
    }
    wake_.notify_one();
}

void FlowWorker::save_photo(Image photo) {
    {
        std::lock_guard lock(mutex_);
        jobs_.emplace_back(SavePhoto{std::move(photo)});
    }
    wake_.notify_one();
}

std::vector<flow::Event> FlowWorker::drain() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
}

void FlowWorker::post(flow::Event event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
}

void FlowWorker::open_app(std::optional<App>& app) {
    ScanConnection scans;
    {
        std::lock_guard lock(mutex_);
        scans = scan_connection_;
        reconnect_ = false;
    }
    app.emplace(settings_.db_path);
    connect_scans(*app, scans);
    std::lock_guard lock(mutex_);
    scan_mode_ = app->online_state();
}

void FlowWorker::run() {
    std::optional<App> app;
    try {
        open_app(app);                      // opened now, so the first scan does not pay for it,
        app->lists();                       // nor for reading and decoding the events' catalogs
    } catch (const std::exception& failure) {
        post(flow::DeviceHealth{std::nullopt, std::string("the store failed: ") + failure.what(), std::nullopt});
    }
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            if (reconnect_) app.reset();
        }
        try {
            if (!app) open_app(app);
            execute(*app, job);
            {
                std::lock_guard lock(mutex_);
                scan_mode_ = app->online_state();
            }
            if (std::exchange(store_failed_, false))   // working again: the kiosk may leave out-of-order
                post(flow::DeviceHealth{std::nullopt, std::nullopt, std::nullopt});
        } catch (const std::exception& failure) {
            store_failed_ = true;
            // The store failed under us: answer the request so the screen moves on, and report the
            // fault so the kiosk goes out of order. A fresh App is tried with the next request.
            std::fprintf(stderr, "kiosk: store failure: %s\n", failure.what());
            app.reset();
            if (const auto* command = std::get_if<flow::Command>(&job))
                if (const auto* scan = std::get_if<flow::RunScan>(command))
                    post(flow::ScanAnswered{scan->request, std::unexpected("the store failed"), {}});
            post(flow::DeviceHealth{std::nullopt, std::string("the store failed: ") + failure.what(), std::nullopt});
        }
    }
}

void FlowWorker::execute(App& app, const Job& job) {
    if (const auto* photo = std::get_if<SavePhoto>(&job)) {
        std::error_code error;
        std::filesystem::create_directories(settings_.photo_dir, error);
        const std::string name = make_nonce() + ".png";
        const auto written = write_png(photo->photo.view(), (settings_.photo_dir / name).string());
        post(flow::PhotoTaken{written ? Outcome<std::string>("file:kiosk-photo/" + name)
                                      : Outcome<std::string>(std::unexpected(written.error()))});
        return;
    }
    execute(app, std::get<flow::Command>(job));
}

void FlowWorker::execute(App& app, const flow::Command& command) {
    if (const auto* scan = std::get_if<flow::RunScan>(&command)) {
        ScanRequest request = scan->scan;
        if (request.now == Timestamp{}) request.now = now_utc();
        flow::ScanAnswered answer{scan->request, app.scan(request), {}};
        if (answer.outcome && answer.outcome->verdict.event)
            answer.timezone = app.event_timezone(*answer.outcome->verdict.event);
        if (const auto background = background_sync(); answer.outcome && answer.outcome->checkin && background)
            background->request_upload();
        post(std::move(answer));
    } else if (const auto* lookup = std::get_if<flow::RunLookup>(&command)) {
        auto found = app.search(lookup->query, lookup->lists);
        flow::LookupAnswered answer{lookup->request, std::vector<flow::LookupHit>{}};
        if (!found) {
            answer.hits = std::unexpected(found.error());
        } else {
            for (const SearchResult& result : *found)
                answer.hits->push_back({result.position.secret, result.position.attendee_name, result.position.order, {}});
        }
        post(std::move(answer));
    } else if (const auto* badge = std::get_if<flow::QueueBadge>(&command)) {
        const auto job = app.queue_badge(badge->admission, badge->language);
        if (!job) {
            post(flow::PrintUpdated{0, PrintJobState::failed, job.error(), true});
        } else {
            post(flow::PrintUpdated{job->id, job->state, {}, true});
            if (settings_.print_queue) settings_.print_queue->wake();
        }
    } else if (const auto* preview = std::get_if<flow::RenderPreview>(&command)) {
        // 150 dpi: a 4 x 3 in badge is 600 x 450 px, sharp at the size the screen shows it.
        auto image = app.badge_preview(preview->admission, preview->language, 150, settings_.badge_layout);
        if (!image) post(flow::PreviewRendered{nullptr, image.error()});
        else if (!*image) post(flow::PreviewRendered{nullptr, {}});
        else post(flow::PreviewRendered{std::make_shared<const Image>(std::move(**image)), {}});
    } else if (const auto* pin = std::get_if<flow::CheckPin>(&command)) {
        post(flow::PinChecked{!settings_.staff_pin_hash.empty() && verify_staff_pin(settings_.staff_pin_hash, pin->pin)});
    } else if (const auto* staff = std::get_if<flow::RunStaffAction>(&command)) {
        switch (staff->action) {
        case flow::StaffAction::undo_last:
            if (staff->secret.empty()) {
                post(flow::StaffReport{"nothing to undo: no check-in yet; scan the ticket to undo", false});
                break;
            }
            post(flow::StaffReport{undo_report(app.undo(UndoRequest{staff->secret, staff->list, now_utc()})), false});
            break;
        case flow::StaffAction::reprint_last: {
            if (staff->secret.empty()) {
                post(flow::StaffReport{"nothing to reprint: scan the ticket first", false});
                break;
            }
            const auto job = app.queue_reprint(staff->secret, staff->list, staff->language);
            post(flow::StaffReport{job ? "badge reprint queued" : "reprint failed: " + job.error(), false});
            if (job && settings_.print_queue) settings_.print_queue->wake();
            break;
        }
        case flow::StaffAction::sync_now: {
            const auto background = background_sync();
            if (background) background->request_sync();
            post(flow::StaffReport{background ? "sync started" : "no backend is configured", false});
            break;
        }
        case flow::StaffAction::setup_device: {
            const auto device = app.setup_device(staff->secret, settings_.device_file, settings_.ca_file);
            if (!device) {
                post(flow::StaffReport{"set-up failed: " + device.error(), false});
            } else {
                post(flow::StaffReport{"connected to " + device->url + " as device " + std::to_string(device->device_id) +
                                           " (" + device->organizer + "); syncing",
                                       true});
            }
            break;
        }
        case flow::StaffAction::refresh_stats:
        case flow::StaffAction::exit_kiosk: break;
        }
        if (staff->list != 0 && staff->action != flow::StaffAction::exit_kiosk) {
            if (const auto status = app.list_status(staff->list))
                post(flow::StatsAnswered{status->counts.total.checkin_count, status->counts.total.position_count,
                                         status->counts.total.inside_count});
        }
    }
}

} // namespace kiosk
