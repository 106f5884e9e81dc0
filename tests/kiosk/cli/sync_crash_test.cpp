// Crash test of the upload path (issue 10: "offline admissions reach the emulator exactly once
// through faults, a SIGKILL of the syncing process at random points, and restarts (the emulator
// counts)").
//
// A kiosk is set up as a pretix device (`kioskctl setup` with the emulator's init token) and synced
// in full from its device file; it admits ~45 tickets offline with `kioskctl scan` and undoes a few
// of them before anything went out (settled locally: neither is ever sent). Then rounds of
// `kioskctl sync` run against an emulator that misbehaves: HTTP 500s, 429s, connection resets
// after pretix committed the redeem (the answer is lost), truncated answers, slow answers, on
// redeem, annul, orders and failed check-ins; the sync process is SIGKILLed a random moment into
// its life, and the emulator itself is killed (a crashed server: it replays its journal on
// restart) during a sync or just before one. One more ticket is admitted while each round's sync
// runs. Halfway through, a few admissions pretix already has are undone (they must be annulled
// there, by the device that made them) and a few still queued. Finally the faults stop, a clean
// sync empties the queue, and:
//
// - every admission reached pretix under its own nonce exactly once (accepted_checkins == 1);
// - an admission undone before upload never reached pretix, under any nonce;
// - an admission undone after upload was annulled there exactly once;
// - per ticket, pretix gained exactly one successful check-in (none if undone);
// - `kioskctl status` shows nothing pending, nothing refused and no error; `kioskctl queue` is
//   empty; the store passes `PRAGMA integrity_check`; a re-scan of an admitted ticket is
//   already_redeemed.
//
// A second test makes one race deterministic: an undo while a sync is uploading (a known bug,
// skipped; see there). It connects with a team token on the command line, the other way of
// `kioskctl sync`.
//
// Time: a row whose upload failed is retried after 5 s doubling to 10 min of the kiosk's wall
// clock, and `kioskctl` has no clock to move. Where the test lets "time pass" (some rounds, and
// before the final sync) it sets the rows' retry times to 0 in the store while no kioskctl runs:
// exactly what the clock moving on would do, without waiting minutes.
//
// The plan (faults, kills, restarts, their moments as a share of a sync's life, which queued
// redeem a fault hits as a share of the queue) is fixed by the seed, printed at the start;
// KIOSK_SYNC_CRASH_SEED=N plays another. Kill moments follow the duration of recent syncs nobody
// killed, so they land across a whole sync on any machine; KIOSK_SYNC_CRASH_VERBOSE=1 prints every
// round.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/pretix_emulator.h"
#include "tests/support/subprocess.h"

namespace kiosk {
namespace {

using nlohmann::json;
using testing::PretixEmulator;
using testing::ProcessResult;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr uint32_t kDefaultSeed = 20270316;
constexpr int64_t kList = 1021;                              // event1's main entrance: every product
constexpr char kScanAt[] = "2027-03-16T09:30:00+01:00";
constexpr char kUndoAt[] = "2027-03-16T09:35:00+01:00";      // within pretix's 15 minutes for an annulment

uint32_t seed_for(uint32_t offset) {
    const char* env = std::getenv("KIOSK_SYNC_CRASH_SEED");
    return (env != nullptr && *env != '\0' ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : kDefaultSeed) + offset;
}

// A process's answer, if it printed exactly one complete JSON object line (a killed one may not have).
std::optional<json> answer_of(const ProcessResult& result) {
    const std::string& out = result.out;
    if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) return std::nullopt;
    json answer = json::parse(out, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) return std::nullopt;
    return answer;
}

std::string describe(const ProcessResult& result) {
    std::string text = result.signaled() ? "killed by signal " + std::to_string(result.term_signal())
                                         : "exit " + std::to_string(result.exit_code());
    return text + ", stdout: " + result.out.substr(0, 400) + " stderr: " + result.err.substr(0, 400);
}

// Runs every argv to completion, two at a time (the machine has two cores for the whole suite).
std::vector<ProcessResult> run_all(const std::vector<std::vector<std::string>>& argvs) {
    std::vector<ProcessResult> results(argvs.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t index = next++; index < argvs.size(); index = next++) results[index] = testing::run_process(argvs[index]);
    };
    std::thread other(worker);
    worker();
    other.join();
    return results;
}

