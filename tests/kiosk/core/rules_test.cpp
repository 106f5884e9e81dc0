// Check-in rules: standard JsonLogic, pretix's operators and variables, time zones, hostile rules
// and the explanations shown to attendees.
//
// Values are checked through the public API by wrapping an expression in {"===": [expr, expected]}
// (strict equality is tested on its own first). The one internal header used is the vocabulary,
// so that tests over "every operator" follow the language as it grows.
#include "kiosk/core/rules.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "kiosk/core/rules_vocabulary.h"
#include "kiosk/core/time.h"

namespace kiosk {
namespace {

using json = nlohmann::json;

Timestamp at(std::string_view iso) {
    const auto parsed = parse_iso8601(iso);
    EXPECT_TRUE(parsed.has_value()) << iso;
    return parsed.value_or(Timestamp{});
}

// A ticket for product 2, variation 7, scanned at gate "1", with no earlier check-ins.
RuleContext context_at(std::string_view now, std::string_view zone = "UTC") {
    RuleContext context;
    context.product = 2;
    context.variation = 7;
    context.gate.emplace("1");
    context.now = at(now);
    context.zone = find_time_zone(zone);
    EXPECT_NE(context.zone, nullptr) << zone;
    return context;
}

Checkin entry_at(std::string_view when) { return Checkin{1, at(when), CheckinType::entry, std::nullopt}; }
Checkin exit_at(std::string_view when) { return Checkin{1, at(when), CheckinType::exit, std::nullopt}; }

bool allows(const json& rule, const RuleContext& context) {
    return evaluate_rules(rule, context).has_value();
}

// Whether `expression` evaluates to exactly `expected`.
bool yields(const json& expression, const json& expected, const RuleContext& context) {
    return allows(json{{"===", json::array({expression, expected})}}, context);
}

std::string explain(const json& rule, const RuleContext& context) {
    const RuleOutcome outcome = evaluate_rules(rule, context);
    EXPECT_FALSE(outcome) << rule.dump();
    return outcome ? std::string() : outcome.error();
}

json var(std::string_view name) { return json{{"var", name}}; }
json custom_time(std::string_view iso) { return json{{"buildTime", {"custom", iso}}}; }
json clock_time(std::string_view hh_mm) { return json{{"buildTime", {"customtime", hh_mm}}}; }

const RuleContext& plain() {
    static const RuleContext context = context_at("2026-05-04T10:00:00Z");
    return context;
}

// ---------------------------------------------------------------------------------------------
// Empty rules

TEST(RulesEmpty, NoRuleShapesAdmitEveryone) {
    // pretix skips rules that are falsy in Python; `true` admits everyone anyway.
    for (const json& rule : {json(nullptr), json::object(), json::array(), json(""), json(true), json(false), json(0)}) {
        EXPECT_TRUE(rules_are_empty(rule)) << rule.dump();
        const RuleOutcome outcome = evaluate_rules(rule, plain());
        EXPECT_TRUE(outcome) << rule.dump() << " -> " << (outcome ? std::string() : outcome.error());
    }
}

TEST(RulesEmpty, RealRulesAreNotEmpty) {
    EXPECT_FALSE(rules_are_empty(json::parse(R"({"<": [{"var": "entries_number"}, 3]})")));
    EXPECT_FALSE(rules_are_empty(json::parse(R"({"and": []})")));
    EXPECT_FALSE(rules_are_empty(json::parse(R"([0])")));
    EXPECT_FALSE(rules_are_empty(json("x")));
}

TEST(RulesEmpty, AnEmptyAndDenies) {
    // {"and": []} is JsonLogic null, which is false.
    EXPECT_FALSE(allows(json::parse(R"({"and": []})"), plain()));
}

// ---------------------------------------------------------------------------------------------
// Standard JsonLogic

TEST(RulesJsonLogic, StrictEquality) {
    EXPECT_TRUE(allows(json::parse(R"({"===": [1, 1]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"===": [1, 1.0]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"===": ["a", "a"]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"===": [null, null]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"===": [[1, "a"], [1, "a"]]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"===": [1, "1"]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"===": [0, false]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"===": [null, 0]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"===": [[1], [1, 2]]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"!==": [1, "1"]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"!==": [2, 2]})"), plain()));
}

TEST(RulesJsonLogic, LooseEqualityFollowsJavaScript) {
    EXPECT_TRUE(allows(json::parse(R"({"==": [1, "1"]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [0, false]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [1, true]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": ["1", true]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [null, null]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": ["", 0]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [[1], 1]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": ["2.0", 2]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"==": [null, 0]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"==": [null, ""]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"==": ["abc", 0]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"!=": [1, 2]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"!=": [1, "1"]})"), plain()));
}

TEST(RulesJsonLogic, NotAndDoubleNot) {
    EXPECT_TRUE(allows(json::parse(R"({"!": [false]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"!": false})"), plain()));       // operand without array
    EXPECT_TRUE(allows(json::parse(R"({"!": [[]]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"!": ["0"]})"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"!!": ["0"]})"), true, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"!!": [0]})"), false, plain()));
}

TEST(RulesJsonLogic, Truthiness) {
    for (const char* falsy : {"false", "null", "0", "0.0", "\"\"", "[]"})
        EXPECT_TRUE(yields(json{{"!!", json::array({json::parse(falsy)})}}, false, plain())) << falsy;
    for (const char* truthy : {"true", "1", "-1", "0.5", "\"0\"", "\" \"", "\"false\"", "[0]", "[[]]", "{\"a\": 1, \"b\": 2}"})
        EXPECT_TRUE(yields(json{{"!!", json::array({json::parse(truthy)})}}, true, plain())) << truthy;
    // A whole rule is judged by the same truthiness.
    EXPECT_TRUE(allows(json::parse(R"([0])"), plain()));
    EXPECT_TRUE(allows(json("no"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"var": "variation_missing"})"), plain()));
}

TEST(RulesJsonLogic, AndOrReturnTheDecidingValue) {
    EXPECT_TRUE(yields(json::parse(R"({"or": [0, "", "x", "y"]})"), "x", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"or": [0, false]})"), false, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"and": [1, "a", 0, 2]})"), 0, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"and": [1, 2]})"), 2, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"or": []})"), nullptr, plain()));
}

TEST(RulesJsonLogic, AndOrShortCircuit) {
    // The second operand would be a type error (arithmetic on a time) if it were evaluated.
    EXPECT_TRUE(allows(json::parse(R"({"or": [true, {"-": [{"var": "now"}]}]})"), plain()));
    const RuleOutcome outcome = evaluate_rules(json::parse(R"({"and": [false, {"-": [{"var": "now"}]}]})"), plain());
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().find("Invalid"), std::string::npos) << outcome.error();
}

TEST(RulesJsonLogic, IfChains) {
    EXPECT_TRUE(yields(json::parse(R"({"if": [true, "yes", "no"]})"), "yes", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": [[], "yes", "no"]})"), "no", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": [false, 1, true, 2, 3]})"), 2, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": [false, 1, false, 2, 3]})"), 3, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": [false, 1, false, 2]})"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": [false, 1]})"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": []})"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"if": ["only"]})"), "only", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"?:": [{"==": [{"var": "product"}, 2]}, "two", "other"]})"), "two", plain()));
    // Branches not taken are not evaluated.
    EXPECT_TRUE(allows(json::parse(R"({"if": [true, 1, {"-": [{"var": "now"}]}]})"), plain()));
}

TEST(RulesJsonLogic, OrderingComparisons) {
    EXPECT_TRUE(allows(json::parse(R"({"<": [1, 2]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"<": [2, 2]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<=": [2, 2]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({">": [3, 2]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({">": [2, 2]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({">=": [2, 2]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({">=": [1, 2]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<": ["a", "b"]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<": ["10", "9"]})"), plain()));        // both text: lexicographic
    EXPECT_TRUE(allows(json::parse(R"({">": ["10", 9]})"), plain()));          // one number: numeric
    EXPECT_FALSE(allows(json::parse(R"({"<": ["abc", 9]})"), plain()));        // NaN compares false
    EXPECT_FALSE(allows(json::parse(R"({">=": ["abc", 9]})"), plain()));
}

TEST(RulesJsonLogic, BetweenForms) {
    EXPECT_TRUE(allows(json::parse(R"({"<": [1, 2, 3]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"<": [1, 1, 3]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"<": [1, 4, 3]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<=": [1, 1, 3]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<=": [1, 3, 3]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"<=": [1, 4, 3]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<=": [0, {"var": "entries_number"}, 2]})"), plain()));
}

TEST(RulesJsonLogic, MaxMin) {
    EXPECT_TRUE(yields(json::parse(R"({"max": [1, 3, 2]})"), 3, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"min": [1, "-2", 0]})"), -2, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"max": [4]})"), 4, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"max": []})"), nullptr, plain()));
    EXPECT_TRUE(allows(json::parse(R"({"!": {"max": [1, "x"]}})"), plain()));  // NaN
}

TEST(RulesJsonLogic, Arithmetic) {
    EXPECT_TRUE(yields(json::parse(R"({"+": [1, "2", 3.5]})"), 6.5, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"+": ["3"]})"), 3, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"+": []})"), 0, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"-": [5]})"), -5, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"-": [5, 2]})"), 3, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"*": [2, "3", 2]})"), 12, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"/": [7, 2]})"), 3.5, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"%": [7, 3]})"), 1, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"%": [-7, 3]})"), -1, plain()));      // sign of the dividend, as in JS
    EXPECT_TRUE(yields(json::parse(R"({"+": [null, true]})"), 1, plain()));
    EXPECT_TRUE(allows(json::parse(R"({">": [{"/": [1, 0]}, 1e300]})"), plain()));  // Infinity
    EXPECT_TRUE(allows(json::parse(R"({"!": {"%": [1, 0]}})"), plain()));         // NaN is false
}

