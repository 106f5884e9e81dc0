// kioskctl with the backends other than pretix, end to end: the real binary against the real
// emulators on loopback (Constant Contact, Oveit, BrightStar). `sync --backend` connects the store
// and saves the connection next to it (0600); `lists`, `scan`, `undo`, `queue` and `status` then
// work on that store without the token on their command line, as each backend's capabilities
// allow. An outage is refused or, with trust_offline_scans, admitted and drained exactly once by
// the next sync. A connection is saved only once the backend accepted it or could not be asked;
// with several saved, the one saved last is used and `status` says which, and what else is saved.
// No token ever appears in what kioskctl prints.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/brightstar_emulator.h"
#include "tests/support/constantcontact_emulator.h"
#include "tests/support/oveit_emulator.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

class KioskctlBackendTest : public ::testing::Test {
protected:
    void TearDown() override {
        // Every line kioskctl printed, on both streams, in every test: the token is never among them.
        for (const std::string& token : tokens)
            EXPECT_EQ(printed.find(token), std::string::npos) << "a token was printed:\n" << printed;
    }

    testing::ProcessResult ctl(std::vector<std::string> args) {
        std::vector<std::string> head = {KIOSKCTL_PATH, "--db", db};
        if (!config.empty()) head.insert(head.end(), {"--config", config});
        args.insert(args.begin(), head.begin(), head.end());
        auto result = testing::run_process(args);
        printed += result.out + result.err;
        return result;
    }
    // A command that must answer with one line of JSON and the given exit code.
    json ctl_json(std::vector<std::string> args, int expected_exit) {
        const auto result = ctl(args);
        EXPECT_EQ(result.exit_code(), expected_exit) << args.front() << ": " << result.out << result.err;
        EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
        const json parsed = json::parse(result.out, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) ADD_FAILURE() << "not JSON: " << result.out << " / " << result.err;
        return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    // A command that must fail with exit 2, nothing on stdout and one line on stderr; returns it.
    std::string ctl_failure(std::vector<std::string> args) {
        const auto result = ctl(std::move(args));
        EXPECT_EQ(result.exit_code(), 2) << result.out << result.err;
        EXPECT_TRUE(result.out.empty()) << result.out;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        return result.err;
    }

    // `sync --backend` with a fresh store: answers ok, and saves the connection 0600 next to the store.
    json connect(const std::string& kind, const std::string& url, const std::string& token, const std::string& event) {
        std::vector<std::string> args = {"sync", "--backend", kind, "--url", url, "--event", event};
        if (!token.empty()) {
            args.insert(args.end(), {"--token", token});
            tokens.push_back(token);
        }
        const json report = ctl_json(args, 0);
        EXPECT_EQ(report["status"], "ok") << report.dump();
        EXPECT_TRUE(report["error"].is_null()) << report.dump();
        const std::filesystem::path saved = db + "." + kind + ".json";
        EXPECT_TRUE(std::filesystem::exists(saved)) << saved;
        struct stat info{};
        EXPECT_EQ(::stat(saved.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600u) << "the token file is the owner's only";
        return report;
    }
    // The lists `kioskctl lists` shows for `event`.
    std::vector<json> lists_of(const std::string& event) {
        std::vector<json> out;
        const json all = ctl_json({"lists"}, 0);
        for (const json& list : all["lists"])
            if (list["event"]["slug"] == event) out.push_back(list);
        return out;
    }
    std::string only_list_of(const std::string& event) {
        const auto lists = lists_of(event);
        EXPECT_EQ(lists.size(), 1u);
        return lists.empty() ? "0" : std::to_string(lists.front()["id"].get<int64_t>());
    }
    std::string saved_file(const std::string& kind) const { return db + "." + kind + ".json"; }
    // Makes a saved file look saved `age` ago: "saved last" is the files' time (sync_settings.h).
    void saved_ago(const std::string& file, std::chrono::minutes age) const {
        std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now() - age);
    }
    void write_config(const std::string& text) {
        config = dir.file("kiosk.toml");
        std::ofstream(config) << text;
    }
    // Status after everything went: no error, nothing pending.
    void expect_settled_status() {
        const json status = ctl_json({"status"}, 0);
        for (const char* key : {"last_success", "last_error", "pending_uploads", "refused_uploads", "pending_failed_scans"})
            EXPECT_TRUE(status.contains(key)) << key << " in " << status.dump();
        EXPECT_FALSE(status["last_success"].is_null()) << status.dump();
        EXPECT_TRUE(status["last_error"].is_null()) << status.dump();
        EXPECT_EQ(status["pending_uploads"], 0) << status.dump();
        EXPECT_EQ(status["stopped"], false) << status.dump();
    }

    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
    std::string config;                  // --config FILE when set
    std::vector<std::string> tokens;     // never to be printed
    std::string printed;                 // stdout and stderr of every run
};

// [SECTION] Constant Contact: the server decides every scan; undo is sent by the next sync

constexpr const char* kCcEvent = "07216444-4e3b-41ea-a3b8-5a418fce41f4";   // the seed's event

TEST_F(KioskctlBackendTest, ConstantContactJourney) {
    testing::ConstantContactEmulator cc;
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    const std::string list = only_list_of(kCcEvent);

    const json admitted = ctl_json({"scan", "a1b2c3", "--list", list}, 0);
    EXPECT_EQ(admitted["status"], "ok") << admitted.dump();
    EXPECT_EQ(admitted["decided_by"], "server");
    EXPECT_EQ(admitted["trusted_offline"], false);
    EXPECT_EQ(admitted["event"], kCcEvent);
    EXPECT_FALSE(admitted["checkin"].is_null());
    EXPECT_EQ(cc.ticket(kCcEvent, "a1b2c3")["checked_in"], true);

    const json again = ctl_json({"scan", "a1b2c3", "--list", list}, 1);
    EXPECT_EQ(again["status"], "error");
    EXPECT_EQ(again["reason"], "already_redeemed") << again.dump();
    EXPECT_FALSE(again["reason_explanation"].is_null());
    EXPECT_EQ(cc.counters()["check_in_requests"], 1) << "its own repeat is refused without asking";

    const json unknown = ctl_json({"scan", "no-such-key", "--list", list}, 1);
    EXPECT_EQ(unknown["reason"], "invalid") << unknown.dump();
    EXPECT_EQ(unknown["decided_by"], "server");

    // Undo: reverted here, queued, and the next sync (the saved connection: no flags) sends it.
    const json undone = ctl_json({"undo", "a1b2c3", "--list", list}, 0);
    EXPECT_EQ(undone["status"], "ok") << undone.dump();
    ASSERT_TRUE(undone["reverted"].is_object()) << undone.dump();
    EXPECT_EQ(undone["reverted"]["settled_locally"], false);
    const json queue = ctl_json({"queue"}, 0);
    ASSERT_EQ(queue["pending"].size(), 1u) << queue.dump();
    EXPECT_EQ(queue["pending"][0]["kind"], "undo");
    EXPECT_EQ(cc.counters()["undo_requests"], 0);

    const json sync = ctl_json({"sync"}, 0);
    EXPECT_EQ(sync["status"], "ok") << sync.dump();
    EXPECT_EQ(sync["uploaded"], 1);
    const json counters = cc.counters();
    EXPECT_EQ(counters["undo_requests"], 1);
    EXPECT_EQ(counters["keys_undone"], 1);
    EXPECT_EQ(cc.ticket(kCcEvent, "a1b2c3")["checked_in"], false);
    EXPECT_EQ(ctl_json({"sync"}, 0)["uploaded"], 0) << "sent once";
    EXPECT_EQ(cc.counters()["undo_requests"], 1);
    EXPECT_TRUE(ctl_json({"queue"}, 0)["pending"].empty());

    // Undone, the ticket can come in again.
    EXPECT_EQ(ctl_json({"scan", "a1b2c3", "--list", list}, 0)["status"], "ok");
    expect_settled_status();
}

// [SECTION] Oveit: the downloaded copy decides; the name is asked; no undo once uploaded

TEST_F(KioskctlBackendTest, OveitJourney) {
    testing::OveitEmulator oveit;
    const std::string event(testing::OveitEmulator::kSeedEvent);
    // A wrong token (Oveit's goes in a form field): refused in words, the sync stops for staff.
    const std::string wrong = "wrong-oveit-token-5c1d";
    tokens.push_back(wrong);
    const json denied = ctl_json({"sync", "--backend", "oveit", "--url", oveit.url(), "--token", wrong, "--event", event}, 1);
    EXPECT_EQ(denied["status"], "error");
    EXPECT_NE(denied["error"].get<std::string>().find("token"), std::string::npos) << denied.dump();
    EXPECT_EQ(denied["backend"]["saved"], false) << denied.dump();
    EXPECT_FALSE(std::filesystem::exists(saved_file("oveit"))) << "a refused token is not saved";
    const json stopped = ctl_json({"status"}, 0);
    EXPECT_EQ(stopped["stopped"], true);
    EXPECT_TRUE(stopped["backend"].is_null()) << stopped.dump();

    const json report = connect("oveit", oveit.url(), oveit.token(), event);
    ASSERT_EQ(report["events"].size(), 1u) << report.dump();

    // The main entry and addon 5 ("Backstage"), each a list.
    const auto lists = lists_of(event);
    ASSERT_EQ(lists.size(), 2u) << ctl_json({"lists"}, 0).dump();
    const auto addon = std::ranges::find_if(lists, [](const json& l) { return l["id"] == 5; });
    ASSERT_NE(addon, lists.end()) << "addon 5 is a list of its own";
    const auto main_entry = std::ranges::find_if(lists, [](const json& l) { return l["id"] != 5; });
    const std::string list = std::to_string((*main_entry)["id"].get<int64_t>());

    const json admitted = ctl_json({"scan", "39fa317d", "--list", list}, 0);
    EXPECT_EQ(admitted["status"], "ok") << admitted.dump();
    EXPECT_EQ(admitted["decided_by"], "kiosk") << "offline mode: the downloaded copy decides";
    EXPECT_EQ(admitted["position"]["attendee_name"], "Maria Ionescu") << "asked of Oveit for the screen";
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 0) << "queued, not sent yet";

