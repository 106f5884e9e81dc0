#include "kiosk/core/answers.h"
#include "kiosk/core/time.h"

#include <gtest/gtest.h>

namespace kiosk {
namespace {

Question make_question(int64_t id, QuestionType type, bool required = true, nlohmann::json raw = nlohmann::json::object()) {
    Question question;
    question.id = id;
    question.type = type;
    question.required = required;
    question.ask_during_checkin = true;
    question.position = id;
    question.raw = std::move(raw);
    return question;
}

Question choice_question(int64_t id, QuestionType type = QuestionType::choice, bool required = true) {
    Question question = make_question(id, type, required);
    question.options = {
        {101, "VEG", {{"en", "Vegetarian"}, {"de", "Vegetarisch"}}},
        {102, "VGN", {{"de", "Vegan (de)"}}},
        {103, "MEAT", "Meat"},
    };
    return question;
}

bool accepts(const Question& question, std::string_view raw) { return validate_answer(question, raw).has_value(); }

// The text an accepted answer stores; "" (and a test failure) when it was refused.
std::string stored_text(const Question& question, std::string_view raw, const date::time_zone* zone = nullptr) {
    const AnswerCheck check = validate_answer(question, raw, zone);
    EXPECT_TRUE(check.has_value()) << raw << ": " << (check ? "" : check.error());
    return check ? check->answer : std::string();
}

// The sentence a refused answer gets; "(accepted)" when it was accepted, so comparisons fail visibly.
std::string refusal(const Question& question, std::string_view raw) {
    const AnswerCheck check = validate_answer(question, raw);
    return check ? "(accepted)" : check.error();
}

std::vector<int64_t> ids(const std::vector<const Question*>& questions) {
    std::vector<int64_t> out;
    for (const Question* question : questions) out.push_back(question->id);
    return out;
}

// --- validate_answer, per type ---------------------------------------------------------------------

TEST(AnswerBoolean, AcceptsSpellingsAndStoresPretixForm) {
    const Question optional = make_question(1, QuestionType::boolean, false);
    for (std::string_view yes : {"true", "TRUE", "Yes", "1", " true "}) EXPECT_EQ(stored_text(optional, yes), "True") << yes;
    for (std::string_view no : {"false", "No", "0"}) EXPECT_EQ(stored_text(optional, no), "False") << no;
    EXPECT_FALSE(accepts(optional, "maybe"));
    EXPECT_FALSE(accepts(optional, ""));
    EXPECT_FALSE(accepts(optional, "2"));
}

TEST(AnswerBoolean, RequiredMustBeTrue) {
    const Question required = make_question(1, QuestionType::boolean, true);
    EXPECT_TRUE(accepts(required, "yes"));
    const AnswerCheck no = validate_answer(required, "false");
    ASSERT_FALSE(no.has_value());
    EXPECT_FALSE(no.error().empty());
    EXPECT_EQ(no.error().find('\n'), std::string::npos);
}

TEST(AnswerNumber, ParsesDecimalsAndNormalizes) {
    const Question question = make_question(1, QuestionType::number);
    EXPECT_EQ(stored_text(question, "42"), "42");
    EXPECT_EQ(stored_text(question, " 007.50 "), "7.5");
    EXPECT_EQ(stored_text(question, "-3.25"), "-3.25");
    EXPECT_EQ(stored_text(question, "-0"), "0");
    for (std::string_view bad : {"", "abc", "1.2.3", "1e5", "1,5", "--1", ".", "12 34", "0x10"})
        EXPECT_FALSE(accepts(question, bad)) << bad;
}

TEST(AnswerNumber, HonoursBoundsGivenAsStrings) {
    const Question question = make_question(1, QuestionType::number, true,
                                            {{"valid_number_min", "1"}, {"valid_number_max", "10.5"}});
    EXPECT_TRUE(accepts(question, "1"));
    EXPECT_TRUE(accepts(question, "10.50"));
    EXPECT_TRUE(accepts(question, "5"));
    EXPECT_FALSE(accepts(question, "0.999"));
    EXPECT_FALSE(accepts(question, "10.51"));
    EXPECT_FALSE(accepts(question, "-5"));
    EXPECT_EQ(refusal(question, "11"), "Please enter a number between 1 and 10.5");
}

TEST(AnswerNumber, HonoursBoundsGivenAsNumbersOrNull) {
    const Question min_only = make_question(1, QuestionType::number, true,
                                            {{"valid_number_min", 0.1}, {"valid_number_max", nullptr}});
    EXPECT_TRUE(accepts(min_only, "0.1"));
    EXPECT_TRUE(accepts(min_only, "1000000"));
    EXPECT_FALSE(accepts(min_only, "0.09"));
    EXPECT_EQ(refusal(min_only, "0"), "Please enter a number of at least 0.1");

    const Question max_only = make_question(2, QuestionType::number, true, {{"valid_number_max", -2}});
    EXPECT_TRUE(accepts(max_only, "-2"));
    EXPECT_FALSE(accepts(max_only, "-1.99"));
    EXPECT_EQ(refusal(max_only, "3"), "Please enter a number of at most -2");

    const Question huge = make_question(3, QuestionType::number, true, {{"valid_number_max", 1e20}});
    EXPECT_TRUE(accepts(huge, "99999999999999999999"));
    EXPECT_FALSE(accepts(huge, "100000000000000000001"));
}

TEST(AnswerText, StringIsOneNonEmptyLine) {
    const Question question = make_question(1, QuestionType::string);
    EXPECT_EQ(stored_text(question, "  Ada Lovelace  "), "Ada Lovelace");
    EXPECT_EQ(stored_text(question, "Zoë – 東京"), "Zoë – 東京");
    EXPECT_FALSE(accepts(question, ""));
    EXPECT_FALSE(accepts(question, " \t\n "));
    EXPECT_FALSE(accepts(question, "two\nlines"));
    EXPECT_TRUE(accepts(question, std::string(10000, 'x')));
    EXPECT_FALSE(accepts(question, std::string(10001, 'x')));
}

TEST(AnswerText, TextMayHaveSeveralLines) {
    const Question question = make_question(1, QuestionType::text);
    EXPECT_EQ(stored_text(question, "line one\nline two\n"), "line one\nline two");
    EXPECT_FALSE(accepts(question, "\n\n"));
}

TEST(AnswerText, RejectsInvalidUtf8) {
    const Question question = make_question(1, QuestionType::text);
    for (std::string_view bad : {std::string_view("\xff"), std::string_view("abc\xc3"), std::string_view("\xc0\xaf"),
                                 std::string_view("\xed\xa0\x80"), std::string_view("\xf4\x90\x80\x80"),
                                 std::string_view("\xe2\x82"), std::string_view("\x80")}) {
        const AnswerCheck check = validate_answer(question, bad);
        ASSERT_FALSE(check.has_value());
        EXPECT_NE(check.error().find("UTF-8"), std::string::npos) << check.error();
    }
    EXPECT_TRUE(accepts(question, "\xf0\x9f\x8e\x9f"));   // 🎟, four bytes
}

TEST(AnswerText, NeverCrashesOnArbitraryBytes) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    for (QuestionType type : {QuestionType::boolean, QuestionType::number, QuestionType::string, QuestionType::text,
                              QuestionType::choice, QuestionType::multiple_choice, QuestionType::date, QuestionType::time,
                              QuestionType::datetime, QuestionType::email, QuestionType::phone, QuestionType::country,
                              QuestionType::file}) {
        const Question question = choice_question(1, type);
        for (size_t start = 0; start < bytes.size(); start += 7) {
            const AnswerCheck check = validate_answer(question, std::string_view(bytes).substr(start, 13));
            if (!check.has_value()) { EXPECT_FALSE(check.error().empty()); }
        }
        EXPECT_FALSE(accepts(question, bytes));
        EXPECT_FALSE(accepts(question, std::string(1 << 20, ',')));
    }
}

TEST(AnswerChoice, AcceptsIdOrIdentifier) {
    const Question question = choice_question(1);
    AnswerCheck by_id = validate_answer(question, "101");
    ASSERT_TRUE(by_id.has_value());
    EXPECT_EQ(by_id->answer, "Vegetarian");
    EXPECT_EQ(by_id->options, std::vector<int64_t>{101});
    EXPECT_EQ(by_id->question, 1);

    AnswerCheck by_identifier = validate_answer(question, " VGN ");
    ASSERT_TRUE(by_identifier.has_value());
    EXPECT_EQ(by_identifier->answer, "Vegan (de)");   // no English: first language
    EXPECT_EQ(by_identifier->options, std::vector<int64_t>{102});

    EXPECT_EQ(stored_text(question, "meat"), "Meat");          // plain string answer, identifier any case
}

TEST(AnswerChoice, RejectsUnknownEmptyAndSeveral) {
    const Question question = choice_question(1);
    EXPECT_EQ(refusal(question, "999"), "Not one of the offered options");
    EXPECT_EQ(refusal(question, "Vegetarian"), "Not one of the offered options");
    EXPECT_FALSE(accepts(question, ""));
    EXPECT_FALSE(accepts(question, "101,102"));
    EXPECT_FALSE(accepts(question, "-101"));
    EXPECT_FALSE(accepts(question, "99999999999999999999999"));
}

TEST(AnswerMultipleChoice, JoinsTextsInOptionOrder) {
    const Question question = choice_question(1, QuestionType::multiple_choice);
    AnswerCheck check = validate_answer(question, "103, VEG");
    ASSERT_TRUE(check.has_value()) << check.error();
    EXPECT_EQ(check->answer, "Vegetarian, Meat");
    EXPECT_EQ(check->options, (std::vector<int64_t>{101, 103}));
    EXPECT_EQ(stored_text(question, "102"), "Vegan (de)");
}

TEST(AnswerMultipleChoice, RejectsDuplicatesEmptyItemsAndUnknowns) {
    const Question question = choice_question(1, QuestionType::multiple_choice);
    EXPECT_EQ(refusal(question, "101,101"), "Each option can be chosen only once");
    EXPECT_EQ(refusal(question, "101,VEG"), "Each option can be chosen only once");
    EXPECT_FALSE(accepts(question, "101,,102"));
    EXPECT_FALSE(accepts(question, "101,"));
    EXPECT_FALSE(accepts(question, ""));
    EXPECT_FALSE(accepts(question, "101,555"));
}

TEST(AnswerDate, FormatCalendarAndBounds) {
    const Question question = make_question(1, QuestionType::date, true,
                                            {{"valid_date_min", "2026-01-01"}, {"valid_date_max", "2026-12-31"}});
    EXPECT_EQ(stored_text(question, "2026-05-04"), "2026-05-04");
    EXPECT_TRUE(accepts(question, "2026-01-01"));
    EXPECT_TRUE(accepts(question, "2026-12-31"));
    EXPECT_FALSE(accepts(question, "2025-12-31"));
    EXPECT_FALSE(accepts(question, "2027-01-01"));
    EXPECT_EQ(refusal(question, "2027-01-01"), "Please enter a date between 2026-01-01 and 2026-12-31");
    for (std::string_view bad : {"2026-02-30", "2026-13-01", "2026-5-4", "04.05.2026", "2026-05-04T10:00", ""})
        EXPECT_FALSE(accepts(question, bad)) << bad;

    const Question unbounded = make_question(2, QuestionType::date, true, {{"valid_date_min", nullptr}});
    EXPECT_TRUE(accepts(unbounded, "1900-02-28"));
}

TEST(AnswerTime, HoursMinutesOptionalSeconds) {
    const Question question = make_question(1, QuestionType::time);
    EXPECT_EQ(stored_text(question, "09:30"), "09:30:00");
    EXPECT_EQ(stored_text(question, "23:59:59"), "23:59:59");
    EXPECT_EQ(stored_text(question, "00:00"), "00:00:00");
    for (std::string_view bad : {"24:00", "12:60", "12:00:60", "9:30", "0930", "12:30 pm", ""})
        EXPECT_FALSE(accepts(question, bad)) << bad;
}

TEST(AnswerDatetime, IsoWithBounds) {
    const Question question = make_question(1, QuestionType::datetime, true,
                                            {{"valid_datetime_min", "2026-05-04T09:00:00+02:00"},
                                             {"valid_datetime_max", "2026-05-04T18:00:00Z"}});
    EXPECT_EQ(stored_text(question, "2026-05-04T09:00:00+02:00"), "2026-05-04T07:00:00Z");
    EXPECT_EQ(stored_text(question, "2026-05-04 10:15"), "2026-05-04T10:15:00Z");
    EXPECT_TRUE(accepts(question, "2026-05-04T18:00:00Z"));
    EXPECT_FALSE(accepts(question, "2026-05-04T06:59:59Z"));
    EXPECT_FALSE(accepts(question, "2026-05-04T18:00:01Z"));
    EXPECT_FALSE(accepts(question, "2026-05-04"));   // a date alone is not a datetime
    EXPECT_FALSE(accepts(question, "tomorrow"));
}

TEST(AnswerEmail, NeedsLocalPartAndDottedDomain) {
    const Question question = make_question(1, QuestionType::email);
    EXPECT_EQ(stored_text(question, " ada@example.org "), "ada@example.org");
    EXPECT_TRUE(accepts(question, "first.last+tag@sub.example.co.uk"));
    for (std::string_view bad : {"ada", "@example.org", "ada@localhost", "ada@example.", "ada@.org", "a b@example.org",
                                 "ada@@example.org", "ada@exa..mple.org", ""})
        EXPECT_FALSE(accepts(question, bad)) << bad;
}

TEST(AnswerPhone, PlusAndSixToTwentyDigits) {
    const Question question = make_question(1, QuestionType::phone);
    EXPECT_EQ(stored_text(question, "+49 (30) 123-456"), "+4930123456");
    EXPECT_TRUE(accepts(question, "+123456"));
    EXPECT_TRUE(accepts(question, "+" + std::string(20, '1')));
    EXPECT_FALSE(accepts(question, "+12345"));
    EXPECT_FALSE(accepts(question, "+" + std::string(21, '1')));
    EXPECT_FALSE(accepts(question, "030 1234567"));
    EXPECT_FALSE(accepts(question, "+49 30 CALL-ME"));
    EXPECT_FALSE(accepts(question, "+49/30/123456"));
}

TEST(AnswerCountry, Iso3166Alpha2UpperCased) {
    const Question question = make_question(1, QuestionType::country);
    EXPECT_EQ(stored_text(question, "de"), "DE");
    EXPECT_EQ(stored_text(question, "ZW"), "ZW");
    EXPECT_EQ(stored_text(question, "AD"), "AD");
    for (std::string_view bad : {"XX", "DEU", "D", "", "1A", "UK"}) EXPECT_FALSE(accepts(question, bad)) << bad;
}

TEST(AnswerFile, OnlyFileReferences) {
    const Question question = make_question(1, QuestionType::file);
    EXPECT_TRUE(accepts(question, "file:abc123"));
    EXPECT_FALSE(accepts(question, "file:"));
    EXPECT_FALSE(accepts(question, "photo.jpg"));
}

TEST(AnswerStoredForm, EveryTypeNamesItsQuestion) {
    // What the engine stores with an admission: each answer must say which question it answers.
    const std::vector<std::pair<Question, std::string>> cases = {
        {make_question(11, QuestionType::boolean), "yes"},
        {make_question(12, QuestionType::number), "3"},
        {make_question(13, QuestionType::string), "x"},
        {make_question(14, QuestionType::text), "x"},
        {choice_question(15), "101"},
        {choice_question(16, QuestionType::multiple_choice), "101,103"},
        {make_question(17, QuestionType::date), "2026-05-04"},
        {make_question(18, QuestionType::time), "09:30"},
        {make_question(19, QuestionType::datetime), "2026-05-04T09:30"},
        {make_question(20, QuestionType::email), "a@example.com"},
        {make_question(21, QuestionType::phone), "+49 30 1234567"},
        {make_question(22, QuestionType::country), "de"},
        {make_question(23, QuestionType::file), "file:abc"},
    };
    for (const auto& [question, raw] : cases) {
        const AnswerCheck check = validate_answer(question, raw);
        ASSERT_TRUE(check.has_value()) << raw << ": " << check.error();
        EXPECT_EQ(check->question, question.id) << raw;
        EXPECT_EQ(check->options.empty(), question.options.empty()) << raw;   // option ids only for choices
    }
}

TEST(AnswerErrors, AreSingleHumanLines) {
    const std::vector<std::pair<Question, std::string>> cases = {
        {make_question(1, QuestionType::number, true, {{"valid_number_min", "1"}, {"valid_number_max", "10"}}), "0"},
        {choice_question(2), "x"}, {make_question(3, QuestionType::date), "x"}, {make_question(4, QuestionType::email), "x"},
        {make_question(5, QuestionType::string), "\xff"}};
    for (const auto& [question, raw] : cases) {
        const AnswerCheck check = validate_answer(question, raw);
        ASSERT_FALSE(check.has_value());
        EXPECT_FALSE(check.error().empty());
        EXPECT_EQ(check.error().find('\n'), std::string::npos);
    }
    EXPECT_EQ(refusal(cases[0].first, "0"), "Please enter a number between 1 and 10");
}

// --- stored_answer_is_valid ---------------------------------------------------------------------------

TEST(AnswerStored, EmptyNeverSatisfies) {
    for (QuestionType type : {QuestionType::string, QuestionType::number, QuestionType::choice, QuestionType::boolean})
        EXPECT_FALSE(stored_answer_is_valid(choice_question(1, type), Answer{1, "", {}}));
    EXPECT_FALSE(stored_answer_is_valid(make_question(1, QuestionType::string), Answer{1, "   ", {}}));
}

TEST(AnswerStored, LenientWithBackendText) {
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::string), Answer{1, "anything", {}}));
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::email), Answer{1, "not really an email", {}}));
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::file),
                                       Answer{1, "https://pretix.example/api/v1/answers/1/file/", {}}));
    // Bounds may have moved since the answer was stored.
    const Question bounded = make_question(1, QuestionType::number, true, {{"valid_number_max", "5"}});
    EXPECT_TRUE(stored_answer_is_valid(bounded, Answer{1, "7", {}}));
    EXPECT_FALSE(stored_answer_is_valid(bounded, Answer{1, "seven", {}}));
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::time), Answer{1, "14:30:00", {}}));
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::datetime), Answer{1, "2026-05-04T09:00:00+02:00", {}}));
}

