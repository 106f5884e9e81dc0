// Crash test of the admission path (DESIGN.md, "Reliability rules": an admitted check-in is durable
// before the attendee sees "welcome", and is uploaded exactly once).
//
// Thousands of `kioskctl scan` processes run two at a time against one store; a random share of
// them is killed with SIGKILL a random moment after it started (anywhere from before the store
// is opened to after COMMIT, while printing or while closing). A killed scan is scanned again
// once, as an attendee would: the answer must be `ok` (the killed one did not commit) or
// `already_redeemed` (it did). Some tickets are scanned by two processes at the same instant:
// BEGIN IMMEDIATE must let exactly one of them in. Afterwards the store must hold exactly one live
// check-in per ticket, each queued for upload exactly once under its own nonce, and every
// admission a process printed must be there under the nonce it printed.
//
// No timing is asserted. The kill moments follow the lifetime of recent unkilled scans, so that
// kills land across the whole life of a scan on any machine; the plan (which ticket, whether and
// how late in that lifetime to kill) is fixed by the seed.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace kiosk {
namespace {

using nlohmann::json;
using testing::ProcessResult;
namespace fs = std::filesystem;

constexpr uint32_t kSeed = 20270316;
constexpr int kTickets = 1200;           // each one ends admitted exactly once (1200: CI stays under 30 min on 2 cores)
constexpr int kRaceTickets = 60;         // of those, scanned by two processes at the same instant
constexpr int kUnkilledFirst = 24;       // the first scans are never killed: they time a scan
constexpr double kKillShare = 0.45;      // of the other scans
constexpr int kParallel = 2;
constexpr int64_t kListId = 7;
constexpr char kAt[] = "2027-03-16T10:00:00Z";

std::string secret_of(int ticket) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "crsh%05dq7kz2mw9xv4tgbn8hd3pycf6", ticket);
    return buffer;
}

void write_json(const fs::path& path, const json& value) {
    std::ofstream(path) << value.dump() << '\n';
}

// A minimal pretix event: one admission product, one list that admits a ticket only once, no
// check-in questions, every order paid. Every first scan of a ticket is therefore `ok`.
void write_event(const fs::path& dir) {
    fs::create_directories(dir);
    write_json(dir / "event.json", {{"slug", "crashconf"},
                                    {"name", {{"en", "CrashConf"}}},
                                    {"timezone", "UTC"},
                                    {"date_from", "2027-03-16T09:00:00Z"},
                                    {"date_to", "2027-03-16T18:00:00Z"},
                                    {"has_subevents", false},
                                    {"valid_keys", {{"pretix_sig1", json::array()}}}});
    auto page = [](json results) {
        return json{{"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", std::move(results)}};
    };
    json item = {{"id", 1}, {"name", {{"en", "Pass"}}}, {"admission", true}, {"variations", json::array()}};
    write_json(dir / "items.json", page(json::array({item})));
    json list = {{"id", kListId},
                 {"name", "Door"},
                 {"all_products", true},
                 {"limit_products", json::array()},
                 {"include_pending", false},
                 {"subevent", nullptr},
                 {"allow_multiple_entries", false},
                 {"allow_entry_after_exit", true},
                 {"rules", json::object()},
                 {"addon_match", false}};
    write_json(dir / "checkinlists.json", page(json::array({list})));
    json orders = json::array();
    for (int ticket = 0; ticket < kTickets; ++ticket) {
        char code[16];
        std::snprintf(code, sizeof code, "C%05d", ticket);
        json position = {{"id", 1000 + ticket},
                         {"order", code},
                         {"positionid", 1},
                         {"item", 1},
                         {"variation", nullptr},
                         {"secret", secret_of(ticket)},
                         {"attendee_name", "Attendee " + std::to_string(ticket)},
                         {"answers", json::array()},
                         {"checkins", json::array()}};
        orders.push_back({{"code", code},
                          {"status", "p"},
                          {"email", "attendee" + std::to_string(ticket) + "@example.org"},
                          {"locale", "en"},
                          {"positions", json::array({position})}});
    }
    write_json(dir / "orders.json", page(std::move(orders)));
}

