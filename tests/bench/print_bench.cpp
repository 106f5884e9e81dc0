// Badge printing benchmark: prints one JSON object on stdout (progress goes to stderr).
//
// What is measured (docs/BENCHMARKS.md, "Badge printing"), on the demo event (assets/demo, imported
// into a fresh store): the badges of its positions (the event's own layout; names in Latin,
// Cyrillic, Greek, Arabic, Hebrew, CJK, Hangul and Devanagari scripts), taken in order and cycled
// to --badges badges.
//  1. Render + spool per badge: PrinterDriver::print(layout, data) timed on its own, per driver:
//       pdf_file      file:DIR?format=pdf   vector PDF, written whole (temp file, fsync, link)
//       png_file      file:DIR?format=png   300 dpi PNG, same
//       zpl_203       zpl://  the loopback Zebra (tests/support/zebra_printer.h), 203 dpi ^GFA,
//                     with its ~HS status query before and after the label
//       brother_ql_62 brother-ql:// the loopback QL-820NWB with 62 mm continuous tape, 300 dpi
//                     raster, status block before and "printing completed" after the page
//       pdf_cups      cups: a private cupsd with a cups-pdf queue (tests/support/cups_server.h;
//                     root only), --cups-badges badges, each followed to the job's completion.
//                     Two figures per badge from the same print() call: render + spool, until
//                     the scheduler accepted the job (CupsJobTimes::spooled_ms, the driver's
//                     clock; what the < 250 ms target covers), and until completed (print()
//                     returned: cups-pdf's filters and Ghostscript ran and the driver saw the
//                     job completed). The driver's stages are reported too (median, p95).
//     Each driver prints --warmup badges first, untimed (font and glyph caches, first connection).
//     The layout and data are looked up beforehand (badge_of); the lookup is timed apart.
//  2. Sustained throughput through the PrintQueue: --queue-jobs reprint jobs queued in the store,
//     then a PrintQueue started on the loopback Zebra (and then the Brother) and timed from start()
//     until drain() has reported every job done; badges per hour = jobs / seconds * 3600.
// Percentiles are nearest-rank over sorted std::chrono::steady_clock samples, in milliseconds.
// Options: --badges N (200), --cups-badges N (20; 0 skips CUPS), --queue-jobs N (200), --warmup N (3).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiosk/app/app.h"
#include "netsync/store/store.h"
#include "kiosk/app/badges.h"
#include "kiosk/app/print_queue.h"
#include "kiosk/core/time.h"
#include "printer/drivers/cups_driver.h"
#include "printer/printer_driver.h"
#include "tests/support/brother_ql_printer.h"
#include "tests/support/cups_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zebra_printer.h"

namespace {

using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using kiosk::Badge;

constexpr double kTargetMs = 250.0;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}
double round1(double v) { return std::round(v * 10.0) / 10.0; }

ojson summarize(std::vector<double> samples) {
    ojson out;
    out["n"] = samples.size();
    if (samples.empty()) return out;
    std::sort(samples.begin(), samples.end());
    auto rank = [&](double p) {   // nearest rank
        const auto index = static_cast<size_t>(std::ceil(p * static_cast<double>(samples.size())));
        return samples[std::clamp<size_t>(index, 1, samples.size()) - 1];
    };
    double sum = 0;
    for (double s : samples) sum += s;
    out["min_ms"] = round1(samples.front());
    out["median_ms"] = round1(rank(0.50));
    out["p95_ms"] = round1(rank(0.95));
    out["max_ms"] = round1(samples.back());
    out["mean_ms"] = round1(sum / static_cast<double>(samples.size()));
    return out;
}

struct Options {
    size_t badges = 200;
    size_t cups_badges = 20;
    size_t queue_jobs = 200;
    size_t warmup = 3;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
        const size_t value = std::stoul(argv[++i]);
        if (flag == "--badges") options.badges = value;
        else if (flag == "--cups-badges") options.cups_badges = value;
        else if (flag == "--queue-jobs") options.queue_jobs = value;
        else if (flag == "--warmup") options.warmup = value;
        else throw std::runtime_error("unknown option " + std::string(flag));
    }
    return options;
}