TEST(AnswerStored, BooleanRequiredNeedsTrue) {
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::boolean, true), Answer{1, "True", {}}));
    EXPECT_FALSE(stored_answer_is_valid(make_question(1, QuestionType::boolean, true), Answer{1, "False", {}}));
    EXPECT_TRUE(stored_answer_is_valid(make_question(1, QuestionType::boolean, false), Answer{1, "False", {}}));
}

TEST(AnswerStored, ChoiceByOptionsOrText) {
    const Question question = choice_question(1, QuestionType::multiple_choice);
    EXPECT_TRUE(stored_answer_is_valid(question, Answer{1, "", {101}}));
    EXPECT_TRUE(stored_answer_is_valid(question, Answer{1, "Vegetarisch", {}}));
    EXPECT_TRUE(stored_answer_is_valid(question, Answer{1, "Vegetarian, Meat", {}}));
    EXPECT_FALSE(stored_answer_is_valid(question, Answer{1, "Fish", {}}));
}

// --- review_questions -----------------------------------------------------------------------------------

TEST(QuestionReview, RequiredWithoutAnswerIsMissingInPositionOrder) {
    Question late = make_question(1, QuestionType::string);
    late.position = 5;
    Question early = make_question(2, QuestionType::string);
    early.position = 1;
    Question tie = make_question(3, QuestionType::string);
    tie.position = 1;
    Question optional = make_question(4, QuestionType::string, false);
    const QuestionReview review = review_questions({&late, &tie, &optional, &early}, {}, {});
    EXPECT_EQ(ids(review.missing), (std::vector<int64_t>{2, 3, 1}));
    EXPECT_TRUE(review.accepted.empty());
    EXPECT_TRUE(review.errors.empty());
}

