// Sync-with-pretix benchmark: prints one JSON object on stdout (progress goes to stderr).
//
// [SECTION] Helpers (percentiles, /proc, options)
// [SECTION] Initial full sync in a process of its own (forked child or `kioskctl sync`)
// [SECTION] Scanner thread (App::check on its own App)
// [SECTION] Main: the phases, one after the other, in one run
//
// What is measured (docs/BENCHMARKS.md, "Sync with pretix"), against the pretix emulator
// (tests/emulators/pretix_emulator.py) on loopback, started here with two generated events of
// --positions positions each and warmed with the downloader's order query, so that the emulator's
// JSON rendering is paid before the clock starts (its start-up time is reported on its own):
//  1. initial full sync of event1 into an empty store, in a process of its own so that its peak
//     RSS is the sync's: a forked child that runs sync::sync_once exactly as `kioskctl sync` does
//     (App::sync), or, with --kioskctl PATH, that binary as a separate process. Wall time, CPU
//     time and ru_maxrss come from wait4(); the child also reports sync_once's own wall time. The
//     emulator's CPU time over the same interval comes from /proc/<pid>/stat.
//  2. a sync with nothing changed (upload round + catalog with If-Modified-Since / content hash +
//     orders modified_since + revoked/blocked secrets), --incremental times, in this process.
//  3. --uploads check-ins recorded with App::scan on positions App::check admits (each gets its own
//     nonce from App::scan), then uploaded by sync_once(download = false) rounds until the queue is
//     empty; the emulator's counters must show every one of our nonces accepted exactly once and
//     no other.
//  4. scan-to-verdict (App::check on random known secrets of event1, one every --scan-interval-us,
//     on a thread of its own with its own App on the same file) while this thread runs the full
//     sync of event2 (a fresh event: every page is a write transaction), and the same scanner with
//     no sync running just before it (the peer). Beside it, on a third thread with a third App,
//     admit-with-commit (App::scan on fresh tickets of event1 that App::check admits, one every
//     --admit-interval-us): it takes the write lock, so it waits for a sync page's commit. Idle:
//     both scanners together with no sync, --idle-samples checks and --idle-admits admissions.
// Percentiles are nearest-rank over sorted std::chrono::steady_clock samples.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "kiosk/core/engine.h"
#include "kiosk/core/time.h"
#include "netsync/store/store.h"
#include "netsync/sync/sync_engine.h"
#include "tests/bench/bench_stats.h"
#include "tests/support/pretix_emulator.h"

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;
using kiosk::bench::Clock;
using kiosk::bench::micros_since;
using kiosk::bench::round1;
using kiosk::bench::round3;
using kiosk::bench::seconds_since;
using kiosk::bench::summarize;

//-----------------------------------------------------------------------------
// [SECTION] Helpers
//-----------------------------------------------------------------------------

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
        }
    return "unknown";
}

std::string loadavg() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

