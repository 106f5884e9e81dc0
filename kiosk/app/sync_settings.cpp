#include "kiosk/app/sync_settings.h"

#include "netsync/pretix/device_file.h"

namespace kiosk {

namespace {

const std::string& first_given(const std::string& flag, const std::string& configured, const std::string& device) {
    if (!flag.empty()) return flag;
    return configured.empty() ? device : configured;
}

} // namespace

std::filesystem::path device_file_path(const KioskConfig& config, const std::string& db_path) {
    if (!config.backend.device_file.empty()) return config.backend.device_file;
    return std::filesystem::path(db_path + ".device.json");
}

Outcome<sync::SyncSettings> resolve_sync_settings(const SyncFlags& flags, const KioskConfig& config,
                                                  const std::string& db_path) {
    if (config.backend.kind != BackendKind::pretix)
        return std::unexpected("sync with the " + std::string(backend_kind_name(config.backend.kind)) +
                               " backend is not built yet; only pretix syncs today");
    const auto device = pretix::load_device_credentials(device_file_path(config, db_path));
    if (!device) return std::unexpected(device.error());
    const pretix::DeviceCredentials none;
    const pretix::DeviceCredentials& saved = *device ? **device : none;

    sync::SyncSettings settings;
    settings.connection.url = first_given(flags.url, config.backend.url, saved.url);
    settings.connection.organizer = first_given(flags.organizer, config.backend.organizer, saved.organizer);
    const std::string& team_token = flags.token.empty() ? config.backend.token : flags.token;
    settings.connection.token = team_token.empty()
                                    ? http::ApiToken{http::ApiToken::Kind::device, saved.api_token}
                                    : http::ApiToken{http::ApiToken::Kind::team, team_token};
    if (settings.connection.url.empty() || settings.connection.token.secret.empty() ||
        settings.connection.organizer.empty())
        return std::unexpected("this kiosk is not connected to pretix: scan pretix's device set-up code "
                               "(kioskctl setup --qr JSON), or give --url, --token and --organizer");
    settings.events = flags.events.empty() ? config.backend.events : flags.events;
    settings.ca_file = config.backend.ca_file.string();
    settings.connect_timeout = std::chrono::milliseconds(config.sync.connect_timeout_ms);
    settings.request_timeout = std::chrono::milliseconds(config.sync.request_timeout_ms);
    settings.upload_interval = std::chrono::seconds(config.sync.upload_interval_seconds);
    settings.download_interval = std::chrono::seconds(config.sync.download_interval_seconds);
    return settings;
}

} // namespace kiosk
