#include "netsync/backend/backend_file.h"

#include <nlohmann/json.hpp>

#include "netsync/backend/private_file.h"

namespace kiosk::backend {

using nlohmann::json;

std::filesystem::path backend_file_path(const std::string& db_path, Kind kind) {
    return std::filesystem::path(db_path + "." + std::string(kind_name(kind)) + ".json");
}

std::expected<void, std::string> save_backend(const std::filesystem::path& path, const SavedBackend& saved) {
    const json text = {{"kind", kind_name(saved.kind)},
                       {"url", saved.url},
                       {"token", saved.token},
                       {"events", saved.events},
                       {"scanner_id", saved.scanner_id}};
    return save_private_file(path, text.dump(2) + "\n");
}

std::expected<std::optional<SavedBackend>, std::string> load_backend(const std::filesystem::path& path) {
    const auto text = load_private_file(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::optional<SavedBackend>();
    // Field errors name the field, never its value: the value may be the token.
    const auto problem = [&](std::string_view what) {
        return std::unexpected(path.string() + ": " + std::string(what) + "; run kioskctl sync --backend again.");
    };
    const json value = json::parse(**text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_object()) return problem("is not a JSON object");
    SavedBackend saved;
    const auto kind = value.find("kind");
    const auto known = kind != value.end() && kind->is_string() ? kind_from_name(kind->get<std::string>()) : std::nullopt;
    if (!known || *known == Kind::pretix) return problem("kind is missing or not constantcontact, oveit or brightstar");
    saved.kind = *known;
    for (auto [field, target] : {std::pair{"url", &saved.url}, std::pair{"token", &saved.token},
                                 std::pair{"scanner_id", &saved.scanner_id}}) {
        const auto it = value.find(field);
        if (it == value.end() || it->is_null()) continue;
        if (!it->is_string()) return problem(std::string(field) + " is not a text");
        *target = it->get<std::string>();
    }
    if (saved.url.empty()) return problem("url is missing");
    if (const auto events = value.find("events"); events != value.end()) {
        if (!events->is_array()) return problem("events is not a list");
        for (const json& event : *events) {
            if (!event.is_string()) return problem("events holds something that is not a text");
            saved.events.push_back(event.get<std::string>());
        }
    }
    return std::optional<SavedBackend>(std::move(saved));
}

} // namespace kiosk::backend