TEST(QuestionReview, StoredAnswersSatisfyAndGivenOverrides) {
    const Question name = make_question(1, QuestionType::string);
    const Question boolean = make_question(2, QuestionType::boolean);
    const std::vector<Answer> stored = {{1, "Ada", {}}, {2, "True", {}}};

    QuestionReview review = review_questions({&name, &boolean}, stored, {});
    EXPECT_TRUE(review.missing.empty());

    review = review_questions({&name, &boolean}, stored, {{1, "Grace"}});
    EXPECT_TRUE(review.missing.empty());
    ASSERT_EQ(review.accepted.count(1), 1u);
    EXPECT_EQ(review.accepted.at(1).answer, "Grace");

    // A wrong new answer blocks even though a good one is stored.
    review = review_questions({&name, &boolean}, stored, {{2, "no"}});
    EXPECT_EQ(ids(review.missing), std::vector<int64_t>{2});
    EXPECT_EQ(review.errors.count(2), 1u);
}

TEST(QuestionReview, InvalidAnswersAreListedAndMissingEvenIfOptional) {
    const Question age = make_question(1, QuestionType::number, false, {{"valid_number_min", 18}});
    const Question mail = make_question(2, QuestionType::email);
    const QuestionReview review = review_questions({&age, &mail}, {}, {{1, "12"}, {2, "ada@example.org"}});
    EXPECT_EQ(ids(review.missing), std::vector<int64_t>{1});
    EXPECT_EQ(review.errors.at(1), "Please enter a number of at least 18");
    EXPECT_EQ(review.accepted.at(2).answer, "ada@example.org");
    EXPECT_EQ(review.accepted.count(1), 0u);
}