bool poll_until(const std::function<bool()>& condition, std::chrono::seconds limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (!condition()) {
        if (SteadyClock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

//-----------------------------------------------------------------------------
// The store, read (and its retry times moved) directly
//-----------------------------------------------------------------------------

struct SqliteClose {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteClose>;

SqliteHandle open_store(const fs::path& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    SqliteHandle db(raw);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path.string());
    sqlite3_busy_timeout(db.get(), 10'000);
    return db;
}

std::vector<std::vector<std::string>> query(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        return {};
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
    std::vector<std::vector<std::string>> rows;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int column = 0; column < sqlite3_column_count(statement.get()); ++column) {
            const unsigned char* text = sqlite3_column_text(statement.get(), column);
            row.emplace_back(text ? reinterpret_cast<const char*>(text) : "<null>");
        }
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return rows;
}

std::string single_value(sqlite3* db, const std::string& sql) {
    const auto rows = query(db, sql);
    return rows.size() == 1 && rows.front().size() == 1 ? rows.front().front() : "<not one value>";
}

// Time passes: every postponed upload and failed scan is due again (see the header).
void make_everything_due(const fs::path& db_path) {
    const SqliteHandle db = open_store(db_path);
    char* error = nullptr;
    const int rc = sqlite3_exec(db.get(),
                                "UPDATE upload_queue SET next_attempt_at = 0 WHERE refused_at IS NULL; "
                                "UPDATE failed_scans SET next_attempt_at = 0 WHERE uploaded = 0;",
                                nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    ASSERT_EQ(rc, SQLITE_OK) << message;
}

//-----------------------------------------------------------------------------
// One kiosk, one emulator
//-----------------------------------------------------------------------------

enum class Connect { team_token, device };

struct Ticket {
    std::string secret;
    int64_t position = 0;
    std::string nonce;                      // the admission's, as `kioskctl scan` printed it
    enum class Undo { none, settled, annul } undo = Undo::none;
    std::string undo_nonce;
};

// Sized for ~60 s on two busy cores: every kioskctl process costs ~0.25-0.6 s in the dynamic
// loader, an emulator restart 1-2 s, and a sync through faults up to the client's own retries (3.5 s).
struct Plan {
    int first_admissions = 44;
    int early_undos = 4;                    // before any upload: settled locally
    int rounds = 16;
    int scans_per_round = 1;                // admitted while each round's sync runs
    int late_undos_uploaded = 3;            // halfway, of admissions pretix has: annulled there
    int late_undos_pending = 2;             // halfway, of admissions still queued: either, as the store decides
};

class Kiosk {
public:
    Kiosk(const fs::path& dir, Connect connect, uint32_t seed, int positions = 300)
        : dir_(dir), db_(dir / "kiosk.db"), connect_(connect), random_(seed), last_mark_(SteadyClock::now()),
          pretix_(testing::PretixEmulatorOptions{.args = {"--positions", std::to_string(positions)},
                                                 .state_dir = dir / "pretix-state"}) {}

    const fs::path& db() const { return db_; }
    PretixEmulator& pretix() { return pretix_; }
    std::vector<Ticket>& tickets() { return tickets_; }

    std::vector<std::string> kioskctl(std::vector<std::string> args) const {
        std::vector<std::string> argv{KIOSKCTL_PATH, "--db", db_.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    ProcessResult run(std::vector<std::string> args) const { return testing::run_process(kioskctl(std::move(args))); }

    std::vector<std::string> sync_argv() const {
        if (connect_ == Connect::device) return kioskctl({"sync"});
        return kioskctl({"sync", "--url", pretix_.url(), "--token", pretix_.team_token(), "--organizer",
                         pretix_.organizer(), "--event", "event1"});
    }

    // The first, full sync (set up as a device first when the kiosk connects as one).
    void first_sync() {
        if (connect_ == Connect::device) {
            const ProcessResult setup = run({"setup", "--url", pretix_.url(), "--token", pretix_.init_token()});
            ASSERT_EQ(setup.exit_code(), 0) << describe(setup);
        }
        const auto started = SteadyClock::now();
        const ProcessResult sync = testing::run_process(sync_argv());
        note_sync_time(SteadyClock::now() - started);
        ASSERT_EQ(sync.exit_code(), 0) << describe(sync);
        const auto answer = answer_of(sync);
        ASSERT_TRUE(answer && answer->value("status", "") == "ok") << describe(sync);
        ASSERT_EQ(answer->at("events").size(), 1u) << describe(sync);
        EXPECT_TRUE(answer->at("events")[0].value("full", false)) << describe(sync);

        // What a kioskctl process costs before it does anything (mostly the dynamic loader): kills
        // are spread over the rest of a sync's life, where its work is.
        for (int i = 0; i < 2; ++i) {
            const auto begun = SteadyClock::now();
            const ProcessResult status = run({"status"});
            ASSERT_EQ(status.exit_code(), 0) << describe(status);
            const auto lived = SteadyClock::now() - begun;
            startup_ = i == 0 ? lived : std::min(startup_, lived);
        }

        // Tickets to admit: paid conference passes (plain admissions), in an order fixed by the seed.
        const json positions =
            pretix_.admin("GET", "/events/event1/positions?status=p&canceled=false&blocked=false&item=1001&limit=1000");
        for (const json& position : positions.at("results"))
            candidates_.push_back({position.at("secret").get<std::string>(), position.at("id").get<int64_t>(), {}, {}, {}});
        std::shuffle(candidates_.begin(), candidates_.end(), random_);
        // pretix's successful check-ins on the list before the kiosk sent anything (the generated
        // data has some from the first morning).
        const json before = pretix_.admin("GET", "/checkins?list=" + std::to_string(kList) + "&successful=true");
        for (const json& record : before.at("results"))
            if (record.contains("position") && record["position"].is_number_integer())
                ++successful_before_[record["position"].get<int64_t>()];
    }

    // Admits `count` more tickets offline (scans the pretix data already refuses are skipped).
    void admit(int count) {
        int admitted = 0;
        while (admitted < count) {
            std::vector<Ticket> batch;
            ASSERT_NO_FATAL_FAILURE(batch = take_candidates(count - admitted));
            const auto results = run_all(scan_argvs(batch));
            admitted += record_admissions(batch, results);
            if (::testing::Test::HasFailure()) return;   // scans that fail would only fail again
        }
    }

    std::vector<Ticket> take_candidates(int count) {
        const size_t n = static_cast<size_t>(count);
        EXPECT_LE(next_candidate_ + n, candidates_.size()) << "out of tickets";
        if (next_candidate_ + n > candidates_.size()) throw std::runtime_error("out of tickets");
        std::vector<Ticket> batch(candidates_.begin() + static_cast<std::ptrdiff_t>(next_candidate_),
                                  candidates_.begin() + static_cast<std::ptrdiff_t>(next_candidate_ + n));
        next_candidate_ += n;
        return batch;
    }

    std::vector<std::vector<std::string>> scan_argvs(const std::vector<Ticket>& batch) const {
        std::vector<std::vector<std::string>> scans;
        for (const Ticket& ticket : batch)
            scans.push_back(kioskctl({"scan", ticket.secret, "--list", std::to_string(kList), "--at", kScanAt, "--no-questions"}));
        return scans;
    }

    // Keeps the admissions among `results` (with the nonce each printed); returns how many.
    int record_admissions(std::vector<Ticket>& batch, const std::vector<ProcessResult>& results) {
        int admitted = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
            const auto answer = answer_of(results[i]);
            EXPECT_TRUE(answer) << describe(results[i]);
            if (!answer) continue;
            if (results[i].exit_code() == 1) {   // e.g. checked in on pretix's first morning: not ours to count
                ++rejected_scans_;
                continue;
            }
            EXPECT_EQ(results[i].exit_code(), 0) << describe(results[i]);
            EXPECT_EQ(answer->value("status", ""), "ok") << describe(results[i]);
            EXPECT_EQ(answer->at("position").at("id"), batch[i].position) << describe(results[i]);
            const json& checkin = answer->at("checkin");
            if (results[i].exit_code() != 0 || !checkin.is_object() || !checkin.contains("nonce") ||
                !checkin["nonce"].is_string() || checkin["nonce"].get<std::string>().empty()) {
                ADD_FAILURE() << "an admission without a nonce: " << describe(results[i]);
                continue;
            }
            batch[i].nonce = checkin["nonce"].get<std::string>();
            tickets_.push_back(batch[i]);
            ++admitted;
        }
        return admitted;
    }

    // Undoes the admission of `ticket`; the answer says whether it was settled locally.
    void undo(Ticket& ticket) {
        const ProcessResult result = run({"undo", ticket.secret, "--list", std::to_string(kList), "--at", kUndoAt});
        const auto answer = answer_of(result);
        ASSERT_EQ(result.exit_code(), 0) << describe(result);
        ASSERT_TRUE(answer && answer->value("status", "") == "ok") << describe(result);
        const json& reverted = answer->at("reverted");
        ASSERT_TRUE(reverted.is_object()) << describe(result);
        if (reverted.at("settled_locally").get<bool>()) {
            ticket.undo = Ticket::Undo::settled;
        } else {
            ticket.undo = Ticket::Undo::annul;
            ticket.undo_nonce = reverted.at("undo_nonce").get<std::string>();
        }
    }

    // The nonces pretix has accepted (successful redeems, by nonce).
    std::map<std::string, int> accepted() const {
        std::map<std::string, int> out;
        const json counters = pretix_.counters();   // kept: a range-for over a member of a temporary dangles
        for (const auto& [nonce, count] : counters.at("accepted_checkins").items()) out[nonce] = count.get<int>();
        return out;
    }

    // One round of trouble: maybe time passes, maybe faults, a sync, maybe killed, maybe the server
    // crashes during it or before it.
    void round(int index, int concurrent_scans) {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        const bool time_passes = unit(random_) < 0.3;
        const json faults = pick_faults();
        const double what = unit(random_);
        const double moment = unit(random_) * 1.3;     // of a typical sync's life after start-up
        const bool also_kill_sync = unit(random_) < 0.5;

        if (time_passes) make_everything_due(db_);
        enum class Crash { none, sync, server_during, server_before } crash =
            what < 0.35 ? Crash::sync : what < 0.50 ? Crash::server_during : what < 0.60 ? Crash::server_before : Crash::none;
        if (crash == Crash::server_before) {
            pretix_.kill();
            server_restarted();
            pretix_.start();
        }
        if (!faults.empty()) pretix_.fault(faults);

        // Offline admissions go on while the sync runs (and is killed): a kiosk never waits for it.
        std::vector<Ticket> scanning = take_candidates(concurrent_scans);
        std::vector<ProcessResult> scanned;
        std::thread scanner([&, argvs = scan_argvs(scanning)] {
            for (const auto& argv : argvs) scanned.push_back(testing::run_process(argv));
        });
        struct Join {
            std::thread& thread;
            ~Join() {
                if (thread.joinable()) thread.join();
            }
        } join{scanner};

        const auto work = std::max<SteadyClock::duration>(typical_sync() - startup_, std::chrono::milliseconds(50));
        const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(startup_ + work * moment);
        const auto started = SteadyClock::now();
        auto process = testing::start_process(sync_argv());
        bool sync_killed = false, server_killed = false;
        if (crash == Crash::sync || (crash == Crash::server_before && also_kill_sync)) {
            std::this_thread::sleep_for(delay);
            ::kill(process.pid(), SIGKILL);   // not reaped yet, so the pid is still this child's
            sync_killed = true;
        } else if (crash == Crash::server_during) {
            std::this_thread::sleep_for(delay);
            pretix_.kill();
            server_restarted();
            server_killed = true;
            if (also_kill_sync) {
                ::kill(process.pid(), SIGKILL);
                sync_killed = true;
            }
            pretix_.start();                  // the sync's own retries may reach it again
        }
        const ProcessResult result = process.finish();
        const auto lived = SteadyClock::now() - started;
        if (!result.signaled() && !server_killed) note_sync_time(lived);
        if (result.signaled()) {
            ++kills_landed_;
            EXPECT_EQ(result.term_signal(), SIGKILL) << describe(result);
        } else {
            if (sync_killed) ++kills_missed_;
            // Faults may leave it `error` (exit 1); it must never fail as a machine (exit 2).
            EXPECT_TRUE(result.exit_code() == 0 || result.exit_code() == 1) << "round " << index << ": " << describe(result);
            EXPECT_TRUE(answer_of(result)) << "round " << index << ": " << describe(result);
        }
        if (server_killed || crash == Crash::server_before) ++server_crashes_;
        scanner.join();
        record_admissions(scanning, scanned);
        observe();
        pretix_.clear_faults();
        log_ << "  round " << index << ": " << (time_passes ? "time passes, " : "")
             << (faults.empty() ? std::string("no fault") : faults.dump()) << ", "
             << (crash == Crash::sync ? "kill sync"
                 : crash == Crash::server_during ? (also_kill_sync ? "crash server + kill sync" : "crash server during sync")
                 : crash == Crash::server_before ? (also_kill_sync ? "crash server before, kill sync" : "crash server before sync")
                                                 : "no kill")
             << " at " << delay.count() / 1000 << " ms -> " << (result.signaled() ? "killed" : "exit " + std::to_string(result.exit_code()))
             << " after " << std::chrono::duration_cast<std::chrono::milliseconds>(lived).count() << " ms\n";
    }

    // Clean syncs (no faults, everything due) until one is ok with nothing pending.
    void drain() {
        pretix_.clear_faults();
        for (int attempt = 0; attempt < 6; ++attempt) {
            make_everything_due(db_);
            const ProcessResult sync = testing::run_process(sync_argv());
            const auto answer = answer_of(sync);
            const ProcessResult queue = run({"queue"});
            const auto pending = answer_of(queue);
            ASSERT_TRUE(pending) << describe(queue);
            if (sync.exit_code() == 0 && answer && answer->value("status", "") == "ok" && pending->at("pending").empty()) {
                drained_after_ = attempt + 1;
                observe();
                return;
            }
            log_ << "  drain " << attempt << ": " << describe(sync) << " queue " << queue.out.substr(0, 600) << '\n';
        }
        FAIL() << "clean syncs did not empty the queue:\n" << log_.str();
    }

    void print_summary(const char* name, SteadyClock::duration elapsed) const {
        std::cout << "[ sync crash ] " << name << ": " << tickets_.size() << " admissions (" << rejected_scans_
                  << " candidate scans refused), " << kills_landed_ << " syncs killed (" << kills_missed_
                  << " kills came after the exit), " << server_crashes_ << " server crashes, a kioskctl starts in ~"
                  << std::chrono::duration_cast<std::chrono::milliseconds>(startup_).count() << " ms and a sync lives ~"
                  << std::chrono::duration_cast<std::chrono::milliseconds>(typical_sync()).count() << " ms, drained after "
                  << drained_after_ << " clean sync(s), " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                  << " ms (" << phases_ << ")\n";
        Seen seen = seen_;
        seen.add(epoch_);
        std::cout << "[ sync crash ] " << name << ": the emulator saw (at least; counters restart with it) " << seen.resends
                  << " resent check-ins it deduplicated by nonce, " << seen.replays << " idempotent replays, faults fired:";
        for (const auto& [kind, count] : seen.fired) std::cout << ' ' << kind << " x" << count;
        std::cout << '\n';
        if (std::getenv("KIOSK_SYNC_CRASH_VERBOSE") != nullptr) std::cout << log_.str();
    }
    std::string log() const { return log_.str(); }
    // What the emulator saw since it last started (its counters restart with it).
    void observe() {
        const json counters = pretix_.counters();
        epoch_ = {};
        for (const auto& [nonce, count] : counters.at("deduplicated_checkins").items()) epoch_.resends += count.get<int>();
        epoch_.replays = counters.at("idempotent_replays").get<int>();
        for (const json& fired : counters.at("faults_fired")) {
            std::string path = fired.at("path").get<std::string>();   // ".../checkinrpc/redeem/" -> "redeem"
            if (path.ends_with('/')) path.pop_back();
            ++epoch_.fired[fired.at("kind").get<std::string>() + " " + path.substr(path.rfind('/') + 1)];
        }
    }
    void server_restarted() {
        seen_.add(epoch_);
        epoch_ = {};
    }
    // Where the time went, for the summary: `phase` ended now.
    void mark(const char* phase) {
        const auto now = SteadyClock::now();
        phases_ += std::string(phases_.empty() ? "" : ", ") + phase + " " +
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_mark_).count()) + " ms";
        last_mark_ = now;
    }
    const std::map<int64_t, int>& successful_before() const { return successful_before_; }

private:
    // Nothing, or one or two faults on the calls a sync makes. Redeems are where exactly-once is won
    // or lost: a reset or truncated answer after pretix committed, so the kiosk must send again.
    // `skip` lets the first redeems through, as a share of the check-ins queued now (so that the
    // fault hits one the sync will send, wherever it is in the queue).
    json pick_faults() {
        std::uniform_int_distribution<int> kind(0, 13), count(1, 5), two(0, 3);
        std::uniform_real_distribution<double> seconds(0.2, 1.2), share(0.0, 1.0);
        int queued = 0;
        {
            const SqliteHandle store = open_store(db_);
            queued = std::stoi(single_value(store.get(), "SELECT count(*) FROM upload_queue WHERE kind = 'checkin' AND refused_at IS NULL"));
        }
        const std::string api = "/api/v1/organizers/" + pretix_.organizer();
        json faults = json::array();
        const int how_many = two(random_) == 0 ? 2 : 1;
        for (int i = 0; i < how_many; ++i) {
            const int k = kind(random_);
            const int n = count(random_), s = static_cast<int>(share(random_) * queued);
            const double slow = seconds(random_);
            const std::string redeem = api + "/checkinrpc/redeem/";
            switch (k) {
            case 0: case 1:
                faults.push_back({{"path", redeem}, {"kind", "status"}, {"status", 500}, {"count", n}, {"skip", s}});
                break;
            case 2: case 3:   // committed, answer lost
                faults.push_back({{"path", redeem}, {"kind", "reset"}, {"process", true}, {"count", (n + 1) / 2}, {"skip", s}});
                break;
            case 4:           // lost before pretix saw it
                faults.push_back({{"path", redeem}, {"kind", "reset"}, {"process", false}, {"count", (n + 1) / 2}, {"skip", s}});
                break;
            case 5:           // committed, answer garbage
                faults.push_back({{"path", redeem}, {"kind", "truncate"}, {"process", true}, {"count", (n + 1) / 2}, {"skip", s}});
                break;
            case 6: case 7:   // committed, answer late (a kill may land while it waits)
                faults.push_back({{"path", redeem}, {"kind", "slow"}, {"seconds", slow}, {"count", (n + 2) / 3}, {"skip", s}});
                break;
            case 8:
                faults.push_back({{"path", redeem}, {"kind", "rate_limit"}, {"retry_after", 1}, {"count", 1}, {"skip", s}});
                break;
            case 9:
                faults.push_back({{"path", api + "/checkinrpc/annul/"}, {"kind", "reset"}, {"process", true}, {"count", (n + 1) / 2}});
                break;
            case 10:
                faults.push_back({{"path", api + "/checkinrpc/annul/"}, {"kind", "status"}, {"status", 500}, {"count", n}});
                break;
            case 11:
                faults.push_back({{"path", api + "/events/event1/orders/"}, {"kind", "status"}, {"status", 500}, {"count", n}});
                break;
            case 12:
                faults.push_back({{"path", api + "/events/event1/checkinlists/" + std::to_string(kList) + "/failed_checkins/"},
                                  {"kind", "reset"}, {"process", true}, {"count", (n + 1) / 2}});
                break;
            default:          // no fault
                break;
            }
        }
        return faults;
    }

    // A sync's life, from recent syncs nobody killed (median of the last few; faults included).
    SteadyClock::duration typical_sync() const {
        if (sync_times_.empty()) return std::chrono::milliseconds(800);
        std::vector<SteadyClock::duration> sorted(sync_times_.end() - static_cast<std::ptrdiff_t>(std::min<size_t>(sync_times_.size(), 9)),
                                                  sync_times_.end());
        std::sort(sorted.begin(), sorted.end());
        return sorted[sorted.size() / 2];
    }
    void note_sync_time(SteadyClock::duration lived) { sync_times_.push_back(lived); }

    fs::path dir_, db_;
    Connect connect_;
    std::mt19937 random_;
    SteadyClock::time_point last_mark_ = SteadyClock::now();   // before the emulator starts
    PretixEmulator pretix_;
    std::vector<Ticket> candidates_;
    size_t next_candidate_ = 0;
    std::vector<Ticket> tickets_;
    std::map<int64_t, int> successful_before_;   // position -> pretix's successful check-ins on the list
    std::vector<SteadyClock::duration> sync_times_;
    SteadyClock::duration startup_{};
    int rejected_scans_ = 0, kills_landed_ = 0, kills_missed_ = 0, server_crashes_ = 0, drained_after_ = 0;
    std::ostringstream log_;
    struct Seen {
        int resends = 0, replays = 0;
        std::map<std::string, int> fired;   // "kind path-tail" -> count
        void add(const Seen& other) {
            resends += other.resends;
            replays += other.replays;
            for (const auto& [key, count] : other.fired) fired[key] += count;
        }
    } seen_, epoch_;
    std::string phases_;
};

class SyncCrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::path(::testing::TempDir()) / "kioskctl-sync-crash-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
        dir_ = pattern;
    }
    void TearDown() override {
        if (HasFailure()) std::cout << "[ sync crash ] store and emulator state kept for inspection: " << dir_ << '\n';
        else fs::remove_all(dir_);
    }

    // The whole story of the header, then every check.
    void run_story(Connect connect, uint32_t seed, const Plan& plan, const char* name) {
        std::cout << "[ sync crash ] " << name << ": seed " << seed << " (KIOSK_SYNC_CRASH_SEED replays; "
                  << "KIOSK_SYNC_CRASH_VERBOSE=1 prints every round)\n";
        const auto started = SteadyClock::now();
        Kiosk kiosk(dir_, connect, seed);
        kiosk.mark("emulator start");
        ASSERT_NO_FATAL_FAILURE(kiosk.first_sync());
        kiosk.mark("first sync");
        ASSERT_NO_FATAL_FAILURE(kiosk.admit(plan.first_admissions));
        kiosk.mark("admissions");

        // Undone before any upload: settled locally, neither the check-in nor the undo goes out.
        std::mt19937 pick(seed ^ 0x5eedu);
        std::vector<size_t> order(kiosk.tickets().size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), pick);
        for (int i = 0; i < plan.early_undos; ++i) {
            Ticket& ticket = kiosk.tickets()[order[static_cast<size_t>(i)]];
            ASSERT_NO_FATAL_FAILURE(kiosk.undo(ticket));
            EXPECT_EQ(ticket.undo, Ticket::Undo::settled) << ticket.secret << ": undone before any sync, yet not settled locally";
        }

        for (int round = 0; round < plan.rounds; ++round) {
            if (round == plan.rounds / 2) {
                // Halfway: undos of admissions pretix has (annulled there) and of some it may not
                // have yet (the store decides whether they are settled locally). If every sync so
                // far was killed before its first upload, one undisturbed sync comes first.
                if (kiosk.accepted().empty()) {
                    make_everything_due(kiosk.db());
                    const ProcessResult sync = testing::run_process(kiosk.sync_argv());
                    ASSERT_EQ(sync.exit_code(), 0) << describe(sync);
                }
                const auto accepted = kiosk.accepted();
                int uploaded_undos = 0, pending_undos = 0;
                for (Ticket& ticket : kiosk.tickets()) {
                    if (ticket.undo != Ticket::Undo::none) continue;
                    const bool on_pretix = accepted.count(ticket.nonce) > 0;
                    if (on_pretix && uploaded_undos < plan.late_undos_uploaded) {
                        ASSERT_NO_FATAL_FAILURE(kiosk.undo(ticket));
                        EXPECT_EQ(ticket.undo, Ticket::Undo::annul)
                            << ticket.secret << ": pretix has this check-in, yet the undo was settled locally";
                        ++uploaded_undos;
                    } else if (!on_pretix && pending_undos < plan.late_undos_pending) {
                        ASSERT_NO_FATAL_FAILURE(kiosk.undo(ticket));
                        ++pending_undos;
                    }
                }
                EXPECT_GT(uploaded_undos, 0) << "no admission had reached pretix halfway through:\n" << kiosk.log();
            }
            ASSERT_NO_FATAL_FAILURE(kiosk.round(round, plan.scans_per_round));
        }
        kiosk.mark("undos and rounds");
        ASSERT_NO_FATAL_FAILURE(kiosk.drain());
        kiosk.mark("final sync");
        verify(kiosk);
        kiosk.mark("checks");
        kiosk.print_summary(name, SteadyClock::now() - started);
        if (HasFailure()) std::cout << kiosk.log();
    }

    void verify(Kiosk& kiosk) {
        PretixEmulator& pretix = kiosk.pretix();
        const json counters = pretix.counters();
        const json& accepted = counters.at("accepted_checkins");
        const json& annulments = counters.at("annulments");
        const json records = pretix.admin("GET", "/checkins?list=" + std::to_string(kList));
        std::map<std::string, std::vector<json>> by_nonce;
        std::map<int64_t, int> successful_now;
        for (const json& record : records.at("results")) {
            if (record.contains("nonce") && record["nonce"].is_string()) by_nonce[record["nonce"].get<std::string>()].push_back(record);
            if (record.value("successful", false) && record.contains("position") && record["position"].is_number_integer())
                ++successful_now[record["position"].get<int64_t>()];
        }
        const auto count_of = [](const json& counter, const std::string& nonce) {
            return counter.contains(nonce) ? counter[nonce].get<int>() : 0;
        };

        std::vector<std::string> problems;
        size_t settled = 0, annulled = 0, expected_successful = 0, added_successful = 0;
        for (const Ticket& ticket : kiosk.tickets()) {
            const int sent = count_of(accepted, ticket.nonce);
            const int annuls = count_of(annulments, ticket.nonce);
            const int before = kiosk.successful_before().count(ticket.position) ? kiosk.successful_before().at(ticket.position) : 0;
            const int now = successful_now.count(ticket.position) ? successful_now.at(ticket.position) : 0;
            const int added = now - before;
            added_successful += static_cast<size_t>(std::max(added, 0));
            const std::string who = ticket.secret + " (position " + std::to_string(ticket.position) + ", nonce " + ticket.nonce + ")";
            switch (ticket.undo) {
            case Ticket::Undo::none:
                ++expected_successful;
                if (sent != 1) problems.push_back(who + ": admitted, accepted by pretix " + std::to_string(sent) + " times");
                if (annuls != 0) problems.push_back(who + ": admitted and never undone, annulled on pretix");
                if (added != 1) problems.push_back(who + ": admitted, pretix has " + std::to_string(added) + " new successful check-ins");
                break;
            case Ticket::Undo::settled:
                ++settled;
                if (sent != 0 || by_nonce.count(ticket.nonce) > 0)
                    problems.push_back(who + ": undone before upload (settled locally), yet pretix has " +
                                       std::to_string(by_nonce.count(ticket.nonce) ? by_nonce[ticket.nonce].size() : 0) +
                                       " check-in records under its nonce (" + std::to_string(sent) + " accepted)");
                if (added != 0) problems.push_back(who + ": settled locally, pretix has " + std::to_string(added) + " new successful check-ins");
                break;
            case Ticket::Undo::annul:
                ++annulled;
                if (sent != 1) problems.push_back(who + ": undone after upload, accepted by pretix " + std::to_string(sent) + " times");
                if (annuls != 1) problems.push_back(who + ": undone after upload, annulled on pretix " + std::to_string(annuls) + " times");
                if (added != 0) problems.push_back(who + ": annulled, pretix still has " + std::to_string(added) + " new successful check-ins");
                break;
            }
        }
        for (const auto& [nonce, count] : accepted.items())
            if (count.get<int>() != 1) problems.push_back("pretix accepted nonce " + nonce + " " + count.dump() + " times");
        EXPECT_EQ(added_successful, expected_successful)
            << "pretix's successful check-ins on these tickets: admitted " << kiosk.tickets().size() << " - settled locally "
            << settled << " - annulled " << annulled;
        EXPECT_TRUE(counters.at("annulments_refused").empty()) << counters.at("annulments_refused").dump();
        EXPECT_GT(settled, 0u);
        EXPECT_GT(annulled, 0u);

        // The kiosk's side: nothing pending, nothing refused, no error.
        const ProcessResult status = kiosk.run({"status"});
        const auto state = answer_of(status);
        ASSERT_TRUE(state) << describe(status);
        EXPECT_EQ(state->at("pending_uploads"), 0) << status.out;
        EXPECT_EQ(state->at("refused_uploads"), 0) << status.out;
        EXPECT_EQ(state->at("pending_failed_scans"), 0) << status.out;
        EXPECT_TRUE(state->at("last_error").is_null()) << status.out;
        EXPECT_EQ(state->at("stopped"), false) << status.out;
        const ProcessResult queue = kiosk.run({"queue"});
        const auto queued = answer_of(queue);
        ASSERT_TRUE(queued) << describe(queue);
        EXPECT_TRUE(queued->at("pending").empty()) << queue.out.substr(0, 1000);
        EXPECT_TRUE(queued->at("refused").empty()) << queue.out.substr(0, 1000);

        {
            const SqliteHandle store = open_store(kiosk.db());
            EXPECT_EQ(single_value(store.get(), "PRAGMA integrity_check"), "ok");
            EXPECT_TRUE(query(store.get(), "PRAGMA foreign_key_check").empty());
            // The kiosk's own view agrees: one live check-in per admitted ticket, each marked uploaded.
            for (const Ticket& ticket : kiosk.tickets()) {
                const std::string live = single_value(
                    store.get(), "SELECT count(*) FROM checkins WHERE nonce = '" + ticket.nonce + "' AND reverted_at IS NULL");
                if (live != (ticket.undo == Ticket::Undo::none ? "1" : "0"))
                    problems.push_back(ticket.secret + ": " + live + " live check-ins in the store under its nonce");
            }
        }

        // A ticket admitted (and never undone) is already redeemed at the kiosk.
        const auto admitted = std::find_if(kiosk.tickets().begin(), kiosk.tickets().end(),
                                           [](const Ticket& t) { return t.undo == Ticket::Undo::none; });
        ASSERT_NE(admitted, kiosk.tickets().end());
        const ProcessResult again =
            kiosk.run({"scan", admitted->secret, "--list", std::to_string(kList), "--at", kScanAt, "--no-questions"});
        const auto verdict = answer_of(again);
        EXPECT_EQ(again.exit_code(), 1) << describe(again);
        EXPECT_TRUE(verdict && verdict->value("reason", "") == "already_redeemed") << describe(again);

        std::string shown;
        for (size_t i = 0; i < std::min<size_t>(problems.size(), 25); ++i) shown += "\n  " + problems[i];
        EXPECT_TRUE(problems.empty()) << problems.size() << " problems:" << shown;
    }

    fs::path dir_;
};

