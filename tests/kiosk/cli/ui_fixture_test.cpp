// The UI tests' fixture event (tests/ui/fixtures/all_questions) answers through kioskctl exactly as
// its README documents: every ticket's status and reason, the workshop pass's questions (one per
// pretix question type), each answer type accepted and an invalid value of each refused with a
// message, and the conditional question.
#include <algorithm>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace kiosk {
namespace {

using nlohmann::json;

const std::filesystem::path kFixture = std::filesystem::path(KIOSK_SOURCE_DIR) / "tests" / "ui" / "fixtures" / "all_questions";

// Every check-in question of the workshop pass that blocks admission until answered: all but 704
// (T, optional) and 707 (asked only when 706 includes "other"), in display order.
const std::vector<int64_t> kWorkshopQuestions{701, 702, 703, 705, 706, 708, 709, 710, 711, 712, 713, 714};

class UiFixtureTest : public ::testing::Test {
protected:
    void SetUp() override {
        tickets = json::parse(std::ifstream(kFixture / "tickets.json"));
        const auto result = testing::run_process({KIOSKCTL_PATH, "--db", db, "import", kFixture.string(), "--organizer", "uitest-org"});
        ASSERT_EQ(result.exit_code(), 0) << result.out << result.err;
    }

    std::string secret(const std::string& ticket) { return tickets.at(ticket).at("secret"); }

    // kioskctl scan; checks the exit code the contract gives for the status.
    json scan(const std::string& ticket, int64_t list, const std::vector<std::pair<int64_t, std::string>>& answers = {}) {
        std::vector<std::string> args{KIOSKCTL_PATH, "--db", db, "scan", secret(ticket), "--list", std::to_string(list)};
        for (const auto& [question, value] : answers) args.insert(args.end(), {"--answer", std::to_string(question) + "=" + value});
        const auto result = testing::run_process(args);
        try {
            const json answer = json::parse(result.out);
            EXPECT_EQ(result.exit_code(), answer.value("status", "") == "ok" ? 0 : 1) << result.out << result.err;
            return answer;
        } catch (const json::exception&) {
            ADD_FAILURE() << "not JSON: " << result.out << " / " << result.err;
            return json::object();
        }
    }

    static std::vector<int64_t> question_ids(const json& answer) {
        std::vector<int64_t> ids;
        for (const auto& question : answer.value("questions", json::array())) ids.push_back(question.at("id"));
        return ids;
    }

