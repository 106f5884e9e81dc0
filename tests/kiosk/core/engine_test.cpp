// Unit tests of the offline decision engine (kiosk::decide) on in-memory snapshots.
//
// The expected behaviour is reference/pretix.md, "Offline decision, in order" and "Offline-signed
// tickets": the first failing check wins. Each test starts from a ticket that is admitted and
// changes only what the test is about, so a verdict other than the expected one points at the check
// under test.
#include "kiosk/core/engine.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiosk/core/signed_ticket.h"

namespace kiosk {
namespace {

using json = nlohmann::json;
using namespace std::string_literals;

Timestamp at_unix(int64_t seconds) { return Timestamp{std::chrono::seconds{seconds}}; }

const Timestamp kNow = at_unix(1777888800);   // 2026-05-04T10:00:00Z
Timestamp minutes_from_now(int64_t minutes) { return kNow + std::chrono::minutes{minutes}; }

constexpr int64_t kEvent = 1;
constexpr int64_t kOtherEvent = 2;
constexpr int64_t kList = 10;                 // on kEvent
constexpr int64_t kSecondList = 11;           // also on kEvent
constexpr int64_t kOtherList = 20;            // on kOtherEvent
constexpr int64_t kItem = 100;                // the ticket
constexpr int64_t kAddonItem = 101;           // e.g. a workshop add-on
constexpr int64_t kOtherItem = 102;
constexpr int64_t kUnknownItem = 999;         // not in any catalog
constexpr int64_t kVariation = 500;
constexpr int64_t kOtherVariation = 501;
constexpr int64_t kSubEvent = 7;
constexpr int64_t kOtherSubEvent = 8;

const std::string kSecret = "fq9xk2pm7w4hd8zr3tbv6yncjs5ga";

// "ok", "incomplete" or "error:<reason>", with pretix's names: readable in failure messages, and an
// `ok` that also carries a reason shows up as "ok:<reason>".
std::string outcome(const Verdict& verdict) {
    std::string text(verdict_status_name(verdict.status));
    if (verdict.reason != RejectReason::none) text += ":" + std::string(reject_reason_name(verdict.reason));
    return text;
}

Event make_event(int64_t id) {
    Event event;
    event.id = id;
    event.organizer = "demo";
    event.slug = "conf" + std::to_string(id);
    event.name = {{"en", "Conference " + std::to_string(id)}};
    event.timezone = "Europe/Berlin";
    return event;
}

Item make_item(int64_t id, int64_t event_id) {
    Item item;
    item.id = id;
    item.event_id = event_id;
    item.name = {{"en", "Item " + std::to_string(id)}};
    if (id == kItem) {
        item.variations.push_back(Variation{kVariation, {{"en", "Regular"}}, false});
        item.variations.push_back(Variation{kOtherVariation, {{"en", "Reduced"}}, false});
    }
    return item;
}

DecisionSnapshot::EventFacts make_event_data(int64_t event_id) {
    auto catalog = std::make_shared<EventCatalog>();
    catalog->event = make_event(event_id);
    catalog->items = {make_item(kItem, event_id), make_item(kAddonItem, event_id), make_item(kOtherItem, event_id)};
    SubEvent first;
    first.id = kSubEvent;
    first.event_id = event_id;
    SubEvent second;
    second.id = kOtherSubEvent;
    second.event_id = event_id;
    catalog->subevents = {first, second};
    DecisionSnapshot::EventFacts facts;
    facts.catalog = std::move(catalog);
    return facts;
}

// The snapshot shares its catalogs read-only. A test that changes one gets a copy of its own the
// first time (copy on write); while the snapshot is its only owner it changes that copy in place,
// so references taken from one call stay valid across the next. Every catalog here was made by
// make_shared<EventCatalog>, a non-const object, so writing through it is well-defined.
EventCatalog& mutable_catalog(DecisionSnapshot& snapshot, int64_t event_id) {
    std::shared_ptr<const EventCatalog>& catalog = snapshot.events.at(event_id).catalog;
    if (catalog.use_count() > 1) catalog = std::make_shared<EventCatalog>(*catalog);
    return const_cast<EventCatalog&>(*catalog);
}

// The app layer cleans the scanned text once and loads the snapshot for it; these tests build the
// snapshot by hand, so they clean the request's text the same way.
Verdict decide_scan(DecisionSnapshot snapshot, const ScanRequest& request) {
    snapshot.scanned = clean_scanned_text(request.raw);
    return decide(snapshot, request);
}

CheckinList make_list(int64_t id, int64_t event_id) {
    CheckinList list;
    list.id = id;
    list.event_id = event_id;
    list.name = "List " + std::to_string(id);
    return list;
}

CandidateTicket make_ticket(int64_t position_id, int64_t event_id, const std::string& secret, int64_t item = kItem) {
    CandidateTicket ticket;
    ticket.order.code = "ORD" + std::to_string(position_id);
    ticket.order.event_id = event_id;
    ticket.order.status = OrderStatus::paid;
    ticket.order.email = "attendee@example.org";
    ticket.position.id = position_id;
    ticket.position.event_id = event_id;
    ticket.position.order = ticket.order.code;
    ticket.position.item = item;
    ticket.position.secret = secret;
    ticket.position.attendee_name = "Attendee " + std::to_string(position_id);
    return ticket;
}

// An add-on of `parent`, in the same order, with a secret of its own.
CandidateTicket make_addon(const CandidateTicket& parent, int64_t position_id, int64_t item) {
    CandidateTicket addon = make_ticket(position_id, parent.position.event_id, "addon" + std::to_string(position_id), item);
    addon.order = parent.order;
    addon.position.order = parent.order.code;
    addon.position.addon_to = parent.position.id;
    addon.position.positionid = position_id;
    return addon;
}

Checkin make_checkin(int64_t list, Timestamp when, CheckinType type) {
    Checkin checkin;
    checkin.list = list;
    checkin.datetime = when;
    checkin.type = type;
    return checkin;
}

Question make_question(int64_t id, QuestionType type, int64_t item = kItem, bool required = true) {
    Question question;
    question.id = id;
    question.event_id = kEvent;
    question.question = {{"en", "Question " + std::to_string(id)}};
    question.type = type;
    question.required = required;
    question.ask_during_checkin = true;
    question.position = id;
    question.items = {item};
    question.raw = {{"id", id}};
    return question;
}

// Admits only `item` (pretix's inList over products).
json only_product_rule(int64_t item) {
    return json::parse(R"({"inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", ")" +
                       std::to_string(item) + R"(", "Pass"]}]}]})");
}

ScanRequest make_scan(std::string raw, std::vector<int64_t> lists = {kList}, CheckinType type = CheckinType::entry) {
    ScanRequest request;
    request.raw = std::move(raw);
    request.lists = std::move(lists);
    request.type = type;
    request.now = kNow;
    return request;
}

DecisionSnapshot one_event_snapshot() {
    DecisionSnapshot snapshot;
    snapshot.lists = {make_list(kList, kEvent)};
    snapshot.events.emplace(kEvent, make_event_data(kEvent));
    return snapshot;
}

// Two events, a list of each selected (kList first).
DecisionSnapshot two_event_snapshot() {
    DecisionSnapshot snapshot = one_event_snapshot();
    snapshot.lists.push_back(make_list(kOtherList, kOtherEvent));
    snapshot.events.emplace(kOtherEvent, make_event_data(kOtherEvent));
    return snapshot;
}

