// How to reach a backend other than pretix, saved by `kioskctl sync --backend KIND --url --token
// --event` so that later commands on the same store (`scan`, `undo`, the kiosk) talk to the same
// backend without the token on their command line: pretix keeps its device credentials the same way
// (netsync/pretix/device_file.h). The token is a password: the file is 0600 and replaced atomically
// (private_file.h). Format: {"kind", "url", "token", "events": [...], "scanner_id"}.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "netsync/backend/ticket_client.h"

namespace kiosk::backend {

struct SavedBackend {
    Kind kind = Kind::constantcontact;
    std::string url;
    std::string token;
    std::vector<std::string> events;
    std::string scanner_id;
};

// "<db>.<kind>.json" next to the store.
std::filesystem::path backend_file_path(const std::string& db_path, Kind kind);

std::expected<void, std::string> save_backend(const std::filesystem::path& path, const SavedBackend& saved);

// nullopt when nothing was saved; a malformed file is an error in words that never quotes the token.
std::expected<std::optional<SavedBackend>, std::string> load_backend(const std::filesystem::path& path);

} // namespace kiosk::backend
