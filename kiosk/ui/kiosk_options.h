// The `kiosk` command line (DESIGN.md, "`kiosk`: the appliance's command line and state log"):
// flags override the configuration file; `--demo` with nothing else runs the whole appliance on
// the embedded demo event.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/app/config.h"
#include "kiosk/app/outcome.h"

namespace kiosk::ui {

struct KioskCommandLine {
    std::filesystem::path config_file;
    std::string db_path;
    bool demo = false;
    bool windowed = false;
    int width = 1920, height = 1080;        // --size WxH: the window (windowed) or the layout it is tested at
    std::vector<int64_t> lists;
    std::optional<std::string> camera, printer, language;
    std::optional<int> idle_seconds;
    std::filesystem::path state_log;
    std::filesystem::path benchmark_json;   // measure frames and write a JSON report at exit
    bool log_controls = false;              // state log: every control's id and rectangle (UI tests)
    double run_seconds = 0;                 // exit by itself after this long (benchmarks); 0 = run until told
};

// Parses argv; a usage error or --help comes back as the text to print and the exit code.
struct UsageExit { std::string text; int code = 2; };
std::expected<KioskCommandLine, UsageExit> parse_kiosk_command_line(int argc, char** argv);

// The configuration in force: the file (if any), then the flags over it.
Outcome<KioskConfig> effective_config(const KioskCommandLine& command_line);

} // namespace kiosk::ui