// One event, one list, one paid ticket for kItem with the secret kSecret: admitted as it stands.
class EngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        snapshot = one_event_snapshot();
        snapshot.matches.push_back(make_ticket(1, kEvent, kSecret));
    }

    CandidateTicket& ticket() { return snapshot.matches.front(); }
    Position& position() { return ticket().position; }
    Order& order() { return ticket().order; }
    CheckinList& list() { return snapshot.lists.front(); }
    DecisionSnapshot::EventFacts& event() { return snapshot.events.at(kEvent); }
    EventCatalog& catalog() { return mutable_catalog(snapshot, kEvent); }

    Verdict entry(const std::string& raw = kSecret) const { return decide_scan(snapshot, make_scan(raw)); }
    Verdict exit(const std::string& raw = kSecret) const {
        return decide_scan(snapshot, make_scan(raw, {kList}, CheckinType::exit));
    }
    Verdict scan(const ScanRequest& request) const { return decide_scan(snapshot, request); }

    DecisionSnapshot snapshot;
};

// --- Step 0: cleaning the scanned text -------------------------------------------------------------

TEST(EngineCleanScan, StripsEciDesignatorAndLineEnds) {
    EXPECT_EQ(clean_scanned_text("\\000026" + kSecret).text, kSecret);
    EXPECT_EQ(clean_scanned_text(kSecret + "\r\n").text, kSecret);
    EXPECT_EQ(clean_scanned_text(kSecret + "\n").text, kSecret);
    EXPECT_EQ(clean_scanned_text(kSecret + "\r").text, kSecret);
    EXPECT_EQ(clean_scanned_text("\\000026" + kSecret + "\r\n").text, kSecret);
    EXPECT_TRUE(clean_scanned_text("\\000026" + kSecret).usable);
}

TEST(EngineCleanScan, KeepsWhatIsNoEciDesignator) {
    EXPECT_EQ(clean_scanned_text("\\00002X" + kSecret).text, "\\00002X" + kSecret);
    EXPECT_EQ(clean_scanned_text("\\12345").text, "\\12345");        // too short to be one
    EXPECT_EQ(clean_scanned_text("ab\\000026cd").text, "ab\\000026cd"); // only a leading one counts
}

TEST(EngineCleanScan, EmptyAfterCleaningIsUnusable) {
    for (const std::string& raw : {""s, "\r\n"s, "\n"s, "\\000026"s, "\\000026\r\n"s}) {
        const CleanedScan cleaned = clean_scanned_text(raw);
        EXPECT_FALSE(cleaned.usable) << testing::PrintToString(raw);
        EXPECT_TRUE(cleaned.text.empty()) << testing::PrintToString(raw);
    }
}

TEST(EngineCleanScan, LengthLimitIsOnTheCleanedText) {
    EXPECT_TRUE(clean_scanned_text(std::string(kMaxScanBytes, 'A')).usable);
    EXPECT_TRUE(clean_scanned_text(std::string(kMaxScanBytes, 'A') + "\r\n").usable);
    EXPECT_TRUE(clean_scanned_text("\\000026" + std::string(kMaxScanBytes, 'A')).usable);
    EXPECT_FALSE(clean_scanned_text(std::string(kMaxScanBytes + 1, 'A')).usable);
    EXPECT_FALSE(clean_scanned_text(std::string(10 * 1024 * 1024, 'A')).usable);
}

TEST(EngineCleanScan, KeepsBinaryBytes) {
    const std::string binary = "\x00\x01\xff\xfe\x00zz"s;
    const CleanedScan cleaned = clean_scanned_text(binary);
    EXPECT_TRUE(cleaned.usable);
    EXPECT_EQ(cleaned.text, binary);
    EXPECT_EQ(cleaned.text.size(), 7u);
}

// --- Step 0 through decide: hostile or odd input gets a clean verdict -------------------------------

TEST_F(EngineTest, AdmitsAPaidTicket) {
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_EQ(verdict.list, kList);
    EXPECT_EQ(verdict.event, kEvent);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
    EXPECT_EQ(verdict.position->secret, kSecret);
    EXPECT_EQ(verdict.secret, kSecret);
    EXPECT_FALSE(verdict.offline_signed);
    EXPECT_FALSE(verdict.require_attention);
    EXPECT_TRUE(verdict.questions.empty());
    EXPECT_TRUE(verdict.accepted_answers.empty());
    EXPECT_FALSE(verdict.first_checkin);
}

TEST_F(EngineTest, UnknownCodeIsInvalid) {
    snapshot.matches.clear();
    const Verdict verdict = entry("nosuchticket");
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.position);
    EXPECT_FALSE(verdict.offline_signed);
    EXPECT_EQ(verdict.list, kList);               // failed scans are reported on a list
    EXPECT_EQ(verdict.event, kEvent);
}

TEST_F(EngineTest, EciPrefixAndLineEndsAreStrippedBeforeMatching) {
    for (const std::string& raw : {"\\000026" + kSecret, kSecret + "\r\n", kSecret + "\n", "\\000026" + kSecret + "\r\n"}) {
        const Verdict verdict = entry(raw);
        EXPECT_EQ(outcome(verdict), "ok") << testing::PrintToString(raw);
        EXPECT_EQ(verdict.secret, kSecret) << testing::PrintToString(raw);
    }
}

TEST_F(EngineTest, EmptyInputIsInvalid) {
    for (const std::string& raw : {""s, "\r\n"s, "\\000026"s}) {
        const Verdict verdict = entry(raw);
        EXPECT_EQ(outcome(verdict), "error:invalid") << testing::PrintToString(raw);
        EXPECT_FALSE(verdict.position);
        EXPECT_TRUE(verdict.secret.empty());
        EXPECT_FALSE(verdict.explanation.empty());
    }
}

TEST_F(EngineTest, LongestAcceptedCodeStillMatches) {
    const std::string longest(kMaxScanBytes, 'Q');
    snapshot.matches = {make_ticket(1, kEvent, longest)};
    EXPECT_EQ(outcome(entry(longest)), "ok");
    EXPECT_EQ(outcome(entry(longest + "\r\n")), "ok");
}

TEST_F(EngineTest, OverlongInputIsInvalidEvenIfAPositionHadThatSecret) {
    const std::string too_long(kMaxScanBytes + 1, 'Q');
    snapshot.matches = {make_ticket(1, kEvent, too_long)};
    const Verdict verdict = entry(too_long);
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.position);
    EXPECT_TRUE(verdict.secret.empty());
}

TEST_F(EngineTest, TenMegabyteInputIsInvalid) {
    snapshot.matches.clear();
    const Verdict verdict = entry(std::string(10 * 1024 * 1024, 'x'));
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.position);
    EXPECT_TRUE(verdict.secret.empty());
}

// The engine tells an operator why a scan was refused; "too long" and "nothing" are different.
TEST_F(EngineTest, OverlongInputIsNotExplainedAsAnEmptyScan) {
    snapshot.matches.clear();
    const Verdict empty = entry("");
    const Verdict too_long = entry(std::string(kMaxScanBytes + 1, 'x'));
    EXPECT_NE(too_long.explanation, empty.explanation);
    EXPECT_NE(too_long.explanation.find("too long"), std::string::npos) << too_long.explanation;
}