// The kiosk as it runs at a venue: set up as a pretix device (its annulments must come from the same
// device), synced from its device file.
TEST_F(SyncCrashTest, KilledSyncsAndCrashedServerUploadEveryAdmissionExactlyOnce) {
    run_story(Connect::device, seed_for(0), Plan{}, "device");
}

// An undo while a sync is uploading, made deterministic: pretix answers the first redeem slowly, so
// the sync has read its batch of due uploads and stalls on the first one; the undo of the
// admission queued last lands in that stall. A check-in settled locally must never reach pretix
// ("neither is sent"); one that may already be on its way is annulled. (Before the uploader marked
// its batch first, the undo settled the row locally and the sync sent it anyway.)
// The kiosk connects with a team token on the command line here (`sync --url --token --organizer
// --event`), the other way `kioskctl sync` is used.
TEST_F(SyncCrashTest, AnUndoWhileTheSyncUploadsLeavesPretixWithoutTheCheckin) {
    Kiosk kiosk(dir_, Connect::team_token, seed_for(1), 60);
    ASSERT_NO_FATAL_FAILURE(kiosk.first_sync());
    ASSERT_NO_FATAL_FAILURE(kiosk.admit(6));
    PretixEmulator& pretix = kiosk.pretix();
    std::string last_nonce;
    {
        const SqliteHandle store = open_store(kiosk.db());
        last_nonce = single_value(store.get(), "SELECT nonce FROM upload_queue WHERE kind = 'checkin' ORDER BY id DESC LIMIT 1");
    }
    const auto last = std::find_if(kiosk.tickets().begin(), kiosk.tickets().end(),
                                   [&](const Ticket& t) { return t.nonce == last_nonce; });
    ASSERT_NE(last, kiosk.tickets().end()) << last_nonce;

    pretix.fault({{"path", "/api/v1/organizers/" + pretix.organizer() + "/checkinrpc/redeem/"},
                  {"kind", "slow"}, {"seconds", 2.0}, {"count", 1}});
    auto sync = testing::start_process(kiosk.sync_argv());
    ASSERT_TRUE(poll_until([&] { return !pretix.counters().at("faults_fired").empty(); }, std::chrono::seconds(20)))
        << "the sync never sent its first redeem";
    ASSERT_NO_FATAL_FAILURE(kiosk.undo(*last));
    const ProcessResult synced = sync.finish();
    EXPECT_EQ(synced.exit_code(), 0) << describe(synced);
    // The sync marks the rows it is about to send (durably, in batches) before sending any, so an
    // undo landing in the stall annuls instead of settling locally. Either way pretix must end with
    // no successful check-in under this nonce once a clean sync has run.
    const ProcessResult clean = testing::run_process(kiosk.sync_argv());
    EXPECT_EQ(clean.exit_code(), 0) << describe(clean);
    const auto accepted = kiosk.accepted();
    const json annulments = pretix.counters().at("annulments");
    if (last->undo == Ticket::Undo::settled) {
        EXPECT_EQ(accepted.count(last->nonce), 0u)
            << "the check-in settled locally during the sync reached pretix under nonce " << last->nonce;
    } else {
        ASSERT_EQ(last->undo, Ticket::Undo::annul);
        EXPECT_EQ(accepted.count(last->nonce) ? accepted.at(last->nonce) : 0, 1) << last->nonce;
        EXPECT_EQ(annulments.contains(last->nonce) ? annulments.at(last->nonce).get<int>() : 0, 1)
            << "the undo during the sync was never annulled on pretix: " << annulments.dump();
    }
}

} // namespace
} // namespace kiosk