std::vector<std::string> kioskctl(const fs::path& db, std::vector<std::string> args) {
    std::vector<std::string> argv{KIOSKCTL_PATH, "--db", db.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::vector<std::string> scan_argv(const fs::path& db, int ticket) {
    return kioskctl(db, {"scan", secret_of(ticket), "--list", std::to_string(kListId), "--at", kAt});
}

// A scan's answer, if the process printed one complete JSON line (a killed one may not have).
std::optional<json> answer_of(const ProcessResult& result) {
    const std::string& out = result.out;
    if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) return std::nullopt;
    json answer = json::parse(out, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) return std::nullopt;
    return answer;
}

std::optional<std::string> admitted_nonce(const std::optional<json>& answer) {
    if (!answer || answer->value("status", "") != "ok") return std::nullopt;
    const auto checkin = answer->find("checkin");
    if (checkin == answer->end() || !checkin->is_object()) return std::nullopt;
    const auto nonce = checkin->find("nonce");
    if (nonce == checkin->end() || !nonce->is_string() || nonce->get<std::string>().empty()) return std::nullopt;
    return nonce->get<std::string>();
}

bool already_redeemed(const std::optional<json>& answer) {
    return answer && answer->value("status", "") == "error" && answer->value("reason", "") == "already_redeemed";
}

std::string describe(const ProcessResult& result) {
    std::string text = result.signaled() ? "killed by signal " + std::to_string(result.term_signal())
                                         : "exit " + std::to_string(result.exit_code());
    return text + ", stdout: " + result.out.substr(0, 300) + " stderr: " + result.err.substr(0, 300);
}

struct Job {
    int ticket = 0;
    bool race = false;                   // two processes scan the ticket at once, neither is killed
    bool kill = false;
    double kill_at = 0;                  // fraction of the kill window
};

struct Outcome {
    ProcessResult first;
    std::optional<ProcessResult> second; // the race partner, or the re-scan after a kill
};

// How long a scan lives right now, from the most recent scans nobody killed. Lifetimes drift
// during the run (the first scan checkpoints the import, lock waits come and go), so the kill
// window follows them instead of being fixed up front.
class ScanClock {
public:
    void add(std::chrono::microseconds lifetime) {
        const std::lock_guard lock(mutex_);
        recent_[next_++ % recent_.size()] = lifetime;
        count_ = std::min(count_ + 1, recent_.size());
    }
    std::chrono::microseconds median() const {
        const std::lock_guard lock(mutex_);
        if (count_ == 0) return std::chrono::milliseconds(20);
        std::array<std::chrono::microseconds, 64> sorted = recent_;
        std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(count_));
        return sorted[count_ / 2];
    }

private:
    mutable std::mutex mutex_;
    std::array<std::chrono::microseconds, 64> recent_{};
    size_t next_ = 0, count_ = 0;
};