TEST_F(EngineTest, HostileInputWithoutAMatchIsInvalid) {
    snapshot.matches.clear();
    const std::vector<std::string> inputs = {
        "\x00\x01\x02\x00\xff"s,                      // binary with NULs
        "\xff\xfe\xfd"s,                              // not UTF-8
        "\xc0\xaf"s,                                  // overlong UTF-8
        "\xed\xa0\x80"s,                              // UTF-8 surrogate
        "' OR '1'='1"s,
        "\"; DROP TABLE positions; --"s,
        "%_*?\\"s,
        "{\"secret\": null}"s,
        "\\000026"s + "\x00"s,
    };
    for (const std::string& raw : inputs) {
        const Verdict verdict = entry(raw);
        EXPECT_EQ(outcome(verdict), "error:invalid") << testing::PrintToString(raw);
        EXPECT_FALSE(verdict.position) << testing::PrintToString(raw);
        EXPECT_FALSE(verdict.offline_signed) << testing::PrintToString(raw);
    }
}

TEST_F(EngineTest, OddBytesMatchAsBytes) {
    const std::vector<std::string> secrets = {
        "\x00\x01\x02\x00\xff"s,
        "\xff\xfe\xfd"s,
        "' OR '1'='1"s,
        "\"; DROP TABLE positions; --"s,
    };
    for (const std::string& secret : secrets) {
        snapshot.matches = {make_ticket(1, kEvent, secret)};
        const Verdict verdict = entry(secret);
        EXPECT_EQ(outcome(verdict), "ok") << testing::PrintToString(secret);
        EXPECT_EQ(verdict.secret, secret) << testing::PrintToString(secret);
        ASSERT_TRUE(verdict.position);
        EXPECT_EQ(verdict.position->secret, secret);
    }
}

// --- Step 1: matching -------------------------------------------------------------------------------

TEST(EngineMatching, SameCodeInTwoSelectedEventsIsAmbiguous) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.matches = {make_ticket(1, kEvent, kSecret), make_ticket(2, kOtherEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "error:ambiguous");
}

TEST(EngineMatching, AmbiguousWinsOverEveryLaterCheck) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.matches = {make_ticket(1, kEvent, kSecret), make_ticket(2, kOtherEvent, kSecret)};
    snapshot.matches[0].order.status = OrderStatus::canceled;
    snapshot.matches[1].position.blocked = true;
    EXPECT_EQ(outcome(decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}))), "error:ambiguous");
}

TEST(EngineMatching, MatchInAnEventWithoutSelectedListIsIgnored) {
    // The store only loads the selected lists' events; a position elsewhere is no ticket here.
    DecisionSnapshot snapshot = one_event_snapshot();
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret));
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.position);
    EXPECT_EQ(verdict.list, kList);
}

TEST(EngineMatching, ListOfTheTicketsEventMustBeSelected) {
    // Even with the other event's catalog at hand, no selected list belongs to it.
    DecisionSnapshot snapshot = one_event_snapshot();
    snapshot.events.emplace(kOtherEvent, make_event_data(kOtherEvent));
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret));
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.position);
}

TEST(EngineMatching, MatchInUnselectedEventDoesNotMakeASelectedOneAmbiguous) {
    DecisionSnapshot snapshot = one_event_snapshot();
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret), make_ticket(1, kEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret));
    EXPECT_EQ(outcome(verdict), "ok");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
}

TEST(EngineMatching, NoSelectedListsIsInvalid) {
    DecisionSnapshot snapshot;
    snapshot.matches = {make_ticket(1, kEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {}));
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.list);
}

// --- Multi-event: the ticket's event picks the list ---------------------------------------------------

TEST(EngineMultiEvent, TicketOfTheSecondEventIsDecidedOnItsList) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_EQ(verdict.list, kOtherList);
    EXPECT_EQ(verdict.event, kOtherEvent);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 2);
}

TEST(EngineMultiEvent, TicketOfTheFirstEventIsDecidedOnItsList) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.matches = {make_ticket(1, kEvent, kSecret)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_EQ(verdict.list, kList);
    EXPECT_EQ(verdict.event, kEvent);
}

TEST(EngineMultiEvent, TheDecidingListsSettingsApply) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.lists[0].all_products = false;           // kList would refuse the product...
    snapshot.lists[0].limit_products = {kOtherItem};
    snapshot.lists[1].allow_multiple_entries = false;  // ...kOtherList refuses a second entry
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret)};
    EXPECT_EQ(outcome(decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}))), "ok");

    snapshot.matches[0].checkins = {make_checkin(kOtherList, minutes_from_now(-30), CheckinType::entry)};
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "error:already_redeemed");
    EXPECT_EQ(verdict.list, kOtherList);
    EXPECT_EQ(verdict.event, kOtherEvent);
}

TEST(EngineMultiEvent, RejectionReportsTheTicketsListAndEvent) {
    DecisionSnapshot snapshot = two_event_snapshot();
    snapshot.matches = {make_ticket(2, kOtherEvent, kSecret)};
    snapshot.matches[0].order.status = OrderStatus::canceled;
    const Verdict verdict = decide_scan(snapshot, make_scan(kSecret, {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "error:canceled");
    EXPECT_EQ(verdict.list, kOtherList);
    EXPECT_EQ(verdict.event, kOtherEvent);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 2);
}

// --- Add-on matching ------------------------------------------------------------------------------

class EngineAddonMatch : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        list().addon_match = true;
        list().all_products = false;
        list().limit_products = {kAddonItem};          // a workshop list: the parent ticket is not on it
    }
    void add_addon(int64_t position_id, int64_t item) { snapshot.addons.push_back(make_addon(ticket(), position_id, item)); }
};

TEST_F(EngineAddonMatch, ParentResolvesToItsSingleAddonOnTheList) {
    add_addon(2, kOtherItem);
    add_addon(3, kAddonItem);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 3);
    EXPECT_EQ(verdict.position->item, kAddonItem);
    EXPECT_EQ(verdict.position->addon_to, 1);
    EXPECT_EQ(verdict.list, kList);
}

TEST_F(EngineAddonMatch, TwoAddonsOnTheListAreAmbiguous) {
    add_addon(2, kAddonItem);
    add_addon(3, kAddonItem);
    EXPECT_EQ(outcome(entry()), "error:ambiguous");
}

TEST_F(EngineAddonMatch, ParentAndAddonBothOnTheListAreAmbiguous) {
    list().limit_products = {kItem, kAddonItem};
    add_addon(2, kAddonItem);
    EXPECT_EQ(outcome(entry()), "error:ambiguous");
}

TEST_F(EngineAddonMatch, ParentOnTheListWithoutMatchingAddonIsItself) {
    list().limit_products = {kItem};
    add_addon(2, kAddonItem);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
}

TEST_F(EngineAddonMatch, NoAddonOnTheListIsProduct) {
    add_addon(2, kOtherItem);
    EXPECT_EQ(outcome(entry()), "error:product");
}

TEST_F(EngineAddonMatch, ParentWithoutAddonsNotOnTheListIsProduct) {
    EXPECT_EQ(outcome(entry()), "error:product");
}

TEST_F(EngineAddonMatch, CanceledAddonsAreIgnored) {
    add_addon(2, kAddonItem);
    snapshot.addons.back().position.canceled = true;
    EXPECT_EQ(outcome(entry()), "error:product");

    add_addon(3, kAddonItem);                            // a second one, not canceled: no longer ambiguous
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 3);
}

