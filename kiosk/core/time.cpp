#include "kiosk/core/time.h"

#include <charconv>
#include <cstdio>

#include <date/tz.h>

namespace kiosk {

namespace {

// Reads exactly `width` digits at `pos`; advances pos.
bool read_digits(std::string_view text, size_t& pos, size_t width, int& out) {
    if (pos + width > text.size()) return false;
    int value = 0;
    for (size_t i = 0; i < width; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += width;
    out = value;
    return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) { ++pos; return true; }
    return false;
}

} // namespace

const date::time_zone* find_time_zone(std::string_view name) {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::optional<Timestamp> parse_iso8601(std::string_view text, const date::time_zone* fallback_zone) {
    size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
        !expect(text, pos, '-') || !read_digits(text, pos, 2, day))
        return std::nullopt;
    const date::year_month_day ymd{date::year{year}, date::month{unsigned(month)}, date::day{unsigned(day)}};
    if (!ymd.ok()) return std::nullopt;
    int64_t micros = 0;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
        ++pos;
        if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute))
            return std::nullopt;
        if (expect(text, pos, ':')) {
            if (!read_digits(text, pos, 2, second)) return std::nullopt;
            if (expect(text, pos, '.') || expect(text, pos, ',')) {
                int digits = 0;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    if (digits < 6) micros = micros * 10 + (text[pos] - '0');
                    ++digits;
                    ++pos;
                }
                if (digits == 0) return std::nullopt;
                for (int i = digits; i < 6; ++i) micros *= 10;
            }
        }
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    }
    const auto local = date::local_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                       std::chrono::seconds{second};
    if (pos == text.size()) {
        if (fallback_zone == nullptr)
            return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(local.time_since_epoch())} +
                   std::chrono::microseconds{micros};
        return from_local(year, month, day, hour, minute, second, fallback_zone) + std::chrono::microseconds{micros};
    }
    int offset_minutes = 0;
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh)) return std::nullopt;
        if (expect(text, pos, ':')) {
            if (!read_digits(text, pos, 2, om)) return std::nullopt;
        } else if (pos < text.size()) {
            if (!read_digits(text, pos, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    const auto utc = local.time_since_epoch() - std::chrono::minutes{offset_minutes};
    return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(utc)} + std::chrono::microseconds{micros};
}

static std::string format_with_fraction(std::chrono::microseconds since_epoch_local, std::string_view suffix) {
    using namespace std::chrono;
    const auto days = floor<date::days>(since_epoch_local);
    const date::year_month_day ymd{date::sys_days{days}};
    auto rest = since_epoch_local - days;
    const auto h = duration_cast<hours>(rest);
    rest -= h;
    const auto m = duration_cast<minutes>(rest);
    rest -= m;
    const auto s = duration_cast<seconds>(rest);
    rest -= s;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                          unsigned(ymd.day()), int(h.count()), int(m.count()), int(s.count()));
    std::string out(buf, size_t(n));
    if (rest.count() != 0) {
        std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(rest.count()));
        out += buf;
    }
    out += suffix;
    return out;
}

std::string format_iso8601_utc(Timestamp t) {
    return format_with_fraction(t.time_since_epoch(), "Z");
}

std::string format_iso8601_in_zone(Timestamp t, const date::time_zone* zone) {
    if (zone == nullptr) return format_iso8601_utc(t);
    const auto info = zone->get_info(date::floor<std::chrono::seconds>(t));
    const auto offset = std::chrono::duration_cast<std::chrono::minutes>(info.offset);
    char suffix[32];
    const long long total = offset.count();
    const long long magnitude = total < 0 ? -total : total;
    std::snprintf(suffix, sizeof suffix, "%c%02lld:%02lld", total < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
    return format_with_fraction(t.time_since_epoch() + std::chrono::duration_cast<std::chrono::microseconds>(info.offset),
                                suffix);
}

LocalDateTime to_local(Timestamp t, const date::time_zone* zone) {
    using namespace std::chrono;
    microseconds local = t.time_since_epoch();
    if (zone != nullptr) local += duration_cast<microseconds>(zone->get_info(floor<seconds>(t)).offset);
    const auto days = floor<date::days>(local);
    const date::year_month_day ymd{date::sys_days{days}};
    const auto tod = duration_cast<seconds>(local - days);
    LocalDateTime out;
    out.year = int(ymd.year());
    out.month = int(unsigned(ymd.month()));
    out.day = int(unsigned(ymd.day()));
    out.hour = int(tod.count() / 3600);
    out.minute = int(tod.count() / 60 % 60);
    out.second = int(tod.count() % 60);
    out.iso_weekday = int(date::weekday{date::sys_days{days}}.iso_encoding());
    out.days_since_epoch = days.count();
    return out;
}

Timestamp from_local(int year, int month, int day, int hour, int minute, int second, const date::time_zone* zone) {
    using namespace std::chrono;
    const date::year_month_day ymd{date::year{year}, date::month{unsigned(month)}, date::day{unsigned(day)}};
    const auto local = date::local_days{ymd} + hours{hour} + minutes{minute} + seconds{second};
    if (zone == nullptr) return Timestamp{duration_cast<microseconds>(local.time_since_epoch())};
    const auto info = zone->get_info(local);
    date::sys_seconds utc;
    switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
        utc = date::sys_seconds{local.time_since_epoch() - info.first.offset};
        break;
    case date::local_info::nonexistent:
        // The wall clock skips this time: move forward by the size of the gap.
        utc = date::sys_seconds{local.time_since_epoch() - info.first.offset};
        break;
    }
    return Timestamp{duration_cast<microseconds>(utc.time_since_epoch())};
}

Timestamp now_utc() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

} // namespace kiosk