    const json again = ctl_json({"scan", "39fa317d", "--list", list}, 1);
    EXPECT_EQ(again["reason"], "already_redeemed") << again.dump();
    EXPECT_EQ(ctl_json({"scan", "7cd58203", "--list", list}, 1)["reason"], "already_redeemed")
        << "checked in per the downloaded list";

    const json sync = ctl_json({"sync"}, 0);
    EXPECT_EQ(sync["uploaded"], 1) << sync.dump();
    EXPECT_EQ(ctl_json({"sync"}, 0)["uploaded"], 0);
    EXPECT_EQ(oveit.counters()["checkins_recorded"], 1) << "uploaded once";
    EXPECT_EQ(oveit.ticket(event, "39fa317d")["checkins"].size(), 1u);

    // Oveit has no undo: refused in words, nothing changes.
    const auto undo = ctl({"undo", "39fa317d", "--list", list});
    EXPECT_EQ(undo.exit_code(), 1) << undo.out << undo.err;
    const json refused = json::parse(undo.out);
    EXPECT_EQ(refused["status"], "error");
    EXPECT_NE(refused["reason_explanation"].get<std::string>().find("no way to undo"), std::string::npos) << undo.out;
    EXPECT_TRUE(ctl_json({"queue"}, 0)["pending"].empty());
    expect_settled_status();
}