TEST_F(EngineAddonMatch, OffMeansTheParentIsJudgedAlone) {
    list().addon_match = false;
    add_addon(2, kAddonItem);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:product");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
}

TEST_F(EngineAddonMatch, TheResolvedAddonIsTheTicketThatIsChecked) {
    add_addon(2, kAddonItem);
    snapshot.addons.back().position.blocked = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");

    snapshot.addons.back().position.blocked = false;
    snapshot.addons.back().checkins = {make_checkin(kList, minutes_from_now(-5), CheckinType::entry)};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:already_redeemed");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 2);

    ticket().checkins = {make_checkin(kList, minutes_from_now(-5), CheckinType::entry)}; // the parent's own history
    snapshot.addons.back().checkins.clear();
    EXPECT_EQ(outcome(entry()), "ok");
}

// pretix.md step 1: add-on matching "may resolve a parent ticket to its add-on: `product` or
// `ambiguous` when it cannot". That answer comes from step 1, so it wins over the parent's own
// state (steps 2-5); pretix's redeem does the same (no candidate with a matching product: reason
// product, before any status check).
TEST_F(EngineAddonMatch, UnresolvableParentIsProductBeforeItsOwnState) {
    add_addon(2, kOtherItem);
    const std::vector<std::pair<std::string, std::function<void(CandidateTicket&)>>> states = {
        {"blocked", [](CandidateTicket& t) { t.position.blocked = true; }},
        {"unapproved", [](CandidateTicket& t) { t.order.status = OrderStatus::pending; t.order.require_approval = true; }},
        {"invalid_time", [](CandidateTicket& t) { t.position.valid_until = minutes_from_now(-60); }},
    };
    for (const auto& [name, apply] : states) {
        SCOPED_TRACE(name);
        snapshot.matches = {make_ticket(1, kEvent, kSecret)};
        apply(ticket());
        EXPECT_EQ(outcome(entry()), "error:product");
    }
}

// --- Step 2: canceled -------------------------------------------------------------------------------

TEST_F(EngineTest, CanceledOrderIsCanceled) {
    order().status = OrderStatus::canceled;
    EXPECT_EQ(outcome(entry()), "error:canceled");
    EXPECT_EQ(outcome(exit()), "error:canceled");
}

TEST_F(EngineTest, ExpiredOrderIsCanceled) {
    order().status = OrderStatus::expired;
    EXPECT_EQ(outcome(entry()), "error:canceled");
}

TEST_F(EngineTest, CanceledPositionIsCanceled) {
    position().canceled = true;
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:canceled");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
    EXPECT_EQ(verdict.list, kList);
    EXPECT_FALSE(verdict.explanation.empty());
}

// --- Step 3: blocked --------------------------------------------------------------------------------

TEST_F(EngineTest, BlockedPositionIsBlocked) {
    position().blocked = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");
    EXPECT_EQ(outcome(exit()), "error:blocked");
}

TEST_F(EngineTest, SecretInBlockedSecretsIsBlocked) {
    event().secret_blocked = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");
    EXPECT_EQ(outcome(entry("\\000026" + kSecret + "\r\n")), "error:blocked");
}

// --- Step 4: unapproved -----------------------------------------------------------------------------

TEST_F(EngineTest, PendingOrderAwaitingApprovalIsUnapproved) {
    order().status = OrderStatus::pending;
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "error:unapproved");
}

TEST_F(EngineTest, UnapprovedEvenWhenPendingOrdersWouldBeValid) {
    order().status = OrderStatus::pending;
    order().require_approval = true;
    order().valid_if_pending = true;
    list().include_pending = true;
    ScanRequest request = make_scan(kSecret);
    request.ignore_unpaid = true;
    EXPECT_EQ(outcome(scan(request)), "error:unapproved");
}

TEST_F(EngineTest, ApprovalFlagOnAPaidOrderDoesNotMatter) {
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "ok");
}

// --- Step 5: validity window ------------------------------------------------------------------------

TEST_F(EngineTest, EntryBeforeValidFromIsInvalidTime) {
    position().valid_from = minutes_from_now(60);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:invalid_time");
    EXPECT_FALSE(verdict.explanation.empty());
}

TEST_F(EngineTest, EntryAfterValidUntilIsInvalidTime) {
    position().valid_until = minutes_from_now(-60);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:invalid_time");
    EXPECT_FALSE(verdict.explanation.empty());
}

TEST_F(EngineTest, EntryInsideTheWindowIsAdmitted) {
    position().valid_from = minutes_from_now(-60);
    position().valid_until = minutes_from_now(60);
    EXPECT_EQ(outcome(entry()), "ok");
    position().valid_from = kNow;                        // the bounds themselves are inside
    position().valid_until = kNow;
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, ExitIgnoresTheValidityWindow) {
    position().valid_from = minutes_from_now(60);
    EXPECT_EQ(outcome(exit()), "ok");
    position().valid_from.reset();
    position().valid_until = minutes_from_now(-60);
    EXPECT_EQ(outcome(exit()), "ok");
}

// --- Step 6: product, then the list's subevent ------------------------------------------------------

TEST_F(EngineTest, ProductNotOnTheListIsProduct) {
    list().all_products = false;
    list().limit_products = {kOtherItem, kAddonItem};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:product");
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
    EXPECT_EQ(outcome(exit()), "error:product");
}

TEST_F(EngineTest, ProductInLimitProductsIsAdmitted) {
    list().all_products = false;
    list().limit_products = {kOtherItem, kItem};
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, LimitProductsIsIgnoredWhenAllProducts) {
    list().all_products = true;
    list().limit_products = {kOtherItem};
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, EmptyLimitProductsAdmitsNothing) {
    list().all_products = false;
    list().limit_products.clear();
    EXPECT_EQ(outcome(entry()), "error:product");
}

TEST_F(EngineTest, ListForAnotherDateIsInvalid) {
    list().subevent = kSubEvent;
    position().subevent = kOtherSubEvent;
    EXPECT_EQ(outcome(entry()), "error:invalid");
    position().subevent.reset();
    EXPECT_EQ(outcome(entry()), "error:invalid");
    position().subevent = kSubEvent;
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, ListWithoutSubeventAcceptsEveryDate) {
    position().subevent = kOtherSubEvent;
    EXPECT_EQ(outcome(entry()), "ok");
}

// --- Step 7: unpaid (table) -------------------------------------------------------------------------

struct UnpaidCase {
    const char* name;
    OrderStatus status;
    bool valid_if_pending;
    bool ignore_unpaid;
    bool include_pending;
    CheckinType type;
    const char* expected;
};

class EngineUnpaid : public EngineTest, public ::testing::WithParamInterface<UnpaidCase> {};

TEST_P(EngineUnpaid, Decides) {
    const UnpaidCase& c = GetParam();
    order().status = c.status;
    order().valid_if_pending = c.valid_if_pending;
    list().include_pending = c.include_pending;
    ScanRequest request = make_scan(kSecret, {kList}, c.type);
    request.ignore_unpaid = c.ignore_unpaid;
    EXPECT_EQ(outcome(scan(request)), c.expected);
}

constexpr CheckinType kEntry = CheckinType::entry;
constexpr CheckinType kExit = CheckinType::exit;
constexpr OrderStatus kPending = OrderStatus::pending;
constexpr OrderStatus kPaid = OrderStatus::paid;