TEST(RulesJsonLogic, InSubstringAndMembership) {
    EXPECT_TRUE(allows(json::parse(R"({"in": ["Spring", "Springfield"]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"in": ["Fall", "Springfield"]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"in": [1, "a1b"]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"in": [2, [1, 2, 3]]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"in": ["2", [1, 2, 3]]})"), plain()));   // membership is strict
    EXPECT_FALSE(allows(json::parse(R"({"in": [1, 5]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"in": [1, null]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"in": [{"var": "gate"}, ["1", "3"]]})"), plain()));
}

TEST(RulesJsonLogic, Cat) {
    EXPECT_TRUE(yields(json::parse(R"({"cat": ["I love ", "pie", 3, null]})"), "I love pie3null", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"cat": [1.5, 2, true, [1, 2]]})"), "1.52true1,2", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"cat": ["product ", {"var": "product"}]})"), "product 2", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"cat": []})"), "", plain()));
}

TEST(RulesJsonLogic, Substr) {
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", 4]})"), "logic", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", -5]})"), "logic", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", 1, 3]})"), "son", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", 4, -2]})"), "log", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", 20]})"), "", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["jsonlogic", -20, 4]})"), "json", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["Grüße", 2, 2]})"), "üß", plain()));  // characters, not bytes
}

TEST(RulesJsonLogic, Merge) {
    EXPECT_TRUE(yields(json::parse(R"({"merge": [[1, 2], [3], 4]})"), json::parse("[1, 2, 3, 4]"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"merge": [[1, [2]]]})"), json::parse("[1, [2]]"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"merge": []})"), json::array(), plain()));
}

TEST(RulesJsonLogic, VarPathsAndDefaults) {
    EXPECT_TRUE(yields(var("product"), 2, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"var": ["nope", 5]})"), 5, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"var": "nope"})"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"var": "product.id"})"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"var": {"cat": ["prod", "uct"]}})"), 2, plain()));   // computed name
    RuleContext no_variation = plain();
    no_variation.variation.reset();
    EXPECT_TRUE(yields(json::parse(R"({"var": ["variation", "none"]})"), "none", no_variation));
    // Inside map, "" is the element and dotted paths reach into it.
    EXPECT_TRUE(yields(json::parse(R"({"map": [[[1, 2], [3, 4]], {"var": "1"}]})"), json::parse("[2, 4]"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"map": [[[1, 2]], {"var": "5"}]})"), json::parse("[null]"), plain()));
    // "" at the top is every variable.
    EXPECT_TRUE(yields(json::parse(R"({"var": ".product"})"), nullptr, plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [{"var": ""}, {"var": ""}]})"), plain()));
}

TEST(RulesJsonLogic, MissingAndMissingSome) {
    RuleContext context = plain();
    context.gate.reset();
    EXPECT_TRUE(yields(json::parse(R"({"missing": ["product", "nope", "gate"]})"), json::parse(R"(["nope", "gate"])"), context));
    EXPECT_TRUE(yields(json::parse(R"({"missing": [["product", "x"]]})"), json::parse(R"(["x"])"), context));
    EXPECT_TRUE(yields(json::parse(R"({"missing": []})"), json::array(), context));
    EXPECT_TRUE(yields(json::parse(R"({"missing_some": [1, ["product", "nope"]]})"), json::array(), context));
    EXPECT_TRUE(yields(json::parse(R"({"missing_some": [2, ["product", "nope"]]})"), json::parse(R"(["nope"])"), context));
    // The usual idiom: admit only when nothing is missing.
    EXPECT_FALSE(allows(json::parse(R"({"!": {"missing": ["gate"]}})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"!": {"missing": ["gate"]}})"), plain()));
}

TEST(RulesJsonLogic, AllNoneSome) {
    EXPECT_TRUE(allows(json::parse(R"({"all": [[1, 2, 3], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"all": [[1, -2, 3], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"all": [[], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"none": [[], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"none": [[-1, 0], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"none": [[-1, 1], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"some": [[-1, 0, 1], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"some": [[-1, 0], {">": [{"var": ""}, 0]}]})"), plain()));
    EXPECT_FALSE(allows(json::parse(R"({"some": [null, {">": [{"var": ""}, 0]}]})"), plain()));
}

TEST(RulesJsonLogic, MapFilterReduce) {
    EXPECT_TRUE(yields(json::parse(R"({"map": [[1, 2, 3], {"*": [{"var": ""}, 2]}]})"), json::parse("[2, 4, 6]"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"map": [null, {"var": ""}]})"), json::array(), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"filter": [[1, 2, 3, 4], {"%": [{"var": ""}, 2]}]})"), json::parse("[1, 3]"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"reduce": [[1, 2, 3, 4], {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]})"),
                       10, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"reduce": [null, {"var": "current"}, 7]})"), 7, plain()));
}

TEST(RulesJsonLogic, LogIsIdentity) {
    EXPECT_TRUE(yields(json::parse(R"({"log": "apple"})"), "apple", plain()));
}

TEST(RulesJsonLogic, LiteralArraysAreEvaluated) {
    EXPECT_TRUE(yields(json::parse(R"([{"var": "product"}, {"+": [1, 1]}])"), json::parse("[2, 2]"), plain()));
}

// ---------------------------------------------------------------------------------------------
// pretix operators

TEST(RulesPretix, InListMatchesProductsById) {
    const json rule = json::parse(R"({"inList": [{"var": "product"}, {"objectList": [
        {"lookup": ["product", "2", "Ticket"]}, {"lookup": ["product", "5", "VIP"]}]}]})");
    EXPECT_TRUE(allows(rule, plain()));
    RuleContext other = plain();
    other.product = 3;
    EXPECT_FALSE(allows(rule, other));
    other.product = 5;
    EXPECT_TRUE(allows(rule, other));
    // Ids given as numbers work too, and the label is optional.
    EXPECT_TRUE(allows(json::parse(R"({"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", 2]}]}]})"),
                       plain()));
    EXPECT_FALSE(allows(json::parse(R"({"inList": [{"var": "product"}, {"objectList": []}]})"), plain()));
}

TEST(RulesPretix, InListMatchesVariations) {
    const json rule = json::parse(R"({"inList": [{"var": "variation"}, {"objectList": [
        {"lookup": ["variation", "7", "Ticket – Student"]}]}]})");
    EXPECT_TRUE(allows(rule, plain()));
    RuleContext no_variation = plain();
    no_variation.variation.reset();
    EXPECT_FALSE(allows(rule, no_variation));
    RuleContext other = plain();
    other.variation = 8;
    EXPECT_FALSE(allows(rule, other));
}

TEST(RulesPretix, InListMatchesGates) {
    const json rule = json::parse(R"({"inList": [{"var": "gate"}, {"objectList": [
        {"lookup": ["gate", "1", "Main entrance"]}, {"lookup": ["gate", 3, "Side"]}]}]})");
    EXPECT_TRUE(allows(rule, plain()));
    RuleContext context = plain();
    context.gate.emplace("3");
    EXPECT_TRUE(allows(rule, context));
    context.gate.emplace("2");
    EXPECT_FALSE(allows(rule, context));
    context.gate.reset();
    EXPECT_FALSE(allows(rule, context));
}

TEST(RulesPretix, LookupYieldsTheId) {
    EXPECT_TRUE(yields(json::parse(R"({"lookup": ["product", 12, "Ticket"]})"), "12", plain()));
    EXPECT_TRUE(yields(json::parse(R"({"objectList": [{"lookup": ["product", "1", "A"]}]})"), json::parse(R"(["1"])"),
                       plain()));
}