    json tickets;
    testing::TempDir dir;
    std::string db = dir.file("kiosk.db");
};

TEST_F(UiFixtureTest, EveryTicketAnswersAsDocumented) {
    struct Expected {
        std::string ticket;
        int64_t list;
        std::string status;
        json reason;                        // null for ok / incomplete
        bool require_attention = false;
    };
    const std::vector<Expected> expected{
        {"latin_conference", 501, "ok", nullptr},
        {"arabic_workshop", 501, "incomplete", nullptr},
        {"hebrew_speaker", 501, "ok", nullptr, true},
        {"chinese_workshop", 501, "incomplete", nullptr},
        {"cyrillic_workshop", 501, "incomplete", nullptr},
        {"greek_conference", 501, "ok", nullptr},
        {"german_workshop", 501, "incomplete", nullptr},
        {"french_workshop_complete", 501, "ok", nullptr},
        {"spanish_conference", 501, "ok", nullptr},
        {"pending", 501, "error", "unpaid"},
        {"canceled", 501, "error", "canceled"},
        {"blocked", 501, "error", "blocked"},
        {"future", 501, "error", "invalid_time"},
        {"order_attention", 501, "ok", nullptr, true},
        {"revoked", 501, "error", "invalid"},
        {"unknown", 501, "error", "invalid"},
        {"latin_conference", 502, "ok", nullptr},
        {"hebrew_speaker", 502, "error", "product"},
        {"arabic_workshop", 502, "error", "product"},
        {"latin_conference", 501, "error", "already_redeemed"},
    };
    for (const Expected& e : expected) {
        SCOPED_TRACE(e.ticket + " on list " + std::to_string(e.list));
        const json answer = scan(e.ticket, e.list);
        EXPECT_EQ(answer.value("status", ""), e.status) << answer.dump();
        EXPECT_EQ(answer.value("reason", json(nullptr)), e.reason) << answer.dump();
        if (e.status == "ok") {
            EXPECT_EQ(answer["require_attention"], e.require_attention);
            EXPECT_EQ(answer["event"], "uitest");
            EXPECT_EQ(answer["position"]["attendee_name"], tickets[e.ticket]["attendee_name"]);
        }
        if (e.status == "incomplete") {
            EXPECT_EQ(question_ids(answer), kWorkshopQuestions);
        }
    }
}

TEST_F(UiFixtureTest, WorkshopQuestionsCoverEveryTypeInFourLanguages) {
    const json answer = scan("arabic_workshop", 501);
    ASSERT_EQ(answer["status"], "incomplete");
    std::set<std::string> types;
    for (const auto& question : answer["questions"]) {
        types.insert(question["type"].get<std::string>());
        for (const char* language : {"en", "de", "fr", "es"}) {
            EXPECT_FALSE(question["question"].value(language, "").empty()) << question["id"] << " " << language;
            for (const auto& option : question["options"])
                EXPECT_FALSE(option["answer"].value(language, "").empty()) << option["id"] << " " << language;
        }
    }
    // Every pretix type but T, which is optional and so not asked for (it is in questions.json).
    EXPECT_EQ(types, (std::set<std::string>{"B", "N", "S", "C", "M", "D", "H", "W", "EMAIL", "TEL", "CC", "F"}));
}

// One valid and one invalid value per question: the valid one takes the question off the list,
// the invalid one keeps it there with a message in answer_errors.
TEST_F(UiFixtureTest, EachAnswerTypeAcceptsValidAndRefusesInvalidValues) {
    struct Case {
        int64_t question;
        std::string valid, invalid;
    };
    const std::vector<Case> cases{
        {701, "true", "maybe"},
        {701, "yes", "false"},                                  // a required checkbox must be ticked
        {702, "3", "11"},                                       // valid_number_max 10
        {702, "0", "three"},
        {703, "ACME GmbH", "two\nlines"},
        {704, "I use a wheelchair", std::string(10001, 'x')},   // optional, but a bad answer still blocks
        {705, "7002", "9999"},
        {705, "TSHIRT-XL", "7001,7002"},                        // one choice only
        {706, "7005,7007", "7005,7005"},
        {706, "7009", "nope"},
        {708, "1990-05-17", "1990-02-30"},
        {708, "2000-01-01", "2024-01-01"},                      // valid_date_max 2020-12-31
        {709, "09:30", "25:00"},
        {710, "2027-03-17T16:00", "tomorrow"},
        {710, "2028-01-01T10:00:00+01:00", "2035-01-01T10:00"}, // valid_datetime_max 2031-01-01
        {711, "name@example.com", "not-an-email"},
        {712, "+49 30 1234567", "12345"},
        {713, "de", "XX"},
        {714, "file:7c1f2d3e-0000-4000-8000-000000000001", "photo.jpg"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE("question " + std::to_string(c.question) + " valid '" + c.valid + "'");
        const json good = scan("arabic_workshop", 501, {{c.question, c.valid}});
        EXPECT_EQ(good["status"], "incomplete");
        EXPECT_FALSE(good.contains("answer_errors")) << good["answer_errors"].dump();
        const auto ids = question_ids(good);
        EXPECT_EQ(std::count(ids.begin(), ids.end(), c.question), 0);

        SCOPED_TRACE("invalid '" + c.invalid.substr(0, 40) + "'");
        const json bad = scan("arabic_workshop", 501, {{c.question, c.invalid}});
        EXPECT_EQ(bad["status"], "incomplete");
        const std::string key = std::to_string(c.question);
        ASSERT_TRUE(bad.contains("answer_errors") && bad["answer_errors"].contains(key)) << bad.dump().substr(0, 2000);
        EXPECT_FALSE(bad["answer_errors"][key].get<std::string>().empty());
        const auto bad_ids = question_ids(bad);
        EXPECT_EQ(std::count(bad_ids.begin(), bad_ids.end(), c.question), 1);
    }
}

std::vector<std::pair<int64_t, std::string>> all_valid_answers(std::string diet) {
    return {{701, "true"}, {702, "2"}, {703, "ACME"}, {705, "7003"}, {706, std::move(diet)}, {708, "1990-05-17"},
            {709, "09:30"}, {710, "2027-03-17T16:00"}, {711, "name@example.com"}, {712, "+49 30 1234567"}, {713, "DE"},
            {714, "file:7c1f2d3e-0000-4000-8000-000000000001"}};
}

TEST_F(UiFixtureTest, AllAnswersAdmitTheWorkshopPass) {
    const json answer = scan("arabic_workshop", 501, all_valid_answers("7005"));
    EXPECT_EQ(answer["status"], "ok") << answer.dump().substr(0, 2000);
    EXPECT_EQ(answer["position"]["attendee_name"], "يوسف العلي");
}

TEST_F(UiFixtureTest, DietOtherAsksPleaseSpecify) {
    json answer = scan("chinese_workshop", 501, all_valid_answers("7005,7008"));   // vegetarian + other
    ASSERT_EQ(answer["status"], "incomplete") << answer.dump().substr(0, 2000);
    EXPECT_EQ(question_ids(answer), std::vector<int64_t>{707});
    EXPECT_EQ(answer["questions"][0]["dependency_question"], 706);

    auto answers = all_valid_answers("7005,7008");
    answers.emplace_back(707, "");
    answer = scan("chinese_workshop", 501, answers);
    EXPECT_EQ(answer["status"], "incomplete");
    EXPECT_TRUE(answer["answer_errors"].contains("707"));

    answers.back().second = "No nuts, please";
    EXPECT_EQ(scan("chinese_workshop", 501, answers)["status"], "ok");
}

} // namespace
} // namespace kiosk