TEST(QuestionReview, BlankOptionalAnswerIsNoAnswer) {
    const Question note = make_question(1, QuestionType::string, false);
    const Question name = make_question(2, QuestionType::string, true);
    const QuestionReview review = review_questions({&note, &name}, {}, {{1, "  "}, {2, ""}});
    EXPECT_EQ(ids(review.missing), std::vector<int64_t>{2});
    EXPECT_EQ(review.errors.count(1), 0u);
    EXPECT_EQ(review.errors.count(2), 1u);
}

TEST(QuestionReview, AnswersForUnaskedQuestionsAreIgnored) {
    const Question name = make_question(1, QuestionType::string);
    const QuestionReview review = review_questions({&name}, {}, {{1, "Ada"}, {99, "\xff"}, {100, "anything"}});
    EXPECT_TRUE(review.missing.empty());
    EXPECT_EQ(review.accepted.size(), 1u);
    EXPECT_TRUE(review.errors.empty());
}

TEST(QuestionReview, BooleanParentControlsChild) {
    const Question parking = make_question(1, QuestionType::boolean, false);
    Question plate = make_question(2, QuestionType::string);
    plate.dependency_question = 1;
    plate.dependency_values = {"True"};

    EXPECT_TRUE(review_questions({&parking, &plate}, {}, {}).missing.empty());
    EXPECT_TRUE(review_questions({&parking, &plate}, {}, {{1, "no"}}).missing.empty());
    EXPECT_EQ(ids(review_questions({&parking, &plate}, {}, {{1, "yes"}}).missing), std::vector<int64_t>{2});
    EXPECT_EQ(ids(review_questions({&parking, &plate}, {{1, "True", {}}}, {}).missing), std::vector<int64_t>{2});
    // The given "no" overrides the stored "True".
    EXPECT_TRUE(review_questions({&parking, &plate}, {{1, "True", {}}}, {{1, "false"}}).missing.empty());
    EXPECT_TRUE(review_questions({&parking, &plate}, {}, {{1, "yes"}, {2, "B-AB 123"}}).missing.empty());
}

