#include "netsync/pretix/device_file.h"

#include "netsync/backend/private_file.h"
#include "netsync/pretix/pretix_json.h"

namespace kiosk::pretix {

using nlohmann::json;

namespace {

json to_json(const DeviceCredentials& credentials) {
    return {{"url", credentials.url},
            {"organizer", credentials.organizer},
            {"device_id", credentials.device_id},
            {"unique_serial", credentials.unique_serial},
            {"api_token", credentials.api_token},
            {"name", credentials.name},
            {"gate", credentials.gate ? json(*credentials.gate) : json(nullptr)}};
}

// Field errors name the field, never its value: the value may be the token.
std::expected<DeviceCredentials, std::string> from_json(const json& value, const std::filesystem::path& path) {
    const auto problem = [&](std::string_view field, std::string_view what) {
        return std::unexpected(path.string() + ": " + std::string(field) + " " + std::string(what) +
                               "; set the kiosk up again.");
    };
    if (!value.is_object()) return problem("the file", "is not a JSON object");
    DeviceCredentials credentials;
    for (auto [field, target] : {std::pair{"url", &credentials.url}, std::pair{"organizer", &credentials.organizer},
                                 std::pair{"api_token", &credentials.api_token}}) {
        const auto it = value.find(field);
        if (it == value.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
            return problem(field, "is missing or not a text");
        *target = it->get<std::string>();
    }
    const auto id = value.find("device_id");
    if (id == value.end() || !id->is_number_integer()) return problem("device_id", "is missing or not a number");
    credentials.device_id = id->get<int64_t>();
    for (auto [field, target] : {std::pair{"unique_serial", &credentials.unique_serial}, std::pair{"name", &credentials.name}}) {
        const auto it = value.find(field);
        if (it == value.end() || it->is_null()) continue;
        if (!it->is_string()) return problem(field, "is not a text");
        *target = it->get<std::string>();
    }
    if (const auto gate = value.find("gate"); gate != value.end() && !gate->is_null()) {
        if (!gate->is_string()) return problem("gate", "is not a text");
        credentials.gate = gate->get<std::string>();
    }
    return credentials;
}

} // namespace

std::expected<void, std::string> save_device_credentials(const std::filesystem::path& path,
                                                         const DeviceCredentials& credentials) {
    return backend::save_private_file(path, to_json(credentials).dump(2) + "\n");
}

std::expected<std::optional<DeviceCredentials>, std::string> load_device_credentials(const std::filesystem::path& path) {
    const auto text = backend::load_private_file(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::optional<DeviceCredentials>();
    const auto parsed = parse_json_text(**text, path.string());
    if (!parsed) return std::unexpected(parsed.error() + "; set the kiosk up again.");
    auto credentials = from_json(*parsed, path);
    if (!credentials) return std::unexpected(credentials.error());
    return std::optional<DeviceCredentials>(std::move(*credentials));
}

} // namespace kiosk::pretix
