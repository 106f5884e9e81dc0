#include "printer/badge_data.h"

#include <gtest/gtest.h>

#include "kiosk/core/time.h"

namespace kiosk::printer {
namespace {

using nlohmann::json;

EventCatalog demo_catalog() {
    EventCatalog catalog;
    catalog.event.id = 1;
    catalog.event.name = json{{"en", "KioskConf 2027"}, {"de", "KioskKonf 2027"}};
    catalog.event.timezone = "Europe/Berlin";
    catalog.event.date_from = parse_iso8601("2027-03-16T08:00:00Z");  // 09:00 in Berlin
    catalog.event.date_to = parse_iso8601("2027-03-17T18:00:00+01:00");
    catalog.event.date_admission = parse_iso8601("2027-03-16T08:00:00+01:00");
    Item pass;
    pass.id = 101;
    pass.name = json{{"en", "Conference pass"}, {"de", "Konferenzticket"}};
    pass.variations.push_back({201, json{{"en", "Regular"}, {"de", "Regulär"}}, false});
    catalog.items.push_back(pass);
    Question company;
    company.id = 306;
    company.raw = json{{"identifier", "COMPANY"}};
    Question shirt;
    shirt.id = 301;
    shirt.type = QuestionType::choice;
    shirt.raw = json{{"identifier", "TSHIRT"}};
    shirt.options.push_back({402, "M", json{{"en", "Medium"}, {"de", "Mittel"}}});
    catalog.questions = {company, shirt};
    return catalog;
}

Position demo_position() {
    Position position;
    position.order = "8S8WT";
    position.positionid = 2;
    position.item = 101;
    position.variation = 201;
    position.secret = "8bmub2af8hgcku36aguwaaxpxzuhkdcq";
    position.attendee_name = "Samuel Ashworth";
    position.answers.push_back({306, "Acme GmbH", {}});
    position.answers.push_back({301, "Medium", {402}});
    return position;
}

Order demo_order() {
    Order order;
    order.code = "8S8WT";
    order.email = "samuel@example.org";
    order.locale = "de";
    return order;
}

TEST(BadgeDataFor, FieldsFromThePosition) {
    const BadgeData data = badge_data_for(demo_position(), demo_order(), demo_catalog(), "en");
    EXPECT_EQ(data.secret, "8bmub2af8hgcku36aguwaaxpxzuhkdcq");
    EXPECT_EQ(data.language, "en");
    EXPECT_EQ(data.text.at("attendee_name"), "Samuel Ashworth");
    EXPECT_EQ(data.text.at("attendee_company"), "Acme GmbH");
    EXPECT_EQ(data.text.at("attendee_email"), "samuel@example.org");  // the order's, the position has none
    EXPECT_EQ(data.text.at("order"), "8S8WT");
    EXPECT_EQ(data.text.at("positionid"), "2");
    EXPECT_EQ(data.text.at("item"), "Conference pass");
    EXPECT_EQ(data.text.at("variation"), "Regular");
    EXPECT_EQ(data.text.at("itemvar"), "Conference pass – Regular");
    EXPECT_EQ(data.text.at("event_name"), "KioskConf 2027");
    EXPECT_EQ(data.text.at("event_date"), "2027-03-16");
    EXPECT_EQ(data.text.at("event_begin_time"), "09:00");  // in the event's zone, not UTC
    EXPECT_EQ(data.text.at("event_date_range"), "2027-03-16 – 2027-03-17");
    EXPECT_EQ(data.text.at("event_admission_time"), "08:00");
    EXPECT_EQ(data.text.at("question_306"), "Acme GmbH");
    EXPECT_EQ(data.text.at("question_COMPANY"), "Acme GmbH");
    EXPECT_EQ(data.text.at("question_TSHIRT"), "Medium");
}

TEST(BadgeDataFor, AttendeeLanguageWithFallbacks) {
    const EventCatalog catalog = demo_catalog();
    BadgeData data = badge_data_for(demo_position(), demo_order(), catalog, "de-formal");
    EXPECT_EQ(data.text.at("itemvar"), "Konferenzticket – Regulär");
    EXPECT_EQ(data.text.at("question_301"), "Mittel");  // the option in the attendee's language
    data = badge_data_for(demo_position(), demo_order(), catalog, "ja");
    EXPECT_EQ(data.text.at("event_name"), "KioskConf 2027");  // English when the language is missing
    data = badge_data_for(demo_position(), demo_order(), catalog, "");
    EXPECT_EQ(data.language, "de");  // the order's locale
    EXPECT_EQ(data.text.at("item"), "Konferenzticket");
}

TEST(BadgeDataFor, SubeventNameAndUnknownProduct) {
    EventCatalog catalog = demo_catalog();
    SubEvent day;
    day.id = 9;
    day.name = json{{"en", "Day two"}};
    day.date_from = parse_iso8601("2027-03-17T09:00:00+01:00");
    catalog.subevents.push_back(day);
    Position position = demo_position();
    position.subevent = 9;
    position.item = 999;
    const BadgeData data = badge_data_for(position, demo_order(), catalog, "en");
    EXPECT_EQ(data.text.at("event_name"), "Day two");
    EXPECT_EQ(data.text.at("event_date"), "2027-03-17");
    EXPECT_EQ(data.text.at("itemvar"), "");
}

} // namespace
} // namespace kiosk::printer