TEST(RulesPretix, BuildTimeCustom) {
    const RuleContext berlin = context_at("2026-05-04T10:00:00Z", "Europe/Berlin");
    EXPECT_TRUE(yields(custom_time("2026-05-04T14:00:00+02:00"), custom_time("2026-05-04T12:00:00Z"), berlin));
    // Without an offset the time is read in the event's zone.
    EXPECT_TRUE(yields(custom_time("2026-05-04T14:00:00"), custom_time("2026-05-04T12:00:00Z"), berlin));
    EXPECT_TRUE(yields(custom_time("2020-01-01T10:00:00+01:00"), custom_time("2020-01-01T09:00:00Z"), berlin));
}

TEST(RulesPretix, BuildTimeCustomTimeIsTodayInTheEventZone) {
    const RuleContext berlin = context_at("2026-05-04T10:00:00Z", "Europe/Berlin");
    EXPECT_TRUE(yields(clock_time("14:00"), custom_time("2026-05-04T12:00:00Z"), berlin));
    EXPECT_TRUE(yields(clock_time("14:00:30"), custom_time("2026-05-04T12:00:30Z"), berlin));
    EXPECT_TRUE(yields(clock_time("9:05"), custom_time("2026-05-04T07:05:00Z"), berlin));
    EXPECT_TRUE(yields(clock_time("00:00"), custom_time("2026-05-03T22:00:00Z"), berlin));
}

TEST(RulesPretix, BuildTimeEventDates) {
    RuleContext context = context_at("2026-05-04T10:00:00Z", "Europe/Berlin");
    context.date_from = at("2026-05-04T07:00:00Z");
    context.date_to = at("2026-05-04T16:00:00Z");
    context.date_admission = at("2026-05-04T06:30:00Z");
    EXPECT_TRUE(yields(json::parse(R"({"buildTime": ["date_from"]})"), custom_time("2026-05-04T07:00:00Z"), context));
    EXPECT_TRUE(yields(json::parse(R"({"buildTime": ["date_to"]})"), custom_time("2026-05-04T16:00:00Z"), context));
    EXPECT_TRUE(yields(json::parse(R"({"buildTime": ["date_admission"]})"), custom_time("2026-05-04T06:30:00Z"), context));
    context.date_admission.reset();
    EXPECT_TRUE(yields(json::parse(R"({"buildTime": ["date_admission"]})"), custom_time("2026-05-04T07:00:00Z"), context));
    context.date_to.reset();
    EXPECT_TRUE(yields(json::parse(R"({"buildTime": ["date_to"]})"), nullptr, context));
}

TEST(RulesPretix, IsAfterAndIsBeforeWithTolerance) {
    // 13:50 in Berlin.
    const RuleContext context = context_at("2026-05-04T11:50:00Z", "Europe/Berlin");
    const auto is_after = [&](json tolerance) {
        return allows(json{{"isAfter", {var("now"), clock_time("14:00"), tolerance}}}, context);
    };
    EXPECT_FALSE(is_after(nullptr));
    EXPECT_FALSE(is_after(0));
    EXPECT_FALSE(is_after(5));
    EXPECT_FALSE(is_after(10));              // 13:50 > 13:50 is false
    EXPECT_TRUE(is_after(15));
    EXPECT_TRUE(is_after("15"));
    EXPECT_TRUE(is_after(10.5));
    EXPECT_TRUE(allows(json{{"isAfter", {var("now"), clock_time("13:00")}}}, context));

    const auto is_before = [&](json tolerance) {
        return allows(json{{"isBefore", {var("now"), clock_time("13:45"), tolerance}}}, context);
    };
    EXPECT_FALSE(is_before(nullptr));
    EXPECT_FALSE(is_before(5));
    EXPECT_TRUE(is_before(10));
    EXPECT_TRUE(allows(json{{"isBefore", {var("now"), clock_time("14:00")}}}, context));
    EXPECT_FALSE(allows(json{{"isBefore", {var("now"), clock_time("13:50")}}}, context));  // strict
}

TEST(RulesPretix, MissingTimesMakeIsAfterAndIsBeforeFalse) {
    const RuleContext context = plain();      // no event dates
    EXPECT_FALSE(allows(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["date_to"]}]})"), context));
    EXPECT_FALSE(allows(json::parse(R"({"isBefore": [{"var": "now"}, {"buildTime": ["date_from"]}]})"), context));
    EXPECT_FALSE(allows(json::parse(R"({"isBefore": [null, {"var": "now"}, 5]})"), context));
    // A false comparison, not a broken rule: it can be negated.
    EXPECT_TRUE(allows(json::parse(R"({"!": {"isAfter": [{"var": "now"}, {"buildTime": ["date_to"]}]}})"), context));
}

TEST(RulesPretix, RealisticPretixRule) {
    const json rule = json::parse(R"({"and": [
        {"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", "2", "Ticket"]}]}]},
        {"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}, null]}]})");
    EXPECT_TRUE(allows(rule, context_at("2026-05-04T12:30:00Z", "Europe/Berlin")));   // 14:30
    EXPECT_FALSE(allows(rule, context_at("2026-05-04T11:00:00Z", "Europe/Berlin")));  // 13:00
    EXPECT_EQ(explain(rule, context_at("2026-05-04T11:00:00Z", "Europe/Berlin")), "Only allowed after 14:00");
    RuleContext other_product = context_at("2026-05-04T11:00:00Z", "Europe/Berlin");
    other_product.product = 9;
    EXPECT_EQ(explain(rule, other_product), "Ticket type not allowed, Only allowed after 14:00");
}

TEST(RulesPretix, EntriesSinceAndBefore) {
    RuleContext context = context_at("2026-05-04T18:00:00Z");
    context.checkins = {entry_at("2026-05-04T09:00:00Z"), exit_at("2026-05-04T10:00:00Z"), entry_at("2026-05-04T12:00:00Z"),
                        entry_at("2026-05-03T12:00:00Z"), entry_at("2026-05-04T15:00:00Z")};
    const auto count = [&](const char* op, const char* when) {
        return json{{op, json::array({custom_time(when)})}};
    };
    EXPECT_TRUE(yields(count("entries_since", "2026-05-04T12:00:00Z"), 2, context));   // at the boundary counts
    EXPECT_TRUE(yields(count("entries_before", "2026-05-04T12:00:00Z"), 2, context));  // strictly before
    EXPECT_TRUE(yields(count("entries_since", "2026-05-04T00:00:00Z"), 3, context));
    EXPECT_TRUE(yields(count("entries_before", "2026-05-04T00:00:00Z"), 1, context));
    EXPECT_TRUE(yields(count("entries_since", "2026-05-05T00:00:00Z"), 0, context));
    EXPECT_TRUE(yields(count("entries_days_since", "2026-05-01T00:00:00Z"), 2, context));
    EXPECT_TRUE(yields(count("entries_days_since", "2026-05-04T10:00:00Z"), 1, context));
    EXPECT_TRUE(yields(count("entries_days_before", "2026-05-04T12:00:00Z"), 2, context));
    EXPECT_TRUE(yields(count("entries_days_before", "2026-05-03T00:00:00Z"), 0, context));
    // The usual shape: at most one entry since admission opened.
    context.date_admission = at("2026-05-04T08:00:00Z");
    EXPECT_FALSE(allows(json::parse(R"({"<": [{"entries_since": [{"buildTime": ["date_admission"]}]}, 1]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"<": [{"entries_since": [{"buildTime": ["date_admission"]}]}, 4]})"), context));
}

TEST(RulesPretix, EntriesDaysCountLocalDays) {
    // 22:30 and 23:30 UTC are the next day in Berlin (CEST, +02:00).
    RuleContext context = context_at("2026-05-06T10:00:00Z", "Europe/Berlin");
    context.checkins = {entry_at("2026-05-04T21:00:00Z"), entry_at("2026-05-04T22:30:00Z"), entry_at("2026-05-04T23:30:00Z")};
    const json since_may = json{{"entries_days_since", json::array({custom_time("2026-05-01T00:00:00Z")})}};
    EXPECT_TRUE(yields(since_may, 2, context));
    EXPECT_TRUE(yields(json{{"entries_days_before", json::array({custom_time("2026-05-06T00:00:00Z")})}}, 2, context));
    context.zone = nullptr;                   // UTC
    EXPECT_TRUE(yields(since_may, 1, context));
}

