#include "kiosk/app/sync_settings.h"

#include <algorithm>

#include "netsync/backend/backend_file.h"
#include "netsync/backend/kiosk_name.h"
#include "netsync/pretix/device_file.h"

namespace kiosk {

namespace {

const std::string& first_given(const std::string& flag, const std::string& configured, const std::string& device) {
    if (!flag.empty()) return flag;
    return configured.empty() ? device : configured;
}

void apply_timing(const KioskConfig& config, sync::SyncSettings& settings) {
    settings.ca_file = config.backend.ca_file.string();
    settings.connect_timeout = std::chrono::milliseconds(config.sync.connect_timeout_ms);
    settings.request_timeout = std::chrono::milliseconds(config.sync.request_timeout_ms);
    settings.upload_interval = std::chrono::seconds(config.sync.upload_interval_seconds);
    settings.download_interval = std::chrono::seconds(config.sync.download_interval_seconds);
}

// Constant Contact, Oveit, BrightStar: flags over the configuration over what the last
// `kioskctl sync --backend` saved next to the store.
Outcome<sync::SyncSettings> resolve_ticket_backend(const SyncFlags& flags, const KioskConfig& config,
                                                   const std::string& db_path) {
    const BackendKind kind = config.backend.kind;
    const std::string name(backend_kind_name(kind));
    const auto loaded = backend::load_backend(backend::backend_file_path(db_path, kind));
    if (!loaded) return std::unexpected(loaded.error());
    backend::SavedBackend none;
    none.kind = kind;
    const backend::SavedBackend& saved = *loaded ? **loaded : none;

    sync::SyncSettings settings;
    settings.kind = kind;
    settings.connection.url = first_given(flags.url, config.backend.url, saved.url);
    settings.connection.token = {http::ApiToken::Kind::bearer, first_given(flags.token, config.backend.token, saved.token)};
    settings.events = !flags.events.empty() ? flags.events : !config.backend.events.empty() ? config.backend.events : saved.events;
    settings.scanner_id = saved.scanner_id.empty() ? backend::this_kiosks_name() : saved.scanner_id;
    if (settings.connection.url.empty())
        return std::unexpected("this kiosk is not connected to " + name + ": give --url (the API base up to its version, e.g. " +
                               (kind == BackendKind::constantcontact ? "https://api.cc.email/v3"
                                : kind == BackendKind::oveit         ? "https://l.oveit.com/api"
                                                                     : "https://HOST/v1") +
                               "), or backend.url in the configuration");
    // BrightStar's seed names no authentication; the other two cannot be called without a token.
    if (settings.connection.token.secret.empty() && kind != BackendKind::brightstar)
        return std::unexpected("no " + name + " token: give --token, or backend.token_file in the configuration");
    if (settings.events.empty())
        return std::unexpected("no " + name + " event: give --event with the backend's event id, or backend.events");
    apply_timing(config, settings);
    return settings;
}

// pretix: flags over the configuration over the device file `kioskctl setup` saved.
Outcome<sync::SyncSettings> resolve_pretix(const SyncFlags& flags, const KioskConfig& config, const std::string& db_path) {
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
    apply_timing(config, settings);
    return settings;
}

} // namespace

std::filesystem::path device_file_path(const KioskConfig& config, const std::string& db_path) {
    if (!config.backend.device_file.empty()) return config.backend.device_file;
    return std::filesystem::path(db_path + ".device.json");
}

// [SECTION] Which backend

std::string_view backend_display_name(BackendKind kind) {
    switch (kind) {
    case BackendKind::pretix: return "pretix";
    case BackendKind::constantcontact: return "Constant Contact";
    case BackendKind::oveit: return "Oveit";
    case BackendKind::brightstar: return "BrightStar";
    }
    return "pretix";
}

std::vector<SavedConnection> saved_connections(const KioskConfig& config, const std::string& db_path) {
    std::vector<SavedConnection> saved;
    for (const BackendKind kind : {BackendKind::pretix, BackendKind::constantcontact, BackendKind::oveit, BackendKind::brightstar}) {
        std::filesystem::path file = kind == BackendKind::pretix ? device_file_path(config, db_path)
                                                                 : backend::backend_file_path(db_path, kind);
        std::error_code error;
        const auto time = std::filesystem::last_write_time(file, error);
        if (!error) saved.push_back({kind, std::move(file), time});   // a file we cannot see is not saved
    }
    std::stable_sort(saved.begin(), saved.end(),
                     [](const SavedConnection& a, const SavedConnection& b) { return a.saved_at > b.saved_at; });
    return saved;
}

std::string_view backend_source_name(BackendSource source) {
    switch (source) {
    case BackendSource::command_line: return "command_line";
    case BackendSource::configuration: return "configuration";
    case BackendSource::saved: return "saved";
    case BackendSource::none: return "none";
    }
    return "none";
}

BackendChoice choose_backend(const SyncFlags& flags, const KioskConfig& config, const std::string& db_path) {
    BackendChoice choice;
    if (flags.backend_named || !flags.url.empty()) {
        choice.kind = config.backend.kind;
        choice.source = BackendSource::command_line;
    } else if (config.backend.kind != BackendKind::pretix || !config.backend.url.empty()) {
        choice.kind = config.backend.kind;
        choice.source = BackendSource::configuration;
    }
    for (const SavedConnection& saved : saved_connections(config, db_path)) {
        if (choice.source == BackendSource::none) {
            choice.kind = saved.kind;
            choice.source = BackendSource::saved;
        } else if (saved.kind != choice.kind) {
            choice.also_saved.push_back(saved.kind);
        }
    }
    return choice;
}

std::string also_saved_note(const BackendChoice& choice) {
    if (choice.also_saved.empty()) return {};
    std::string others;
    for (const BackendKind kind : choice.also_saved)
        others += (others.empty() ? "" : ", ") + std::string(backend_display_name(kind));
    const std::string why = choice.source == BackendSource::saved          ? "saved last"
                            : choice.source == BackendSource::configuration ? "named in the configuration"
                                                                            : "named on the command line";
    return "Using " + std::string(backend_display_name(choice.kind)) + " (" + why + "); also saved next to the store: " +
           others + ". kioskctl sync --backend KIND switches.";
}

// [SECTION] Its settings

Outcome<sync::SyncSettings> resolve_sync_settings(const BackendChoice& choice, const SyncFlags& flags,
                                                  const KioskConfig& config, const std::string& db_path) {
    if (choice.kind != BackendKind::pretix) {
        KioskConfig chosen = config;
        chosen.backend.kind = choice.kind;
        return resolve_ticket_backend(flags, chosen, db_path);
    }
    return resolve_pretix(flags, config, db_path);
}

Outcome<sync::SyncSettings> resolve_sync_settings(const SyncFlags& flags, const KioskConfig& config,
                                                  const std::string& db_path) {
    return resolve_sync_settings(choose_backend(flags, config, db_path), flags, config, db_path);
}

bool connection_worth_saving(const std::optional<backend::ApiError>& error) {
    return !error || error->retry_later();
}

Outcome<bool> remember_backend(const sync::SyncSettings& settings, const KioskConfig& config, const std::string& db_path) {
    if (settings.kind == BackendKind::pretix) {
        // The device file holds what `kioskctl setup` got; a sync from it marks it saved last.
        if (settings.connection.token.kind != http::ApiToken::Kind::device) return false;
        const auto file = device_file_path(config, db_path);
        std::error_code error;
        std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now(), error);
        if (error) return std::unexpected(file.string() + ": cannot mark it as the connection in use: " + error.message());
        return true;
    }
    backend::SavedBackend saved;
    saved.kind = settings.kind;
    saved.url = settings.connection.url;
    saved.token = settings.connection.token.secret;
    saved.events = settings.events;
    saved.scanner_id = settings.scanner_id;
    if (auto written = backend::save_backend(backend::backend_file_path(db_path, settings.kind), saved); !written)
        return std::unexpected(written.error());
    return true;
}

