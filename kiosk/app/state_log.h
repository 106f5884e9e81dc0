// The kiosk's state log (`kiosk --state-log PATH`): one JSON object per line, flushed as written,
// so tests, monitoring and support can follow the kiosk without reading pixels. Never personal
// data: screens, reasons, question ids and types, control ids, languages, print states.
//
// Every line has "event" and "t" (Unix time in seconds, millisecond precision) and "mono_ms" (the
// steady clock in milliseconds, for latencies measured across lines).
//
// Thread rule: the UI thread writes it. A log that cannot be written is reported once on stderr
// and then ignored: the attendee flow never stops for its log.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kiosk {

class StateLog {
public:
    StateLog() = default;                   // writes nowhere
    explicit StateLog(const std::filesystem::path& path);   // appends
    void write(std::string_view event, nlohmann::json fields = nlohmann::json::object());
    bool enabled() const { return file_ != nullptr; }

private:
    struct FileCloser { void operator()(std::FILE* file) const { std::fclose(file); } };
    std::unique_ptr<std::FILE, FileCloser> file_;
};

} // namespace kiosk