TEST(RulesPretix, InstantsCompareWithOrderingAndEquality) {
    RuleContext context = context_at("2026-05-04T10:00:00Z", "Europe/Berlin");
    context.date_to = at("2026-05-04T16:00:00Z");
    EXPECT_TRUE(allows(json::parse(R"({"<": [{"var": "now"}, {"buildTime": ["date_to"]}]})"), context));
    EXPECT_FALSE(allows(json::parse(R"({">": [{"var": "now"}, {"buildTime": ["date_to"]}]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"<=": [{"var": "now"}, {"buildTime": ["custom", "2026-05-04T12:00:00+02:00"]}]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"<": [{"buildTime": ["customtime", "09:00"]}, {"var": "now"}, {"buildTime": ["date_to"]}]})"),
                       context));
    EXPECT_TRUE(allows(json::parse(R"({"==": [{"var": "now"}, {"buildTime": ["custom", "2026-05-04T12:00:00+02:00"]}]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"==": [{"var": "now"}, "2026-05-04T10:00:00Z"]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"<": [{"var": "now"}, "2026-05-04T13:00:00"]})"), context));  // local 13:00
    EXPECT_FALSE(allows(json::parse(R"({"==": [{"var": "now"}, 0]})"), context));
    EXPECT_FALSE(allows(json::parse(R"({"==": [{"var": "now"}, null]})"), context));
    EXPECT_TRUE(allows(json::parse(R"({"!=": [{"var": "now"}, {"buildTime": ["date_to"]}]})"), context));
    // A missing date makes an ordering false, as isAfter does.
    context.date_to.reset();
    EXPECT_FALSE(allows(json::parse(R"({"<": [{"var": "now"}, {"buildTime": ["date_to"]}]})"), context));
}

// ---------------------------------------------------------------------------------------------
// Variables

TEST(RulesVariables, ProductVariationGate) {
    EXPECT_TRUE(yields(var("product"), 2, plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [{"var": "product"}, "2"]})"), plain()));
    EXPECT_TRUE(yields(var("variation"), 7, plain()));
    EXPECT_TRUE(yields(var("gate"), "1", plain()));
    EXPECT_TRUE(allows(json::parse(R"({"==": [{"var": "gate"}, 1]})"), plain()));
    RuleContext bare = plain();
    bare.variation.reset();
    bare.gate.reset();
    EXPECT_TRUE(yields(var("variation"), nullptr, bare));
    EXPECT_TRUE(yields(var("gate"), nullptr, bare));
}

TEST(RulesVariables, NowAndWeekday) {
    EXPECT_TRUE(yields(var("now"), custom_time("2026-05-04T10:00:00Z"), plain()));
    EXPECT_TRUE(yields(var("now_isoweekday"), 1, plain()));                 // 2026-05-04 is a Monday
    EXPECT_TRUE(yields(var("now_isoweekday"), 7, context_at("2026-05-03T10:00:00Z")));
}

TEST(RulesVariables, EntryStatus) {
    RuleContext context = plain();
    EXPECT_TRUE(yields(var("entry_status"), "absent", context));
    context.checkins = {entry_at("2026-05-04T08:00:00Z")};
    EXPECT_TRUE(yields(var("entry_status"), "present", context));
    // Any order: the latest by time decides.
    context.checkins = {exit_at("2026-05-04T09:00:00Z"), entry_at("2026-05-04T08:00:00Z")};
    EXPECT_TRUE(yields(var("entry_status"), "absent", context));
    context.checkins = {entry_at("2026-05-04T09:30:00Z"), exit_at("2026-05-04T09:00:00Z"), entry_at("2026-05-04T08:00:00Z")};
    EXPECT_TRUE(yields(var("entry_status"), "present", context));
    // Same instant: the later one in insertion order is the latest.
    context.checkins = {entry_at("2026-05-04T09:00:00Z"), exit_at("2026-05-04T09:00:00Z")};
    EXPECT_TRUE(yields(var("entry_status"), "absent", context));
    context.checkins = {exit_at("2026-05-04T09:00:00Z"), entry_at("2026-05-04T09:00:00Z")};
    EXPECT_TRUE(yields(var("entry_status"), "present", context));
}

TEST(RulesVariables, EntryCounters) {
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    EXPECT_TRUE(yields(var("entries_number"), 0, context));
    EXPECT_TRUE(yields(var("entries_today"), 0, context));
    EXPECT_TRUE(yields(var("entries_days"), 0, context));
    context.checkins = {entry_at("2026-05-04T09:00:00Z"), exit_at("2026-05-04T09:10:00Z"), entry_at("2026-05-04T09:20:00Z"),
                        entry_at("2026-05-02T09:00:00Z"), exit_at("2026-05-03T09:00:00Z")};
    EXPECT_TRUE(yields(var("entries_number"), 3, context));    // exits do not count
    EXPECT_TRUE(yields(var("entries_today"), 2, context));
    EXPECT_TRUE(yields(var("entries_days"), 2, context));
    EXPECT_TRUE(allows(json::parse(R"({"<": [{"var": "entries_number"}, 4]})"), context));
    EXPECT_FALSE(allows(json::parse(R"({"<": [{"var": "entries_number"}, 3]})"), context));
}

TEST(RulesVariables, CheckinsAfterNowStillCount) {
    // A scan replayed with an earlier time still sees the later check-ins, as pretix does.
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    context.checkins = {entry_at("2026-05-04T12:00:00Z")};
    EXPECT_TRUE(yields(var("entries_number"), 1, context));
    EXPECT_TRUE(yields(var("entries_today"), 1, context));
    EXPECT_TRUE(yields(var("minutes_since_last_entry"), -120, context));
}

TEST(RulesVariables, MinutesSinceEntries) {
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    EXPECT_TRUE(yields(var("minutes_since_last_entry"), -1, context));
    EXPECT_TRUE(yields(var("minutes_since_first_entry"), -1, context));
    context.checkins = {exit_at("2026-05-04T09:00:00Z")};
    EXPECT_TRUE(yields(var("minutes_since_last_entry"), -1, context));      // exits are not entries
    context.checkins = {entry_at("2026-05-04T09:59:01Z"), entry_at("2026-05-04T08:29:30Z"), exit_at("2026-05-04T09:59:50Z")};
    EXPECT_TRUE(yields(var("minutes_since_last_entry"), 0, context));       // 59 s: whole minutes, floored
    EXPECT_TRUE(yields(var("minutes_since_first_entry"), 90, context));     // 90.5 minutes
}

TEST(RulesVariables, UnknownVariablesAreNull) {
    EXPECT_TRUE(yields(var("attendee_name"), nullptr, plain()));
    EXPECT_TRUE(yields(json::parse(R"({"var": ["attendee_name", "x"]})"), "x", plain()));
}

// ---------------------------------------------------------------------------------------------
// Time zones and daylight saving

TEST(RulesTime, BerlinSpringForward) {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    RuleContext context = context_at("2026-03-29T10:00:00Z", "Europe/Berlin");    // 12:00 CEST
    EXPECT_TRUE(yields(clock_time("14:00"), custom_time("2026-03-29T12:00:00Z"), context));
    EXPECT_TRUE(yields(clock_time("01:30"), custom_time("2026-03-29T00:30:00Z"), context));
    // 02:30 does not exist that day; it moves forward past the gap to 03:30 CEST.
    EXPECT_TRUE(yields(clock_time("02:30"), custom_time("2026-03-29T01:30:00Z"), context));
    EXPECT_TRUE(yields(clock_time("03:00"), custom_time("2026-03-29T01:00:00Z"), context));
    // 00:30 CET on the 29th is today; 23:30 CET on the 28th is not.
    context.checkins = {entry_at("2026-03-28T23:30:00Z"), entry_at("2026-03-28T22:30:00Z")};
    EXPECT_TRUE(yields(var("entries_today"), 1, context));
    EXPECT_TRUE(yields(var("entries_days"), 2, context));
    EXPECT_TRUE(yields(var("now_isoweekday"), 7, context));
    // Across the gap, minutes are real elapsed minutes: 00:30 CET to 12:00 CEST is 10.5 hours.
    EXPECT_TRUE(yields(var("minutes_since_last_entry"), 630, context));
}

TEST(RulesTime, BerlinFallBack) {
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC); the day has 25 hours.
    RuleContext context = context_at("2026-10-25T22:45:00Z", "Europe/Berlin");    // 23:45 CET
    // 02:30 happens twice; pretix (and Django's make_aware) take the earlier one, in CEST.
    EXPECT_TRUE(yields(clock_time("02:30"), custom_time("2026-10-25T00:30:00Z"), context));
    EXPECT_TRUE(yields(clock_time("03:30"), custom_time("2026-10-25T02:30:00Z"), context));
    EXPECT_TRUE(yields(clock_time("23:00"), custom_time("2026-10-25T22:00:00Z"), context));
    context.checkins = {entry_at("2026-10-24T21:30:00Z"),   // 23:30 CEST on the 24th
                        entry_at("2026-10-24T22:30:00Z"),   // 00:30 CEST on the 25th
                        entry_at("2026-10-25T22:30:00Z")};  // 23:30 CET on the 25th
    EXPECT_TRUE(yields(var("entries_today"), 2, context));
    EXPECT_TRUE(yields(var("entries_days"), 2, context));
    EXPECT_TRUE(yields(var("minutes_since_first_entry"), 25 * 60 + 15, context));
    EXPECT_TRUE(allows(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "23:30"]}]})"), context));
}

