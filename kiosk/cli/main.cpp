// kioskctl: every capability of the kiosk without the touchscreen, for staff, scripts and tests.
// The contract (commands, JSON shapes, exit codes) is in DESIGN.md and the README. main() parses
// the arguments, makes one App on the store and calls one app-layer operation per command (app.h,
// backend_sync.h; the touchscreen calls the same ones); json_output.h turns its value into the
// JSON printed here. Exit 0 success, 1 a well-formed negative answer, 2 usage error or system
// failure (one line on stderr).
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "kiosk/app/app.h"
#include "kiosk/app/backend_sync.h"
#include "kiosk/app/config.h"
#include "kiosk/app/staff_pin.h"
#include "kiosk/app/sync_settings.h"
#include "kiosk/cli/decode_command.h"
#include "kiosk/cli/json_output.h"
#include "kiosk/core/time.h"

namespace {

using namespace kiosk;

constexpr int kExitOk = 0;
constexpr int kExitNegative = 1;
constexpr int kExitFailure = 2;

int print(const nlohmann::json& value, int code) {
    std::cout << cli::dump_line(value) << '\n';
    std::cout.flush();
    return code;
}

int fail(const std::string& reason) {
    std::cerr << "kioskctl: " << reason << '\n';
    return kExitFailure;
}

// Prints an app outcome's value, or its sentence on stderr with exit 2.
template <class T, class ToJson, class ExitCode>
int print_outcome(const Outcome<T>& outcome, ToJson&& to_json, ExitCode&& exit_code) {
    if (!outcome) return fail(outcome.error());
    return print(to_json(*outcome), exit_code(*outcome));
}

std::string default_db_path() {
    const char* env = std::getenv("KIOSK_DB");
    return env != nullptr && *env != '\0' ? env : "kiosk.db";
}

// "-" reads the code from stdin: argv cannot carry more than 128 KiB, a pasted payload can.
std::string scanned_text(const std::string& argument) {
    if (argument != "-") return argument;
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// --at: now when absent, else read as staff at the venue of `list_id` write it.
Outcome<Timestamp> decision_time(App& app, const std::string& at, int64_t list_id) {
    if (at.empty()) return now_utc();
    auto time = app.venue_time(at, list_id);
    if (!time) return std::unexpected("--at: " + time.error());
    return time;
}

Outcome<std::map<int64_t, std::string>> parse_answers(const std::vector<std::string>& answers) {
    std::map<int64_t, std::string> out;
    for (const std::string& answer : answers) {
        const auto equals = answer.find('=');
        const std::string id_text = answer.substr(0, equals);
        int64_t id = 0;
        const auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (equals == std::string::npos || error != std::errc() || end != id_text.data() + id_text.size() || id <= 0)
            return std::unexpected("--answer expects QUESTION_ID=VALUE, got \"" + answer + "\"");
        out[id] = answer.substr(equals + 1);
    }
    return out;
}

struct ImportCommand {
    std::string directory, organizer;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("import", "load one event dumped in pretix API JSON");
        command->add_option("DIR", directory, "directory with event.json, orders.json, ...")->required();
        command->add_option("--organizer", organizer, "organizer slug")->required();
    }
    int run(App& app) const {
        return print_outcome(app.import_pretix_directory(directory, organizer), cli::import_json,
                             [](const auto&) { return kExitOk; });
    }
};

struct ScanCommand {
    std::string text, type_name = "entry", at, gate;
    std::vector<int64_t> lists;
    std::vector<std::string> answers;
    bool no_questions = false, ignore_unpaid = false;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("scan", "decide on a scanned code and record an admission");
        command->add_option("TEXT", text, "the scanned text; - reads it from stdin")->required();
        command->add_option("--list", lists, "check-in list id (repeat for lists of other events)")->required();
        command->add_option("--type", type_name, "entry or exit")->check(CLI::IsMember({"entry", "exit"}));
        command->add_option("--at", at, "decide and record at this ISO 8601 time (default: now)");
        command->add_option("--gate", gate, "gate id, for rules that name gates");
        command->add_option("--answer", answers, "QUESTION_ID=VALUE (repeatable; choices: option ids)");
        command->add_flag("--no-questions", no_questions, "do not ask check-in questions");
        command->add_flag("--ignore-unpaid", ignore_unpaid, "admit pending orders on lists that include them");
    }
    int run(App& app) const {
        ScanRequest request;
        request.raw = scanned_text(text);
        request.lists = lists;
        request.type = *checkin_type_from_name(type_name);
        const auto now = decision_time(app, at, lists.front());
        if (!now) return fail(now.error());
        request.now = *now;
        if (!gate.empty()) request.gate = gate;
        auto parsed_answers = parse_answers(answers);
        if (!parsed_answers) return fail(parsed_answers.error());
        request.answers = std::move(*parsed_answers);
        request.questions_supported = !no_questions;
        request.ignore_unpaid = ignore_unpaid;
        return print_outcome(app.scan(request), cli::scan_json, [](const ScanOutcome& outcome) {
            return outcome.verdict.status == VerdictStatus::ok ? kExitOk : kExitNegative;
        });
    }
};

