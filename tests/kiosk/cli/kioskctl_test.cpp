// kioskctl end to end: the contract's JSON shapes and exit codes, the demo event's scenarios,
// and bad input (scans, imports, arguments) that must get a clear answer and change nothing.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/db_dump.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

const std::filesystem::path kDemo = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "demo";

class KioskctlTest : public ::testing::Test {
protected:
    testing::ProcessResult ctl(std::vector<std::string> args, std::optional<std::string> input = {}) {
        args.insert(args.begin(), {KIOSKCTL_PATH, "--db", db});
        return testing::run_process(args, std::move(input));
    }
    // Runs a command that must answer with one line of JSON and the given exit code.
    json ctl_json(std::vector<std::string> args, int expected_exit, std::optional<std::string> input = {}) {
        const auto result = ctl(std::move(args), std::move(input));
        EXPECT_EQ(result.exit_code(), expected_exit) << result.out << result.err;
        EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
        try {
            return json::parse(result.out);
        } catch (const json::exception& e) {
            ADD_FAILURE() << "not JSON: " << result.out << " / " << result.err;
            return nullptr;
        }
    }
    // Runs a command that must fail with exit 2 and one line on stderr; returns that line.
    std::string ctl_failure(std::vector<std::string> args) {
        const auto result = ctl(std::move(args));
        EXPECT_EQ(result.exit_code(), 2) << result.out << result.err;
        EXPECT_TRUE(result.out.empty()) << result.out;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        return result.err;
    }
    void import_demo() { ctl_json({"import", kDemo.string(), "--organizer", "demo"}, 0); }
    // The store without the failed-scan log (and its id counter), which rejected scans are meant to grow.
    std::string dump_without_failed_scans() {
        std::string dump = testing::dump_database(db);
        const auto begin = dump.find("[failed_scans]");
        const auto end = dump.find("\n[", begin + 1);
        dump.erase(begin, end - begin);
        const auto counter = dump.find("\nfailed_scans|");
        if (counter != std::string::npos) dump.erase(counter, dump.find('\n', counter + 1) - counter);
        return dump;
    }

    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
};

TEST_F(KioskctlTest, DemoScenariosAnswerAsDocumented) {
    import_demo();
    const json notable = json::parse(std::ifstream(kDemo / "notable.json"));
    ASSERT_GE(notable.size(), 20u);
    for (const auto& [name, scenario] : notable.items()) {
        SCOPED_TRACE(name);
        const std::string expected_status = scenario["expect_status"];
        const json answer = ctl_json({"scan", scenario["secret"], "--list", std::to_string(scenario["list"].get<int>()), "--at",
                                      scenario["at"]},
                                     expected_status == "ok" ? 0 : 1);
        EXPECT_EQ(answer["status"], expected_status);
        EXPECT_EQ(answer["reason"], scenario.value("expect_reason", json(nullptr)));
        EXPECT_EQ(answer["list"], scenario["list"]);
        if (scenario.contains("expect_require_attention")) {
            EXPECT_EQ(answer["require_attention"], scenario["expect_require_attention"]);
        }
        if (scenario.contains("expect_position")) {
            EXPECT_EQ(answer["position"]["id"], scenario["expect_position"]);
        }
        if (scenario.contains("expect_questions")) {
            std::vector<int64_t> ids;
            for (const auto& question : answer["questions"]) ids.push_back(question["id"]);
            EXPECT_EQ(json(ids), scenario["expect_questions"]);
        }
        if (expected_status == "ok") {
            EXPECT_EQ(answer["event"], "kioskconf27");
            EXPECT_EQ(answer["checkin"]["nonce"].get<std::string>().size(), 32u);
        }
    }
}

