// A small file only the kiosk's user may read (credentials: a token is a password), saved
// atomically: a crash or power cut in the middle of a save leaves the old file or the new one,
// never half a file. pretix's device credentials and the other backends' connections use it.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::backend {

// Writes `text` to `path` with mode 0600 whatever the umask: a temporary file in the same folder
// (O_EXCL, never an existing file or a planted symlink), fsync, rename, fsync of the folder. The
// error is one sentence naming the path and the system's reason, never the text.
std::expected<void, std::string> save_private_file(const std::filesystem::path& path, std::string_view text);

// The file's text; nullopt when there is no file. An unreadable file, or one over 1 MiB, is an
// error in words.
std::expected<std::optional<std::string>, std::string> load_private_file(const std::filesystem::path& path);

} // namespace kiosk::backend