TEST(RulesTime, AucklandLocalDayDiffersFromUtc) {
    // NZST is UTC+12 in May: 11:30 UTC Monday is 23:30 Monday, 12:30 UTC Monday is 00:30 Tuesday.
    EXPECT_TRUE(yields(var("now_isoweekday"), 1, context_at("2026-05-04T11:30:00Z", "Pacific/Auckland")));
    EXPECT_TRUE(yields(var("now_isoweekday"), 2, context_at("2026-05-04T12:30:00Z", "Pacific/Auckland")));
    RuleContext context = context_at("2026-05-04T13:30:00Z", "Pacific/Auckland");  // 01:30 Tuesday
    context.checkins = {entry_at("2026-05-04T10:00:00Z"), entry_at("2026-05-04T13:00:00Z")};
    EXPECT_TRUE(yields(var("entries_today"), 1, context));
    EXPECT_TRUE(yields(var("entries_days"), 2, context));
    EXPECT_TRUE(yields(clock_time("09:00"), custom_time("2026-05-04T21:00:00Z"), context));   // Tuesday 09:00
    context.zone = nullptr;                   // the same instants in UTC are one day
    EXPECT_TRUE(yields(var("entries_today"), 2, context));
    EXPECT_TRUE(yields(var("entries_days"), 1, context));
}

TEST(RulesTime, LosAngelesLocalDayIsBehindUtc) {
    // 06:30 UTC Tuesday is 23:30 PDT Monday.
    RuleContext context = context_at("2026-05-05T06:30:00Z", "America/Los_Angeles");
    EXPECT_TRUE(yields(var("now_isoweekday"), 1, context));
    EXPECT_TRUE(yields(clock_time("14:00"), custom_time("2026-05-04T21:00:00Z"), context));
    EXPECT_TRUE(allows(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "23:00"]}]})"), context));
    context.checkins = {entry_at("2026-05-05T01:00:00Z"),   // 18:00 PDT Monday
                        entry_at("2026-05-04T06:00:00Z")};  // 23:00 PDT Sunday
    EXPECT_TRUE(yields(var("entries_today"), 1, context));
    EXPECT_TRUE(yields(var("entries_days"), 2, context));
}

TEST(RulesTime, WeekdayAtLocalMidnight) {
    EXPECT_TRUE(yields(var("now_isoweekday"), 7, context_at("2026-05-03T21:59:59Z", "Europe/Berlin")));  // Sun 23:59:59
    EXPECT_TRUE(yields(var("now_isoweekday"), 1, context_at("2026-05-03T22:00:00Z", "Europe/Berlin")));  // Mon 00:00
    const json weekend = json::parse(R"({"in": [{"var": "now_isoweekday"}, [6, 7]]})");
    EXPECT_TRUE(allows(weekend, context_at("2026-05-03T21:59:59Z", "Europe/Berlin")));
    EXPECT_FALSE(allows(weekend, context_at("2026-05-03T22:00:00Z", "Europe/Berlin")));
}

TEST(RulesTime, NullZoneIsUtc) {
    RuleContext context = plain();
    context.zone = nullptr;
    EXPECT_TRUE(yields(clock_time("14:00"), custom_time("2026-05-04T14:00:00Z"), context));
    EXPECT_TRUE(yields(custom_time("2026-05-04T14:00:00"), custom_time("2026-05-04T14:00:00Z"), context));
}

// ---------------------------------------------------------------------------------------------
// Malformed and hostile rules

void expect_invalid(const json& rule, std::string_view detail = "") {
    const RuleOutcome outcome = evaluate_rules(rule, plain());
    ASSERT_FALSE(outcome) << rule.dump();
    EXPECT_EQ(outcome.error().rfind("Invalid check-in rule: ", 0), 0u) << rule.dump() << " -> " << outcome.error();
    EXPECT_NE(outcome.error().find(detail), std::string::npos) << outcome.error();
}

TEST(RulesMalformed, UnknownOperators) {
    expect_invalid(json::parse(R"({"frobnicate": [1, 2]})"), "unknown operator \"frobnicate\"");
    expect_invalid(json::parse(R"({"and": [true, {"IsAfter": [1, 2]}]})"), "unknown operator \"IsAfter\"");
    // Even in a branch that would never run: a typo must not admit silently.
    expect_invalid(json::parse(R"({"or": [true, {"nope": []}]})"), "unknown operator \"nope\"");
}

TEST(RulesMalformed, WrongArity) {
    expect_invalid(json::parse(R"({"==": [1]})"), "\"==\" expects 2 arguments");
    expect_invalid(json::parse(R"({"==": [1, 2, 3]})"), "\"==\"");
    expect_invalid(json::parse(R"({"!": [1, 2]})"), "\"!\"");
    expect_invalid(json::parse(R"({">": [3, 2, 1]})"), "\">\"");
    expect_invalid(json::parse(R"({"<": [1]})"), "\"<\"");
    expect_invalid(json::parse(R"({"/": [1]})"), "\"/\"");
    expect_invalid(json::parse(R"({"-": []})"), "\"-\"");
    expect_invalid(json::parse(R"({"substr": ["x"]})"), "\"substr\"");
    expect_invalid(json::parse(R"({"map": [[1]]})"), "\"map\"");
    expect_invalid(json::parse(R"({"buildTime": []})"), "\"buildTime\"");
    expect_invalid(json::parse(R"({"isAfter": [{"var": "now"}]})"), "\"isAfter\"");
    expect_invalid(json::parse(R"({"entries_since": []})"), "\"entries_since\"");
    expect_invalid(json::parse(R"({"lookup": ["product"]})"), "\"lookup\"");
    expect_invalid(json::parse(R"({"inList": [{"var": "product"}]})"), "\"inList\"");
}

TEST(RulesMalformed, WrongTypes) {
    expect_invalid(json::parse(R"({"buildTime": ["bogus"]})"), "bogus");
    expect_invalid(json::parse(R"({"buildTime": [5]})"), "buildTime");
    expect_invalid(json::parse(R"({"buildTime": ["custom", "not a date"]})"), "not a date");
    expect_invalid(json::parse(R"({"buildTime": ["custom"]})"), "buildTime");
    expect_invalid(json::parse(R"({"buildTime": ["customtime", "25:00"]})"), "25:00");
    expect_invalid(json::parse(R"({"buildTime": ["customtime", "14"]})"), "14");
    expect_invalid(json::parse(R"({"buildTime": ["customtime", "-1:00"]})"), "-1:00");
    expect_invalid(json::parse(R"({"isAfter": [{"var": "now"}, 5]})"), "isAfter");
    expect_invalid(json::parse(R"({"isAfter": [{"var": "now"}, "yesterday"]})"), "yesterday");
    expect_invalid(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}, "soon"]})"),
                   "tolerance");
    expect_invalid(json::parse(R"({"entries_since": [1]})"), "entries_since");
    expect_invalid(json::parse(R"({"entries_since": [{"buildTime": ["date_to"]}]})"), "not set");
    expect_invalid(json::parse(R"({"inList": [{"var": "product"}, 5]})"), "inList");
    expect_invalid(json::parse(R"({"lookup": ["product", null]})"), "lookup");
    expect_invalid(json::parse(R"({"+": [{"var": "now"}, 1]})"), "time");
    expect_invalid(json::parse(R"({"<": [{"var": "now"}, 5]})"), "time");
    expect_invalid(json::parse(R"({"missing_some": [1, "product"]})"), "missing_some");
}

json nested(const char* op, int levels, json innermost) {
    json node = std::move(innermost);
    for (int i = 0; i < levels; ++i) {
        json wrapper = json::object();
        wrapper[op] = json::array();
        wrapper[op].push_back(std::move(node));
        node = std::move(wrapper);
    }
    return node;
}

TEST(RulesMalformed, DeepNestingIsDeniedWithoutCrashing) {
    expect_invalid(nested("!!", 10000, true), "nested too deeply");
    expect_invalid(nested("and", 10000, true), "nested too deeply");
    // Built by moving, never copying: copies of deep JSON recurse.
    json arrays = json::array({true});
    for (int i = 0; i < 10000; ++i) {
        json wrapper = json::array();
        wrapper.push_back(std::move(arrays));
        arrays = std::move(wrapper);
    }
    json deep_arrays = json::object();
    deep_arrays["!!"] = std::move(arrays);
    expect_invalid(deep_arrays, "nested too deeply");
    json objects = json::object({{"a", 1}, {"b", 2}});
    for (int i = 0; i < 10000; ++i) {
        json wrapper = json::object({{"b", 2}});
        wrapper["a"] = std::move(objects);
        objects = std::move(wrapper);
    }
    json deep_objects = json::object();
    deep_objects["!!"] = json::array();
    deep_objects["!!"].push_back(std::move(objects));
    expect_invalid(deep_objects, "nested too deeply");
    // Depth is checked before evaluation, so an unreachable branch cannot hide it.
    json unreachable = json::object();
    unreachable["or"] = json::array({true});
    unreachable["or"].push_back(nested("!", 10000, true));
    expect_invalid(unreachable, "nested too deeply");
}