std::optional<TicketBackendOptions> ticket_backend_options(const sync::SyncSettings& settings, const KioskConfig& config) {
    if (settings.kind == BackendKind::pretix) return std::nullopt;
    TicketBackendOptions options;
    options.kind = settings.kind;
    options.connection = sync::ticket_connection(settings, nullptr);
    // A scan waits for the server at most this long (connect included), then decides without it.
    options.connection.request_timeout = std::chrono::milliseconds(config.sync.online_timeout_ms);
    options.connection.connect_timeout = std::min(options.connection.connect_timeout, options.connection.request_timeout);
    options.connection.retry.max_attempts = 1;
    options.online = config.sync.online;
    options.trust_offline_scans = config.kiosk.trust_offline_scans;
    return options;
}

ScanConnection scan_connection(const KioskConfig& config, const std::string& db_path) {
    const auto settings = resolve_sync_settings({}, config, db_path);
    if (!settings) return std::monostate{};   // not connected: every scan is decided from the store
    if (auto options = ticket_backend_options(*settings, config)) return std::move(*options);
    if (!config.sync.online) return std::monostate{};
    return PretixOnline{settings->connection, {std::chrono::milliseconds(config.sync.online_timeout_ms),
                                               std::chrono::seconds(30), config.backend.ca_file.string()}};
}

void connect_scans(App& app, const ScanConnection& connection) {
    if (const auto* pretix = std::get_if<PretixOnline>(&connection)) app.go_online(pretix->connection, pretix->settings);
    if (const auto* other = std::get_if<TicketBackendOptions>(&connection)) app.use_ticket_backend(*other);
}

} // namespace kiosk