INSTANTIATE_TEST_SUITE_P(EngineTable, EngineUnpaid, ::testing::Values(
    //          name                             status    valid_if  ignore  include  type    expected
    UnpaidCase{"PaidPlain",                      kPaid,    false,    false,  false,   kEntry, "ok"},
    UnpaidCase{"PaidIgnoreIncluded",             kPaid,    false,    true,   true,    kEntry, "ok"},
    UnpaidCase{"PendingPlain",                   kPending, false,    false,  false,   kEntry, "error:unpaid"},
    UnpaidCase{"PendingIgnoreNotIncluded",       kPending, false,    true,   false,   kEntry, "error:unpaid"},
    UnpaidCase{"PendingIncludedNotIgnored",      kPending, false,    false,  true,    kEntry, "error:unpaid"},
    UnpaidCase{"PendingIgnoreIncluded",          kPending, false,    true,   true,    kEntry, "ok"},
    UnpaidCase{"ValidIfPending",                 kPending, true,     false,  false,   kEntry, "ok"},
    UnpaidCase{"ValidIfPendingIgnore",           kPending, true,     true,   false,   kEntry, "ok"},
    UnpaidCase{"ValidIfPendingIncluded",         kPending, true,     false,  true,    kEntry, "ok"},
    UnpaidCase{"ValidIfPendingIgnoreIncluded",   kPending, true,     true,   true,    kEntry, "ok"},
    UnpaidCase{"ExitPendingPlain",               kPending, false,    false,  false,   kExit,  "error:unpaid"},
    UnpaidCase{"ExitPendingIgnoreIncluded",      kPending, false,    true,   true,    kExit,  "ok"},
    UnpaidCase{"ExitValidIfPending",             kPending, true,     false,  false,   kExit,  "ok"}),
    [](const ::testing::TestParamInfo<UnpaidCase>& param_info) { return std::string(param_info.param.name); });

// --- Step 8: rules ----------------------------------------------------------------------------------

TEST_F(EngineTest, RuleThatDeniesEntryIsRules) {
    list().rules = only_product_rule(kOtherItem);
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:rules");
    EXPECT_FALSE(verdict.explanation.empty());
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
}

TEST_F(EngineTest, RuleThatAllowsEntryAdmits) {
    list().rules = only_product_rule(kItem);
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, RulesAreEvaluatedForEntriesOnly) {
    list().rules = only_product_rule(kOtherItem);
    EXPECT_EQ(outcome(exit()), "ok");
}

TEST_F(EngineTest, RulesSeeTheGateAndHistory) {
    list().rules = json::parse(R"({"and": [{"inList": [{"var": "gate"}, {"objectList": [{"lookup": ["gate", "3", "North"]}]}]},
                                           {"<": [{"var": "entries_number"}, 1]}]})");
    list().allow_multiple_entries = true;
    ScanRequest request = make_scan(kSecret);
    request.gate = "3";
    EXPECT_EQ(outcome(scan(request)), "ok");
    request.gate = "4";
    EXPECT_EQ(outcome(scan(request)), "error:rules");
    request.gate = "3";
    ticket().checkins = {make_checkin(kList, minutes_from_now(-30), CheckinType::entry)};
    EXPECT_EQ(outcome(scan(request)), "error:rules");
}

// --- Step 9: questions ------------------------------------------------------------------------------

TEST_F(EngineTest, MissingQuestionsAreIncomplete) {
    catalog().questions = {make_question(42, QuestionType::string), make_question(41, QuestionType::email)};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "incomplete");
    ASSERT_EQ(verdict.questions.size(), 2u);
    EXPECT_EQ(verdict.questions[0].id, 41);              // display order
    EXPECT_EQ(verdict.questions[1].id, 42);
    EXPECT_TRUE(verdict.answer_errors.empty());
    EXPECT_TRUE(verdict.accepted_answers.empty());
    EXPECT_EQ(verdict.list, kList);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->id, 1);
}

TEST_F(EngineTest, OnlyQuestionsForThisItemAskedAtCheckinCount) {
    Question other_item = make_question(41, QuestionType::string, kOtherItem);
    Question not_at_checkin = make_question(42, QuestionType::string);
    not_at_checkin.ask_during_checkin = false;
    catalog().questions = {other_item, not_at_checkin};
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineTest, GivenValidAnswersAdmitAndAreReturned) {
    catalog().questions = {make_question(41, QuestionType::string), make_question(42, QuestionType::email)};
    ScanRequest request = make_scan(kSecret);
    request.answers = {{41, "Ada Lovelace"}, {42, "ada@example.org"}};
    const Verdict verdict = scan(request);
    EXPECT_EQ(outcome(verdict), "ok");
    ASSERT_EQ(verdict.accepted_answers.size(), 2u);
    std::map<int64_t, std::string> accepted;
    for (const Answer& answer : verdict.accepted_answers) accepted[answer.question] = answer.answer;
    EXPECT_EQ(accepted[41], "Ada Lovelace");
    EXPECT_EQ(accepted[42], "ada@example.org");
}

TEST_F(EngineTest, InvalidGivenAnswerIsIncompleteWithItsError) {
    catalog().questions = {make_question(41, QuestionType::string), make_question(42, QuestionType::email)};
    ScanRequest request = make_scan(kSecret);
    request.answers = {{41, "Ada Lovelace"}, {42, "not an address"}};
    const Verdict verdict = scan(request);
    EXPECT_EQ(outcome(verdict), "incomplete");
    ASSERT_EQ(verdict.questions.size(), 1u);
    EXPECT_EQ(verdict.questions[0].id, 42);
    ASSERT_EQ(verdict.answer_errors.count(42), 1u);
    EXPECT_FALSE(verdict.answer_errors.at(42).empty());
    EXPECT_EQ(verdict.answer_errors.count(41), 0u);
    EXPECT_TRUE(verdict.accepted_answers.empty());       // nothing is stored until admission
}

TEST_F(EngineTest, StoredValidAnswerIsNotAskedAgain) {
    catalog().questions = {make_question(41, QuestionType::string)};
    position().answers = {Answer{41, "Ada Lovelace", {}}};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_TRUE(verdict.accepted_answers.empty());
}

TEST_F(EngineTest, QuestionsSwitchedOffAreSkipped) {
    catalog().questions = {make_question(41, QuestionType::string)};
    ScanRequest request = make_scan(kSecret);
    request.questions_supported = false;
    EXPECT_EQ(outcome(scan(request)), "ok");
}

TEST_F(EngineTest, ExitNeverAsksQuestions) {
    catalog().questions = {make_question(41, QuestionType::string)};
    EXPECT_EQ(outcome(exit()), "ok");
}

// --- Step 10: earlier check-ins (table) -------------------------------------------------------------

struct HistoryCase {
    const char* name;
    std::vector<CheckinType> history;   // oldest first, 20 minutes apart, all on the deciding list
    bool allow_multiple_entries;
    bool allow_entry_after_exit;
    const char* expected;               // for an entry; an exit is always "ok"
};