// The script of a name, by its first letter outside ASCII (or Latin when there is none).
std::string script_of(const std::string& name) {
    for (size_t i = 0; i < name.size();) {
        const auto byte = static_cast<unsigned char>(name[i]);
        char32_t code = byte;
        size_t length = 1;
        if (byte >= 0xF0) code = byte & 0x07, length = 4;
        else if (byte >= 0xE0) code = byte & 0x0F, length = 3;
        else if (byte >= 0xC0) code = byte & 0x1F, length = 2;
        for (size_t k = 1; k < length && i + k < name.size(); ++k) code = code << 6 | (static_cast<unsigned char>(name[i + k]) & 0x3F);
        i += length;
        if (code >= 0x0370 && code < 0x0400) return "greek";
        if (code >= 0x0400 && code < 0x0530) return "cyrillic";
        if (code >= 0x0590 && code < 0x0600) return "hebrew";
        if (code >= 0x0600 && code < 0x0700) return "arabic";
        if (code >= 0x0900 && code < 0x0980) return "devanagari";
        if (code >= 0xAC00 && code < 0xD7B0) return "hangul";
        if ((code >= 0x3040 && code < 0x3100) || (code >= 0x4E00 && code < 0xA000)) return "cjk";
    }
    return "latin";
}

struct Job {
    kiosk::PrintJob job;
    Badge badge;
    std::string script;
};

// Every position of the demo event that has a badge, with its layout and data (badge_of).
std::vector<Job> demo_badges(kiosk::Store& store, int64_t event_id, std::vector<double>& lookup_ms) {
    const auto orders = nlohmann::json::parse(std::ifstream(std::filesystem::path(KIOSK_SOURCE_DIR) / "assets/demo/orders.json"));
    std::vector<Job> jobs;
    for (const auto& order : orders["results"])
        for (const auto& position : order["positions"]) {
            kiosk::PrintJob job;
            job.event_id = event_id;
            job.position_id = position["id"].get<int64_t>();
            job.secret = position["secret"].get<std::string>();
            job.language = order.value("locale", "en");
            const auto start = Clock::now();
            auto badge = kiosk::badge_of(store, job);
            lookup_ms.push_back(ms_since(start));
            if (!badge) throw std::runtime_error("badge_of " + job.secret + ": " + badge.error());
            if (!*badge) continue;   // a product without a badge
            const auto name = (*badge)->data.text.find("attendee_name");
            if (name == (*badge)->data.text.end() || name->second.empty()) continue;
            jobs.push_back({job, **badge, script_of(name->second)});
        }
    return jobs;
}

ojson time_driver(const std::string& name, const std::string& uri, const std::vector<Job>& jobs, size_t count, size_t warmup,
                  std::vector<double>* samples_out = nullptr) {
    std::cerr << "print_bench: " << name << " (" << count << " badges) ..." << std::endl;
    auto printer = kiosk::printer::open_printer(uri);
    if (!printer) throw std::runtime_error(name + ": " + printer.error());
    for (size_t i = 0; i < warmup; ++i) {
        const Job& job = jobs[i % jobs.size()];
        if (auto printed = (*printer)->print(job.badge.layout, job.badge.data); !printed)
            throw std::runtime_error(name + " warm-up: " + printed.error().message);
    }
    std::vector<double> samples;
    std::map<std::string, std::vector<double>> by_script;
    for (size_t i = 0; i < count; ++i) {
        const Job& job = jobs[i % jobs.size()];
        const auto start = Clock::now();
        auto printed = (*printer)->print(job.badge.layout, job.badge.data);
        const double ms = ms_since(start);
        if (!printed) throw std::runtime_error(name + ": " + printed.error().message);
        samples.push_back(ms);
        by_script[job.script].push_back(ms);
    }
    ojson out = summarize(samples);
    out["uri"] = uri;
    ojson scripts;
    for (auto& [script, values] : by_script) {
        const ojson summary = summarize(values);
        scripts[script] = {{"n", summary["n"]}, {"median_ms", summary["median_ms"]}, {"max_ms", summary["max_ms"]}};
    }
    out["median_ms_by_script"] = scripts;
    out["target_met"] = out["p95_ms"].get<double>() < kTargetMs;
    if (samples_out) *samples_out = samples;
    return out;
}