TEST(RulesMalformed, NestingLimitIsSixtyFourLevels) {
    EXPECT_TRUE(allows(nested("!!", 64, true), plain()));
    EXPECT_FALSE(allows(nested("!!", 64, false), plain()));
    expect_invalid(nested("!!", 65, true), "nested too deeply");
}

TEST(RulesMalformed, RunawayWorkIsCut) {
    // The accumulator doubles each step: 2^40 elements if nothing stopped it.
    json forty = json::array();
    for (int i = 0; i < 40; ++i) forty.push_back(i);
    expect_invalid(json{{"reduce", {forty, json::parse(R"({"merge": [{"var": "accumulator"}, {"var": "accumulator"}]})"),
                                    json::array({1})}}},
                   "too complex");
    expect_invalid(json{{"reduce", {forty, json::parse(R"({"cat": [{"var": "accumulator"}, {"var": "accumulator"}]})"),
                                    "xxxxxxxxxxxxxxxx"}}},
                   "too complex");
    // Nested maps multiply: 40^5 evaluations.
    json inner = json::parse(R"({"var": ""})");
    for (int i = 0; i < 5; ++i) inner = json{{"map", {forty, std::move(inner)}}};
    expect_invalid(json{{"!!", json::array({std::move(inner)})}}, "too complex");
}

TEST(RulesMalformed, ExplainingManyExpensiveAtomsIsBounded) {
    json forty = json::array();
    for (int i = 0; i < 40; ++i) forty.push_back(i);
    json heavy = json::parse(R"({"var": ""})");
    for (int i = 0; i < 5; ++i) heavy = json{{"map", {forty, std::move(heavy)}}};
    json rule = json::object();
    rule["and"] = json::array({json::parse(R"({"==": [{"var": "product"}, 9]})")});
    for (int i = 0; i < 200; ++i) rule["and"].push_back(json{{"!!", json::array({heavy})}});
    // The verdict short-circuits; the explanation would evaluate every atom, within one budget.
    EXPECT_EQ(explain(rule, plain()), "Ticket type not allowed");
}

// A type error deep inside a rule: arithmetic on a time. (Not on {"var": "now"}, which inside
// map/filter/reduce reads the element instead.)
constexpr const char* kTypeError = R"({"-": [{"buildTime": ["custom", "2026-05-04T10:00:00Z"]}]})";
json type_error() { return json::parse(kTypeError); }

TEST(RulesMalformed, AnOperandThatFailsMakesEveryOperatorInvalid) {
    // Every operator, with the failing operand in every place its arity allows: whichever operand
    // is evaluated first fails, and the failure must reach the verdict rather than act as a value.
    for (const jsonlogic::OperatorName& known : jsonlogic::operator_names()) {
        const jsonlogic::Arity arity = jsonlogic::arity_of(known.op);
        const size_t count = std::clamp<size_t>(2, std::max<size_t>(arity.min, 1), arity.max);
        json rule = json::object();
        rule[std::string(known.name)] = json::array();
        for (size_t i = 0; i < count; ++i) rule[std::string(known.name)].push_back(type_error());
        expect_invalid(rule, "a time cannot be used as a number");
    }
}

TEST(RulesMalformed, FailuresInsideOperandsThatAreChosenReachTheVerdict) {
    // The operators that choose which operands to evaluate, failing in each place they look at.
    for (const char* pattern : {
             R"({"if": [false, 1, %s]})",                   // the else
             R"({"if": [true, %s, 1]})",                    // the taken branch
             R"({"and": [true, %s]})",
             R"({"or": [false, %s]})",
             R"({"some": [[1], %s]})",                      // the predicate
             R"({"map": [[1], %s]})",
             R"({"filter": [[1], %s]})",
             R"({"reduce": [[1], %s, 0]})",                 // the step
             R"({"reduce": [[1], {"var": "current"}, %s]})",// the initial value
             R"({"!!": [[1, %s]]})",                        // a literal array's element
             R"({"<": [1, 2, %s]})",                        // the between form's third
         }) {
        std::string rule = pattern;
        rule.replace(rule.find("%s"), 2, kTypeError);
        expect_invalid(json::parse(rule), "a time cannot be used as a number");
    }
    // A time given where a number or a tolerance is read.
    expect_invalid(json::parse(R"({"substr": ["abc", {"var": "now"}]})"), "time");
    expect_invalid(json::parse(R"({"missing_some": [{"var": "now"}, ["product"]]})"), "time");
    expect_invalid(json::parse(R"({"isBefore": [{"var": "now"}, "2026-05-04T10:00:00Z", {"var": "now"}]})"), "tolerance");
}

TEST(RulesMalformed, ArityIsCheckedBeforeTheOperandsAreEvaluated) {
    expect_invalid(json{{"==", json::array({type_error()})}}, "\"==\" expects 2 arguments, got 1");
    expect_invalid(json{{"var", json::array({type_error(), 1, 2})}}, "\"var\" expects 0-2 arguments, got 3");
    expect_invalid(json{{"*", json::array()}}, "\"*\" expects 1 or more arguments, got 0");
    expect_invalid(json{{"!", json::array()}}, "\"!\" expects 1 argument, got 0");
}

TEST(RulesMalformed, InvalidUtf8AndOddLiteralsDoNotCrash) {
    json rule = json::object();
    rule["=="] = json::array({var("gate"), std::string("\xff\xfe")});
    const RuleOutcome outcome = evaluate_rules(rule, plain());
    ASSERT_FALSE(outcome);
    EXPECT_FALSE(outcome.error().empty());
    EXPECT_TRUE(allows(json::parse(R"({"!!": [{"a": 1, "b": {"c": [1, 2]}}]})"), plain()));
    EXPECT_TRUE(allows(json::parse(R"({"<": [-1e308, 1e308]})"), plain()));
    EXPECT_TRUE(yields(json::parse(R"({"substr": ["abc", 1e300]})"), "", plain()));
}

// ---------------------------------------------------------------------------------------------
// Explanations

TEST(RulesExplain, Product) {
    RuleContext context = plain();
    context.product = 3;
    EXPECT_EQ(explain(json::parse(R"({"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", "2", "T"]}]}]})"),
                      context),
              "Ticket type not allowed");
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "product"}, 2]})"), context), "Ticket type not allowed");
    EXPECT_EQ(explain(json::parse(R"({"inList": [{"var": "variation"}, {"objectList": [{"lookup": ["variation", "9", "V"]}]}]})"),
                      context),
              "Ticket type not allowed");
}

TEST(RulesExplain, Gate) {
    RuleContext context = plain();
    context.gate.emplace("4");
    EXPECT_EQ(explain(json::parse(R"({"inList": [{"var": "gate"}, {"objectList": [{"lookup": ["gate", "1", "Main"]}]}]})"), context),
              "Wrong entrance gate");
    EXPECT_EQ(explain(json::parse(R"({"!": {"inList": [{"var": "gate"}, {"objectList": [{"lookup": ["gate", "4", "Back"]}]}]}})"),
                      context),
              "Wrong entrance gate");
}

TEST(RulesExplain, Times) {
    RuleContext context = context_at("2026-05-04T11:00:00Z", "Europe/Berlin");   // 13:00
    context.date_from = at("2026-05-04T13:00:00Z");
    context.date_to = at("2026-05-04T10:00:00Z");
    EXPECT_EQ(explain(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}]})"), context),
              "Only allowed after 14:00");
    EXPECT_EQ(explain(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}, 15]})"), context),
              "Only allowed after 13:45");
    EXPECT_EQ(explain(json::parse(R"({"isAfter": [{"var": "now"}, {"buildTime": ["date_from"]}]})"), context),
              "Only allowed after 2026-05-04 15:00");
    EXPECT_EQ(explain(json::parse(R"({"isBefore": [{"var": "now"}, {"buildTime": ["date_to"]}, 30]})"), context),
              "Only allowed before 2026-05-04 12:30");
    EXPECT_EQ(explain(json::parse(R"({"isBefore": [{"var": "now"}, {"buildTime": ["custom", "2026-05-01T08:00:00Z"]}]})"), context),
              "Only allowed before 2026-05-01 10:00");
    // Negated, mirrored, and written with < or >.
    EXPECT_EQ(explain(json::parse(R"({"!": {"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "12:00"]}]}})"), context),
              "Only allowed before 12:00");
    EXPECT_EQ(explain(json::parse(R"({"isAfter": [{"buildTime": ["customtime", "12:00"]}, {"var": "now"}]})"), context),
              "Only allowed before 12:00");
    EXPECT_EQ(explain(json::parse(R"({">": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}]})"), context),
              "Only allowed after 14:00");
    EXPECT_EQ(explain(json::parse(R"({">": [{"buildTime": ["customtime", "12:00"]}, {"var": "now"}]})"), context),
              "Only allowed before 12:00");
}