// A value of /proc/<pid>/status in kB (VmRSS, VmHWM), or -1.
int64_t status_kb(const std::string& pid, std::string_view key) {
    std::ifstream status("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':')
            return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
    return -1;
}

// utime + stime of a process in seconds (/proc/<pid>/stat), or -1.
double cpu_seconds_of(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return -1;
    std::istringstream rest(text.substr(paren + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; rest >> field; ++i)   // field 3 is the state; 14 utime, 15 stime
        if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

ojson io_counters(const std::string& pid) {
    std::ifstream io("/proc/" + pid + "/io");
    std::string key;
    int64_t value = 0;
    ojson out = ojson::object();
    while (io >> key >> value) {
        if (key == "syscr:") out["read_calls"] = value;
        else if (key == "syscw:") out["write_calls"] = value;
        else if (key == "write_bytes:") out["disk_write_mb"] = round1(static_cast<double>(value) / 1e6);
    }
    return out;
}

uintmax_t db_bytes(const std::filesystem::path& file) {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code error;
        const auto size = std::filesystem::file_size(file.string() + suffix, error);
        if (!error) total += size;
    }
    return total;
}

struct Options {
    size_t positions = 100'000;             // per event (the emulator's --positions)
    uint64_t seed = 20270316;               // the emulator's --seed
    size_t incremental = 20;
    size_t uploads = 10'000;
    size_t idle_samples = 2000;             // scanner samples with no sync running
    int64_t scan_interval_us = 5000;        // scanner pace
    size_t idle_admits = 400;               // admit-with-commit samples with no sync running
    int64_t admit_interval_us = 50'000;     // admitting scanner pace
    std::string kioskctl;                   // run the initial sync as `kioskctl sync` instead of a forked child
    std::filesystem::path dir;
    bool keep = false;
    bool warm = true;
    std::string raw;
};

size_t parse_count(std::string_view flag, const char* text) {
    size_t value = 0;
    const std::string_view s(text);
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error != std::errc() || end != s.data() + s.size()) throw std::invalid_argument(std::string(flag) + ": not a count");
    return value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
            return argv[++i];
        };
        if (flag == "--positions") options.positions = parse_count(flag, value());
        else if (flag == "--seed") options.seed = parse_count(flag, value());
        else if (flag == "--incremental") options.incremental = parse_count(flag, value());
        else if (flag == "--uploads") options.uploads = parse_count(flag, value());
        else if (flag == "--idle-samples") options.idle_samples = parse_count(flag, value());
        else if (flag == "--scan-interval-us") options.scan_interval_us = static_cast<int64_t>(parse_count(flag, value()));
        else if (flag == "--idle-admits") options.idle_admits = parse_count(flag, value());
        else if (flag == "--admit-interval-us") options.admit_interval_us = static_cast<int64_t>(parse_count(flag, value()));
        else if (flag == "--kioskctl") options.kioskctl = value();
        else if (flag == "--dir") options.dir = value();
        else if (flag == "--raw") options.raw = value();
        else if (flag == "--keep") options.keep = true;
        else if (flag == "--no-warm") options.warm = false;
        else if (flag == "--help" || flag == "-h") {
            std::cout << "usage: sync_bench [--positions N] [--seed S] [--incremental N] [--uploads N]\n"
                         "                  [--idle-samples N] [--scan-interval-us N] [--idle-admits N]\n"
                         "                  [--admit-interval-us N] [--kioskctl PATH]\n"
                         "                  [--dir PATH] [--keep] [--no-warm] [--raw FILE]\n";
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown flag " + std::string(flag) + " (see --help)");
        }
    }
    if (options.positions == 0) throw std::invalid_argument("--positions must be > 0");
    return options;
}

kiosk::sync::SyncSettings settings_for(const kiosk::testing::PretixEmulator& pretix, const std::string& event) {
    kiosk::sync::SyncSettings settings;
    settings.connection.url = pretix.url();
    settings.connection.organizer = pretix.organizer();
    settings.connection.token = kiosk::http::ApiToken{kiosk::http::ApiToken::Kind::team, pretix.team_token()};
    settings.events = {event};
    settings.request_timeout = std::chrono::seconds(120);
    return settings;
}

ojson report_json(const kiosk::sync::SyncReport& report) {
    ojson events = ojson::array();
    for (const auto& event : report.events)
        events.push_back({{"event", event.event}, {"full", event.full}, {"catalog_changed", event.catalog_changed},
                          {"orders", event.orders}, {"positions", event.positions}, {"revoked", event.revoked},
                          {"blocked", event.blocked}, {"skipped", event.skipped.size()}});
    return {{"events", events},
            {"uploaded", report.upload.sent},
            {"refused", report.upload.refused},
            {"postponed", report.upload.postponed},
            {"error", report.error ? json(report.error->message) : json(nullptr)}};
}

//-----------------------------------------------------------------------------
// [SECTION] Initial full sync in a process of its own
//-----------------------------------------------------------------------------

struct ChildRun {
    ojson result;                           // what the child printed (its sync report, timings)
    double process_wall_s = 0;              // fork/spawn to reap
    double user_s = 0, system_s = 0;        // wait4's rusage of the child
    int64_t max_rss_kb = 0;
    double emulator_cpu_s = 0;              // the emulator's CPU time over the same interval
    int exit_code = -1;
};

std::string read_all(int fd) {
    std::string out;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buffer, static_cast<size_t>(n));
    }
    return out;
}