// [SECTION] BrightStar: the server decides and names the attendee; no undo

TEST_F(KioskctlBackendTest, BrightStarJourney) {
    testing::BrightStarEmulator brightstar({.args = {"--token", "brightstar-secret-7f3a"}});
    connect("brightstar", brightstar.url(), brightstar.token(), "evt_abc123");
    const std::string list = only_list_of("evt_abc123");

    const json admitted = ctl_json({"scan", "TKT-ABC123-XYZ", "--list", list}, 0);
    EXPECT_EQ(admitted["status"], "ok") << admitted.dump();
    EXPECT_EQ(admitted["decided_by"], "server");
    EXPECT_EQ(admitted["position"]["attendee_name"], "Jane Doe");
    EXPECT_EQ(brightstar.ticket("TKT-ABC123-XYZ")["checked_in"], true);

    const json again = ctl_json({"scan", "TKT-ABC123-XYZ", "--list", list}, 1);
    EXPECT_EQ(again["reason"], "already_redeemed") << again.dump();
    const json canceled = ctl_json({"scan", "TKT-ABC123-0003", "--list", list}, 1);
    EXPECT_EQ(canceled["reason"], "canceled") << canceled.dump();
    EXPECT_EQ(canceled["decided_by"], "server");
    EXPECT_EQ(brightstar.counters()["checkins_recorded"], 1);

    const auto undo = ctl({"undo", "TKT-ABC123-XYZ", "--list", list});
    EXPECT_EQ(undo.exit_code(), 1) << undo.out << undo.err;
    const json refused = json::parse(undo.out);
    EXPECT_EQ(refused["status"], "error");
    EXPECT_NE(refused["reason_explanation"].get<std::string>().find("no way to undo"), std::string::npos) << undo.out;
    EXPECT_EQ(brightstar.ticket("TKT-ABC123-XYZ")["checked_in"], true);

    EXPECT_EQ(ctl_json({"sync"}, 0)["status"], "ok") << "the saved connection, token included";
    expect_settled_status();
    const json backend = ctl_json({"status"}, 0)["backend"];
    EXPECT_EQ(backend["kind"], "brightstar") << backend.dump();
    EXPECT_EQ(backend["name"], "BrightStar");
    EXPECT_EQ(backend["url"], brightstar.url());
    EXPECT_EQ(backend["events"], json::array({"evt_abc123"}));
    EXPECT_FALSE(backend["scanner_id"].get<std::string>().empty()) << "BrightStar is told who scans";
    EXPECT_EQ(backend["from"], "saved");
    EXPECT_TRUE(backend["also_saved"].empty());
    EXPECT_FALSE(backend.contains("token")) << backend.dump();
}