struct UndoCommand {
    std::string text, at;
    int64_t list = 0;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("undo", "revert the latest check-in of a ticket on a list");
        command->add_option("TEXT", text, "the ticket's code")->required();
        command->add_option("--list", list, "check-in list id")->required();
        command->add_option("--at", at, "time of the undo (default: now)");
    }
    int run(App& app) const {
        const auto now = decision_time(app, at, list);
        if (!now) return fail(now.error());
        return print_outcome(
            app.undo(UndoRequest{scanned_text(text), list, *now}),
            [&](const UndoOutcome& outcome) { return cli::undo_json(outcome, list); },
            [](const UndoOutcome& outcome) { return outcome.reverted ? kExitOk : kExitNegative; });
    }
};

struct SearchCommand {
    std::string query;
    std::vector<int64_t> lists;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("search", "find tickets by name, email, order code or secret prefix");
        command->add_option("QUERY", query, "at least 4 characters")->required();
        command->add_option("--list", lists, "check-in list id (repeatable)")->required();
    }
    int run(App& app) const {
        return print_outcome(app.search(query, lists), cli::search_json, [](const auto&) { return kExitOk; });
    }
};

struct StatsCommand {
    int64_t list = 0;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("stats", "check-in counts of a list (pretix list status)");
        command->add_option("--list", list, "check-in list id")->required();
    }
    int run(App& app) const {
        return print_outcome(app.list_status(list), cli::stats_json, [](const auto&) { return kExitOk; });
    }
};

struct DecodeArguments {
    cli::DecodeCommand decode;
    std::string symbologies = "qr";
    double budget_ms = 200;
    bool codes_only = false;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("decode", "read codes from images, folders of images or videos");
        command->add_option("PATH", decode.paths, "image, folder of images, or video file")->required();
        command->add_option("--symbologies", symbologies, "qr,aztec,pdf417,datamatrix,code128 (default: qr)");
        command->add_option("--budget-ms", budget_ms, "time budget per image or frame (default: 200)")
            ->check(CLI::Range(1.0, 60000.0));
        command->add_flag("--codes-only", codes_only, "videos: print only the frames where a code was read");
    }
    int run() {
        const auto parsed = parse_symbologies(symbologies);
        if (!parsed) return fail("--symbologies: unknown name in \"" + symbologies + "\"");
        decode.options.symbologies = *parsed;
        decode.options.budget = std::chrono::microseconds(static_cast<int64_t>(budget_ms * 1000));
        decode.every_frame = !codes_only;
        return cli::run_decode(decode);
    }
};

struct PrintCommand {
    std::string text, printer, layout, out, language;
    int64_t list = 0;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("print", "print a ticket's badge now (a staff reprint)");
        command->add_option("TEXT", text, "the ticket's code; - reads it from stdin")->required();
        command->add_option("--list", list, "check-in list id (its event holds the ticket)")->required();
        command->add_option("--printer", printer, "cups:QUEUE, zpl://HOST:PORT, brother-ql://HOST:PORT?..., file:DIR");
        command->add_option("--layout", layout, "a pretix badge layout JSON file instead of the event's");
        command->add_option("--out", out, "write the badge to FILE (.pdf or .png) instead of printing");
        command->add_option("--language", language, "the badge's language (default: the order's)");
    }
    int run(App& app, const KioskConfig& config) const {
        PrintRequest request;
        request.raw = scanned_text(text);
        request.list = list;
        request.printer_uri = printer.empty() ? config.kiosk.printer : printer;
        if (!layout.empty()) request.layout_file = layout;
        else if (!config.kiosk.badge_layout.empty()) request.layout_file = config.kiosk.badge_layout;
        if (!out.empty()) request.out_file = out;
        request.language = language;
        if (request.printer_uri.empty() && !request.out_file)
            return fail("print needs --printer URI (or [kiosk] printer in the config) or --out FILE");
        return print_outcome(app.print_badge(request), cli::print_json, [](const PrintReport& report) {
            return report.state == PrintJobState::done ? kExitOk : kExitNegative;
        });
    }
};

// The configuration file, or the defaults when none was given.
Outcome<KioskConfig> configuration(const std::string& path) {
    if (path.empty()) return KioskConfig{};
    return load_config(path);
}

struct SetupCommand {
    std::string qr, url, token;
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("setup", "initialise the kiosk as a pretix device");
        command->add_option("--qr", qr, "the JSON of pretix's device set-up QR code; - reads it from stdin");
        command->add_option("--url", url, "the pretix installation, e.g. https://pretix.eu");
        command->add_option("--token", token, "the device's initialisation token");
    }
    int run(App& app, const KioskConfig& config, const std::string& db_path) const {
        if (qr.empty() == url.empty() || url.empty() != token.empty())
            return fail("setup needs --qr JSON, or --url URL with --token TOKEN");
        const std::string code =
            qr.empty() ? nlohmann::json{{"handshake_version", 1}, {"url", url}, {"token", token}}.dump() : scanned_text(qr);
        const auto device_file = device_file_path(config, db_path);
        return print_outcome(app.setup_device(code, device_file, config.backend.ca_file.string()),
                             [&](const DeviceSetup& device) { return cli::setup_json(device, device_file); },
                             [](const auto&) { return kExitOk; });
    }
};