TEST(RulesExplain, Counters) {
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    context.checkins = {entry_at("2026-05-04T09:00:00Z"), entry_at("2026-05-04T09:30:00Z"), entry_at("2026-05-03T09:00:00Z")};
    EXPECT_EQ(explain(json::parse(R"({"<": [{"var": "entries_number"}, 3]})"), context), "Maximum number of entries exceeded");
    EXPECT_EQ(explain(json::parse(R"({"<=": [{"var": "entries_today"}, 1]})"), context),
              "Maximum number of entries today exceeded");
    EXPECT_EQ(explain(json::parse(R"({">": [3, {"var": "entries_number"}]})"), context), "Maximum number of entries exceeded");
    EXPECT_EQ(explain(json::parse(R"({">": [{"var": "entries_days"}, 2]})"), context),
              "Minimum number of days with an entry exceeded");
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "entries_number"}, 1]})"), context), "Number of entries is not 1");
    EXPECT_EQ(explain(json::parse(R"({"!=": [{"var": "entries_number"}, 3]})"), context), "Number of entries is 3");
    EXPECT_EQ(explain(json::parse(R"({"!": {"<": [{"var": "entries_number"}, 5]}})"), context),
              "Minimum number of entries exceeded");
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "now_isoweekday"}, 6]})"), context), "Week day is not Saturday");
    EXPECT_EQ(explain(json::parse(R"({">": [{"var": "minutes_since_first_entry"}, 2000]})"), context),
              "Minimum time since first entry exceeded");
}

TEST(RulesExplain, MinusOneComparisonsAreTechnicalities) {
    // "Never entered, or at least an hour since the last entry": the -1 test is not what to show.
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    context.checkins = {entry_at("2026-05-04T09:30:00Z")};
    EXPECT_EQ(explain(json::parse(R"({"or": [{"==": [{"var": "minutes_since_last_entry"}, -1]},
                                            {">": [{"var": "minutes_since_last_entry"}, 60]}]})"),
                      context),
              "Minimum time since last entry exceeded");
}

TEST(RulesExplain, EntryStatus) {
    RuleContext context = plain();
    context.checkins = {entry_at("2026-05-04T09:00:00Z")};
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "entry_status"}, "absent"]})"), context), "Ticket is already checked in");
    context.checkins = {exit_at("2026-05-04T09:00:00Z")};
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "entry_status"}, "present"]})"), context), "Ticket is not checked in");
}

TEST(RulesExplain, EntriesRelative) {
    RuleContext context = context_at("2026-05-04T10:00:00Z", "Europe/Berlin");
    context.checkins = {entry_at("2026-05-04T09:00:00Z")};
    EXPECT_EQ(explain(json::parse(R"({"<": [{"entries_since": [{"buildTime": ["customtime", "00:00"]}]}, 1]})"), context),
              "Maximum number of entries since 00:00 exceeded");
    EXPECT_EQ(explain(json::parse(R"({"<": [{"entries_days_before": [{"buildTime": ["custom", "2026-05-05T00:00:00Z"]}]}, 1]})"),
                      context),
              "Maximum number of days with an entry before 2026-05-05 02:00 exceeded");
}

TEST(RulesExplain, AndListsEveryFailingCondition) {
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    context.gate.emplace("9");
    context.checkins = {entry_at("2026-05-04T09:00:00Z")};
    const json rule = json::parse(R"({"and": [
        {"inList": [{"var": "gate"}, {"objectList": [{"lookup": ["gate", "1", "Main"]}]}]},
        {"==": [{"var": "product"}, 2]},
        {"<": [{"var": "entries_number"}, 1]}]})");
    EXPECT_EQ(explain(rule, context), "Wrong entrance gate, Maximum number of entries exceeded");
}

TEST(RulesExplain, OrPicksTheClosestAlternative) {
    RuleContext context = context_at("2026-05-04T11:00:00Z", "Europe/Berlin");    // 13:00
    context.product = 5;
    // Either a VIP ticket, or any ticket at gate 1 after 14:00: the second is one condition away.
    const json rule = json::parse(R"({"or": [
        {"and": [{"==": [{"var": "product"}, 9]}, {"==": [{"var": "gate"}, "7"]}]},
        {"and": [{"==": [{"var": "gate"}, "1"]}, {"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}]}]}]})");
    EXPECT_EQ(explain(rule, context), "Only allowed after 14:00");
    // Equally close alternatives: the lower pretix weight wins (gate before product).
    const json tie = json::parse(R"({"or": [{"==": [{"var": "product"}, 9]}, {"==": [{"var": "gate"}, "7"]}]})");
    EXPECT_EQ(explain(tie, context), "Wrong entrance gate");
}

TEST(RulesExplain, IfExplainsTheTakenBranch) {
    RuleContext context = context_at("2026-05-04T10:00:00Z");
    context.checkins = {entry_at("2026-05-04T09:00:00Z")};
    const json rule = json::parse(R"({"if": [{"==": [{"var": "product"}, 2]}, {"<": [{"var": "entries_number"}, 1]}, true]})");
    EXPECT_EQ(explain(rule, context), "Maximum number of entries exceeded");
}

TEST(RulesExplain, GenericFallback) {
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "color"}, "red"]})"), plain()), "Check-in rule not met: color == \"red\"");
    EXPECT_EQ(explain(json::parse(R"({"<": [{"var": "entries_number"}, 0]})"), plain()),
              "Maximum number of entries exceeded");
    EXPECT_EQ(explain(json::parse(R"({"!": {"var": "product"}})"), plain()), "Check-in rule not met: not product");
    const std::string long_text(500, 'x');
    const std::string explanation = explain(json{{"==", {var("color"), long_text}}}, plain());
    EXPECT_LE(explanation.size(), 200u);
}

// What the explainer says about a denied rule whose top-level operator is each one the language
// knows: every operator has a row, so a new operator cannot arrive without deciding its words.
// The context: product 2, variation 7, gate "1", 13:00 in Berlin, one entry at 11:00 today, the
// event starting at 15:00.
struct ExplainedOperator {
    std::string_view op;                    // the operator under test, at the top of the rule
    const char* rule;
    const char* explanation;
};

