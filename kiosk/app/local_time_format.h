// Dates and times on screen, written the attendee's language's way, in the event's time zone.
//
// The kiosk's own tables, not the OS locale: appliances and CI images ship without locales, and
// a screen must not change its wording with the host's configuration. Each supported language has
// its month and weekday names (in the grammatical case a full date uses: "16 марта", "16 de
// marzo"), its order of parts, its clock (12-hour "9:14 AM" in English and Korean, 24-hour
// elsewhere) and its words for today / tomorrow / yesterday. Digits are Western in every language.
// A regional code uses its base language ("de-AT" -> "de"), except "en-GB" (day before month,
// 24-hour clock); an unknown language gets English words around ISO numbers ("Tuesday
// 2027-03-16 09:14"), readable anywhere.
//
// Examples for Tuesday 16 March 2027, 09:14 in the event's zone:
//   en  "Tuesday, March 16, 2027"       "9:14 AM"   "today at 9:14 AM"
//   de  "Dienstag, 16. März 2027"       "09:14"     "heute um 09:14"
//   fr  "mardi 16 mars 2027"            "09:14"     "aujourd’hui à 09:14"
//   es  "martes, 16 de marzo de 2027"   "9:14"      "hoy a las 9:14"
//   zh  "2027年3月16日 星期二"            "09:14"     "今天 09:14"
#pragma once

#include <string>
#include <string_view>

#include "kiosk/core/time.h"

namespace kiosk {

enum class TimeStyle {
    time,           // "09:14"
    date,           // "Tuesday, 16 March 2027" (with the weekday)
    date_time,      // the date, then the time: "Dienstag, 16. März 2027 um 09:14"
    relative_day,   // "today at 09:14", "tomorrow at 09:00", "yesterday at 18:30"; other days as date_time
};

// `t` as the wall clock in `zone` shows it (null: UTC); `now` decides what "today" is, in the same
// zone. Pure: no clock, no locale, no I/O.
std::string format_local_time(Timestamp t, const date::time_zone* zone, std::string_view language, TimeStyle style,
                              Timestamp now);

} // namespace kiosk