class EngineHistory : public EngineTest, public ::testing::WithParamInterface<HistoryCase> {
protected:
    static Timestamp time_of(size_t index) { return minutes_from_now(-60 + 20 * static_cast<int64_t>(index)); }
    void SetUp() override {
        EngineTest::SetUp();
        const HistoryCase& c = GetParam();
        list().allow_multiple_entries = c.allow_multiple_entries;
        list().allow_entry_after_exit = c.allow_entry_after_exit;
        for (size_t i = 0; i < c.history.size(); ++i)
            ticket().checkins.push_back(make_checkin(kList, time_of(i), c.history[i]));
    }
};

TEST_P(EngineHistory, Entry) {
    const HistoryCase& c = GetParam();
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), c.expected);
    if (verdict.reason == RejectReason::already_redeemed) {
        // Every history that refuses starts with an entry: that first scan is reported.
        EXPECT_EQ(verdict.first_checkin, time_of(0));
        EXPECT_FALSE(verdict.explanation.empty());
        ASSERT_TRUE(verdict.position);
        EXPECT_EQ(verdict.position->id, 1);
    } else {
        EXPECT_FALSE(verdict.first_checkin);
    }
}

TEST_P(EngineHistory, ExitIsAlwaysAllowed) {
    EXPECT_EQ(outcome(exit()), "ok");
}

using CT = CheckinType;
INSTANTIATE_TEST_SUITE_P(EngineTable, EngineHistory, ::testing::Values(
    //          name                               history                            multiple after_exit expected
    HistoryCase{"None_Single_NoReentry",           {},                                false,   false,     "ok"},
    HistoryCase{"None_Single_Reentry",             {},                                false,   true,      "ok"},
    HistoryCase{"None_Multiple_NoReentry",         {},                                true,    false,     "ok"},
    HistoryCase{"None_Multiple_Reentry",           {},                                true,    true,      "ok"},
    HistoryCase{"Entry_Single_NoReentry",          {CT::entry},                       false,   false,     "error:already_redeemed"},
    HistoryCase{"Entry_Single_Reentry",            {CT::entry},                       false,   true,      "error:already_redeemed"},
    HistoryCase{"Entry_Multiple_NoReentry",        {CT::entry},                       true,    false,     "ok"},
    HistoryCase{"Entry_Multiple_Reentry",          {CT::entry},                       true,    true,      "ok"},
    HistoryCase{"EntryExit_Single_NoReentry",      {CT::entry, CT::exit},             false,   false,     "error:already_redeemed"},
    HistoryCase{"EntryExit_Single_Reentry",        {CT::entry, CT::exit},             false,   true,      "ok"},
    HistoryCase{"EntryExit_Multiple_NoReentry",    {CT::entry, CT::exit},             true,    false,     "ok"},
    HistoryCase{"EntryExit_Multiple_Reentry",      {CT::entry, CT::exit},             true,    true,      "ok"},
    HistoryCase{"Exit_Single_NoReentry",           {CT::exit},                        false,   false,     "ok"},
    HistoryCase{"Exit_Single_Reentry",             {CT::exit},                        false,   true,      "ok"},
    HistoryCase{"Exit_Multiple_NoReentry",         {CT::exit},                        true,    false,     "ok"},
    HistoryCase{"Exit_Multiple_Reentry",           {CT::exit},                        true,    true,      "ok"},
    HistoryCase{"EntryExitEntry_Single_NoReentry", {CT::entry, CT::exit, CT::entry},  false,   false,     "error:already_redeemed"},
    HistoryCase{"EntryExitEntry_Single_Reentry",   {CT::entry, CT::exit, CT::entry},  false,   true,      "error:already_redeemed"},
    HistoryCase{"EntryExitEntry_Multiple_NoReentry", {CT::entry, CT::exit, CT::entry}, true,   false,     "ok"},
    HistoryCase{"EntryExitEntry_Multiple_Reentry", {CT::entry, CT::exit, CT::entry},  true,    true,      "ok"}),
    [](const ::testing::TestParamInfo<HistoryCase>& param_info) { return std::string(param_info.param.name); });

TEST(EngineListsIndependent, ACheckinOnOneListDoesNotCountOnAnother) {
    // In the snapshot model a candidate carries the check-ins of the deciding list, so deciding on
    // list A and on list B of the same event are two snapshots of the same position.
    const Checkin on_a = make_checkin(kList, minutes_from_now(-30), CheckinType::entry);

    DecisionSnapshot on_list_a = one_event_snapshot();
    on_list_a.matches = {make_ticket(1, kEvent, kSecret)};
    on_list_a.matches[0].checkins = {on_a};
    const Verdict a = decide_scan(on_list_a, make_scan(kSecret, {kList}));
    EXPECT_EQ(outcome(a), "error:already_redeemed");
    EXPECT_EQ(a.first_checkin, on_a.datetime);

    DecisionSnapshot on_list_b;
    on_list_b.lists = {make_list(kSecondList, kEvent)};
    on_list_b.events.emplace(kEvent, make_event_data(kEvent));
    on_list_b.matches = {make_ticket(1, kEvent, kSecret)};
    const Verdict b = decide_scan(on_list_b, make_scan(kSecret, {kSecondList}));
    EXPECT_EQ(outcome(b), "ok");
    EXPECT_EQ(b.list, kSecondList);
}

// --- require_attention ------------------------------------------------------------------------------

TEST_F(EngineTest, AttentionFromTheOrder) {
    order().checkin_attention = true;
    EXPECT_TRUE(entry().require_attention);
}

TEST_F(EngineTest, AttentionFromTheItem) {
    catalog().items[0].checkin_attention = true;
    EXPECT_TRUE(entry().require_attention);
    catalog().items[0].checkin_attention = false;
    catalog().items[1].checkin_attention = true;           // another item's flag does not count
    EXPECT_FALSE(entry().require_attention);
}

TEST_F(EngineTest, AttentionFromTheVariation) {
    catalog().items[0].variations[0].checkin_attention = true;   // kVariation
    position().variation = kVariation;
    EXPECT_TRUE(entry().require_attention);
    position().variation = kOtherVariation;
    EXPECT_FALSE(entry().require_attention);
    position().variation.reset();
    EXPECT_FALSE(entry().require_attention);
}

TEST_F(EngineTest, NoAttentionByDefault) {
    position().variation = kVariation;
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_FALSE(verdict.require_attention);
}

// --- Order of the checks: the first failing one wins ------------------------------------------------

TEST_F(EngineTest, CanceledBeatsBlocked) {
    order().status = OrderStatus::canceled;
    position().blocked = true;
    EXPECT_EQ(outcome(entry()), "error:canceled");
    order().status = OrderStatus::paid;
    position().canceled = true;
    EXPECT_EQ(outcome(entry()), "error:canceled");
    order().status = OrderStatus::expired;
    position().canceled = false;
    event().secret_blocked = true;
    EXPECT_EQ(outcome(entry()), "error:canceled");
}

TEST_F(EngineTest, BlockedBeatsUnpaid) {
    position().blocked = true;
    order().status = OrderStatus::pending;
    EXPECT_EQ(outcome(entry()), "error:blocked");
}

TEST_F(EngineTest, BlockedBeatsUnapproved) {
    position().blocked = true;
    order().status = OrderStatus::pending;
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");
}

TEST_F(EngineTest, CanceledBeatsUnapproved) {
    position().canceled = true;
    order().status = OrderStatus::pending;
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "error:canceled");
}

TEST_F(EngineTest, PendingAwaitingApprovalIsUnapprovedNotUnpaid) {
    order().status = OrderStatus::pending;
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "error:unapproved");
}