// [SECTION] An outage: trusted offline scans are admitted and drained once; untrusted ones refused

TEST_F(KioskctlBackendTest, TrustedOfflineScansAreAdmittedAndDrainedExactlyOnce) {
    testing::ConstantContactEmulator cc;
    write_config("[kiosk]\ntrust_offline_scans = true\n");
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    const std::string list = only_list_of(kCcEvent);

    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 100}});
    for (const char* key : {"a1b2c3", "d4e5f6"}) {
        const json admitted = ctl_json({"scan", key, "--list", list}, 0);
        EXPECT_EQ(admitted["status"], "ok") << admitted.dump();
        EXPECT_EQ(admitted["trusted_offline"], true);
        EXPECT_EQ(admitted["decided_by"], "kiosk");
    }
    EXPECT_EQ(ctl_json({"scan", "a1b2c3", "--list", list}, 1)["reason"], "already_redeemed")
        << "admitted once, even unchecked";
    EXPECT_EQ(ctl_json({"queue"}, 0)["pending"].size(), 2u);
    EXPECT_EQ(ctl_json({"status"}, 0)["pending_uploads"], 2);
    EXPECT_EQ(cc.counters()["keys_checked_in"], 0);

    cc.clear_faults();
    cc.admin("POST", "/counters/reset");
    const json sync = ctl_json({"sync"}, 0);
    EXPECT_EQ(sync["uploaded"], 2) << sync.dump();
    EXPECT_EQ(ctl_json({"sync"}, 0)["uploaded"], 0);
    const json counters = cc.counters();
    EXPECT_EQ(counters["keys_checked_in"], 2);
    EXPECT_EQ(counters["check_in_requests"], 1) << "both in one batch, once";
    EXPECT_EQ(cc.ticket(kCcEvent, "d4e5f6")["checked_in"], true);
    EXPECT_TRUE(ctl_json({"queue"}, 0)["pending"].empty());
    expect_settled_status();
}

TEST_F(KioskctlBackendTest, UntrustedOfflineScansAreRefusedAsOffline) {
    testing::ConstantContactEmulator cc;
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    const std::string list = only_list_of(kCcEvent);

    cc.fault({{"kind", "status"}, {"status", 503}, {"count", 100}});
    const json refused = ctl_json({"scan", "a1b2c3", "--list", list}, 1);
    EXPECT_EQ(refused["status"], "error");
    EXPECT_EQ(refused["reason"], "offline") << refused.dump();
    EXPECT_FALSE(refused["reason_explanation"].is_null());
    EXPECT_TRUE(refused["checkin"].is_null());
    EXPECT_EQ(refused["trusted_offline"], false);

    cc.clear_faults();
    cc.admin("POST", "/counters/reset");
    EXPECT_EQ(ctl_json({"sync"}, 0)["uploaded"], 0);
    EXPECT_EQ(cc.counters()["check_in_requests"], 0) << "nothing was admitted, nothing is sent";
    const json queue = ctl_json({"queue"}, 0);
    EXPECT_TRUE(queue["pending"].empty());
    EXPECT_EQ(cc.ticket(kCcEvent, "a1b2c3")["checked_in"], false);
    // Back online, the same ticket is asked again and admitted.
    EXPECT_EQ(ctl_json({"scan", "a1b2c3", "--list", list}, 0)["decided_by"], "server");
}

// [SECTION] When a connection is saved, and which of several is used