constexpr ExplainedOperator kExplainedOperators[] = {
    // Standard JsonLogic: the and/or/!/if skeleton is walked, comparisons of known variables are
    // put in pretix's words, everything else falls back to a rendering of the rule.
    {"var", R"({"var": "variation_missing"})", "Check-in rule not met: variation_missing"},
    {"var", R"({"var": ["variation_missing", 0]})", "Check-in rule not met: variation_missing"},
    {"missing", R"({"missing": ["product"]})", "Check-in rule not met: missing(\"product\")"},
    {"missing_some", R"({"missing_some": [1, ["product", "gate"]]})",
     "Check-in rule not met: missing_some(1, [\"product\", \"gate\"])"},
    {"if", R"({"if": [{"==": [{"var": "product"}, 2]}, {"==": [{"var": "gate"}, "7"]}, true]})", "Wrong entrance gate"},
    {"?:", R"({"?:": [{"==": [{"var": "product"}, 3]}, true, {"==": [{"var": "gate"}, "7"]}]})", "Wrong entrance gate"},
    {"==", R"({"==": [{"var": "gate"}, "7"]})", "Wrong entrance gate"},
    {"===", R"({"===": [{"var": "product"}, 3]})", "Ticket type not allowed"},
    {"!=", R"({"!=": [{"var": "entries_number"}, 1]})", "Number of entries is 1"},
    {"!==", R"({"!==": [{"var": "entries_number"}, 1]})", "Number of entries is 1"},
    {"!", R"({"!": {"==": [{"var": "gate"}, "1"]}})", "Wrong entrance gate"},
    {"!!", R"({"!!": {"==": [{"var": "gate"}, "7"]}})", "Wrong entrance gate"},
    {"or", R"({"or": [{"==": [{"var": "gate"}, "7"]}, {"==": [{"var": "product"}, 9]}]})", "Wrong entrance gate"},
    {"and", R"({"and": [{"==": [{"var": "gate"}, "7"]}, {"==": [{"var": "product"}, 9]}]})",
     "Wrong entrance gate, Ticket type not allowed"},
    {"<", R"({"<": [{"var": "entries_number"}, 1]})", "Maximum number of entries exceeded"},
    {"<=", R"({"<=": [{"var": "entries_today"}, 0]})", "Maximum number of entries today exceeded"},
    {">", R"({">": [{"var": "entries_days"}, 1]})", "Minimum number of days with an entry exceeded"},
    {">=", R"({">=": [{"var": "minutes_since_last_entry"}, 180]})", "Minimum time since last entry exceeded"},
    {"max", R"({"max": [0, 0]})", "Check-in rule not met: max(0, 0)"},
    {"min", R"({"min": [0, 1]})", "Check-in rule not met: min(0, 1)"},
    {"+", R"({"+": [{"var": "entries_number"}, -1]})", "Check-in rule not met: entries_number + -1"},
    {"-", R"({"-": [{"var": "entries_number"}, 1]})", "Check-in rule not met: entries_number - 1"},
    {"*", R"({"*": [{"var": "entries_number"}, 0]})", "Check-in rule not met: entries_number * 0"},
    {"/", R"({"/": [0, 1]})", "Check-in rule not met: 0 / 1"},
    {"%", R"({"%": [{"var": "entries_number"}, 1]})", "Check-in rule not met: %(entries_number, 1)"},
    {"in", R"({"in": [{"var": "gate"}, ["2", "3"]]})", "Wrong entrance gate"},
    {"in", R"({"in": [{"var": "variation"}, [8, 9]]})", "Ticket type not allowed"},
    {"in", R"({"in": ["x", "abc"]})", "Check-in rule not met: \"x\" in \"abc\""},
    {"cat", R"({"cat": []})", "Check-in rule not met: cat()"},
    {"substr", R"({"substr": ["abc", 3]})", "Check-in rule not met: substr(\"abc\", 3)"},
    {"merge", R"({"merge": []})", "Check-in rule not met: merge()"},
    {"all", R"({"all": [[1, 0], {"var": "x"}]})", "Check-in rule not met: all([1, 0], x)"},
    {"none", R"({"none": [[{"a": 1, "b": 2}], {"var": "a"}]})", "Check-in rule not met: none([{...}], a)"},
    {"some", R"({"some": [[0], {"var": "x"}]})", "Check-in rule not met: some([0], x)"},
    {"map", R"({"map": [[], {"var": "x"}]})", "Check-in rule not met: map([], x)"},
    {"filter", R"({"filter": [[0], {"var": "x"}]})", "Check-in rule not met: filter([0], x)"},
    {"reduce", R"({"reduce": [[0], {"var": "current"}, 1]})", "Check-in rule not met: reduce([0], current, 1)"},
    {"log", R"({"log": [false]})", "Check-in rule not met: log(false)"},
    // pretix's operators.
    {"inList", R"({"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", "3", "T"]}]}]})",
     "Ticket type not allowed"},
    {"inList", R"({"inList": [{"var": "gate"}, {"objectList": [{"lookup": ["gate", "3", "T"]}]}]})", "Wrong entrance gate"},
    {"objectList", R"({"objectList": []})", "Check-in rule not met: objectList()"},
    {"lookup", R"({"lookup": ["product", ""]})", "Check-in rule not met: lookup(\"product\", \"\")"},
    {"buildTime", R"({"buildTime": ["date_to"]})", "Check-in rule not met: buildTime(\"date_to\")"},
    {"isAfter", R"({"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}]})", "Only allowed after 14:00"},
    {"isBefore", R"({"isBefore": [{"var": "now"}, {"buildTime": ["date_from"]}, -240]})", "Only allowed before 2026-05-04 11:00"},
    {"entries_since", R"({"<": [{"entries_since": [{"buildTime": ["customtime", "00:00"]}]}, 1]})",
     "Maximum number of entries since 00:00 exceeded"},
    {"entries_since", R"({"entries_since": [{"buildTime": ["date_from"]}]})",
     "Check-in rule not met: entries_since(buildTime(\"date_from\"))"},
    {"entries_before", R"({"<": [{"entries_before": [{"buildTime": ["date_from"]}]}, 1]})",
     "Maximum number of entries before 2026-05-04 15:00 exceeded"},
    {"entries_days_since", R"({"<": [{"entries_days_since": [{"buildTime": ["custom", "2026-05-01T00:00:00Z"]}]}, 1]})",
     "Maximum number of days with an entry since 2026-05-01 02:00 exceeded"},
    {"entries_days_before", R"({"<": [{"entries_days_before": [{"buildTime": ["date_from"]}]}, 1]})",
     "Maximum number of days with an entry before 2026-05-04 15:00 exceeded"},
};

RuleContext explained_operator_context() {
    RuleContext context = context_at("2026-05-04T11:00:00Z", "Europe/Berlin");      // 13:00
    context.date_from = at("2026-05-04T13:00:00Z");                                  // 15:00
    context.checkins = {entry_at("2026-05-04T09:00:00Z")};                           // 11:00
    return context;
}

TEST(RulesExplain, EveryOperator) {
    const RuleContext context = explained_operator_context();
    for (const ExplainedOperator& row : kExplainedOperators) {
        const json rule = json::parse(row.rule);
        EXPECT_EQ(explain(rule, context), row.explanation) << row.op << ": " << row.rule;
    }
}

TEST(RulesExplain, EveryOperatorHasARow) {
    // A new operator must come with its explanation tested above.
    for (const jsonlogic::OperatorName& known : jsonlogic::operator_names()) {
        const bool listed = std::any_of(std::begin(kExplainedOperators), std::end(kExplainedOperators),
                                        [&](const ExplainedOperator& row) { return row.op == known.name; });
        EXPECT_TRUE(listed) << known.name;
    }
}

TEST(RulesExplain, NegatedAndOrFollowDeMorgan) {
    const RuleContext context = explained_operator_context();
    // not (a and b), both true: making either false would pass, so the cheaper one is named.
    EXPECT_EQ(explain(json::parse(R"({"!": {"and": [{"==": [{"var": "gate"}, "1"]}, {"==": [{"var": "product"}, 2]}]}})"),
                      context),
              "Wrong entrance gate");
    // not (a or b): every true operand is a reason.
    EXPECT_EQ(explain(json::parse(R"({"!": {"or": [{"==": [{"var": "gate"}, "7"]}, {"==": [{"var": "product"}, 2]}]}})"),
                      context),
              "Ticket type not allowed");
    EXPECT_EQ(explain(json::parse(R"({"!": {"or": [{"==": [{"var": "gate"}, "1"]}, {"==": [{"var": "product"}, 2]}]}})"),
                      context),
              "Wrong entrance gate, Ticket type not allowed");
}

TEST(RulesExplain, ComparisonsOfNowReadAsTimes) {
    const RuleContext context = explained_operator_context();
    EXPECT_EQ(explain(json::parse(R"({">=": [{"var": "now"}, {"buildTime": ["date_from"]}]})"), context),
              "Only allowed after 2026-05-04 15:00");
    EXPECT_EQ(explain(json::parse(R"({"<": [{"buildTime": ["date_from"]}, {"var": "now"}]})"), context),
              "Only allowed after 2026-05-04 15:00");
    EXPECT_EQ(explain(json::parse(R"({"<=": [{"var": "now"}, {"buildTime": ["custom", "2026-05-04T08:00:00Z"]}]})"), context),
              "Only allowed before 2026-05-04 10:00");
    // Equality with a time has no words.
    EXPECT_EQ(explain(json::parse(R"({"==": [{"var": "now"}, {"buildTime": ["date_from"]}]})"), context),
              "Check-in rule not met: now == buildTime(\"date_from\")");
}

TEST(RulesExplain, OperandsThatCannotBeEvaluatedAloneAreSkipped) {
    // The second operand is a type error that the verdict never reached; the explanation names
    // the operand that did fail rather than calling the rule invalid.
    EXPECT_EQ(explain(json::parse(R"({"and": [{"==": [{"var": "gate"}, "7"]}, {"-": [{"var": "now"}]}]})"),
                      explained_operator_context()),
              "Wrong entrance gate");
}

TEST(RulesExplain, BetweenFormHasNoWords) {
    EXPECT_EQ(explain(json::parse(R"({"<": [2, {"var": "entries_number"}, 5]})"), explained_operator_context()),
              "Check-in rule not met: <(2, entries_number, 5)");
}

TEST(RulesExplain, IsDeterministic) {
    RuleContext context = context_at("2026-05-04T11:00:00Z", "Europe/Berlin");
    context.product = 5;
    context.gate.emplace("3");
    const json rule = json::parse(R"({"or": [{"==": [{"var": "product"}, 9]}, {"==": [{"var": "gate"}, "7"]},
                                             {"isAfter": [{"var": "now"}, {"buildTime": ["customtime", "14:00"]}]}]})");
    const std::string first = explain(rule, context);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(explain(rule, context), first);
    EXPECT_EQ(first, "Wrong entrance gate");
}

} // namespace
} // namespace kiosk