// The CUPS row: see the header comment. `target_met` is about render + spool.
ojson time_cups(const std::string& uri, const std::vector<Job>& jobs, size_t count, size_t warmup) {
    std::cerr << "print_bench: pdf_cups (" << count << " badges) ..." << std::endl;
    auto parsed = kiosk::printer::parse_printer_uri(uri);
    if (!parsed) throw std::runtime_error("pdf_cups: " + parsed.error());
    auto opened = kiosk::printer::CupsDriver::open(*parsed);
    if (!opened) throw std::runtime_error("pdf_cups: " + opened.error());
    kiosk::printer::CupsDriver& cups = **opened;
    for (size_t i = 0; i < warmup; ++i) {
        const Job& job = jobs[i % jobs.size()];
        if (auto printed = cups.print(job.badge.layout, job.badge.data); !printed)
            throw std::runtime_error("pdf_cups warm-up: " + printed.error().message);
    }
    std::vector<double> spooled, completed;
    std::map<std::string, std::vector<double>> stages;
    std::vector<double> polls;
    size_t connections = 0;
    for (size_t i = 0; i < count; ++i) {
        const Job& job = jobs[i % jobs.size()];
        const auto start = Clock::now();
        auto printed = cups.print(job.badge.layout, job.badge.data);
        const double ms = ms_since(start);
        if (!printed) throw std::runtime_error("pdf_cups: " + printed.error().message);
        const kiosk::printer::CupsJobTimes& times = cups.last_job_times();
        spooled.push_back(times.spooled_ms);
        completed.push_back(ms);
        stages["render"].push_back(times.render_ms);
        stages["connect"].push_back(times.connect_ms);
        stages["queue_check"].push_back(times.queue_check_ms);
        stages["create_job"].push_back(times.create_ms);
        stages["send_document"].push_back(times.send_ms);
        stages["follow_until_completed"].push_back(times.completed_ms - times.spooled_ms);
        polls.push_back(times.polls);
        if (times.connect_ms > 0) ++connections;
    }
    ojson out;
    out["uri"] = uri;
    out["n"] = count;
    out["render_and_spool"] = summarize(spooled);
    out["until_completed"] = summarize(completed);
    ojson by_stage;
    for (auto& [stage, values] : stages) {
        const ojson summary = summarize(values);
        by_stage[stage] = {{"median_ms", summary["median_ms"]}, {"p95_ms", summary["p95_ms"]}, {"max_ms", summary["max_ms"]}};
    }
    out["stages"] = by_stage;
    std::sort(polls.begin(), polls.end());
    out["job_polls_median"] = polls.empty() ? 0.0 : polls[polls.size() / 2];
    out["connections_opened"] = connections;   // after the warm-up: 0 when the kept one served every job
    out["target_met"] = out["render_and_spool"]["p95_ms"].get<double>() < kTargetMs;
    out["until_completed_under_target"] = out["until_completed"]["p95_ms"].get<double>() < kTargetMs;
    return out;
}

// Queues `count` reprint jobs, then times a PrintQueue on `uri` from start() until all are done.
ojson time_queue(const std::string& name, kiosk::Store& store, const std::string& db, const std::string& uri,
                 const std::vector<Job>& jobs, size_t count) {
    std::cerr << "print_bench: queue to " << name << " (" << count << " jobs) ..." << std::endl;
    for (size_t i = 0; i < count; ++i) {
        const kiosk::PrintJob& job = jobs[i % jobs.size()].job;
        store.queue_print({job.event_id, job.position_id, job.secret, job.language, /*reprint=*/true}, kiosk::now_utc());
    }
    kiosk::PrintQueueSettings settings;
    settings.db_path = db;
    settings.printer_uri = uri;
    kiosk::PrintQueue queue(settings);
    const auto start = Clock::now();
    queue.start();
    size_t done = 0, failed = 0;
    const auto deadline = start + std::chrono::minutes(10);
    while (done < count && Clock::now() < deadline) {
        for (const kiosk::PrintEvent& event : queue.drain()) {
            if (event.state == kiosk::PrintJobState::done) ++done;
            if (event.state == kiosk::PrintJobState::failed) {
                ++failed;
                std::cerr << "print_bench: job " << event.job << " failed: " << event.message << std::endl;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));   // a poll; the queue prints meanwhile
    }
    const double seconds = ms_since(start) / 1000.0;
    return {{"uri", uri},
            {"jobs", count},
            {"done", done},
            {"failed", failed},
            {"seconds", std::round(seconds * 100.0) / 100.0},
            {"ms_per_badge", round1(seconds * 1000.0 / static_cast<double>(std::max<size_t>(done, 1)))},
            {"badges_per_hour", std::lround(static_cast<double>(done) / seconds * 3600.0)}};
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

} // namespace

