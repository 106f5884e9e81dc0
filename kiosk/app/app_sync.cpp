// [SECTION] App: sync operations (set-up, sync now, status, the webhooks' outbox).
#include <sys/utsname.h>

#include "kiosk/app/app.h"
#include "netsync/pretix/device_file.h"
#include "netsync/pretix/pretix_api.h"
#include "netsync/webhooks/webhook_sender.h"

namespace kiosk {

namespace {

pretix::DeviceInfo this_device() {
    pretix::DeviceInfo info;
    utsname names{};
    if (uname(&names) == 0) info.os_version = names.release;
    return info;
}

} // namespace

Outcome<DeviceSetup> App::setup_device(std::string_view setup_code, const std::filesystem::path& device_file,
                                       const std::string& ca_file) {
    const auto handshake = pretix::parse_handshake(setup_code);
    if (!handshake) return std::unexpected(handshake.error());
    http::ClientOptions options;
    options.ca_file = ca_file;
    auto credentials = pretix::Api::initialize_device(*handshake, this_device(), options);
    if (!credentials) return std::unexpected(credentials.error().message);
    if (auto saved = pretix::save_device_credentials(device_file, *credentials); !saved)
        return std::unexpected(saved.error());
    // The organizer's catalog may differ from what this store held: the next sync starts afresh
    // where it must, by its own cursors; nothing local is dropped.
    return DeviceSetup{credentials->url, credentials->organizer, credentials->device_id, credentials->name,
                       credentials->gate};
}

sync::SyncReport App::sync(const sync::SyncSettings& settings) {
    return sync::sync_once(settings, store_, /*download=*/true);
}

sync::SyncStatus App::sync_status() { return sync::read_sync_status(store_); }

webhooks::WebhookStatus App::webhook_status(const std::vector<std::string>& urls) {
    webhooks::WebhookSettings receivers;
    receivers.urls = urls;
    return webhooks::read_webhook_status(receivers, store_);
}

} // namespace kiosk