// The child: open the store as the kiosk's sync thread does (a Store of its own), sync, report on
// the pipe, and _exit (the parent's threads and the emulator fixture are not the child's to tear
// down).
[[noreturn]] void forked_sync(int out_fd, const std::string& db, const kiosk::sync::SyncSettings& settings) {
    int code = 0;
    std::string text;
    try {
        const auto open_start = Clock::now();
        kiosk::Store store(db);               // the sync thread's own connection, as the kiosk's has
        const double open_s = seconds_since(open_start);
        std::vector<double> page_ends_s;
        const auto start = Clock::now();
        const auto progress = [&](const kiosk::sync::DownloadProgress&) { page_ends_s.push_back(seconds_since(start)); };
        const kiosk::sync::SyncReport report = kiosk::sync::sync_once(settings, store, true, nullptr, progress);
        const double sync_s = seconds_since(start);
        // Seconds between one page landing and the next: the client's time per page (fetch, parse, apply).
        std::vector<double> page_ms;
        for (size_t i = 1; i < page_ends_s.size(); ++i) page_ms.push_back((page_ends_s[i] - page_ends_s[i - 1]) * 1000.0);
        const std::string self = std::to_string(::getpid());
        ojson out{{"store_open_s", round3(open_s)},
                  {"sync_once_s", round3(sync_s)},
                  {"pages", page_ends_s.size()},
                  {"first_page_s", page_ends_s.empty() ? json(nullptr) : json(round3(page_ends_s.front()))},
                  {"ms_per_page", summarize(page_ms)},
                  {"vm_hwm_kb", status_kb(self, "VmHWM")},
                  {"io", io_counters(self)},
                  {"report", report_json(report)}};
        text = out.dump();
        code = report.error ? 2 : 0;
    } catch (const std::exception& e) {
        text = ojson{{"exception", e.what()}}.dump();
        code = 3;
    }
    for (std::string_view rest = text; !rest.empty();) {
        const ssize_t n = ::write(out_fd, rest.data(), rest.size());
        if (n <= 0) break;
        rest.remove_prefix(static_cast<size_t>(n));
    }
    ::_exit(code);
}