TEST(QuestionReview, ChoiceParentMatchesOptionIdentifiers) {
    const Question diet = choice_question(1, QuestionType::multiple_choice, false);
    Question allergies = make_question(2, QuestionType::text);
    allergies.dependency_question = 1;
    allergies.dependency_values = {"VEG", "VGN"};

    EXPECT_TRUE(review_questions({&diet, &allergies}, {}, {{1, "103"}}).missing.empty());
    EXPECT_EQ(ids(review_questions({&diet, &allergies}, {}, {{1, "103,102"}}).missing), std::vector<int64_t>{2});
    EXPECT_EQ(ids(review_questions({&diet, &allergies}, {{1, "", {101}}}, {}).missing), std::vector<int64_t>{2});
    // Backend answers that only carry the option text still count.
    EXPECT_EQ(ids(review_questions({&diet, &allergies}, {{1, "Vegetarian", {}}}, {}).missing), std::vector<int64_t>{2});
    EXPECT_TRUE(review_questions({&diet, &allergies}, {{1, "", {103}}}, {}).missing.empty());
}

TEST(QuestionReview, ChainOfTwoDependencies) {
    const Question attends_dinner = make_question(1, QuestionType::boolean, false);
    Question menu = choice_question(2);
    menu.dependency_question = 1;
    menu.dependency_values = {"True"};
    Question allergy = make_question(3, QuestionType::string);
    allergy.dependency_question = 2;
    allergy.dependency_values = {"VGN"};
    const std::vector<const Question*> asked = {&allergy, &menu, &attends_dinner};

    EXPECT_TRUE(review_questions(asked, {}, {}).missing.empty());
    EXPECT_EQ(ids(review_questions(asked, {}, {{1, "yes"}}).missing), std::vector<int64_t>{2});
    EXPECT_EQ(ids(review_questions(asked, {}, {{1, "yes"}, {2, "VGN"}}).missing), std::vector<int64_t>{3});
    EXPECT_TRUE(review_questions(asked, {}, {{1, "yes"}, {2, "VEG"}}).missing.empty());

    // The menu answer stays stored, but without dinner neither follow-up is asked; answers given
    // to hidden questions are dropped rather than stored.
    const std::vector<Answer> stored = {{2, "Vegan (de)", {102}}};
    const QuestionReview hidden = review_questions(asked, stored, {{1, "no"}, {3, "\xff"}, {2, "VEG"}});
    EXPECT_TRUE(hidden.missing.empty());
    EXPECT_TRUE(hidden.errors.empty());
    EXPECT_EQ(hidden.accepted.count(2), 0u);
    EXPECT_EQ(hidden.accepted.at(1).answer, "False");
}