// Oveit's sync downloads, so it proves the token and the event. (Constant Contact's and BrightStar's
// sync calls the server only to upload: with nothing queued, their token is first tried by a scan.)
TEST_F(KioskctlBackendTest, ARefusedTokenNeverReplacesTheSavedConnection) {
    testing::OveitEmulator oveit;
    const std::string event(testing::OveitEmulator::kSeedEvent);
    connect("oveit", oveit.url(), oveit.token(), event);
    const std::string wrong = "wrong-oveit-token-41aa";
    tokens.push_back(wrong);
    const json denied = ctl_json({"sync", "--backend", "oveit", "--token", wrong}, 1);
    EXPECT_EQ(denied["status"], "error") << denied.dump();
    EXPECT_EQ(denied["backend"]["saved"], false) << denied.dump();
    std::ifstream file(saved_file("oveit"));
    const json saved = json::parse(file);
    EXPECT_EQ(saved["token"], oveit.token()) << "the connection that worked stays";
    EXPECT_EQ(ctl_json({"sync"}, 0)["status"], "ok") << "and later commands use it";
}

TEST_F(KioskctlBackendTest, AnUnknownEventIsNotSaved) {
    testing::OveitEmulator oveit;
    tokens.push_back(oveit.token());
    const json denied = ctl_json({"sync", "--backend", "oveit", "--url", oveit.url(), "--token", oveit.token(),
                                  "--event", "999"}, 1);
    EXPECT_EQ(denied["status"], "error") << denied.dump();
    EXPECT_EQ(denied["backend"]["saved"], false) << denied.dump();
    EXPECT_FALSE(std::filesystem::exists(saved_file("oveit"))) << denied.dump();
}

TEST_F(KioskctlBackendTest, AConnectionThatCannotBeAskedYetIsSaved) {
    // Staff set kiosks up before the venue's network works: the server is down, or busy.
    std::string url;
    {
        testing::OveitEmulator gone;
        url = gone.url();
    }   // its port is closed now
    const std::string token = "oveit-token-for-later";
    tokens.push_back(token);
    const json down = ctl_json({"sync", "--backend", "oveit", "--url", url, "--token", token, "--event", "100"}, 1);
    EXPECT_EQ(down["status"], "error") << down.dump();
    EXPECT_EQ(down["backend"]["saved"], true) << down.dump();
    EXPECT_TRUE(std::filesystem::exists(saved_file("oveit")));
    const json status = ctl_json({"status"}, 0);
    EXPECT_EQ(status["backend"]["kind"], "oveit") << status.dump();
    EXPECT_EQ(status["backend"]["url"], url);
    EXPECT_EQ(status["online"], false);

    // A venue's Wi-Fi login page instead of the API: an answer we cannot read, not a refusal.
    testing::OveitEmulator portal;
    portal.fault({{"kind", "content_type"}, {"count", 100}});
    tokens.push_back(portal.token());
    const json garbage = ctl_json({"sync", "--backend", "oveit", "--url", portal.url(), "--token", portal.token(),
                                   "--event", "100"}, 1);
    EXPECT_EQ(garbage["backend"]["saved"], true) << garbage.dump();
    EXPECT_EQ(ctl_json({"status"}, 0)["backend"]["url"], portal.url()) << "the newer one replaced the first";
}