ChildRun initial_sync_in_child(const Options& options, const kiosk::testing::PretixEmulator& pretix,
                               const std::string& db, const kiosk::sync::SyncSettings& settings, int emulator_pid) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    std::cout.flush();
    std::cerr.flush();
    const double emulator_cpu_before = cpu_seconds_of(emulator_pid);
    const auto start = Clock::now();
    pid_t pid = -1;
    if (options.kioskctl.empty()) {
        pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            ::close(fds[0]);
            forked_sync(fds[1], db, settings);
        }
    } else {
        std::vector<std::string> args = {options.kioskctl, "--db", db, "sync", "--url", pretix.url(), "--token",
                                         pretix.team_token(), "--organizer", pretix.organizer(), "--event",
                                         settings.events.front()};
        pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            ::dup2(fds[1], 1);
            std::vector<char*> argv;
            for (std::string& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    ::close(fds[1]);
    const std::string text = read_all(fds[0]);
    ::close(fds[0]);
    int status = 0;
    rusage usage{};
    if (::wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4 failed");
    ChildRun run;
    run.process_wall_s = seconds_since(start);
    run.emulator_cpu_s = cpu_seconds_of(emulator_pid) - emulator_cpu_before;
    run.user_s = static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6;
    run.system_s = static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) / 1e6;
    run.max_rss_kb = usage.ru_maxrss;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    run.result = ojson::parse(text, nullptr, false);
    if (run.result.is_discarded()) run.result = ojson{{"output", text}};
    if (run.exit_code != 0) throw std::runtime_error("the initial sync failed (exit " + std::to_string(run.exit_code) + "): " + text);
    return run;
}

//-----------------------------------------------------------------------------
// [SECTION] Scanner thread
//-----------------------------------------------------------------------------

// App::check on random secrets from `secrets`, one every `interval`, on its own thread and its own
// App, until `count` samples (when > 0) or until `stop` is set. With `admit`, App::scan instead, on
// each secret in turn (fresh tickets: each is admitted and committed once); it stops early when
// the secrets run out.
class Scanner {
public:
    Scanner(std::string db, std::vector<std::string> secrets, int64_t list, kiosk::Timestamp now,
            std::chrono::microseconds interval, uint64_t seed, bool admit = false)
        : db_(std::move(db)), secrets_(std::move(secrets)), list_(list), now_(now), interval_(interval), random_(seed),
          admit_(admit) {}

    struct Run {
        std::vector<double> us;             // scan-to-verdict per sample
        std::vector<double> at_s;           // when each sample started, from the start of the run
        std::map<std::string, int> outcomes;
        std::string error;
        bool ran_out = false;               // admit: no fresh secret left
    };

    // Runs on a new thread; returns the samples when it stops.
    void start(size_t count) {
        stop_ = false;
        thread_ = std::thread([this, count] { run_ = loop(count); });
    }
    Run finish() {
        stop_ = true;
        thread_.join();
        return std::move(run_);
    }
    Run join() {   // for a counted run
        thread_.join();
        return std::move(run_);
    }

private:
    Run loop(size_t count) {
        Run run;
        try {
            if (!app_) {
                app_ = std::make_unique<kiosk::App>(db_);
                for (int i = 0; i < 50; ++i) check(run, 0, false);   // catalog cache and statement cache, as a kiosk's first scans
                run = Run{};
            }
            std::uniform_int_distribution<size_t> pick(0, secrets_.size() - 1);
            const auto start = Clock::now();
            auto next = start;
            while (count ? run.us.size() < count : !stop_.load()) {
                if (admit_ && next_fresh_ >= secrets_.size()) {
                    run.ran_out = true;
                    break;
                }
                std::this_thread::sleep_until(next);
                next += interval_;
                run.at_s.push_back(seconds_since(start));
                run.us.push_back(admit_ ? check(run, next_fresh_++, true) : check(run, pick(random_), false));
            }
        } catch (const std::exception& e) {
            run.error = e.what();
        }
        return run;
    }
    double check(Run& run, size_t index, bool admit) {
        kiosk::ScanRequest request;
        request.raw = secrets_[index];
        request.lists = {list_};
        request.type = kiosk::CheckinType::entry;
        request.now = now_;
        const auto start = Clock::now();
        kiosk::Outcome<kiosk::Verdict> verdict;
        bool recorded = false;
        if (admit) {
            const auto scanned = app_->scan(request);
            if (scanned) recorded = scanned->checkin.has_value(), verdict = scanned->verdict;
            else verdict = std::unexpected(scanned.error());
        } else {
            verdict = app_->check(request);
        }
        const double us = micros_since(start);
        if (!verdict) throw std::runtime_error(std::string(admit ? "scan" : "check") + " refused: " + verdict.error());
        std::string key(kiosk::verdict_status_name(verdict->status));
        if (verdict->reason != kiosk::RejectReason::none) key += "/" + std::string(kiosk::reject_reason_name(verdict->reason));
        if (admit && verdict->status == kiosk::VerdictStatus::ok && !recorded) key += "/not recorded";
        ++run.outcomes[key];
        return us;
    }

    std::string db_;
    std::vector<std::string> secrets_;
    int64_t list_;
    kiosk::Timestamp now_;
    std::chrono::microseconds interval_;
    std::mt19937_64 random_;
    bool admit_;
    size_t next_fresh_ = 0;
    std::unique_ptr<kiosk::App> app_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    Run run_;
};

//-----------------------------------------------------------------------------
// [SECTION] Main
//-----------------------------------------------------------------------------

std::vector<std::string> secrets_of_event(const std::string& db_path, int64_t event_id) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + db_path);
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, sqlite3_close);
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT secret FROM positions WHERE event_id = ?1 ORDER BY id", -1, &raw, nullptr) != SQLITE_OK)
        throw std::runtime_error(sqlite3_errmsg(db));
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, sqlite3_finalize);
    sqlite3_bind_int64(raw, 1, event_id);
    std::vector<std::string> out;
    while (sqlite3_step(raw) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)));
    return out;
}

