#include "kiosk/app/backend_sync.h"

namespace kiosk {

// [SECTION] The backend in use

BackendInUse backend_in_use(const SyncFlags& flags, const KioskConfig& config, const std::string& db_path) {
    BackendChoice choice = choose_backend(flags, config, db_path);
    auto settings = resolve_sync_settings(choice, flags, config, db_path);
    return {std::move(choice), std::move(settings)};
}

// [SECTION] Status (kioskctl status)

KioskStatus kiosk_status(App& app, const KioskConfig& config, const std::string& db_path) {
    KioskStatus status{app.sync_status(), backend_in_use({}, config, db_path), std::nullopt};
    if (!config.webhooks.urls.empty()) status.webhooks = app.webhook_status(config.webhooks.urls);
    return status;
}

// [SECTION] Sync now (kioskctl sync)

Outcome<BackendSyncReport> sync_backend(App& app, const SyncFlags& flags, const KioskConfig& config,
                                        const std::string& db_path) {
    BackendInUse backend = backend_in_use(flags, config, db_path);
    if (!backend.settings) return std::unexpected(backend.settings.error());
    BackendSyncReport report;
    report.choice = std::move(backend.choice);
    report.settings = std::move(*backend.settings);
    report.sync = app.sync(report.settings);
    if (connection_worth_saving(report.sync.error)) {
        const auto saved = remember_backend(report.settings, config, db_path);
        if (!saved) return std::unexpected(saved.error());
        report.saved = *saved;
    }
    // deliver_round works on a store connection of its own, as the kiosk's sender thread does.
    if (!config.webhooks.urls.empty())
        report.webhooks = webhooks::deliver_round(config.webhooks.urls, config.webhooks.secret, db_path);
    return report;
}

// [SECTION] In the background (the kiosk)

BackgroundSync::BackgroundSync(sync::SyncSettings settings, const BackendChoice& choice, const std::string& db_path)
    : kind_(settings.kind), note_(also_saved_note(choice)), engine_(std::move(settings), db_path) {}

Outcome<std::shared_ptr<BackgroundSync>> BackgroundSync::start(const KioskConfig& config, const std::string& db_path) {
    BackendInUse backend = backend_in_use({}, config, db_path);
    if (backend.choice.source == BackendSource::none) return nullptr;
    if (!backend.settings) return std::unexpected(backend.settings.error());
    std::shared_ptr<BackgroundSync> started(new BackgroundSync(std::move(*backend.settings), backend.choice, db_path));
    started->engine_.start();
    return started;
}

void BackgroundSync::request_upload() { engine_.request_upload(); }

void BackgroundSync::request_sync() { engine_.request_sync(); }

sync::SyncStatus BackgroundSync::status() const { return engine_.status(); }

} // namespace kiosk
