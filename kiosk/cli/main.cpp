// kioskctl: every capability of the kiosk without the touchscreen, for staff, scripts and tests.
// The contract (commands, JSON shapes, exit codes) is in DESIGN.md; this file only parses
// arguments, calls the app layer and prints. Exit 0 success, 1 a well-formed negative answer,
// 2 usage error or system failure (one line on stderr).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "kiosk/app/checkin_service.h"
#include "kiosk/cli/decode_command.h"
#include "kiosk/cli/json_output.h"
#include "kiosk/core/time.h"
#include "netsync/pretix/import_dir.h"

namespace {

using namespace kiosk;

constexpr int kExitOk = 0;
constexpr int kExitNegative = 1;
constexpr int kExitFailure = 2;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int print(const nlohmann::json& value, int code) {
    std::cout << cli::dump_line(value) << '\n';
    std::cout.flush();
    return code;
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

std::map<int64_t, EventCatalog> catalogs_of(Store& store, const std::vector<CheckinList>& lists) {
    std::map<int64_t, EventCatalog> catalogs;
    for (const CheckinList& list : lists)
        if (auto catalog = store.catalog(list.event_id)) catalogs.emplace(list.event_id, std::move(*catalog));
    return catalogs;
}

std::vector<CheckinList> resolve_lists_or_throw(CheckinService& service, const std::vector<int64_t>& ids) {
    auto resolved = service.resolve_lists(ids);
    if (auto* error = std::get_if<std::string>(&resolved)) throw UsageError(*error);
    return std::get<std::vector<CheckinList>>(std::move(resolved));
}

// --at without an offset means the wall clock of the (first) list's event, as staff at the venue read it.
Timestamp decision_time(const std::string& at, const Event& event) {
    if (at.empty()) return now_utc();
    const date::time_zone* zone = find_time_zone(event.timezone);
    const auto parsed = parse_iso8601(at, zone);
    if (!parsed) throw UsageError("--at: not an ISO 8601 datetime: \"" + at + "\"");
    return *parsed;
}

std::map<int64_t, std::string> parse_answers(const std::vector<std::string>& answers) {
    std::map<int64_t, std::string> out;
    for (const std::string& answer : answers) {
        const auto equals = answer.find('=');
        const std::string id_text = answer.substr(0, equals);
        int64_t id = 0;
        const auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (equals == std::string::npos || error != std::errc() || end != id_text.data() + id_text.size() || id <= 0)
            throw UsageError("--answer expects QUESTION_ID=VALUE, got \"" + answer + "\"");
        out[id] = answer.substr(equals + 1);
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"kioskctl: the check-in kiosk from the command line (JSON on stdout)", "kioskctl"};
    app.require_subcommand(1);
    std::string db_path = default_db_path();
    app.add_option("--db", db_path, "SQLite store (default: $KIOSK_DB or ./kiosk.db)");

    std::string import_dir, organizer;
    auto* import_cmd = app.add_subcommand("import", "load one event dumped in pretix API JSON");
    import_cmd->add_option("DIR", import_dir, "directory with event.json, orders.json, ...")->required();
    import_cmd->add_option("--organizer", organizer, "organizer slug")->required();

    std::string text;
    std::vector<int64_t> list_ids;
    std::string type_name = "entry", at, gate;
    std::vector<std::string> answer_args;
    bool no_questions = false, ignore_unpaid = false;
    auto* scan_cmd = app.add_subcommand("scan", "decide on a scanned code and record an admission");
    scan_cmd->add_option("TEXT", text, "the scanned text; - reads it from stdin")->required();
    scan_cmd->add_option("--list", list_ids, "check-in list id (repeat for lists of other events)")->required();
    scan_cmd->add_option("--type", type_name, "entry or exit")->check(CLI::IsMember({"entry", "exit"}));
    scan_cmd->add_option("--at", at, "decide and record at this ISO 8601 time (default: now)");
    scan_cmd->add_option("--gate", gate, "gate id, for rules that name gates");
    scan_cmd->add_option("--answer", answer_args, "QUESTION_ID=VALUE (repeatable; choices: option ids)");
    scan_cmd->add_flag("--no-questions", no_questions, "do not ask check-in questions");
    scan_cmd->add_flag("--ignore-unpaid", ignore_unpaid, "admit pending orders on lists that include them");

    int64_t undo_list = 0;
    auto* undo_cmd = app.add_subcommand("undo", "revert the latest check-in of a ticket on a list");
    undo_cmd->add_option("TEXT", text, "the ticket's code")->required();
    undo_cmd->add_option("--list", undo_list, "check-in list id")->required();
    undo_cmd->add_option("--at", at, "time of the undo (default: now)");

    std::string query;
    auto* search_cmd = app.add_subcommand("search", "find tickets by name, email, order code or secret prefix");
    search_cmd->add_option("QUERY", query, "at least 4 characters")->required();
    search_cmd->add_option("--list", list_ids, "check-in list id (repeatable)")->required();

    int64_t stats_list = 0;
    auto* stats_cmd = app.add_subcommand("stats", "check-in counts of a list (pretix list status)");
    stats_cmd->add_option("--list", stats_list, "check-in list id")->required();

    auto* queue_cmd = app.add_subcommand("queue", "pending uploads and failed scans");

    cli::DecodeCommand decode;
    std::string symbologies = "qr";
    double budget_ms = 200;
    auto* decode_cmd = app.add_subcommand("decode", "read codes from images, folders of images or videos");
    decode_cmd->add_option("PATH", decode.paths, "image, folder of images, or video file")->required();
    decode_cmd->add_option("--symbologies", symbologies, "qr,aztec,pdf417,datamatrix,code128 (default: qr)");
    decode_cmd->add_option("--budget-ms", budget_ms, "time budget per image or frame (default: 200)")
        ->check(CLI::Range(1.0, 60000.0));
    bool codes_only = false;
    decode_cmd->add_flag("--codes-only", codes_only, "videos: print only the frames where a code was read");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "kioskctl: " << e.what() << " (see kioskctl --help)\n";
        return kExitFailure;
    }

    try {
        if (decode_cmd->parsed()) {
            const auto parsed = parse_symbologies(symbologies);
            if (!parsed) throw UsageError("--symbologies: unknown name in \"" + symbologies + "\"");
            decode.options.symbologies = *parsed;
            decode.options.budget = std::chrono::microseconds(static_cast<int64_t>(budget_ms * 1000));
            decode.every_frame = !codes_only;
            return cli::run_decode(decode);
        }
        if (import_cmd->parsed()) {
            auto read = pretix::read_event_directory(import_dir, organizer);
            if (!read.import) throw UsageError("import failed, nothing changed: " + read.error);
            Store store(db_path);
            try {
                const ImportSummary summary = store.import_event(*read.import);
                return print(cli::import_json(summary, read.import->event), kExitOk);
            } catch (const pretix::FormatError& e) {
                throw UsageError(std::string("import failed, nothing changed: ") + e.what());
            }
        }

        Store store(db_path);
        CheckinService service(store);
        if (scan_cmd->parsed()) {
            const auto lists = resolve_lists_or_throw(service, list_ids);
            ScanRequest request;
            request.raw = scanned_text(text);
            request.lists = list_ids;
            request.type = *checkin_type_from_name(type_name);
            request.now = decision_time(at, service.event(lists.front().event_id));
            if (!gate.empty()) request.gate = gate;
            request.answers = parse_answers(answer_args);
            request.questions_supported = !no_questions;
            request.ignore_unpaid = ignore_unpaid;
            const ScanOutcome outcome = service.scan(request);
            const std::string slug = outcome.verdict.event ? service.event(*outcome.verdict.event).slug : "";
            return print(cli::scan_json(outcome, slug),
                         outcome.verdict.status == VerdictStatus::ok ? kExitOk : kExitNegative);
        }
        if (undo_cmd->parsed()) {
            const std::vector<int64_t> ids{undo_list};
            const auto lists = resolve_lists_or_throw(service, ids);
            const UndoOutcome outcome =
                service.undo(scanned_text(text), undo_list, decision_time(at, service.event(lists.front().event_id)));
            return print(cli::undo_json(outcome, undo_list), outcome.reverted ? kExitOk : kExitNegative);
        }
        if (search_cmd->parsed()) {
            const auto lists = resolve_lists_or_throw(service, list_ids);
            const auto hits = store.search(query, lists);
            return print(cli::search_json(hits, catalogs_of(store, lists)), kExitOk);
        }
        if (stats_cmd->parsed()) {
            const std::vector<int64_t> ids{stats_list};
            const auto lists = resolve_lists_or_throw(service, ids);
            const CheckinList& list = lists.front();
            const auto catalog = store.catalog(list.event_id);
            // Like pretix, only admission products count towards who is expected at the door.
            std::vector<int64_t> counted;
            for (const Item& item : catalog->items)
                if (item.admission && (list.all_products || std::ranges::count(list.limit_products, item.id) > 0))
                    counted.push_back(item.id);
            return print(cli::stats_json(store.list_status(list, counted), *catalog), kExitOk);
        }
        if (queue_cmd->parsed()) return print(cli::queue_json(store.queue()), kExitOk);
    } catch (const UsageError& e) {
        std::cerr << "kioskctl: " << e.what() << '\n';
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "kioskctl: failure: " << e.what() << '\n';
        return kExitFailure;
    }
    return kExitFailure;
}
