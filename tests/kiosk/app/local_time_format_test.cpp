// Dates and times each language's way, from the kiosk's own tables, in the event's zone.
#include <gtest/gtest.h>

#include "kiosk/app/local_time_format.h"

namespace kiosk {
namespace {

const date::time_zone* zone(std::string_view name) {
    const date::time_zone* found = find_time_zone(name);
    EXPECT_NE(found, nullptr) << name;
    return found;
}

// Tuesday 16 March 2027, 09:14 in Berlin (UTC+1 before the switch on 28 March).
const Timestamp kTuesday = *parse_iso8601("2027-03-16T09:14:00+01:00");

std::string in_berlin(std::string_view language, TimeStyle style, Timestamp t = kTuesday, Timestamp now = kTuesday) {
    return format_local_time(t, zone("Europe/Berlin"), language, style, now);
}

struct Expected {
    const char* language;
    const char* date;
    const char* time;
    const char* today;
    const char* date_time;
};

TEST(LocalTimeFormat, EachLanguageItsOwnWay) {
    const Expected cases[] = {
        {"en", "Tuesday, March 16, 2027", "9:14 AM", "today at 9:14 AM", "Tuesday, March 16, 2027 at 9:14 AM"},
        {"en-GB", "Tuesday, 16 March 2027", "09:14", "today at 09:14", "Tuesday, 16 March 2027 at 09:14"},
        {"de", "Dienstag, 16. März 2027", "09:14", "heute um 09:14", "Dienstag, 16. März 2027 um 09:14"},
        {"fr", "mardi 16 mars 2027", "09:14", "aujourd’hui à 09:14", "mardi 16 mars 2027 à 09:14"},
        {"es", "martes, 16 de marzo de 2027", "9:14", "hoy a las 9:14", "martes, 16 de marzo de 2027 a las 9:14"},
        {"pt", "terça-feira, 16 de março de 2027", "09:14", "hoje às 09:14", "terça-feira, 16 de março de 2027 às 09:14"},
        {"it", "martedì 16 marzo 2027", "09:14", "oggi alle 09:14", "martedì 16 marzo 2027 alle 09:14"},
        {"nl", "dinsdag 16 maart 2027", "09:14", "vandaag om 09:14", "dinsdag 16 maart 2027 om 09:14"},
        {"ru", "вторник, 16 марта 2027 г.", "09:14", "сегодня в 09:14", "вторник, 16 марта 2027 г. в 09:14"},
        {"uk", "вівторок, 16 березня 2027 р.", "09:14", "сьогодні о 09:14", "вівторок, 16 березня 2027 р. о 09:14"},
        {"pl", "wtorek, 16 marca 2027", "09:14", "dzisiaj o 09:14", "wtorek, 16 marca 2027 o 09:14"},
        {"tr", "16 Mart 2027 Salı", "09:14", "bugün 09:14", "16 Mart 2027 Salı 09:14"},
        {"el", "Τρίτη, 16 Μαρτίου 2027", "09:14", "σήμερα στις 09:14", "Τρίτη, 16 Μαρτίου 2027 στις 09:14"},
        {"ar", "الثلاثاء، 16 مارس 2027", "09:14", "اليوم الساعة 09:14", "الثلاثاء، 16 مارس 2027 الساعة 09:14"},
        {"he", "יום שלישי, 16 במרץ 2027", "09:14", "היום בשעה 09:14", "יום שלישי, 16 במרץ 2027 בשעה 09:14"},
        {"zh", "2027年3月16日 星期二", "09:14", "今天 09:14", "2027年3月16日 星期二 09:14"},
        {"ja", "2027年3月16日火曜日", "9:14", "今日 9:14", "2027年3月16日火曜日 9:14"},
        {"ko", "2027년 3월 16일 화요일", "오전 9:14", "오늘 오전 9:14", "2027년 3월 16일 화요일 오전 9:14"},
        {"xx", "Tuesday 2027-03-16", "09:14", "today 09:14", "Tuesday 2027-03-16 09:14"},
    };
    for (const auto& [language, date, time, today, date_time] : cases) {
        SCOPED_TRACE(language);
        EXPECT_EQ(in_berlin(language, TimeStyle::date), date);
        EXPECT_EQ(in_berlin(language, TimeStyle::time), time);
        EXPECT_EQ(in_berlin(language, TimeStyle::relative_day), today);
        EXPECT_EQ(in_berlin(language, TimeStyle::date_time), date_time);
    }
}

TEST(LocalTimeFormat, RegionalCodesUseTheirLanguage) {
    EXPECT_EQ(in_berlin("de-AT", TimeStyle::date), "Dienstag, 16. März 2027");
    EXPECT_EQ(in_berlin("pt_BR", TimeStyle::time), "09:14");
    EXPECT_EQ(in_berlin("FR", TimeStyle::date), "mardi 16 mars 2027");
    EXPECT_EQ(in_berlin("en-US", TimeStyle::time), "9:14 AM");
    EXPECT_EQ(in_berlin("", TimeStyle::date), "Tuesday 2027-03-16");
}

TEST(LocalTimeFormat, RelativeDaysInTheEventsZone) {
    const Timestamp tomorrow_nine = *parse_iso8601("2027-03-17T09:00:00+01:00");
    const Timestamp yesterday_evening = *parse_iso8601("2027-03-15T18:30:00+01:00");
    const Timestamp next_week = *parse_iso8601("2027-03-23T09:00:00+01:00");
    EXPECT_EQ(in_berlin("en", TimeStyle::relative_day, tomorrow_nine), "tomorrow at 9:00 AM");
    EXPECT_EQ(in_berlin("fr", TimeStyle::relative_day, tomorrow_nine), "demain à 09:00");
    EXPECT_EQ(in_berlin("de", TimeStyle::relative_day, yesterday_evening), "gestern um 18:30");
    EXPECT_EQ(in_berlin("en", TimeStyle::relative_day, yesterday_evening), "yesterday at 6:30 PM");
    EXPECT_EQ(in_berlin("de", TimeStyle::relative_day, next_week), "Dienstag, 23. März 2027 um 09:00");
    // 23:30 UTC on the 16th is already the 17th in Berlin: "tomorrow" is the event's calendar.
    const Timestamp late_utc = *parse_iso8601("2027-03-16T23:30:00Z");
    EXPECT_EQ(in_berlin("de", TimeStyle::relative_day, late_utc), "morgen um 00:30");
    EXPECT_EQ(format_local_time(late_utc, nullptr, "de", TimeStyle::relative_day, kTuesday), "heute um 23:30");
}

TEST(LocalTimeFormat, BerlinAcrossTheMarchSwitch) {
    // Clocks go from 02:00 CET to 03:00 CEST on Sunday 28 March 2027.
    const Timestamp before = *parse_iso8601("2027-03-28T00:59:00Z");
    const Timestamp after = *parse_iso8601("2027-03-28T01:00:00Z");
    EXPECT_EQ(in_berlin("de", TimeStyle::date_time, before, before), "Sonntag, 28. März 2027 um 01:59");
    EXPECT_EQ(in_berlin("de", TimeStyle::date_time, after, after), "Sonntag, 28. März 2027 um 03:00");
    const Timestamp noon_after = *parse_iso8601("2027-03-29T10:00:00Z");
    EXPECT_EQ(in_berlin("en", TimeStyle::time, noon_after), "12:00 PM");
    EXPECT_EQ(in_berlin("de", TimeStyle::relative_day, noon_after, before), "morgen um 12:00");
    // And back on 31 October 2027: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    EXPECT_EQ(in_berlin("de", TimeStyle::time, *parse_iso8601("2027-10-31T00:30:00Z")), "02:30");
    EXPECT_EQ(in_berlin("de", TimeStyle::time, *parse_iso8601("2027-10-31T01:30:00Z")), "02:30");
}

TEST(LocalTimeFormat, ClockEdgesAndLanguageQuirks) {
    const auto at = [](const char* iso) { return *parse_iso8601(iso); };
    EXPECT_EQ(in_berlin("en", TimeStyle::time, at("2027-03-16T00:05:00+01:00")), "12:05 AM");
    EXPECT_EQ(in_berlin("en", TimeStyle::time, at("2027-03-16T12:30:00+01:00")), "12:30 PM");
    EXPECT_EQ(in_berlin("ko", TimeStyle::time, at("2027-03-16T14:30:00+01:00")), "오후 2:30");
    EXPECT_EQ(in_berlin("es", TimeStyle::relative_day, at("2027-03-16T01:05:00+01:00")), "hoy a la 1:05");
    EXPECT_EQ(in_berlin("es", TimeStyle::relative_day, at("2027-03-16T13:05:00+01:00")), "hoy a las 13:05");
    EXPECT_EQ(in_berlin("fr", TimeStyle::date, at("2027-06-01T10:00:00+02:00")), "mardi 1er juin 2027");
    EXPECT_EQ(in_berlin("de", TimeStyle::date, at("2027-01-03T10:00:00+01:00")), "Sonntag, 3. Januar 2027");
    EXPECT_EQ(in_berlin("xx", TimeStyle::date, at("2027-01-03T10:00:00+01:00")), "Sunday 2027-01-03");
    // New York, for a zone west of UTC.
    EXPECT_EQ(format_local_time(kTuesday, zone("America/New_York"), "en", TimeStyle::date_time, kTuesday),
              "Tuesday, March 16, 2027 at 4:14 AM");
}

} // namespace
} // namespace kiosk