struct SyncCommand {
    SyncFlags flags;
    std::string events, backend = "pretix";
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("sync", "upload queued check-ins and download the events now");
        command->add_option("--url", flags.url,
                            "pretix: the installation (default: config, then kioskctl setup); the others: the API "
                            "base up to its version segment");
        command->add_option("--token", flags.token, "pretix: a team API token; the others: their access token");
        command->add_option("--organizer", flags.organizer, "pretix: organizer slug");
        command->add_option("--event", events,
                            "pretix: event slugs, comma-separated (default: every event the token sees); the others: "
                            "the backend's event ids");
        command->add_option("--backend", backend, "pretix (default), constantcontact, oveit or brightstar")
            ->check(CLI::IsMember({"pretix", "constantcontact", "oveit", "brightstar"}));
    }
    int run(App& app, KioskConfig config, const std::string& db_path) {
        for (size_t start = 0; start < events.size();) {
            const size_t comma = std::min(events.find(',', start), events.size());
            if (comma > start) flags.events.push_back(events.substr(start, comma - start));
            start = comma + 1;
        }
        flags.backend_named = command->count("--backend") > 0;
        if (flags.backend_named) config.backend.kind = *backend_kind_from_name(backend);
        return print_outcome(sync_backend(app, flags, config, db_path), cli::sync_json,
                             [](const BackendSyncReport& report) { return report.sync.error ? kExitNegative : kExitOk; });
    }
};

// Reads the PIN from stdin, not argv: a command line shows up in `ps` and in shell history.
struct PinHashCommand {
    CLI::App* command = nullptr;
    void add_to(CLI::App& app) {
        command = app.add_subcommand("pin-hash", "read a staff PIN on stdin, print its hash for the config");
    }
    int run() const {
        std::string pin;
        std::getline(std::cin, pin);
        if (pin.ends_with('\r')) pin.pop_back();
        return print_outcome(hash_staff_pin(pin), [](const std::string& hash) { return nlohmann::json{{"hash", hash}}; },
                             [](const auto&) { return kExitOk; });
    }
};

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"kioskctl: the check-in kiosk from the command line (JSON on stdout)", "kioskctl"};
    cli.require_subcommand(1);
    std::string db_path = default_db_path();
    cli.add_option("--db", db_path, "SQLite store (default: $KIOSK_DB or ./kiosk.db)");
    std::string config_path;
    cli.add_option("--config", config_path, "TOML configuration file (docs/config.example.toml)");

    ImportCommand import;
    ScanCommand scan;
    UndoCommand undo;
    SearchCommand search;
    StatsCommand stats;
    DecodeArguments decode;
    SetupCommand setup;
    SyncCommand sync;
    PrintCommand print_command;
    PinHashCommand pin_hash;
    import.add_to(cli);
    print_command.add_to(cli);
    setup.add_to(cli);
    sync.add_to(cli);
    scan.add_to(cli);
    undo.add_to(cli);
    search.add_to(cli);
    stats.add_to(cli);
    auto* queue = cli.add_subcommand("queue", "pending uploads and failed scans");
    auto* lists = cli.add_subcommand("lists", "the check-in lists in the store");
    auto* status = cli.add_subcommand("status", "sync and queue state (last success, pending, last error)");
    decode.add_to(cli);
    pin_hash.add_to(cli);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        return fail(std::string(e.what()) + " (see kioskctl --help)");
    }

    // Only failures of the machine (disk, corrupt store) arrive here as exceptions.
    try {
        if (decode.command->parsed()) return decode.run();
        if (pin_hash.command->parsed()) return pin_hash.run();
        const auto config = configuration(config_path);
        if (!config) return fail(config.error());
        App app(db_path);
        if (setup.command->parsed()) return setup.run(app, *config, db_path);
        if (sync.command->parsed()) return sync.run(app, *config, db_path);
        if (status->parsed()) return print(cli::status_json(kiosk_status(app, *config, db_path)), kExitOk);
        if (print_command.command->parsed()) return print_command.run(app, *config);
        if (scan.command->parsed()) connect_scans(app, scan_connection(*config, db_path));
        if (import.command->parsed()) return import.run(app);
        if (scan.command->parsed()) return scan.run(app);
        if (undo.command->parsed()) return undo.run(app);
        if (search.command->parsed()) return search.run(app);
        if (stats.command->parsed()) return stats.run(app);
        if (queue->parsed()) return print(cli::queue_json(app.queue()), kExitOk);
        if (lists->parsed()) return print(cli::lists_json(app.lists()), kExitOk);
    } catch (const std::exception& e) {
        return fail(std::string("failure: ") + e.what());
    }
    return kExitFailure;
}
