#include "netsync/sync/sync_engine.h"

#include "kiosk/core/time.h"
#include "netsync/sync/ticket_sync.h"

namespace kiosk::sync {

using nlohmann::json;

namespace {

constexpr const char* kStatusNote = "sync.status";

Timestamp now() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

json optional_time(const std::optional<Timestamp>& t) { return t ? json(format_iso8601_utc(*t)) : json(nullptr); }

std::optional<Timestamp> time_of(const json& value) {
    return value.is_string() ? parse_iso8601(value.get<std::string>()) : std::nullopt;
}

// The stored status is our own JSON; a damaged one reads as "never synced", not as a failure.
SyncStatus status_from_json(const json& stored) {
    SyncStatus status;
    if (!stored.is_object()) return status;
    status.online = stored.value("online", json()) == true;
    status.stopped = stored.value("stopped", json()) == true;
    status.last_attempt = time_of(stored.value("last_attempt", json()));
    status.last_success = time_of(stored.value("last_success", json()));
    const json error = stored.value("last_error", json());
    status.last_error = error.is_string() ? error.get<std::string>() : std::string();
    return status;
}

void add_counts(SyncStatus& status, Store& store) {
    const auto counts = store.queue_counts();
    status.pending_uploads = counts.pending;
    status.refused_uploads = counts.refused;
    status.pending_failed_scans = counts.failed_scans;
    status.skipped_records = counts.skipped_records;
}

http::ClientOptions client_options(const SyncSettings& settings, const std::atomic<bool>* cancel) {
    http::ClientOptions options;
    options.connect_timeout = settings.connect_timeout;
    options.total_timeout = settings.request_timeout;
    options.ca_file = settings.ca_file;
    options.cancel = cancel;
    return options;
}

// Which events to download: the configured ones, or every event the token may see.
pretix::ApiResult<std::vector<std::string>> event_slugs(const SyncSettings& settings, pretix::Api& api) {
    if (!settings.events.empty()) return settings.events;
    auto events = api.events();
    if (!events) return std::unexpected(events.error());
    std::vector<std::string> slugs;
    for (const json& event : *events)
        if (event.is_object() && event.contains("slug") && event["slug"].is_string()) slugs.push_back(event["slug"]);
    return slugs;
}

void record_outcome(Store& store, const SyncReport& report, Timestamp attempt) {
    SyncStatus status = read_sync_status(store);
    status.last_attempt = attempt;
    const auto& error = report.error;
    status.online = !error || !(error->kind == pretix::ApiErrorKind::unreachable ||
                                error->kind == pretix::ApiErrorKind::cancelled);
    status.stopped = error && error->stops_sync();
    status.last_error = error ? error->message : std::string();
    if (!error) status.last_success = attempt;
    store.set_note(kStatusNote, to_json(status).dump());
}

} // namespace

json to_json(const SyncStatus& status) {
    return {{"mode", status.online ? "online" : "offline"},
            {"online", status.online},
            {"stopped", status.stopped},
            {"last_attempt", optional_time(status.last_attempt)},
            {"last_success", optional_time(status.last_success)},
            {"last_error", status.last_error.empty() ? json(nullptr) : json(status.last_error)},
            {"pending_uploads", status.pending_uploads},
            {"refused_uploads", status.refused_uploads},
            {"pending_failed_scans", status.pending_failed_scans},
            {"skipped_records", status.skipped_records},
            {"full_sync", status.full_sync_running ? json{{"event", status.progress_event},
                                                         {"orders_done", status.progress_done},
                                                         {"orders_total", status.progress_total}}
                                                   : json(nullptr)}};
}

SyncStatus read_sync_status(Store& store) {
    const auto stored = store.note(kStatusNote);
    SyncStatus status = stored ? status_from_json(json::parse(*stored, nullptr, false)) : SyncStatus{};
    add_counts(status, store);
    return status;
}

backend::Connection ticket_connection(const SyncSettings& settings, const std::atomic<bool>* cancel) {
    backend::Connection connection;
    connection.url = settings.connection.url;
    connection.token = settings.connection.token.secret;
    connection.scanner_id = settings.scanner_id;
    connection.ca_file = settings.ca_file;
    connection.connect_timeout = settings.connect_timeout;
    connection.request_timeout = settings.request_timeout;
    connection.cancel = cancel;
    return connection;
}

namespace {

// Everything a sync writes can be fetched or sent again (store.h); admissions made on other
// connections meanwhile keep their own synchronous=FULL.
struct RelaxedDurability {
    Store& store;
    explicit RelaxedDurability(Store& s) : store(s) { store.relax_durability_for_sync(true); }
    ~RelaxedDurability() { store.relax_durability_for_sync(false); }
};

void add_round(SyncReport& report, const UploadRound& round) {
    report.upload.sent += round.sent;
    report.upload.refused += round.refused;
    report.upload.postponed += round.postponed;
    if (round.stopped_by && !report.error) report.error = round.stopped_by;
    // For a backend whose sync downloads nothing from it (Constant Contact, BrightStar), a
    // postponed check-in is all the sync learns of the server: staff must read why it waits.
    if (round.last_postponement && !report.upload.last_postponement) report.upload.last_postponement = round.last_postponement;
}

void sync_pretix(const SyncSettings& settings, Store& store, bool download, const std::atomic<bool>* cancel,
                 const std::function<void(const DownloadProgress&)>& progress, SyncReport& report) {
    pretix::Api api(settings.connection, client_options(settings, cancel));
    Uploader uploader(api, store);
    add_round(report, uploader.round(now()));
    if (!download || report.error) return;
    auto slugs = event_slugs(settings, api);
    if (!slugs) report.error = slugs.error();
    Downloader downloader(api, store, progress);
    for (const std::string& slug : slugs ? *slugs : std::vector<std::string>{}) {
        auto event = downloader.event(slug);
        if (!event) {
            report.error = event.error();
            break;
        }
        report.events.push_back(std::move(*event));
    }
    if (!report.error) add_round(report, uploader.round(now()));
}

void sync_ticket_backend(const SyncSettings& settings, Store& store, bool download, const std::atomic<bool>* cancel,
                         SyncReport& report) {
    const auto client = backend::make_ticket_client(settings.kind, ticket_connection(settings, cancel));
    TicketUploader uploader(*client, store);
    add_round(report, uploader.round(now()));
    if (!download || report.error) return;
    if (settings.events.empty()) {
        report.error = backend::make_error(backend::ApiErrorKind::not_found,
                                           "no event to sync: give the " + std::string(backend::kind_name(settings.kind)) +
                                               " event id (--event, or backend.events in the configuration)");
        return;
    }
    for (const std::string& event : settings.events) {
        auto downloaded = client->download(store, event);
        if (!downloaded) {
            report.error = downloaded.error();
            break;
        }
        EventDownload summary;
        summary.event = event;
        summary.event_id = downloaded->event_id;
        summary.catalog_changed = downloaded->changed;
        summary.positions = summary.orders = downloaded->tickets;
        summary.skipped = std::move(downloaded->skipped);
        report.events.push_back(std::move(summary));
    }
    if (!report.error) add_round(report, uploader.round(now()));
}

} // namespace

SyncReport sync_once(const SyncSettings& settings, Store& store, bool download, const std::atomic<bool>* cancel,
                     const std::function<void(const DownloadProgress&)>& progress) {
    const Timestamp attempt = now();
    SyncReport report;
    RelaxedDurability relaxed(store);
    if (settings.kind == backend::Kind::pretix) {
        sync_pretix(settings, store, download, cancel, progress, report);
    } else {
        sync_ticket_backend(settings, store, download, cancel, report);
        if (!report.error && report.upload.sent == 0 && report.upload.last_postponement)
            report.error = report.upload.last_postponement;
    }
    // An upload round with nothing due asked the server nothing: it says nothing about the network.
    const bool asked_server = download || report.upload.sent + report.upload.refused + report.upload.postponed > 0;
    if (asked_server || report.error) record_outcome(store, report, attempt);
    return report;
}

// [SECTION] The engine thread

SyncEngine::SyncEngine(SyncSettings settings, std::string db_path)
    : settings_(std::move(settings)), db_path_(std::move(db_path)) {}

SyncEngine::~SyncEngine() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cancel_ = true;
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void SyncEngine::start() { thread_ = std::thread([this] { run(); }); }

void SyncEngine::request_upload() {
    {
        std::lock_guard lock(mutex_);
        upload_requested_ = true;
    }
    wake_.notify_all();
}

void SyncEngine::request_sync() {
    {
        std::lock_guard lock(mutex_);
        sync_requested_ = true;
    }
    wake_.notify_all();
}

SyncStatus SyncEngine::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void SyncEngine::run() {
    std::optional<Store> store;
    auto next_upload = std::chrono::steady_clock::now();
    auto next_download = next_upload;
    for (;;) {
        bool download = false;
        {
            std::unique_lock lock(mutex_);
            // A refused token waits for staff ("sync now") instead of knocking every minute.
            const auto due = [&] {
                const auto t = std::chrono::steady_clock::now();
                return stopping_ || sync_requested_ || upload_requested_ ||
                       (!status_.stopped && (t >= next_upload || t >= next_download));
            };
            wake_.wait_until(lock, std::min(next_upload, next_download), due);
            if (stopping_) return;
            if (!due()) continue;
            download = sync_requested_ || (!status_.stopped && std::chrono::steady_clock::now() >= next_download);
            sync_requested_ = upload_requested_ = false;
        }
        try {
            if (!store) store.emplace(db_path_);
            run_once(*store, download);
        } catch (const std::exception& failure) {
            std::lock_guard lock(mutex_);
            status_.last_error = std::string("the kiosk could not use its store: ") + failure.what();
            store.reset();
        }
        const auto t = std::chrono::steady_clock::now();
        next_upload = t + settings_.upload_interval;
        if (download) next_download = t + settings_.download_interval;
    }
}

void SyncEngine::run_once(Store& store, bool download) {
    const auto progress = [this](const DownloadProgress& p) {
        std::lock_guard lock(mutex_);
        status_.full_sync_running = p.full;
        status_.progress_event = p.event;
        status_.progress_done = p.orders_done;
        status_.progress_total = p.orders_total;
    };
    sync_once(settings_, store, download, &cancel_, progress);
    SyncStatus fresh = read_sync_status(store);
    std::lock_guard lock(mutex_);
    status_ = std::move(fresh);
}

} // namespace kiosk::sync