int run(const Options& options) {
    namespace fs = std::filesystem;
    const bool own_dir = options.dir.empty();
    const fs::path dir = own_dir ? fs::temp_directory_path() / ("kiosk-sync-bench-" + std::to_string(::getpid())) : options.dir;
    fs::create_directories(dir);
    const fs::path file = dir / "store.sqlite";
    if (fs::exists(file)) throw std::runtime_error(file.string() + " already exists; pick another --dir");
    struct Cleanup {
        fs::path dir, file;
        bool own_dir, keep;
        ~Cleanup() {
            if (keep) return;
            std::error_code ignored;
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(file.string() + suffix, ignored);
            fs::remove(file.parent_path() / "device.json", ignored);
            if (own_dir) fs::remove(dir, ignored);
        }
    } cleanup{dir, file, own_dir, options.keep};
    const std::string db = file.string();

    ojson report;
    report["benchmark"] = "sync_bench";
    report["machine"] = {{"nproc", std::thread::hardware_concurrency()}, {"cpu", cpu_model()},
                         {"sqlite", sqlite3_libversion()}};
    report["loadavg_start"] = loadavg();
    report["parameters"] = {{"positions_per_event", options.positions}, {"emulator_seed", options.seed},
                            {"incremental_runs", options.incremental}, {"uploads", options.uploads},
                            {"idle_samples", options.idle_samples}, {"scan_interval_us", options.scan_interval_us},
                            {"idle_admits", options.idle_admits}, {"admit_interval_us", options.admit_interval_us},
                            {"initial_sync_process", options.kioskctl.empty() ? "forked child (sync_once via App)"
                                                                               : "kioskctl sync (" + fs::path(options.kioskctl).filename().string() + ")"},
                            {"emulator_warmed", options.warm},
                            // where the store was, without the machine's path
                            {"dir", own_dir ? "<temporary directory>" : "<--dir>"}};

    // --- The emulator: two events, warmed with the query the downloader sends for a full sync.
    const std::string kFullQuery = "ordering=datetime&include_canceled_positions=true";
    std::vector<std::string> args = {"--events", "2", "--positions", std::to_string(options.positions), "--seed",
                                     std::to_string(options.seed)};
    if (options.warm) {
        args.push_back("--warm");
        args.push_back(kFullQuery);
    }
    std::cerr << "starting the pretix emulator (2 events x " << options.positions << " positions"
              << (options.warm ? ", warming" : "") << ")\n";
    auto start = Clock::now();
    kiosk::testing::PretixEmulator pretix({.args = args, .start_timeout = std::chrono::seconds(600)});
    const double emulator_start_s = seconds_since(start);
    const int emulator_pid = pretix.ready_info().at("pid").get<int>();
    report["emulator"] = {{"start_s", round3(emulator_start_s)},
                          {"warm_query", options.warm ? json(kFullQuery) : json(nullptr)},
                          {"cpu_s_at_ready", round3(cpu_seconds_of(emulator_pid))},
                          {"rss_kb_at_ready", status_kb(std::to_string(emulator_pid), "VmRSS")}};

    // --- 1. Initial full sync of event1, in a process of its own.
    const auto event1 = settings_for(pretix, "event1");
    std::cerr << "initial full sync of event1 (" << (options.kioskctl.empty() ? "forked child" : options.kioskctl) << ")\n";
    const int64_t parent_rss_kb = status_kb("self", "VmRSS");
    const ChildRun initial = initial_sync_in_child(options, pretix, db, event1, emulator_pid);
    report["initial_sync"] = {{"process_wall_s", round3(initial.process_wall_s)},
                              {"user_s", round3(initial.user_s)},
                              {"system_s", round3(initial.system_s)},
                              {"max_rss_mb", round1(static_cast<double>(initial.max_rss_kb) / 1024.0)},
                              {"parent_rss_mb_at_fork", round1(static_cast<double>(parent_rss_kb) / 1024.0)},
                              {"emulator_cpu_s", round3(initial.emulator_cpu_s)},
                              {"db_mb", round1(static_cast<double>(db_bytes(file)) / 1e6)},
                              {"child", initial.result}};
    std::cerr << "  " << initial.process_wall_s << " s, max RSS " << initial.max_rss_kb / 1024 << " MB\n";

    kiosk::App app(db);
    kiosk::Store sync_store(db);              // the sync thread's own connection, as the kiosk's has
    int64_t event1_id = 0, list_id = 0;
    for (const kiosk::ListSummary& summary : app.lists())
        if (summary.catalog->event.slug == "event1" && summary.list.id == 1021) {   // the emulator's Main entrance (1000k + 21)
            event1_id = summary.catalog->event.id;
            list_id = summary.list.id;
        }
    if (list_id == 0) throw std::runtime_error("event1's Main entrance list is not in the store after the sync");

    // --- 2. A sync with nothing changed.
    std::cerr << "no-change sync x " << options.incremental << "\n";
    std::vector<double> incremental_ms;
    ojson incremental_last;
    for (size_t i = 0; i < options.incremental; ++i) {
        start = Clock::now();
        const kiosk::sync::SyncReport sync = app.sync(event1);
        incremental_ms.push_back(micros_since(start) / 1000.0);
        if (sync.error) throw std::runtime_error("no-change sync failed: " + sync.error->message);
        if (sync.events.size() != 1 || sync.events[0].full || sync.events[0].orders != 0 || sync.events[0].catalog_changed)
            throw std::runtime_error("the no-change sync changed something: " + report_json(sync).dump());
        incremental_last = report_json(sync);
    }
    report["nochange_sync_ms"] = summarize(incremental_ms);
    report["nochange_sync_ms"]["samples"] = [&] {
        std::vector<double> rounded;
        for (double v : incremental_ms) rounded.push_back(round1(v));
        return rounded;
    }();
    report["nochange_sync_last_report"] = incremental_last;

    // --- 3. Upload of queued check-ins.
    const kiosk::Timestamp now = *kiosk::parse_iso8601("2027-03-16T10:30:00+01:00");
    std::vector<std::string> secrets1 = secrets_of_event(db, event1_id);
    std::cerr << secrets1.size() << " positions of event1 in the store; recording " << options.uploads
              << " admissions with App::scan\n";
    std::mt19937_64 random(options.seed);
    std::vector<size_t> order(secrets1.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    std::map<std::string, int> screened;   // App::check outcomes of the positions tried
    std::vector<double> admit_us;
    std::set<std::string> nonces;
    size_t tried = 0;
    for (; tried < order.size(); ++tried) {
        if (nonces.size() >= options.uploads) break;
        const size_t i = order[tried];
        kiosk::ScanRequest request;
        request.raw = secrets1[i];
        request.lists = {list_id};
        request.type = kiosk::CheckinType::entry;
        request.now = now;
        const auto verdict = app.check(request);
        if (!verdict) throw std::runtime_error("check refused: " + verdict.error());
        std::string key(kiosk::verdict_status_name(verdict->status));
        if (verdict->reason != kiosk::RejectReason::none) key += "/" + std::string(kiosk::reject_reason_name(verdict->reason));
        ++screened[key];
        if (verdict->status != kiosk::VerdictStatus::ok) continue;   // only admissions are queued check-ins
        start = Clock::now();
        const auto scanned = app.scan(request);
        admit_us.push_back(micros_since(start));
        if (!scanned) throw std::runtime_error("scan refused: " + scanned.error());
        if (!scanned->checkin) throw std::runtime_error("App::check admitted a ticket that App::scan did not");
        nonces.insert(scanned->checkin->nonce);
    }
    if (nonces.size() < options.uploads) throw std::runtime_error("not enough admissible positions for --uploads");
    const size_t queued = sync_store.queue_counts().pending;
    std::cerr << "uploading " << queued << " queued check-ins\n";
    pretix.admin("POST", "/counters/reset");
    const double emulator_cpu_before_upload = cpu_seconds_of(emulator_pid);
    rusage usage_before{};
    ::getrusage(RUSAGE_SELF, &usage_before);
    std::vector<double> round_s;
    size_t sent = 0, refused = 0, postponed = 0;
    start = Clock::now();
    for (;;) {
        const auto round_start = Clock::now();
        const kiosk::sync::SyncReport sync = kiosk::sync::sync_once(event1, sync_store, false);
        round_s.push_back(round3(seconds_since(round_start)));
        if (sync.error) throw std::runtime_error("upload failed: " + sync.error->message);
        sent += sync.upload.sent;
        refused += sync.upload.refused;
        postponed += sync.upload.postponed;
        if (sync.upload.sent + sync.upload.refused + sync.upload.postponed == 0) break;
    }
    const double upload_s = seconds_since(start);
    rusage usage_after{};
    ::getrusage(RUSAGE_SELF, &usage_after);
    const double emulator_cpu_upload = cpu_seconds_of(emulator_pid) - emulator_cpu_before_upload;
    const auto cpu_of = [](const rusage& u) {
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    const json counters = pretix.admin("GET", "/counters");
    const json& accepted = counters.at("accepted_checkins");
    size_t ours_once = 0, ours_more = 0, ours_missing = 0, foreign = 0;
    for (const std::string& nonce : nonces) {
        const auto found = accepted.find(nonce);
        if (found == accepted.end()) ++ours_missing;
        else if (found->get<int>() == 1) ++ours_once;
        else ++ours_more;
    }
    for (const auto& [nonce, count] : accepted.items())
        if (!nonces.contains(nonce)) foreign += static_cast<size_t>(count.get<int>());
    const bool exactly_once = ours_once == nonces.size() && ours_more == 0 && ours_missing == 0 && foreign == 0;
    report["upload"] = {{"checkins", nonces.size()},
                        {"queued_before", queued},
                        {"seconds", round3(upload_s)},
                        {"checkins_per_s", round1(static_cast<double>(sent) / upload_s)},
                        {"rounds", round_s.size()},
                        {"round_s", round_s},
                        {"sent", sent}, {"refused", refused}, {"postponed", postponed},
                        {"pending_after", sync_store.queue_counts().pending},
                        {"client_cpu_s", round3(cpu_of(usage_after) - cpu_of(usage_before))},
                        {"emulator_cpu_s", round3(emulator_cpu_upload)},
                        {"emulator_accepted_exactly_once", ours_once},
                        {"emulator_accepted_more_than_once", ours_more},
                        {"emulator_missing", ours_missing},
                        {"emulator_other_nonces", foreign},
                        {"emulator_deduplicated", counters.at("deduplicated_checkins").size()},
                        {"emulator_redeem_results", counters.at("redeem_results")},
                        {"exactly_once", exactly_once}};
    report["admit_with_commit_us"] = summarize(admit_us);
    report["admission_screening"] = screened;
    std::cerr << "  " << upload_s << " s, exactly once: " << (exactly_once ? "yes" : "NO") << "\n";

    // --- 4. Scan-to-verdict and admit-with-commit idle, then while the full sync of event2 writes.
    // Fresh tickets for the admitting scanner: positions never tried above that App::check admits,
    // enough for the idle run and --admit-interval-us pacing through 200 s of sync.
    const size_t fresh_wanted =
        options.idle_admits + static_cast<size_t>(200'000'000 / std::max<int64_t>(options.admit_interval_us, 1));
    std::vector<std::string> fresh;
    for (; tried < order.size() && fresh.size() < fresh_wanted; ++tried) {
        kiosk::ScanRequest request;
        request.raw = secrets1[order[tried]];
        request.lists = {list_id};
        request.type = kiosk::CheckinType::entry;
        request.now = now;
        const auto verdict = app.check(request);
        if (verdict && verdict->status == kiosk::VerdictStatus::ok) fresh.push_back(request.raw);
    }
    const size_t fresh_count = fresh.size();
    Scanner scanner(db, secrets1, list_id, now, std::chrono::microseconds(options.scan_interval_us), options.seed + 1);
    Scanner admitter(db, std::move(fresh), list_id, now, std::chrono::microseconds(options.admit_interval_us),
                     options.seed + 2, true);
    std::cerr << "scanners idle: " << options.idle_samples << " checks, " << options.idle_admits << " admissions ("
              << fresh_count << " fresh tickets)\n";
    scanner.start(options.idle_samples);
    admitter.start(options.idle_admits);
    Scanner::Run idle = scanner.join();
    Scanner::Run idle_admit = admitter.join();
    if (!idle.error.empty()) throw std::runtime_error("scanner (idle): " + idle.error);
    if (!idle_admit.error.empty()) throw std::runtime_error("admitting scanner (idle): " + idle_admit.error);
    std::cerr << "scanners during the full sync of event2\n";
    const auto event2 = settings_for(pretix, "event2");
    scanner.start(0);
    admitter.start(0);
    const double emulator_cpu_before_sync2 = cpu_seconds_of(emulator_pid);
    start = Clock::now();
    const kiosk::sync::SyncReport sync2 = app.sync(event2);
    const double sync2_s = seconds_since(start);
    Scanner::Run busy = scanner.finish();
    Scanner::Run busy_admit = admitter.finish();
    if (!busy.error.empty()) throw std::runtime_error("scanner (during sync): " + busy.error);
    if (!busy_admit.error.empty()) throw std::runtime_error("admitting scanner (during sync): " + busy_admit.error);
    if (sync2.error) throw std::runtime_error("full sync of event2 failed: " + sync2.error->message);
    const auto slowest = std::max_element(busy.us.begin(), busy.us.end());
    report["scan_to_verdict_us"] = {
        {"idle", summarize(idle.us)},
        {"during_full_sync", summarize(busy.us)},
        {"during_full_sync_over_5ms", std::count_if(busy.us.begin(), busy.us.end(), [](double us) { return us > 5000; })},
        {"idle_over_5ms", std::count_if(idle.us.begin(), idle.us.end(), [](double us) { return us > 5000; })},
        {"slowest_during_sync_at_s", slowest == busy.us.end() ? json(nullptr)
                                                              : json(round3(busy.at_s[static_cast<size_t>(slowest - busy.us.begin())]))},
        {"outcomes_idle", idle.outcomes},
        {"outcomes_during_sync", busy.outcomes}};
    const auto over_5ms = [](const std::vector<double>& us) { return std::count_if(us.begin(), us.end(), [](double v) { return v > 5000; }); };
    const auto slowest_admit = std::max_element(busy_admit.us.begin(), busy_admit.us.end());
    report["admit_with_commit_paced_us"] = {
        {"interval_us", options.admit_interval_us},
        {"fresh_tickets", fresh_count},
        {"idle", summarize(idle_admit.us)},
        {"during_full_sync", summarize(busy_admit.us)},
        {"idle_over_5ms", over_5ms(idle_admit.us)},
        {"during_full_sync_over_5ms", over_5ms(busy_admit.us)},
        {"slowest_during_sync_at_s", slowest_admit == busy_admit.us.end()
                                         ? json(nullptr)
                                         : json(round3(busy_admit.at_s[static_cast<size_t>(slowest_admit - busy_admit.us.begin())]))},
        {"ran_out_of_fresh_tickets", idle_admit.ran_out || busy_admit.ran_out},
        {"outcomes_idle", idle_admit.outcomes},
        {"outcomes_during_sync", busy_admit.outcomes}};
    report["full_sync_under_scans"] = {{"event", "event2"}, {"seconds", round3(sync2_s)},
                                       {"emulator_cpu_s", round3(cpu_seconds_of(emulator_pid) - emulator_cpu_before_sync2)},
                                       {"report", report_json(sync2)}};
    report["db_mb_end"] = round1(static_cast<double>(db_bytes(file)) / 1e6);
    report["loadavg_end"] = loadavg();
    report["targets"] = {{"initial_sync_s", 10}, {"initial_sync_rss_mb", 200}, {"nochange_sync_ms", 200},
                         {"scan_p99_during_sync_us", 5000}};
    const double rss_mb = static_cast<double>(initial.max_rss_kb) / 1024.0;
    report["targets_met"] = {
        {"initial_sync_s", initial.process_wall_s < 10},
        {"initial_sync_rss_mb", rss_mb < 200},
        {"nochange_sync_ms_p95", report["nochange_sync_ms"]["p95"].get<double>() < 200},
        {"scan_p99_during_sync_us", report["scan_to_verdict_us"]["during_full_sync"]["p99"].get<double>() < 5000},
        {"upload_exactly_once", exactly_once}};
    std::cout << report.dump(2) << std::endl;
    if (!options.raw.empty()) {
        std::ofstream raw(options.raw);
        raw << ojson{{"nochange_sync_ms", incremental_ms}, {"admit_with_commit_us", admit_us},
                     {"scan_idle_us", idle.us}, {"scan_idle_at_s", idle.at_s},
                     {"scan_during_sync_us", busy.us}, {"scan_during_sync_at_s", busy.at_s},
                     {"admit_idle_us", idle_admit.us}, {"admit_idle_at_s", idle_admit.at_s},
                     {"admit_during_sync_us", busy_admit.us}, {"admit_during_sync_at_s", busy_admit.at_s}}
                   .dump()
            << "\n";
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "sync_bench: " << e.what() << "\n";
        return 1;
    }
}
