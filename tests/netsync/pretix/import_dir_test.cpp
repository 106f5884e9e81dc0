// Reading a pretix event dump: the demo event, both page shapes, and every kind of bad file
// giving one line that names the file and the JSON path.
#include "netsync/pretix/import_dir.h"

#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace kiosk::pretix {
namespace {

using nlohmann::json;

const std::filesystem::path kDemo = std::filesystem::path(KIOSK_SOURCE_DIR) / "assets" / "demo";

class ImportDirTest : public ::testing::Test {
protected:
    void SetUp() override { restore_demo(); }
    void restore_demo() {
        for (const auto& entry : std::filesystem::directory_iterator(kDemo))
            if (entry.path().extension() == ".json")
                std::filesystem::copy(entry.path(), dir.path() / entry.path().filename(),
                                      std::filesystem::copy_options::overwrite_existing);
    }
    void write(const std::string& file, const std::string& content) {
        std::ofstream(dir.path() / file, std::ios::binary | std::ios::trunc) << content;
    }
    json read(const std::string& file) { return json::parse(std::ifstream(dir.path() / file)); }
    // Each corruption starts from the intact demo, so one error cannot hide behind another.
    std::string error_after(const std::function<void()>& corrupt) {
        restore_demo();
        corrupt();
        const auto result = read_event_directory(dir.path(), "demo");
        EXPECT_FALSE(result.has_value());
        if (result) return std::string();
        EXPECT_EQ(result.error().find('\n'), std::string::npos) << "one line: " << result.error();
        return result.error();
    }
    testing::TempDir dir;
};

TEST_F(ImportDirTest, ReadsTheDemoEvent) {
    const auto result = read_event_directory(kDemo, "demo");
    ASSERT_TRUE(result) << result.error();
    EXPECT_EQ(result->catalog.event.slug, "kioskconf27");
    EXPECT_EQ(result->catalog.lists.size(), 3u);
    EXPECT_GE(result->orders.size(), 200u);
    EXPECT_TRUE(result->badge_layouts.has_value());
}

TEST_F(ImportDirTest, AcceptsBareArraysAsWellAsPages) {
    write("items.json", read("items.json")["results"].dump());
    const auto result = read_event_directory(dir.path(), "demo");
    ASSERT_TRUE(result) << result.error();
    EXPECT_EQ(result->catalog.items.size(), 5u);
}

TEST_F(ImportDirTest, OptionalFilesMayBeAbsent) {
    for (const char* file : {"subevents.json", "revokedsecrets.json", "blockedsecrets.json", "badgelayouts.json", "questions.json"})
        std::filesystem::remove(dir.path() / file);
    EXPECT_TRUE(read_event_directory(dir.path(), "demo").has_value());
}

TEST_F(ImportDirTest, BadInputGetsOneLineNamingFileAndPath) {
    EXPECT_NE(error_after([&] { std::filesystem::remove(dir.path() / "event.json"); }).find("event.json: file not found"),
              std::string::npos);
    EXPECT_NE(error_after([&] { write("orders.json", R"({"results": [{"code": "AB)"); }).find("orders.json: not valid JSON"),
              std::string::npos);
    EXPECT_NE(error_after([&] { write("orders.json", ""); }).find("orders.json: not valid JSON"), std::string::npos);
    EXPECT_NE(error_after([&] { write("items.json", std::string("\x00\xff\xfe binary", 10)); }).find("items.json"),
              std::string::npos);
    EXPECT_NE(error_after([&] { write("items.json", R"({"results": [{"id": "101"}]})"); })
                  .find("items.json: results[0].id: expected an integer, got string"),
              std::string::npos);
    EXPECT_NE(error_after([&] { write("items.json", R"({"results": 5})"); }).find("items.json: results"), std::string::npos);
    EXPECT_NE(error_after([&] { write("checkinlists.json", R"([{"id": 1, "all_products": "yes"}])"); })
                  .find("checkinlists.json: [0].all_products: expected true or false"),
              std::string::npos);
    EXPECT_NE(error_after([&] { write("questions.json", R"([{"id": 1, "type": "Z"}])"); }).find("unknown question type \"Z\""),
              std::string::npos);
    EXPECT_NE(error_after([&] {
                  json event = read("event.json");
                  event["timezone"] = "Mars/Olympus";
                  write("event.json", event.dump());
              }).find("unknown time zone"),
              std::string::npos);
    EXPECT_NE(error_after([&] {
                  json event = read("event.json");
                  event.erase("slug");
                  write("event.json", event.dump());
              }).find("event.json: slug: missing required text"),
              std::string::npos);
}

TEST_F(ImportDirTest, BadOrdersNameTheOrderAndPosition) {
    auto corrupt_first_position = [&](const std::function<void(json&)>& change) {
        return error_after([&] {
            json orders = read("orders.json");
            change(orders["results"][0]["positions"][0]);
            write("orders.json", orders.dump());
        });
    };
    EXPECT_NE(corrupt_first_position([](json& p) { p.erase("secret"); }).find("orders.json: results[0].positions[0].secret: missing"),
              std::string::npos);
    EXPECT_NE(corrupt_first_position([](json& p) { p["item"] = nullptr; }).find("positions[0].item: missing required integer"),
              std::string::npos);
    EXPECT_NE(corrupt_first_position([](json& p) { p["valid_from"] = "next tuesday"; }).find("not an ISO 8601 datetime"),
              std::string::npos);
    EXPECT_NE(corrupt_first_position([](json& p) {
                  p["checkins"] = {{{"list", 11}, {"datetime", "2027-03-16T09:00:00Z"}, {"type", "sideways"}}};
              }).find("expected entry or exit"),
              std::string::npos);
    EXPECT_NE(error_after([&] {
                  json orders = read("orders.json");
                  orders["results"][0]["status"] = "x";
                  write("orders.json", orders.dump());
              }).find("unknown order status \"x\""),
              std::string::npos);
}

TEST_F(ImportDirTest, HostileShapesDoNotCrash) {
    // Deep nesting, a huge number and a NUL in a name: errors or data, never a crash.
    error_after([&] { write("orders.json", std::string(100000, '[') + std::string(100000, ']')); });
    error_after([&] { write("items.json", R"([{"id": 1e400}])"); });
    restore_demo();
    json orders = read("orders.json");
    orders["results"][0]["positions"][0]["attendee_name"] = std::string("Ada\0Lovelace", 12);
    write("orders.json", orders.dump());
    EXPECT_TRUE(read_event_directory(dir.path(), "demo").has_value());
}

TEST_F(ImportDirTest, DeepNestingInsideAnObjectIsRefusedNotACrash) {
    // Copying such a value recurses once per level: 300k levels would overflow the stack.
    const std::string deep = std::string(300000, '[') + std::string(300000, ']');
    const std::string error = error_after([&] { write("items.json", R"([{"id": 101, "meta_data": )" + deep + "}]"); });
    EXPECT_NE(error.find("items.json: nested deeper than"), std::string::npos) << error;
}

TEST_F(ImportDirTest, NeedsOrganizerAndDirectory) {
    EXPECT_NE(read_event_directory(dir.path(), "").error().find("organizer"), std::string::npos);
    EXPECT_NE(read_event_directory(dir.path() / "missing", "demo").error().find("not a directory"), std::string::npos);
}

} // namespace
} // namespace kiosk::pretix