TEST_F(KioskctlTest, ScanAnswerHasTheContractShape) {
    import_demo();
    const json answer = ctl_json({"scan", "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "--list", "11", "--at", "2027-03-16T09:30:00+01:00"}, 0);
    for (const char* key : {"status", "reason", "reason_explanation", "list", "event", "position", "require_attention",
                            "questions", "checkin"})
        EXPECT_TRUE(answer.contains(key)) << key;
    for (const char* key : {"id", "order", "secret", "item", "variation", "subevent", "attendee_name"})
        EXPECT_TRUE(answer["position"].contains(key)) << key;
    EXPECT_EQ(answer["checkin"]["datetime"], "2027-03-16T08:30:00Z");
    EXPECT_EQ(answer["checkin"]["type"], "entry");
}

TEST_F(KioskctlTest, AtWithoutOffsetIsTheEventsWallClock) {
    import_demo();
    const json answer = ctl_json({"scan", "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "--list", "11", "--at", "2027-03-16T09:30:00"}, 0);
    EXPECT_EQ(answer["checkin"]["datetime"], "2027-03-16T08:30:00Z"); // Berlin is UTC+1 in March
}

TEST_F(KioskctlTest, QuestionsAnsweredOnTheCommandLine) {
    import_demo();
    const std::string secret = "gp5pwcvn8h72ut5dynhsyn6f55n4v5qs"; // lacks the T-shirt size (question 301)
    const std::vector<std::string> scan{"scan", secret, "--list", "11", "--at", "2027-03-16T09:30:00+01:00"};
    json answer = ctl_json(scan, 1);
    ASSERT_EQ(answer["status"], "incomplete");
    EXPECT_EQ(answer["questions"][0]["type"], "C");
    EXPECT_FALSE(answer["questions"][0]["options"].empty());

    auto with = [&](std::vector<std::string> extra) {
        auto args = scan;
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    answer = ctl_json(with({"--answer", "301=999999"}), 1);
    EXPECT_EQ(answer["status"], "incomplete");
    EXPECT_TRUE(answer["answer_errors"].contains("301"));
    answer = ctl_json(with({"--answer", "301=402"}), 0);
    EXPECT_EQ(answer["status"], "ok");
    const json queue = ctl_json({"queue"}, 0);
    EXPECT_EQ(queue["pending"].back()["answers"], json({{"301", "402"}}));
    // Stored: the next scan is already_redeemed, not incomplete again.
    EXPECT_EQ(ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T09:35:00+01:00"}, 1)["reason"], "already_redeemed");
}

TEST_F(KioskctlTest, NoQuestionsAndExitScans) {
    import_demo();
    const std::string secret = "gp5pwcvn8h72ut5dynhsyn6f55n4v5qs";
    EXPECT_EQ(ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T09:30:00+01:00", "--no-questions"}, 0)["status"], "ok");
    EXPECT_EQ(ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T12:00:00+01:00", "--type", "exit"}, 0)["checkin"]["type"],
              "exit");
    // allow_entry_after_exit on the main entrance: back in after lunch.
    EXPECT_EQ(ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T13:00:00+01:00", "--no-questions"}, 0)["status"], "ok");
}

TEST_F(KioskctlTest, IgnoreUnpaidNeedsAListThatIncludesPending) {
    import_demo();
    const json answer = ctl_json({"scan", "5dtgwmm9m27uk3t6jpqnm4rbbqrxy82y", "--list", "11", "--at", "2027-03-16T09:30:00+01:00",
                                  "--ignore-unpaid"},
                                 1);
    EXPECT_EQ(answer["reason"], "unpaid"); // list 11 does not include pending orders
}

TEST_F(KioskctlTest, UndoOfACheckinNeverSentSettlesItLocally) {
    import_demo();
    const std::string secret = "8bmub2af8hgcku36aguwaaxpxzuhkdcq";
    ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T09:30:00+01:00"}, 0);
    const json undo = ctl_json({"undo", secret, "--list", "11", "--at", "2027-03-16T09:40:00+01:00"}, 0);
    EXPECT_EQ(undo["status"], "ok");
    EXPECT_EQ(undo["reverted"]["settled_locally"], true);
    EXPECT_TRUE(ctl_json({"queue"}, 0)["pending"].empty());
    EXPECT_EQ(ctl_json({"undo", secret, "--list", "11"}, 1)["status"], "error"); // nothing left to undo
    EXPECT_EQ(ctl_json({"scan", secret, "--list", "11", "--at", "2027-03-16T09:41:00+01:00"}, 0)["status"], "ok");
}

TEST_F(KioskctlTest, BadScannedTextIsInvalidAndChangesNothingElse) {
    import_demo();
    const std::string before = dump_without_failed_scans();
    const std::vector<std::pair<std::string, std::optional<std::string>>> inputs{
        {"", std::nullopt},
        {"-", std::string(10 * 1024 * 1024, 'A')},                   // 10 MB pasted through stdin
        {"-", std::string("\x00\x01\x02\xff\xfe binary\x00", 14)},  // binary bytes
        {"\xc3\x28\xa0\xa1 not utf-8", std::nullopt},                // invalid UTF-8
        {"' OR 1=1; DROP TABLE positions; --", std::nullopt},        // SQL metacharacters
        {"\"quoted\" \\ backslash %_", std::nullopt},
        {"\\000026", std::nullopt},                                  // only an ECI marker
    };
    for (const auto& [text, input] : inputs) {
        const json answer = ctl_json({"scan", text, "--list", "11"}, 1, input);
        EXPECT_EQ(answer["status"], "error");
        EXPECT_EQ(answer["reason"], "invalid");
        EXPECT_EQ(answer["list"], 11);
    }
    EXPECT_EQ(dump_without_failed_scans(), before);
    const json failed = ctl_json({"queue"}, 0)["failed"];
    ASSERT_EQ(failed.size(), inputs.size());
    EXPECT_EQ(failed[2]["raw"].get<std::string>().rfind("binary:", 0), 0u); // pretix's form for binary codes
    EXPECT_EQ(failed[1]["raw"].get<std::string>().size(), 4096u);          // the rest of 10 MB is not kept
}

TEST_F(KioskctlTest, RecordsOfAnotherEventAreSkippedByIdAndTheRestOfTheImportLands) {
    import_demo();
    const auto other = dir.path() / "other";
    std::filesystem::copy(kDemo, other);
    json event = json::parse(std::ifstream(kDemo / "event.json"));
    event["slug"] = "other-event";
    std::ofstream(other / "event.json", std::ios::binary | std::ios::trunc) << event.dump();
    const json answer = ctl_json({"import", other.string(), "--organizer", "demo"}, 0);
    EXPECT_EQ(answer["orders"], 0);
    ASSERT_FALSE(answer["skipped"].empty());
    const json& first = answer["skipped"][0];
    EXPECT_EQ(first["resource"], "items");
    EXPECT_EQ(first["message"], "product 101 already belongs to another event");
    // The demo event keeps its own: its first list still decides on its tickets.
    EXPECT_EQ(ctl_json({"scan", "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "--list", "11", "--at", "2027-03-16T09:30:00+01:00"}, 0)["event"],
              "kioskconf27");
}

TEST_F(KioskctlTest, BadImportsExitTwoAndLeaveTheStoreAsItWas) {
    import_demo();
    ctl_json({"scan", "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "--list", "11", "--at", "2027-03-16T09:30:00+01:00"}, 0);
    const std::string before = testing::dump_database(db);
    const auto broken = dir.path() / "broken";
    auto fresh_copy = [&] {
        std::filesystem::remove_all(broken);
        std::filesystem::copy(kDemo, broken);
    };
    auto write = [&](const char* file, const std::string& content) {
        std::ofstream(broken / file, std::ios::binary | std::ios::trunc) << content;
    };
    auto json_of = [&](const char* file) { return json::parse(std::ifstream(kDemo / file)); };

    std::vector<std::function<void()>> corruptions{
        [&] { write("orders.json", json_of("orders.json").dump().substr(0, 5000)); },      // truncated
        [&] { write("orders.json", "{not json"); },                                         // malformed
        [&] { write("items.json", R"([{"id": "one"}])"); },                                  // wrong type
        [&] { std::filesystem::remove(broken / "event.json"); },                             // missing file
        [&] {                                                                                // missing field, late in the file
            json orders = json_of("orders.json");
            orders["results"].back()["positions"][0].erase("secret");
            write("orders.json", orders.dump());
        },
    };
    for (size_t i = 0; i < corruptions.size(); ++i) {
        SCOPED_TRACE("corruption " + std::to_string(i));
        fresh_copy();
        corruptions[i]();
        const std::string error = ctl_failure({"import", broken.string(), "--organizer", "demo"});
        EXPECT_NE(error.find("import failed, nothing changed"), std::string::npos) << error;
        EXPECT_EQ(testing::dump_database(db), before);
    }
}

TEST_F(KioskctlTest, UsageErrorsExitTwoWithOneLine) {
    import_demo();
    ctl_failure({});
    ctl_failure({"frobnicate"});
    ctl_failure({"scan", "x"});                                     // no list
    ctl_failure({"scan", "x", "--list", "999"});                    // unknown list
    ctl_failure({"scan", "x", "--list", "abc"});
    ctl_failure({"scan", "x", "--list", "11", "--list", "12"});     // two lists of one event
    ctl_failure({"scan", "x", "--list", "11", "--at", "tomorrow"});
    ctl_failure({"scan", "x", "--list", "11", "--type", "sideways"});
    ctl_failure({"scan", "x", "--list", "11", "--answer", "tshirt"});
    ctl_failure({"import", kDemo.string()});                        // no organizer
    ctl_failure({"stats", "--list", "999"});
    // A store path that cannot be created is a system failure, also exit 2.
    const auto result = testing::run_process({KIOSKCTL_PATH, "--db", "/proc/nonexistent/kiosk.db", "queue"});
    EXPECT_EQ(result.exit_code(), 2);
}

TEST_F(KioskctlTest, SearchStatsAndQueueShapes) {
    import_demo();
    EXPECT_EQ(ctl_json({"search", "Mül", "--list", "11"}, 0)["count"], 0); // under 4 characters: nothing
    const json found = ctl_json({"search", "Müller", "--list", "11"}, 0);
    ASSERT_GT(found["count"].get<int>(), 0);
    for (const char* key : {"id", "order", "secret", "attendee_name", "redeemed", "order_status", "require_attention"})
        EXPECT_TRUE(found["results"][0].contains(key)) << key;
    const json stats = ctl_json({"stats", "--list", "11"}, 0);
    for (const char* key : {"checkin_count", "position_count", "inside_count", "items"}) EXPECT_TRUE(stats.contains(key)) << key;
    EXPECT_GT(stats["position_count"].get<int>(), 250);
    for (const char* key : {"id", "name", "checkin_count", "position_count", "variations"})
        EXPECT_TRUE(stats["items"][0].contains(key)) << key;
    const json queue = ctl_json({"queue"}, 0);
    EXPECT_TRUE(queue["pending"].is_array());
    EXPECT_TRUE(queue["failed"].is_array());
}

TEST_F(KioskctlTest, ListsShowEveryListWithItsEvent) {
    EXPECT_EQ(ctl_json({"lists"}, 0), json({{"lists", json::array()}}));   // an empty store
    import_demo();
    const json lists = ctl_json({"lists"}, 0)["lists"];
    ASSERT_EQ(lists.size(), 3u);
    for (const char* key : {"id", "name", "event", "all_products", "limit_products", "subevent"})
        EXPECT_TRUE(lists[0].contains(key)) << key;
    EXPECT_EQ(lists[0]["id"], 11);
    EXPECT_EQ(lists[0]["name"], "Main entrance");
    EXPECT_EQ(lists[0]["event"]["slug"], "kioskconf27");
    EXPECT_EQ(lists[0]["event"]["name"]["en"], "KioskConf 2027");
    EXPECT_EQ(lists[1]["all_products"], false);
    EXPECT_EQ(lists[1]["limit_products"], json({104}));
    EXPECT_TRUE(lists[0]["subevent"].is_null());
}

TEST_F(KioskctlTest, SearchIgnoresCaseAndAccentsInEveryScript) {
    import_demo();
    auto names = [&](const std::string& query) {
        std::vector<std::string> found;
        const json answer = ctl_json({"search", query, "--list", "11"}, 0);
        for (const json& result : answer["results"])
            found.push_back(result["attendee_name"].is_string() ? result["attendee_name"].get<std::string>() : "");
        return found;
    };
    EXPECT_EQ(names("МИХАИЛ ФЁДОРОВ"), std::vector<std::string>{"Михаил Фёдоров"});
    EXPECT_EQ(names("михаил федоров"), std::vector<std::string>{"Михаил Фёдоров"});
    EXPECT_EQ(names("федоров").size(), 3u);
    EXPECT_EQ(names("muller"), names("MÜLLER"));
    EXPECT_FALSE(names("muller").empty());
    EXPECT_EQ(names("ibrahim ozturk"), std::vector<std::string>{"İbrahim Öztürk"});
}

TEST_F(KioskctlTest, ListsOfTwoEventsAndAmbiguousCodes) {
    import_demo();
    // A second event whose one ticket reuses a demo secret, plus one of its own.
    const auto other = dir.path() / "other";
    std::filesystem::create_directories(other);
    std::ofstream(other / "event.json") << R"({"slug": "afterparty", "name": {"en": "Afterparty"}, "timezone": "Europe/Berlin"})";
    std::ofstream(other / "items.json") << R"([{"id": 9001, "name": {"en": "Party ticket"}, "admission": true}])";
    std::ofstream(other / "checkinlists.json") << R"([{"id": 9011, "name": "Door", "all_products": true}])";
    std::ofstream(other / "orders.json") << R"([{"code": "PARTY", "status": "p", "positions": [
        {"id": 900001, "item": 9001, "secret": "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "attendee_name": "Twin"},
        {"id": 900002, "item": 9001, "secret": "partyonlysecret00000000000000000", "attendee_name": "Guest"}]}])";
    ctl_json({"import", other.string(), "--organizer", "demo"}, 0);

    const std::vector<std::string> both{"--list", "11", "--list", "9011", "--at", "2027-03-16T20:00:00+01:00"};
    auto scan = [&](const std::string& secret, int exit_code) {
        std::vector<std::string> args{"scan", secret};
        args.insert(args.end(), both.begin(), both.end());
        return ctl_json(args, exit_code);
    };
    EXPECT_EQ(scan("8bmub2af8hgcku36aguwaaxpxzuhkdcq", 1)["reason"], "ambiguous");
    const json party = scan("partyonlysecret00000000000000000", 0);
    EXPECT_EQ(party["list"], 9011);
    EXPECT_EQ(party["event"], "afterparty");
    // With only the demo's list selected the shared code is the demo ticket.
    EXPECT_EQ(ctl_json({"scan", "8bmub2af8hgcku36aguwaaxpxzuhkdcq", "--list", "11", "--at", "2027-03-16T09:30:00+01:00"}, 0)["event"],
              "kioskconf27");
}

} // namespace
} // namespace kiosk