TEST_F(EngineTest, UnapprovedBeatsInvalidTime) {
    order().status = OrderStatus::pending;
    order().require_approval = true;
    position().valid_until = minutes_from_now(-60);
    EXPECT_EQ(outcome(entry()), "error:unapproved");
}

TEST_F(EngineTest, BlockedBeatsInvalidTime) {
    position().blocked = true;
    position().valid_from = minutes_from_now(60);
    EXPECT_EQ(outcome(entry()), "error:blocked");
}

TEST_F(EngineTest, InvalidTimeBeatsProduct) {
    position().valid_from = minutes_from_now(60);
    list().all_products = false;
    list().limit_products = {kOtherItem};
    EXPECT_EQ(outcome(entry()), "error:invalid_time");
    EXPECT_EQ(outcome(exit()), "error:product");         // no window on exit: product is next
}

TEST_F(EngineTest, ProductBeatsListSubevent) {
    list().all_products = false;
    list().limit_products = {kOtherItem};
    list().subevent = kSubEvent;
    position().subevent = kOtherSubEvent;
    EXPECT_EQ(outcome(entry()), "error:product");
}

TEST_F(EngineTest, ProductBeatsUnpaid) {
    list().all_products = false;
    list().limit_products = {kOtherItem};
    order().status = OrderStatus::pending;
    EXPECT_EQ(outcome(entry()), "error:product");
}

TEST_F(EngineTest, ListSubeventBeatsUnpaid) {
    list().subevent = kSubEvent;
    position().subevent = kOtherSubEvent;
    order().status = OrderStatus::pending;
    EXPECT_EQ(outcome(entry()), "error:invalid");
}

TEST_F(EngineTest, UnpaidBeatsRules) {
    order().status = OrderStatus::pending;
    list().rules = only_product_rule(kOtherItem);
    EXPECT_EQ(outcome(entry()), "error:unpaid");
}

TEST_F(EngineTest, RulesBeatQuestions) {
    list().rules = only_product_rule(kOtherItem);
    catalog().questions = {make_question(41, QuestionType::string)};
    EXPECT_EQ(outcome(entry()), "error:rules");
}

TEST_F(EngineTest, QuestionsBeatAlreadyRedeemed) {
    catalog().questions = {make_question(41, QuestionType::string)};
    list().allow_multiple_entries = false;
    ticket().checkins = {make_checkin(kList, minutes_from_now(-30), CheckinType::entry)};
    EXPECT_EQ(outcome(entry()), "incomplete");

    ScanRequest answered = make_scan(kSecret);
    answered.answers = {{41, "Ada Lovelace"}};
    EXPECT_EQ(outcome(scan(answered)), "error:already_redeemed");
}

TEST_F(EngineTest, RulesBeatAlreadyRedeemed) {
    list().rules = only_product_rule(kOtherItem);
    ticket().checkins = {make_checkin(kList, minutes_from_now(-30), CheckinType::entry)};
    EXPECT_EQ(outcome(entry()), "error:rules");
}

TEST_F(EngineTest, EveryFailingCheckPeeledOffInTurn) {
    // All failures at once, then remove them one by one: each verdict names the next check.
    order().status = OrderStatus::canceled;
    position().blocked = true;
    position().valid_from = minutes_from_now(60);
    list().all_products = false;
    list().limit_products = {kOtherItem};
    list().rules = only_product_rule(kOtherItem);
    catalog().questions = {make_question(41, QuestionType::string)};
    ticket().checkins = {make_checkin(kList, minutes_from_now(-30), CheckinType::entry)};

    EXPECT_EQ(outcome(entry()), "error:canceled");
    order().status = OrderStatus::pending;
    order().require_approval = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");
    position().blocked = false;
    EXPECT_EQ(outcome(entry()), "error:unapproved");
    order().require_approval = false;
    EXPECT_EQ(outcome(entry()), "error:invalid_time");
    position().valid_from.reset();
    EXPECT_EQ(outcome(entry()), "error:product");
    list().limit_products = {kItem};
    EXPECT_EQ(outcome(entry()), "error:unpaid");
    order().status = OrderStatus::paid;
    EXPECT_EQ(outcome(entry()), "error:rules");
    list().rules = json();
    EXPECT_EQ(outcome(entry()), "incomplete");
    position().answers = {Answer{41, "Ada Lovelace", {}}};
    EXPECT_EQ(outcome(entry()), "error:already_redeemed");
    ticket().checkins.clear();
    EXPECT_EQ(outcome(entry()), "ok");
}

// --- Offline-signed tickets (pretix_sig1) -----------------------------------------------------------

class EngineSignedTicket : public ::testing::Test {
protected:
    void SetUp() override {
        keys = generate_ed25519_key_pair();
        snapshot = one_event_snapshot();
        catalog().event.sig1_keys = {public_key_to_pem_base64(keys.public_key)};
        ticket.seed = "Zx81kQm2b7TnV4cR";
        ticket.item = kItem;
        ticket.variation = kVariation;
    }

    DecisionSnapshot::EventFacts& event() { return snapshot.events.at(kEvent); }
    EventCatalog& catalog() { return mutable_catalog(snapshot, kEvent); }
    CheckinList& list() { return snapshot.lists.front(); }
    std::string issue() const { return issue_signed_ticket(ticket, keys.secret_key); }
    Verdict entry(const std::string& raw) const { return decide_scan(snapshot, make_scan(raw)); }
    Verdict entry() const { return entry(issue()); }

    Ed25519KeyPair keys;
    DecisionSnapshot snapshot;
    SignedTicket ticket;
};

TEST_F(EngineSignedTicket, ValidSignatureIsAdmittedOffline) {
    ticket.subevent = kSubEvent;
    const std::string text = issue();
    const Verdict verdict = entry(text);
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_TRUE(verdict.offline_signed);
    EXPECT_EQ(verdict.list, kList);
    EXPECT_EQ(verdict.event, kEvent);
    EXPECT_EQ(verdict.secret, text);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->secret, text);
    EXPECT_EQ(verdict.position->item, kItem);
    EXPECT_EQ(verdict.position->variation, kVariation);
    EXPECT_EQ(verdict.position->subevent, kSubEvent);
    EXPECT_EQ(verdict.position->event_id, kEvent);
}

TEST_F(EngineSignedTicket, ScannerDecorationsAreStripped) {
    const std::string text = issue();
    const Verdict verdict = entry("\\000026" + text + "\r\n");
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_TRUE(verdict.offline_signed);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->secret, text);
}

TEST_F(EngineSignedTicket, WrongKeyIsInvalid) {
    const Ed25519KeyPair other = generate_ed25519_key_pair();
    catalog().event.sig1_keys = {public_key_to_pem_base64(other.public_key)};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.offline_signed);
    EXPECT_FALSE(verdict.position);
}

TEST_F(EngineSignedTicket, AnyOfTheEventsKeysWillDo) {
    const Ed25519KeyPair other = generate_ed25519_key_pair();
    catalog().event.sig1_keys.insert(catalog().event.sig1_keys.begin(), public_key_to_pem_base64(other.public_key));
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, EventWithoutKeysIsInvalid) {
    catalog().event.sig1_keys.clear();
    EXPECT_EQ(outcome(entry()), "error:invalid");
}

