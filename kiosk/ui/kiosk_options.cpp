#include "kiosk/ui/kiosk_options.h"

#include <CLI/CLI.hpp>

#include <charconv>

namespace kiosk::ui {

namespace {

bool parse_size(const std::string& text, int& width, int& height) {
    const auto x = text.find('x');
    if (x == std::string::npos) return false;
    const auto read = [](std::string_view digits, int& out) {
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return error == std::errc() && end == digits.data() + digits.size() && out >= 320 && out <= 8192;
    };
    return read(std::string_view(text).substr(0, x), width) && read(std::string_view(text).substr(x + 1), height);
}

} // namespace

std::expected<KioskCommandLine, UsageExit> parse_kiosk_command_line(int argc, char** argv) {
    KioskCommandLine line;
    CLI::App cli{"kiosk: the self-service check-in appliance"};
    std::string size;
    std::string state_log, benchmark_json, config_file;
    std::optional<std::string> camera, printer, language;
    std::optional<int> idle;
    cli.add_option("--config", config_file, "TOML configuration file (docs/config.example.toml)");
    cli.add_option("--db", line.db_path, "the store (SQLite file); --demo without it uses a fresh temporary one");
    cli.add_flag("--demo", line.demo, "run on the embedded demo event, demo camera and a printer writing PDFs");
    cli.add_flag("--windowed", line.windowed, "a window instead of fullscreen (development)");
    cli.add_option("--size", size, "window size WxH, e.g. 1920x1080 or 1080x1920 (portrait)");
    cli.add_option("--list", line.lists, "check-in list id (repeatable)");
    cli.add_option("--camera", camera, "camera URI (camera:0, demo:, file:PATH, images:DIR) or none");
    cli.add_option("--printer", printer, "printer URI (cups:QUEUE, zpl://HOST:PORT, brother-ql://..., file:DIR)");
    cli.add_option("--language", language, "starting language (en, de, fr, es, ...)");
    cli.add_option("--idle-seconds", idle, "no touch this long: ask \"still there?\" (5 to 3600)");
    cli.add_option("--state-log", state_log, "append one JSON line per state change to this file");
    cli.add_option("--benchmark-json", benchmark_json, "measure every frame and write a report here at exit");
    cli.add_flag("--log-controls", line.log_controls, "state log: the controls on screen with their rectangles (tests)");
    cli.add_option("--run-seconds", line.run_seconds, "exit by itself after this many seconds");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return std::unexpected(UsageExit{error.get_exit_code() == 0 ? cli.help() : std::string("kiosk: ") + error.what() + "\n",
                                         error.get_exit_code() == 0 ? 0 : 2});
    }
    if (!size.empty() && !parse_size(size, line.width, line.height))
        return std::unexpected(UsageExit{"kiosk: --size must be WIDTHxHEIGHT, e.g. 1920x1080\n", 2});
    if (idle && (*idle < 5 || *idle > 3600))
        return std::unexpected(UsageExit{"kiosk: --idle-seconds must be between 5 and 3600\n", 2});
    line.config_file = config_file;
    line.state_log = state_log;
    line.benchmark_json = benchmark_json;
    line.camera = camera;
    line.printer = printer;
    line.language = language;
    line.idle_seconds = idle;
    return line;
}

Outcome<KioskConfig> effective_config(const KioskCommandLine& line) {
    KioskConfig config;
    if (!line.config_file.empty()) {
        auto loaded = load_config(line.config_file);
        if (!loaded) return std::unexpected(loaded.error());
        config = std::move(*loaded);
    }
    if (line.demo) {
        // The demo shows what the kiosk can do: four languages, the demo event's main entrance,
        // its synthetic camera and badges written as PDF files.
        if (line.config_file.empty()) config.kiosk.languages = {"en", "de", "fr", "es"};
        if (config.kiosk.lists.empty()) config.kiosk.lists = {11};
        if (config.kiosk.camera == "auto") config.kiosk.camera = "demo:";
    }
    if (!line.lists.empty()) config.kiosk.lists = line.lists;
    if (line.camera) config.kiosk.camera = *line.camera;
    if (line.printer) config.kiosk.printer = *line.printer;
    if (line.idle_seconds) config.kiosk.idle_seconds = *line.idle_seconds;
    if (line.language) {
        const auto& offered = config.kiosk.languages;
        if (std::find(offered.begin(), offered.end(), *line.language) == offered.end())
            config.kiosk.languages.insert(config.kiosk.languages.begin(), *line.language);
        config.kiosk.default_language = *line.language;
    }
    return config;
}

} // namespace kiosk::ui
