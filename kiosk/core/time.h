// Instants, ISO 8601 text and event time zones.
//
// pretix sends instants as ISO 8601 with an offset ("2026-05-04T09:00:00+02:00" or "...Z"); rules
// reason about local days and clock times in the event's zone. Everything here is a pure function;
// time zone data comes from the system's tzdata through Howard Hinnant's date library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kiosk/core/model.h"

namespace date { class time_zone; }

namespace kiosk {

// Parses "YYYY-MM-DDTHH:MM[:SS[.ffffff]](Z|+HH:MM|-HH:MM)". A value without an offset is read in
// `fallback_zone` (UTC when null). Returns nullopt for anything else.
std::optional<Timestamp> parse_iso8601(std::string_view text, const date::time_zone* fallback_zone = nullptr);

// "2026-05-04T07:00:00.123456Z"-style UTC text; fractional digits only when non-zero.
std::string format_iso8601_utc(Timestamp t);

// The same instant written in `zone` with its offset, e.g. "2026-05-04T09:00:00+02:00".
std::string format_iso8601_in_zone(Timestamp t, const date::time_zone* zone);

// The IANA zone by name, or nullopt when the system does not know it.
const date::time_zone* find_time_zone(std::string_view name);

// Civil date and time of an instant in a zone.
struct LocalDateTime {
    int year = 0, month = 0, day = 0;       // calendar date
    int hour = 0, minute = 0, second = 0;
    int iso_weekday = 1;                    // 1 = Monday ... 7 = Sunday
    int64_t days_since_epoch = 0;           // local day number, for counting distinct days
};
LocalDateTime to_local(Timestamp t, const date::time_zone* zone);

// The instant at which the local wall clock in `zone` shows the given date and time. Times that
// do not exist (spring-forward gap) move forward past the gap; ambiguous ones (fall-back) take the
// earlier instant, as pretix does with Django's make_aware.
Timestamp from_local(int year, int month, int day, int hour, int minute, int second, const date::time_zone* zone);

Timestamp now_utc();

} // namespace kiosk