// Runs all jobs on kParallel threads, each thread one process (or race pair) at a time.
void run_jobs(const fs::path& db, const std::vector<Job>& jobs, std::vector<Outcome>& outcomes, ScanClock& clock) {
    std::atomic<size_t> next{0};
    auto timed_scan = [&](int ticket) {
        const auto started = std::chrono::steady_clock::now();
        ProcessResult result = testing::run_process(scan_argv(db, ticket));
        clock.add(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
        return result;
    };
    auto worker = [&] {
        for (size_t index = next++; index < jobs.size(); index = next++) {
            const Job& job = jobs[index];
            Outcome& outcome = outcomes[index];
            if (job.race) {
                auto one = testing::start_process(scan_argv(db, job.ticket));
                auto other = testing::start_process(scan_argv(db, job.ticket));
                outcome.first = one.finish();
                outcome.second = other.finish();
                continue;
            }
            if (!job.kill) {
                outcome.first = timed_scan(job.ticket);
                continue;
            }
            // Within a typical scan's life (kill_at is biased late, see the plan); a scan that
            // lives shorter than that has exited already and the kill is a no-op.
            const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(clock.median() * job.kill_at);
            auto process = testing::start_process(scan_argv(db, job.ticket));
            std::this_thread::sleep_for(delay);
            ::kill(process.pid(), SIGKILL);  // not reaped yet, so the pid is still this child's
            outcome.first = process.finish();
            if (outcome.first.signaled()) outcome.second = timed_scan(job.ticket);
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < kParallel; ++i) threads.emplace_back(worker);
    for (std::thread& thread : threads) thread.join();
}

struct SqliteClose {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteClose>;
struct StatementFinalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalize>;

// Runs a query and returns its rows as text (NULL as "<null>").
std::vector<std::vector<std::string>> query(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        return {};
    }
    StatementHandle statement(raw);
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

std::string single_value(sqlite3* db, const char* sql) {
    const auto rows = query(db, sql);
    return rows.size() == 1 && rows.front().size() == 1 ? rows.front().front() : "<not one value>";
}

class CrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::path(::testing::TempDir()) / "kioskctl-crash-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
        dir_ = pattern;
    }
    void TearDown() override {
        if (HasFailure()) std::cout << "[ crash    ] store kept for inspection: " << (dir_ / "kiosk.db") << '\n';
        else fs::remove_all(dir_);
    }
    fs::path dir_;
};

TEST_F(CrashTest, KilledScansNeverLoseOrDuplicateAnAdmission) {
    const fs::path db = dir_ / "kiosk.db";
    write_event(dir_ / "event");
    const ProcessResult imported = testing::run_process(kioskctl(db, {"import", (dir_ / "event").string(), "--organizer", "crash"}));
    ASSERT_EQ(imported.exit_code(), 0) << describe(imported);

    // The plan is fixed by the seed; only where exactly a kill lands depends on the machine.
    std::cout << "[ crash    ] seed " << kSeed << ", " << kTickets << " tickets, " << kRaceTickets
              << " raced, kill share " << kKillShare << ", " << kParallel << " scans in parallel\n";
    std::mt19937 random(kSeed);
    std::vector<int> order(kTickets);
    for (int ticket = 0; ticket < kTickets; ++ticket) order[static_cast<size_t>(ticket)] = ticket;
    std::shuffle(order.begin(), order.end(), random);
    std::set<int> raced(order.begin(), order.begin() + kRaceTickets);
    std::shuffle(order.begin(), order.end(), random);
    std::bernoulli_distribution kill(kKillShare);
    std::uniform_real_distribution<double> moment(0.0, 1.0);
    std::vector<Job> jobs;
    for (int ticket : order) {
        Job job{ticket, raced.count(ticket) > 0, false, 0.0};
        if (!job.race && jobs.size() >= kUnkilledFirst) {
            job.kill = kill(random);
            // Biased late (density grows linearly): COMMIT, the answer and the checkpoint on close
            // all happen in the last part of a scan's life, after start-up and the reads.
            job.kill_at = std::sqrt(moment(random));
        }
        jobs.push_back(job);
    }
    std::vector<Outcome> outcomes(jobs.size());

    const auto started = std::chrono::steady_clock::now();
    ScanClock clock;
    run_jobs(db, jobs, outcomes, clock);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    // Judge every answer. `printed` holds each admission a process printed, killed or not: it was
    // printed after COMMIT returned, so it must be in the store under that nonce.
    std::vector<std::string> problems;
    std::map<int, std::string> printed;  // ticket -> nonce
    size_t processes = 0, killed = 0, kill_missed = 0, killed_uncommitted = 0, killed_committed = 0,
           killed_after_print = 0, reported = 0, redeemed_answers = 0;
    auto problem = [&](int ticket, const std::string& what) {
        problems.push_back(secret_of(ticket) + ": " + what);
    };
    auto note_admission = [&](int ticket, const std::string& nonce) {
        if (!printed.emplace(ticket, nonce).second) problem(ticket, "admitted twice (nonces " + printed[ticket] + ", " + nonce + ")");
    };
    for (size_t index = 0; index < jobs.size(); ++index) {
        const Job& job = jobs[index];
        const Outcome& outcome = outcomes[index];
        const auto first = answer_of(outcome.first);
        processes += 1 + (outcome.second ? 1 : 0);
        if (job.race) {
            const auto second = answer_of(*outcome.second);
            const auto nonce_first = admitted_nonce(first), nonce_second = admitted_nonce(second);
            const bool first_won = outcome.first.exit_code() == 0 && nonce_first && outcome.second->exit_code() == 1 &&
                                   already_redeemed(second);
            const bool second_won = outcome.second->exit_code() == 0 && nonce_second && outcome.first.exit_code() == 1 &&
                                    already_redeemed(first);
            if (!first_won && !second_won)
                problem(job.ticket, "race: expected one ok and one already_redeemed, got [" + describe(outcome.first) +
                                        "] and [" + describe(*outcome.second) + "]");
            if (first_won) note_admission(job.ticket, *nonce_first);
            if (second_won) note_admission(job.ticket, *nonce_second);
            reported += 1;
            redeemed_answers += 1;
            continue;
        }
        if (job.kill && !outcome.first.signaled()) ++kill_missed;
        if (!outcome.first.signaled()) {
            const auto nonce = admitted_nonce(first);
            if (outcome.first.exit_code() != 0 || !nonce) {
                problem(job.ticket, "unkilled first scan did not admit: " + describe(outcome.first));
                continue;
            }
            note_admission(job.ticket, *nonce);
            ++reported;
            continue;
        }
        ++killed;
        if (outcome.first.term_signal() != SIGKILL) problem(job.ticket, "died of an unexpected signal: " + describe(outcome.first));
        const auto printed_nonce = admitted_nonce(first);
        if (printed_nonce) {
            ++killed_after_print;
            note_admission(job.ticket, *printed_nonce);
        }
        const ProcessResult& retry = *outcome.second;
        const auto again = answer_of(retry);
        if (const auto nonce = admitted_nonce(again); retry.exit_code() == 0 && nonce) {
            ++killed_uncommitted;
            ++reported;
            if (printed_nonce) problem(job.ticket, "admitted again after the killed scan printed its admission");
            else note_admission(job.ticket, *nonce);
        } else if (retry.exit_code() == 1 && already_redeemed(again)) {
            ++killed_committed;
            ++redeemed_answers;
        } else {
            problem(job.ticket, "re-scan after a kill answered neither ok nor already_redeemed: " + describe(retry));
        }
    }

    std::cout << "[ crash    ] " << processes << " scan processes in " << elapsed.count() << " ms (a scan lives ~"
              << clock.median().count() << " us); " << killed
              << " killed (" << killed_uncommitted << " before COMMIT, " << killed_committed << " after, "
              << killed_after_print << " of those after printing), " << kill_missed
              << " kills came after the exit; " << reported << " admissions reported by a clean exit, " << killed
              << " re-scans\n";

    // The store, read directly.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    const SqliteHandle store(raw);
    EXPECT_EQ(single_value(store.get(), "PRAGMA integrity_check"), "ok");
    EXPECT_TRUE(query(store.get(), "PRAGMA foreign_key_check").empty());
    const std::string checkin_count = single_value(store.get(), "SELECT COUNT(*) FROM checkins");
    EXPECT_EQ(checkin_count, std::to_string(kTickets)) << "every ticket ends admitted exactly once";
    EXPECT_EQ(single_value(store.get(), "SELECT COUNT(*) FROM upload_queue"), checkin_count);
    const std::string foreign = "SELECT COUNT(*) FROM checkins WHERE origin <> 'local' OR reverted_at IS NOT NULL OR "
                                "type <> 'entry' OR nonce IS NULL OR list_id <> " + std::to_string(kListId);
    EXPECT_EQ(single_value(store.get(), foreign.c_str()), "0") << "only the scans of this test made check-ins";
    EXPECT_EQ(single_value(store.get(), "SELECT COUNT(*) FROM upload_queue q JOIN checkins c ON c.id = q.checkin_id "
                                        "WHERE q.kind = 'checkin' AND q.nonce = c.nonce AND q.secret = c.secret "
                                        "AND q.list_id = c.list_id AND q.type = c.type"),
              checkin_count)
        << "every queued upload carries the nonce, ticket and list of its own check-in";
    EXPECT_TRUE(query(store.get(), "SELECT list_id, position_id, COUNT(*) FROM checkins WHERE reverted_at IS NULL "
                                   "GROUP BY list_id, position_id HAVING COUNT(*) > 1")
                    .empty())
        << "a ticket has more than one live check-in";
    EXPECT_EQ(single_value(store.get(), "SELECT COUNT(*) FROM failed_scans"), std::to_string(redeemed_answers))
        << "one failed scan per already_redeemed answer";

    // Per ticket: the one check-in, queued once by id and once by nonce, under the printed nonce.
    struct Stored {
        std::string nonce;
        int by_id = 0, by_nonce = 0;
    };
    std::map<std::string, std::vector<Stored>> stored;  // secret -> check-ins
    for (const auto& row : query(store.get(), "SELECT c.secret, c.nonce, "
                                              "(SELECT COUNT(*) FROM upload_queue q WHERE q.checkin_id = c.id), "
                                              "(SELECT COUNT(*) FROM upload_queue q WHERE q.nonce = c.nonce) "
                                              "FROM checkins c"))
        stored[row[0]].push_back({row[1], std::stoi(row[2]), std::stoi(row[3])});
    for (int ticket = 0; ticket < kTickets; ++ticket) {
        const auto found = stored.find(secret_of(ticket));
        if (found == stored.end() || found->second.size() != 1) {
            problem(ticket, std::to_string(found == stored.end() ? 0 : found->second.size()) + " check-ins in the store");
            continue;
        }
        const Stored& checkin = found->second.front();
        if (checkin.by_id != 1 || checkin.by_nonce != 1)
            problem(ticket, "check-in queued " + std::to_string(checkin.by_id) + " times by id, " +
                                std::to_string(checkin.by_nonce) + " times by nonce");
        if (const auto reported_nonce = printed.find(ticket);
            reported_nonce != printed.end() && reported_nonce->second != checkin.nonce)
            problem(ticket, "printed nonce " + reported_nonce->second + " but the store has " + checkin.nonce);
    }

    // The same through the contract: `kioskctl queue`.
    const ProcessResult queue = testing::run_process(kioskctl(db, {"queue"}));
    ASSERT_EQ(queue.exit_code(), 0) << describe(queue);
    const json pending_and_failed = json::parse(queue.out, nullptr, false);
    ASSERT_TRUE(pending_and_failed.is_object()) << queue.out.substr(0, 300);
    std::map<std::string, std::string> queued;  // nonce -> secret
    for (const json& upload : pending_and_failed.at("pending")) {
        EXPECT_EQ(upload.value("kind", ""), "checkin");
        EXPECT_EQ(upload.value("list", json()).dump(), std::to_string(kListId));
        if (!queued.emplace(upload.value("nonce", ""), upload.value("secret", "")).second)
            problems.push_back("nonce queued twice: " + upload.value("nonce", ""));
    }
    EXPECT_EQ(queued.size(), static_cast<size_t>(kTickets));
    EXPECT_EQ(pending_and_failed.at("failed").size(), redeemed_answers);
    for (const auto& [ticket, nonce] : printed) {
        const auto found = queued.find(nonce);
        if (found == queued.end()) problem(ticket, "printed admission " + nonce + " is not in `kioskctl queue`");
        else if (found->second != secret_of(ticket)) problem(ticket, "nonce " + nonce + " is queued for " + found->second);
    }

    std::string shown;
    for (size_t i = 0; i < std::min<size_t>(problems.size(), 20); ++i) shown += "\n  " + problems[i];
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems (seed " << kSeed << "):" << shown;
}

} // namespace
} // namespace kiosk