TEST_F(EngineSignedTicket, TamperedTextIsInvalid) {
    std::string text = issue();
    text[text.size() / 2] = text[text.size() / 2] == 'A' ? 'B' : 'A';
    const Verdict verdict = entry(text);
    EXPECT_EQ(outcome(verdict), "error:invalid");
    EXPECT_FALSE(verdict.offline_signed);
}

TEST_F(EngineSignedTicket, RevokedSecretIsRevoked) {
    event().secret_revoked = true;
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:revoked");
    EXPECT_TRUE(verdict.offline_signed);
    EXPECT_EQ(verdict.list, kList);
}

TEST_F(EngineSignedTicket, RevokedBeatsBlocked) {
    event().secret_revoked = true;
    event().secret_blocked = true;
    EXPECT_EQ(outcome(entry()), "error:revoked");
}

TEST_F(EngineSignedTicket, BlockedSecretIsBlocked) {
    event().secret_blocked = true;
    EXPECT_EQ(outcome(entry()), "error:blocked");
}

TEST_F(EngineSignedTicket, BlockedBeatsInvalidTime) {
    event().secret_blocked = true;
    ticket.valid_from = minutes_from_now(60);
    EXPECT_EQ(outcome(entry()), "error:blocked");
}

TEST_F(EngineSignedTicket, ValidityWindowIsInvalidTime) {
    ticket.valid_from = minutes_from_now(60);
    EXPECT_EQ(outcome(entry()), "error:invalid_time");
    ticket.valid_from.reset();
    ticket.valid_until = minutes_from_now(-60);
    EXPECT_EQ(outcome(entry()), "error:invalid_time");
    ticket.valid_from = minutes_from_now(-60);
    ticket.valid_until = minutes_from_now(60);
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, ExitIgnoresTheValidityWindow) {
    ticket.valid_until = minutes_from_now(-60);
    EXPECT_EQ(outcome(decide_scan(snapshot, make_scan(issue(), {kList}, CheckinType::exit))), "ok");
}

TEST_F(EngineSignedTicket, UnknownItemIsError) {
    ticket.item = kUnknownItem;
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:error");
    EXPECT_TRUE(verdict.offline_signed);
    EXPECT_FALSE(verdict.explanation.empty());
}

TEST_F(EngineSignedTicket, ProductNotOnTheListIsProduct) {
    list().all_products = false;
    list().limit_products = {kOtherItem};
    EXPECT_EQ(outcome(entry()), "error:product");
    list().limit_products = {kItem};
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, InvalidTimeBeatsProduct) {
    ticket.valid_until = minutes_from_now(-60);
    list().all_products = false;
    list().limit_products = {kOtherItem};
    EXPECT_EQ(outcome(entry()), "error:invalid_time");
}

TEST_F(EngineSignedTicket, SubeventMismatchIsInvalid) {
    list().subevent = kSubEvent;
    ticket.subevent = kOtherSubEvent;
    EXPECT_EQ(outcome(entry()), "error:invalid");
    ticket.subevent.reset();
    EXPECT_EQ(outcome(entry()), "error:invalid");
    ticket.subevent = kSubEvent;
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, RulesApplyToEntries) {
    list().rules = only_product_rule(kOtherItem);
    EXPECT_EQ(outcome(entry()), "error:rules");
    EXPECT_EQ(outcome(decide_scan(snapshot, make_scan(issue(), {kList}, CheckinType::exit))), "ok");
    list().rules = only_product_rule(kItem);
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, QuestionsForTheSignedItemAreAsked) {
    catalog().questions = {make_question(41, QuestionType::string)};
    const std::string text = issue();
    const Verdict verdict = entry(text);
    EXPECT_EQ(outcome(verdict), "incomplete");
    ASSERT_EQ(verdict.questions.size(), 1u);
    EXPECT_EQ(verdict.questions[0].id, 41);

    ScanRequest answered = make_scan(text);
    answered.answers = {{41, "Ada Lovelace"}};
    const Verdict admitted = decide_scan(snapshot, answered);
    EXPECT_EQ(outcome(admitted), "ok");
    ASSERT_EQ(admitted.accepted_answers.size(), 1u);
    EXPECT_EQ(admitted.accepted_answers[0].question, 41);
    EXPECT_EQ(admitted.accepted_answers[0].answer, "Ada Lovelace");
}

TEST_F(EngineSignedTicket, LocalCheckinsCountAsEntries) {
    list().allow_multiple_entries = false;
    list().allow_entry_after_exit = false;
    const Timestamp first = minutes_from_now(-45);
    event().unsynced_checkins = {make_checkin(kList, first, CheckinType::entry)};
    const Verdict verdict = entry();
    EXPECT_EQ(outcome(verdict), "error:already_redeemed");
    EXPECT_EQ(verdict.first_checkin, first);
    EXPECT_TRUE(verdict.offline_signed);

    list().allow_entry_after_exit = true;
    event().unsynced_checkins.push_back(make_checkin(kList, minutes_from_now(-15), CheckinType::exit));
    EXPECT_EQ(outcome(entry()), "ok");
}

TEST_F(EngineSignedTicket, AttentionFromTheSignedItemAndVariation) {
    EXPECT_FALSE(entry().require_attention);
    catalog().items[0].variations[0].checkin_attention = true;
    EXPECT_TRUE(entry().require_attention);
    catalog().items[0].variations[0].checkin_attention = false;
    catalog().items[0].checkin_attention = true;
    EXPECT_TRUE(entry().require_attention);
}

TEST(EngineSignedTicketMultiEvent, TheSigningEventsListDecides) {
    const Ed25519KeyPair first_keys = generate_ed25519_key_pair();
    const Ed25519KeyPair second_keys = generate_ed25519_key_pair();
    DecisionSnapshot snapshot = two_event_snapshot();
    mutable_catalog(snapshot, kEvent).event.sig1_keys = {public_key_to_pem_base64(first_keys.public_key)};
    mutable_catalog(snapshot, kOtherEvent).event.sig1_keys = {public_key_to_pem_base64(second_keys.public_key)};
    SignedTicket ticket;
    ticket.seed = "multiEventSeed01";
    ticket.item = kAddonItem;
    const Verdict verdict = decide_scan(snapshot, make_scan(issue_signed_ticket(ticket, second_keys.secret_key), {kList, kOtherList}));
    EXPECT_EQ(outcome(verdict), "ok");
    EXPECT_TRUE(verdict.offline_signed);
    EXPECT_EQ(verdict.list, kOtherList);
    EXPECT_EQ(verdict.event, kOtherEvent);
    ASSERT_TRUE(verdict.position);
    EXPECT_EQ(verdict.position->event_id, kOtherEvent);
}

TEST(EngineSignedTicketMultiEvent, KeyOfAnUnselectedEventIsNotTrusted) {
    const Ed25519KeyPair foreign = generate_ed25519_key_pair();
    DecisionSnapshot snapshot = one_event_snapshot();
    mutable_catalog(snapshot, kEvent).event.sig1_keys = {public_key_to_pem_base64(generate_ed25519_key_pair().public_key)};
    SignedTicket ticket;
    ticket.seed = "foreignSeed00001";
    ticket.item = kItem;
    EXPECT_EQ(outcome(decide_scan(snapshot, make_scan(issue_signed_ticket(ticket, foreign.secret_key)))), "error:invalid");
}

} // namespace
} // namespace kiosk