TEST(QuestionReview, DependencyOnUnaskedQuestionHidesTheChild) {
    Question child = make_question(2, QuestionType::string);
    child.dependency_question = 1;
    child.dependency_values = {"True"};
    EXPECT_TRUE(review_questions({&child}, {{1, "True", {}}}, {}).missing.empty());
}

TEST(QuestionReview, ParentAskedAtOrderTimeDecidesThroughItsStoredAnswer) {
    const Question needs_visa = make_question(1, QuestionType::boolean, false); // asked in the shop
    Question passport = make_question(2, QuestionType::string);                  // asked at the door
    passport.dependency_question = 1;
    passport.dependency_values = {"True"};
    EXPECT_EQ(ids(review_questions({&passport}, {{1, "True", {}}}, {}, nullptr, {&needs_visa}).missing),
              std::vector<int64_t>{2});
    EXPECT_TRUE(review_questions({&passport}, {{1, "False", {}}}, {}, nullptr, {&needs_visa}).missing.empty());
    EXPECT_TRUE(review_questions({&passport}, {}, {}, nullptr, {&needs_visa}).missing.empty()); // never answered
}

TEST(AnswerDatetime, WithoutOffsetIsTheEventsWallClock) {
    const Question arrival = make_question(1, QuestionType::datetime);
    const auto* berlin = find_time_zone("Europe/Berlin");
    EXPECT_EQ(stored_text(arrival, "2027-03-16T10:00", berlin), "2027-03-16T09:00:00Z");
    EXPECT_EQ(stored_text(arrival, "2027-07-16T10:00", berlin), "2027-07-16T08:00:00Z"); // summer time
    EXPECT_EQ(stored_text(arrival, "2027-03-16T10:00+00:00", berlin), "2027-03-16T10:00:00Z");
    EXPECT_EQ(stored_text(arrival, "2027-03-16T10:00"), "2027-03-16T10:00:00Z"); // no zone known
}

TEST(QuestionReview, InvalidGivenParentFallsBackToStoredForDependencies) {
    const Question parent = make_question(1, QuestionType::boolean, false);
    Question child = make_question(2, QuestionType::string);
    child.dependency_question = 1;
    child.dependency_values = {"True"};
    const QuestionReview review = review_questions({&parent, &child}, {{1, "True", {}}}, {{1, "perhaps"}});
    EXPECT_EQ(ids(review.missing), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(review.errors.count(1), 1u);
}

TEST(QuestionReview, DependencyCycleDoesNotHang) {
    Question a = make_question(1, QuestionType::boolean);
    a.dependency_question = 2;
    a.dependency_values = {"True"};
    Question b = make_question(2, QuestionType::boolean);
    b.dependency_question = 1;
    b.dependency_values = {"True"};
    Question self = make_question(3, QuestionType::string);
    self.dependency_question = 3;
    self.dependency_values = {"x"};
    const QuestionReview review = review_questions({&a, &b, &self, nullptr}, {}, {{1, "yes"}, {2, "yes"}, {3, "x"}});
    EXPECT_TRUE(review.missing.empty());
}

} // namespace
} // namespace kiosk