int main(int argc, char** argv) try {
    const Options options = parse_options(argc, argv);
    kiosk::testing::TempDir dir;
    const std::string db = dir.file("kiosk.db");
    kiosk::App app(db);
    const auto imported = app.import_pretix_directory(std::filesystem::path(KIOSK_SOURCE_DIR) / "assets/demo", "demo");
    if (!imported) throw std::runtime_error("import: " + imported.error());
    // The print queue's reads and writes, on a connection of their own as the kiosk's print thread has.
    kiosk::Store store(db);

    ojson report;
    report["benchmark"] = "print_bench";
    report["load_average_start"] = load_average();
    report["nproc"] = std::thread::hardware_concurrency();

    std::vector<double> lookup_ms;
    const std::vector<Job> jobs = demo_badges(store, imported->summary.event_id, lookup_ms);
    if (jobs.empty()) throw std::runtime_error("the demo event has no badges");
    std::map<std::string, size_t> scripts;
    for (size_t i = 0; i < options.badges; ++i) ++scripts[jobs[i % jobs.size()].script];
    report["badges"] = options.badges;
    report["badges_in_the_event"] = jobs.size();   // positions whose product has a badge and a name
    report["names_by_script"] = scripts;
    report["layout"] = "the demo event's (assets/demo/badgelayouts.json, 1), per product";
    report["badge_lookup"] = summarize(lookup_ms);

    ojson drivers;
    drivers["pdf_file"] = time_driver("pdf_file", "file:" + dir.file("pdf") + "?format=pdf", jobs, options.badges, options.warmup);
    drivers["png_file"] = time_driver("png_file", "file:" + dir.file("png") + "?format=png", jobs, options.badges, options.warmup);
    // The files go to this run's temporary directory: the JSON says DIR, not the machine's path.
    drivers["pdf_file"]["uri"] = "file:DIR?format=pdf";
    drivers["png_file"]["uri"] = "file:DIR?format=png";
    {
        kiosk::testing::ZebraPrinter zebra;
        drivers["zpl_203"] = time_driver("zpl_203", zebra.uri("dpi=203"), jobs, options.badges, options.warmup);
        drivers["zpl_203"]["labels_received"] = zebra.labels().size();
    }
    {
        kiosk::testing::BrotherQlPrinter brother;
        drivers["brother_ql_62"] = time_driver("brother_ql_62", brother.uri("model=QL-820NWB&label=62"), jobs, options.badges, options.warmup);
        drivers["brother_ql_62"]["pages_received"] = brother.pages().size();
        drivers["brother_ql_62"]["protocol_error"] = brother.protocol_error();
    }
    if (options.cups_badges > 0) {
        kiosk::testing::CupsServer cups;
        if (cups.running()) {
            drivers["pdf_cups"] = time_cups("cups:" + cups.queue() + "?server=" + cups.server(), jobs, options.cups_badges, 1);
        } else {
            drivers["pdf_cups"] = {{"skipped", cups.skip_reason()}};
        }
    }
    report["render_and_spool"] = drivers;

    ojson queues;
    {
        kiosk::testing::ZebraPrinter zebra;
        queues["zpl_203"] = time_queue("zpl_203", store, db, zebra.uri("dpi=203"), jobs, options.queue_jobs);
        queues["zpl_203"]["labels_received"] = zebra.labels().size();
    }
    {
        kiosk::testing::BrotherQlPrinter brother;
        queues["brother_ql_62"] = time_queue("brother_ql_62", store, db, brother.uri("model=QL-820NWB&label=62"), jobs, options.queue_jobs);
        queues["brother_ql_62"]["pages_received"] = brother.pages().size();
    }
    report["print_queue"] = queues;
    report["target_ms_per_badge"] = kTargetMs;
    report["load_average_end"] = load_average();
    std::cout << report.dump(2) << std::endl;
    return 0;
} catch (const std::exception& failure) {
    std::cerr << "print_bench: " << failure.what() << std::endl;
    return 1;
}
