#include "kiosk/app/local_time_format.h"

#include <array>
#include <cstdio>

#include "kiosk/app/translations.h"

namespace kiosk {
namespace {

enum class Clock {
    h24,            // "09:14"
    h24_unpadded,   // "9:14"
    h12_english,    // "9:14 AM"
    h12_korean,     // "오전 9:14"
};

// One language's way with dates. Patterns take {W} weekday, {D} day, {D2} two-digit day, {M} month
// name, {N} month number, {N2} two-digit month, {Y} year.
struct DateWords {
    std::string_view code;
    std::array<std::string_view, 12> months;    // as a full date needs them (genitive where the language declines)
    std::array<std::string_view, 7> weekdays;   // Monday first, as ISO numbers them
    std::string_view date_pattern;
    Clock clock;
    std::string_view at;                        // between a day and its time; may be empty
    std::string_view at_one_o_clock;            // Spanish says "a la 1:05" but "a las 2:05"
    std::string_view today, tomorrow, yesterday;
    bool ordinal_first_day = false;             // French "1er juin"
};

// Written from CLDR's "full" date forms, trimmed to what a kiosk screen needs.
constexpr DateWords kLanguages[] = {
    {"en",
     {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
     {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
     "{W}, {M} {D}, {Y}", Clock::h12_english, "at", "", "today", "tomorrow", "yesterday"},
    {"en-gb",
     {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
     {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
     "{W}, {D} {M} {Y}", Clock::h24, "at", "", "today", "tomorrow", "yesterday"},
    {"de",
     {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
     {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
     "{W}, {D}. {M} {Y}", Clock::h24, "um", "", "heute", "morgen", "gestern"},
    {"fr",
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
     {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
     "{W} {D} {M} {Y}", Clock::h24, "à", "", "aujourd’hui", "demain", "hier", true},
    {"es",
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
     {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"},
     "{W}, {D} de {M} de {Y}", Clock::h24_unpadded, "a las", "a la", "hoy", "mañana", "ayer"},
    {"pt",
     {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
     {"segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"},
     "{W}, {D} de {M} de {Y}", Clock::h24, "às", "", "hoje", "amanhã", "ontem"},
    {"it",
     {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
     {"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"},
     "{W} {D} {M} {Y}", Clock::h24, "alle", "", "oggi", "domani", "ieri"},
    {"nl",
     {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
     {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"},
     "{W} {D} {M} {Y}", Clock::h24, "om", "", "vandaag", "morgen", "gisteren"},
    {"ru",
     {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
     {"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"},
     "{W}, {D} {M} {Y} г.", Clock::h24, "в", "", "сегодня", "завтра", "вчера"},
    {"uk",
     {"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
     {"понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота", "неділя"},
     "{W}, {D} {M} {Y} р.", Clock::h24, "о", "", "сьогодні", "завтра", "учора"},
    {"pl",
     {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
     {"poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"},
     "{W}, {D} {M} {Y}", Clock::h24, "o", "", "dzisiaj", "jutro", "wczoraj"},
    {"tr",
     {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
     {"Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"},
     "{D} {M} {Y} {W}", Clock::h24, "", "", "bugün", "yarın", "dün"},
    {"el",
     {"Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου", "Αυγούστου", "Σεπτεμβρίου",
      "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"},
     {"Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο", "Κυριακή"},
     "{W}, {D} {M} {Y}", Clock::h24, "στις", "", "σήμερα", "αύριο", "χθες"},
    {"ar",
     {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
     {"الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"},
     "{W}، {D} {M} {Y}", Clock::h24, "الساعة", "", "اليوم", "غدًا", "أمس"},
    {"he",
     {"בינואר", "בפברואר", "במרץ", "באפריל", "במאי", "ביוני", "ביולי", "באוגוסט", "בספטמבר", "באוקטובר", "בנובמבר", "בדצמבר"},
     {"יום שני", "יום שלישי", "יום רביעי", "יום חמישי", "יום שישי", "יום שבת", "יום ראשון"},
     "{W}, {D} {M} {Y}", Clock::h24, "בשעה", "", "היום", "מחר", "אתמול"},
    {"zh",
     {"", "", "", "", "", "", "", "", "", "", "", ""},
     {"星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"},
     "{Y}年{N}月{D}日 {W}", Clock::h24, "", "", "今天", "明天", "昨天"},
    {"ja",
     {"", "", "", "", "", "", "", "", "", "", "", ""},
     {"月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"},
     "{Y}年{N}月{D}日{W}", Clock::h24_unpadded, "", "", "今日", "明日", "昨日"},
    {"ko",
     {"", "", "", "", "", "", "", "", "", "", "", ""},
     {"월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"},
     "{Y}년 {N}월 {D}일 {W}", Clock::h12_korean, "", "", "오늘", "내일", "어제"},
};

// English words around ISO numbers: what a language without a table gets.
constexpr DateWords kFallback = {
    "",
    {"", "", "", "", "", "", "", "", "", "", "", ""},
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
    "{W} {Y}-{N2}-{D2}", Clock::h24, "", "", "today", "tomorrow", "yesterday"};

const DateWords& words_for(std::string_view language) {
    const std::string code = normalize_language_code(language);
    const std::string base = code.substr(0, code.find('-'));
    for (const DateWords& words : kLanguages)
        if (words.code == code) return words;
    for (const DateWords& words : kLanguages)
        if (words.code == base) return words;
    return kFallback;
}

std::string two_digits(int value) {
    char text[8];
    std::snprintf(text, sizeof text, "%02d", value);
    return text;
}

std::string clock_text(const DateWords& words, const LocalDateTime& local) {
    const std::string minutes = two_digits(local.minute);
    const int hour12 = local.hour % 12 == 0 ? 12 : local.hour % 12;
    switch (words.clock) {
    case Clock::h24: return two_digits(local.hour) + ":" + minutes;
    case Clock::h24_unpadded: return std::to_string(local.hour) + ":" + minutes;
    case Clock::h12_english: return std::to_string(hour12) + ":" + minutes + (local.hour < 12 ? " AM" : " PM");
    case Clock::h12_korean: return std::string(local.hour < 12 ? "오전 " : "오후 ") + std::to_string(hour12) + ":" + minutes;
    }
    return {};
}

std::string date_text(const DateWords& words, const LocalDateTime& local) {
    std::string out;
    const std::string_view pattern = words.date_pattern;
    for (size_t at = 0; at < pattern.size();) {
        if (pattern[at] != '{') {
            out += pattern[at++];
            continue;
        }
        const size_t close = pattern.find('}', at);
        const std::string_view token = pattern.substr(at + 1, close - at - 1);
        if (token == "W") out += words.weekdays[static_cast<size_t>(local.iso_weekday - 1)];
        else if (token == "D") out += words.ordinal_first_day && local.day == 1 ? "1er" : std::to_string(local.day);
        else if (token == "D2") out += two_digits(local.day);
        else if (token == "M") out += words.months[static_cast<size_t>(local.month - 1)];
        else if (token == "N") out += std::to_string(local.month);
        else if (token == "N2") out += two_digits(local.month);
        else if (token == "Y") out += std::to_string(local.year);
        at = close + 1;
    }
    return out;
}

// "<day> <at> <time>": "Dienstag, 16. März 2027 um 09:14", "heute um 09:14", "今天 09:14".
std::string day_at_time(const DateWords& words, std::string_view day, const LocalDateTime& local) {
    const std::string_view at = local.hour == 1 && !words.at_one_o_clock.empty() ? words.at_one_o_clock : words.at;
    std::string out(day);
    out += ' ';
    if (!at.empty()) out.append(at).append(" ");
    return out + clock_text(words, local);
}

} // namespace

std::string format_local_time(Timestamp t, const date::time_zone* zone, std::string_view language, TimeStyle style,
                              Timestamp now) {
    const DateWords& words = words_for(language);
    const LocalDateTime local = to_local(t, zone);
    switch (style) {
    case TimeStyle::time: return clock_text(words, local);
    case TimeStyle::date: return date_text(words, local);
    case TimeStyle::date_time: return day_at_time(words, date_text(words, local), local);
    case TimeStyle::relative_day: {
        const int64_t days_ahead = local.days_since_epoch - to_local(now, zone).days_since_epoch;
        if (days_ahead == 0) return day_at_time(words, words.today, local);
        if (days_ahead == 1) return day_at_time(words, words.tomorrow, local);
        if (days_ahead == -1) return day_at_time(words, words.yesterday, local);
        return day_at_time(words, date_text(words, local), local);
    }
    }
    return {};
}

} // namespace kiosk