TEST_F(KioskctlBackendTest, TheConnectionSavedLastIsUsedAndStatusSaysWhatElseIsSaved) {
    testing::ConstantContactEmulator cc;
    testing::OveitEmulator oveit;
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    connect("oveit", oveit.url(), oveit.token(), std::string(testing::OveitEmulator::kSeedEvent));

    saved_ago(saved_file("constantcontact"), std::chrono::minutes(10));
    saved_ago(saved_file("oveit"), std::chrono::minutes(20));
    json backend = ctl_json({"status"}, 0)["backend"];
    EXPECT_EQ(backend["kind"], "constantcontact") << backend.dump();
    EXPECT_EQ(backend["from"], "saved");
    EXPECT_EQ(backend["also_saved"], json::array({"oveit"}));
    ASSERT_TRUE(backend["note"].is_string()) << backend.dump();
    EXPECT_NE(backend["note"].get<std::string>().find("Oveit"), std::string::npos) << backend.dump();
    EXPECT_EQ(ctl_json({"sync"}, 0)["backend"]["kind"], "constantcontact");

    saved_ago(saved_file("constantcontact"), std::chrono::minutes(30));
    EXPECT_EQ(ctl_json({"status"}, 0)["backend"]["kind"], "oveit") << "whatever the order on disk";
    EXPECT_EQ(ctl_json({"sync"}, 0)["backend"]["kind"], "oveit");

    // Switching back needs no token: the saved one is reused, and saved last again.
    saved_ago(saved_file("oveit"), std::chrono::minutes(5));
    const json back = ctl_json({"sync", "--backend", "constantcontact"}, 0);
    EXPECT_EQ(back["backend"]["from"], "command_line") << back.dump();
    EXPECT_EQ(back["backend"]["saved"], true);
    backend = ctl_json({"status"}, 0)["backend"];
    EXPECT_EQ(backend["kind"], "constantcontact") << backend.dump();
    EXPECT_EQ(backend["also_saved"], json::array({"oveit"}));

    // A pretix device set up after them is used in turn, and named in what else is saved.
    const std::string device_token = "pretix-device-token-9d2e";
    tokens.push_back(device_token);
    std::ofstream(db + ".device.json") << json{{"url", "http://127.0.0.1:1"}, {"organizer", "demo"},
                                               {"device_id", 7}, {"api_token", device_token}}.dump();
    std::filesystem::permissions(db + ".device.json", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    backend = ctl_json({"status"}, 0)["backend"];
    EXPECT_EQ(backend["kind"], "pretix") << backend.dump();
    EXPECT_EQ(backend["organizer"], "demo");
    EXPECT_EQ(backend["also_saved"], json::array({"constantcontact", "oveit"}));
}

TEST_F(KioskctlBackendTest, StatusShowsTheWebhookOutbox) {
    testing::ConstantContactEmulator cc;
    write_config("[webhooks]\nurls = [\"http://127.0.0.1:1/hook\"]\nsecret = \"webhook-secret-3b\"\n");
    tokens.push_back("webhook-secret-3b");
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    json webhooks = ctl_json({"status"}, 0)["webhooks"];
    EXPECT_EQ(webhooks["pending"], 0) << webhooks.dump();
    EXPECT_EQ(ctl_json({"scan", "a1b2c3", "--list", only_list_of(kCcEvent)}, 0)["status"], "ok");
    webhooks = ctl_json({"status"}, 0)["webhooks"];
    EXPECT_EQ(webhooks["pending"], 1) << webhooks.dump();

    const json sync = ctl_json({"sync"}, 0);   // the receiver is down: the event waits
    EXPECT_EQ(sync["webhooks"]["pending"], 1) << sync.dump();
    webhooks = ctl_json({"status"}, 0)["webhooks"];
    EXPECT_EQ(webhooks["pending"], 1) << webhooks.dump();
    EXPECT_FALSE(webhooks["last_error"].get<std::string>().empty()) << webhooks.dump();
    EXPECT_NE(webhooks["targets"][0]["name"].get<std::string>().find("127.0.0.1"), std::string::npos) << webhooks.dump();

    config.clear();
    EXPECT_TRUE(ctl_json({"status"}, 0)["webhooks"].is_null()) << "none configured";
}

// [SECTION] Usage errors, in words, and nothing saved

TEST_F(KioskctlBackendTest, UsageErrorsSayWhatIsMissing) {
    const std::string token = "oveit-token-never-printed";
    tokens.push_back(token);
    const std::string no_event = ctl_failure({"sync", "--backend", "oveit", "--url", "http://127.0.0.1:1/api", "--token", token});
    EXPECT_NE(no_event.find("--event"), std::string::npos) << no_event;
    const std::string no_url = ctl_failure({"sync", "--backend", "oveit", "--token", token, "--event", "100"});
    EXPECT_NE(no_url.find("--url"), std::string::npos) << no_url;
    const std::string no_token = ctl_failure({"sync", "--backend", "oveit", "--url", "http://127.0.0.1:1/api", "--event", "100"});
    EXPECT_NE(no_token.find("--token"), std::string::npos) << no_token;
    const std::string unknown = ctl_failure({"sync", "--backend", "eventbrite", "--url", "http://127.0.0.1:1/api"});
    EXPECT_NE(unknown.find("--backend"), std::string::npos) << unknown;
    EXPECT_FALSE(std::filesystem::exists(db + ".oveit.json")) << "nothing saved from a refused command line";
}

TEST_F(KioskctlBackendTest, BackendPretixNamedIsPretixEvenBesideASavedConnection) {
    testing::ConstantContactEmulator cc;
    connect("constantcontact", cc.url(), cc.token(), kCcEvent);
    EXPECT_EQ(ctl_json({"sync"}, 0)["status"], "ok") << "no flags: the saved connection";
    const std::string pretix = ctl_failure({"sync", "--backend", "pretix"});
    EXPECT_NE(pretix.find("not connected to pretix"), std::string::npos) << pretix;
}

} // namespace
} // namespace kiosk
