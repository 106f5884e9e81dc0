#include "kiosk/core/answers.h"

#include "image/utf8.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string_view>

#include "kiosk/core/text.h"
#include "kiosk/core/time.h"

namespace kiosk {

namespace {

constexpr size_t kMaxTextBytes = 10000;
constexpr size_t kMaxEmailBytes = 254;      // RFC 5321 path limit
// Far beyond any real quantity, and keeps the digit-by-digit comparison cheap.
constexpr size_t kMaxNumberChars = 64;

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_ascii_space(text.back())) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}


std::optional<int64_t> parse_id(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// --- Numbers ----------------------------------------------------------------------------------
// Bounds and answers are compared as exact decimals: doubles would let 0.1 slip past a maximum
// of "0.1" written with a different representation, and pretix itself uses Decimal.

struct Decimal {
    bool negative = false;
    std::string integer;                    // no leading zeros; empty for zero
    std::string fraction;                   // no trailing zeros

    bool is_zero() const { return integer.empty() && fraction.empty(); }

    std::string text() const {
        std::string out;
        if (negative && !is_zero()) out += '-';
        out += integer.empty() ? "0" : integer;
        if (!fraction.empty()) out += '.' + fraction;
        return out;
    }
};

int compare_magnitude(const Decimal& a, const Decimal& b) {
    if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
    if (const int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
    // Without trailing zeros, plain lexicographic order of the fraction digits is numeric order.
    if (const int c = a.fraction.compare(b.fraction); c != 0) return c < 0 ? -1 : 1;
    return 0;
}

int compare(const Decimal& a, const Decimal& b) {
    const bool a_negative = a.negative && !a.is_zero();
    const bool b_negative = b.negative && !b.is_zero();
    if (a_negative != b_negative) return a_negative ? -1 : 1;
    const int magnitude = compare_magnitude(a, b);
    return a_negative ? -magnitude : magnitude;
}

// "[+-]digits[.digits]"; `allow_exponent` is for bounds that JSON serialised as e.g. "1e+20".
std::optional<Decimal> parse_decimal(std::string_view text, bool allow_exponent) {
    if (text.empty() || text.size() > kMaxNumberChars) return std::nullopt;
    Decimal out;
    size_t pos = 0;
    if (text[pos] == '+' || text[pos] == '-') out.negative = text[pos++] == '-';
    std::string digits;
    size_t integer_digits = 0;
    while (pos < text.size() && is_digit(text[pos])) { digits += text[pos++]; ++integer_digits; }
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && is_digit(text[pos])) digits += text[pos++];
    }
    if (digits.empty()) return std::nullopt;
    long exponent = 0;
    if (allow_exponent && pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        bool exponent_negative = false;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) exponent_negative = text[pos++] == '-';
        const size_t start = pos;
        while (pos < text.size() && is_digit(text[pos]) && pos - start < 4) exponent = exponent * 10 + (text[pos++] - '0');
        if (pos == start) return std::nullopt;
        if (exponent_negative) exponent = -exponent;
    }
    if (pos != text.size()) return std::nullopt;
    // Shift the decimal point; the 64-character cap keeps |exponent| < 10000 and the result small.
    long point = static_cast<long>(integer_digits) + exponent;
    if (point < 0) {
        digits.insert(0, static_cast<size_t>(-point), '0');
        point = 0;
    } else if (static_cast<size_t>(point) > digits.size()) {
        digits.append(static_cast<size_t>(point) - digits.size(), '0');
    }
    out.integer = digits.substr(0, static_cast<size_t>(point));
    out.fraction = digits.substr(static_cast<size_t>(point));
    out.integer.erase(0, std::min(out.integer.find_first_not_of('0'), out.integer.size()));
    out.fraction.erase(out.fraction.find_last_not_of('0') + 1);
    return out;
}

std::optional<Decimal> decimal_bound(const nlohmann::json& raw, const char* key) {
    if (!raw.is_object()) return std::nullopt;
    const auto it = raw.find(key);
    if (it == raw.end()) return std::nullopt;
    if (it->is_string()) return parse_decimal(trim(it->get_ref<const std::string&>()), true);
    if (it->is_number()) return parse_decimal(it->dump(), true);
    return std::nullopt;
}

std::optional<std::string> string_bound(const nlohmann::json& raw, const char* key) {
    if (!raw.is_object()) return std::nullopt;
    const auto it = raw.find(key);
    if (it == raw.end() || !it->is_string()) return std::nullopt;
    const std::string_view value = trim(it->get_ref<const std::string&>());
    if (value.empty()) return std::nullopt;
    return std::string(value);
}

// --- Dates and times ----------------------------------------------------------------------------

bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (!is_digit(text[i])) return false;
    return parse_iso8601(text).has_value();   // checks the calendar, e.g. no 2026-02-30
}

// "HH:MM" or "HH:MM:SS", returned as "HH:MM:SS" like pretix stores times.
std::optional<std::string> normalized_time(std::string_view text) {
    if (text.size() != 5 && text.size() != 8) return std::nullopt;
    const auto two_digits = [&](size_t at, int max) {
        if (!is_digit(text[at]) || !is_digit(text[at + 1])) return false;
        return (text[at] - '0') * 10 + (text[at + 1] - '0') <= max;
    };
    if (!two_digits(0, 23) || text[2] != ':' || !two_digits(3, 59)) return std::nullopt;
    if (text.size() == 8 && (text[5] != ':' || !two_digits(6, 59))) return std::nullopt;
    std::string out(text);
    if (out.size() == 5) out += ":00";
    return out;
}

// A datetime needs its time part; parse_iso8601 alone would also take a bare date. Without an
// offset the value is the event's wall clock (`zone`; UTC when none is known), as pretix reads it.
std::optional<Timestamp> parse_datetime(std::string_view text, const date::time_zone* zone) {
    if (text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return std::nullopt;
    std::string upper(text);
    upper[10] = 'T';
    return parse_iso8601(upper, zone);
}

// --- Other formats ------------------------------------------------------------------------------

// ISO 3166-1 alpha-2, officially assigned codes.
constexpr std::string_view kCountryCodes =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCM"
    "CNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
    "HKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMF"
    "MGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARE"
    "RORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZ"
    "VAVCVEVGVIVNVUWFWSYEYTZAZMZW";

bool is_country_code(std::string_view upper) {
    if (upper.size() != 2) return false;
    for (size_t i = 0; i + 1 < kCountryCodes.size(); i += 2)
        if (kCountryCodes.substr(i, 2) == upper) return true;
    return false;
}

bool is_email(std::string_view text) {
    if (text.size() > kMaxEmailBytes) return false;
    for (char c : text)
        if (is_ascii_space(c) || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
    const size_t at = text.find('@');
    if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
    const std::string_view domain = text.substr(at + 1);
    return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.' &&
           domain.find("..") == std::string_view::npos;
}

// "+" then 6..20 digits; spaces, dashes and parentheses may group them. Stored as "+digits", the
// E.164 form pretix keeps.
std::optional<std::string> normalized_phone(std::string_view text) {
    if (text.empty() || text.front() != '+') return std::nullopt;
    std::string out = "+";
    for (char c : text.substr(1)) {
        if (is_digit(c)) out += c;
        else if (c != ' ' && c != '-' && c != '(' && c != ')') return std::nullopt;
    }
    const size_t digits = out.size() - 1;
    if (digits < 6 || digits > 20) return std::nullopt;
    return out;
}

// --- Choices ------------------------------------------------------------------------------------

// The attendee-facing text of an option: English when the i18n dict has it, else its first value.
std::string option_text(const QuestionOption& option) {
    const nlohmann::json& answer = option.answer;
    if (answer.is_string()) return answer.get<std::string>();
    if (answer.is_object()) {
        if (const auto en = answer.find("en"); en != answer.end() && en->is_string() && !en->get_ref<const std::string&>().empty())
            return en->get<std::string>();
        for (const auto& value : answer)
            if (value.is_string() && !value.get_ref<const std::string&>().empty()) return value.get<std::string>();
    }
    return option.identifier.empty() ? std::to_string(option.id) : option.identifier;
}

// An option by id (pretix's wire form) or, for convenience, by identifier.
const QuestionOption* find_option(const Question& question, std::string_view token) {
    if (const auto id = parse_id(token)) {
        for (const auto& option : question.options)
            if (option.id == *id) return &option;
    }
    for (const auto& option : question.options)
        if (!option.identifier.empty() && option.identifier == token) return &option;
    for (const auto& option : question.options)
        if (!option.identifier.empty() && equals_ignoring_case(option.identifier, token)) return &option;
    return nullptr;
}

// Any language's text of the option, for matching answers the backend stored as text.
bool option_has_text(const QuestionOption& option, std::string_view text) {
    if (text == option_text(option) || (!option.identifier.empty() && text == option.identifier)) return true;
    if (option.answer.is_object()) {
        for (const auto& value : option.answer)
            if (value.is_string() && value.get_ref<const std::string&>() == text) return true;
    }
    return false;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

// Options chosen by a stored answer: its option ids, else its text read as option texts.
std::vector<const QuestionOption*> stored_options(const Question& question, const Answer& stored) {
    std::vector<const QuestionOption*> chosen;
    for (int64_t id : stored.options)
        for (const auto& option : question.options)
            if (option.id == id) chosen.push_back(&option);
    if (!chosen.empty() || stored.answer.empty()) return chosen;
    const std::string_view whole = trim(stored.answer);
    for (const auto& option : question.options)
        if (option_has_text(option, whole)) return {&option};
    // pretix joins multiple-choice texts with ", "; option ids typed as text also land here.
    for (std::string_view part : split(whole, ',')) {
        part = trim(part);
        const QuestionOption* match = nullptr;
        for (const auto& option : question.options)
            if (option_has_text(option, part)) { match = &option; break; }
        if (match == nullptr) match = find_option(question, part);
        if (match == nullptr) return {};
        chosen.push_back(match);
    }
    return chosen;
}

std::optional<bool> parse_boolean(std::string_view text) {
    for (std::string_view yes : {"true", "yes", "1"})
        if (equals_ignoring_case(text, yes)) return true;
    for (std::string_view no : {"false", "no", "0"})
        if (equals_ignoring_case(text, no)) return false;
    return std::nullopt;
}

// --- Validation -----------------------------------------------------------------------------------
// One validator per question type. Each gets the answer trimmed and known to be UTF-8, and returns
// what to store or the sentence telling the attendee what to fix. `enforce_bounds` is false for
// answers the backend already stored: bounds may have changed since, and pretix keeps such answers.

Answer stored_form(const Question& question, std::string text, std::vector<int64_t> options = {}) {
    Answer answer;
    answer.question = question.id;
    answer.answer = std::move(text);
    answer.options = std::move(options);
    return answer;
}

std::unexpected<std::string> rejected(std::string sentence) { return std::unexpected(std::move(sentence)); }

AnswerCheck validate_boolean(const Question& question, std::string_view value) {
    const auto yes = parse_boolean(value);
    if (!yes) return rejected("Please answer yes or no");
    if (question.required && !*yes) return rejected("Please confirm this to continue");
    return stored_form(question, *yes ? "True" : "False");
}

AnswerCheck validate_number(const Question& question, std::string_view value, bool enforce_bounds) {
    const auto number = parse_decimal(value, false);
    if (!number) return rejected("Please enter a number");
    if (enforce_bounds) {
        const auto min = decimal_bound(question.raw, "valid_number_min");
        const auto max = decimal_bound(question.raw, "valid_number_max");
        const bool too_small = min && compare(*number, *min) < 0;
        const bool too_large = max && compare(*number, *max) > 0;
        if (too_small || too_large) {
            if (min && max) return rejected("Please enter a number between " + min->text() + " and " + max->text());
            if (min) return rejected("Please enter a number of at least " + min->text());
            return rejected("Please enter a number of at most " + max->text());
        }
    }
    return stored_form(question, number->text());
}

AnswerCheck validate_text(const Question& question, std::string_view value) {
    if (value.empty()) return rejected("Please enter an answer");
    if (question.type == QuestionType::string && value.find_first_of("\r\n") != std::string_view::npos)
        return rejected("Please enter a single line");
    if (value.size() > kMaxTextBytes) return rejected("The answer is too long (at most 10000 characters)");
    return stored_form(question, std::string(value));
}

AnswerCheck validate_date(const Question& question, std::string_view value, bool enforce_bounds) {
    if (!is_date(value)) return rejected("Please enter a date as YYYY-MM-DD");
    if (enforce_bounds) {
        // Same fixed-width format, so text order is date order.
        auto min = string_bound(question.raw, "valid_date_min");
        auto max = string_bound(question.raw, "valid_date_max");
        if (min && !is_date(*min)) min.reset();
        if (max && !is_date(*max)) max.reset();
        if ((min && value < *min) || (max && value > *max)) {
            if (min && max) return rejected("Please enter a date between " + *min + " and " + *max);
            if (min) return rejected("Please enter a date on or after " + *min);
            return rejected("Please enter a date on or before " + *max);
        }
    }
    return stored_form(question, std::string(value));
}

AnswerCheck validate_time(const Question& question, std::string_view value) {
    if (auto time = normalized_time(value)) return stored_form(question, std::move(*time));
    return rejected("Please enter a time as HH:MM");
}

AnswerCheck validate_datetime(const Question& question, std::string_view value, bool enforce_bounds,
                              const date::time_zone* zone) {
    const auto instant = parse_datetime(value, zone);
    if (!instant) return rejected("Please enter a date and time as YYYY-MM-DDTHH:MM");
    if (enforce_bounds) {
        const auto min_text = string_bound(question.raw, "valid_datetime_min");
        const auto max_text = string_bound(question.raw, "valid_datetime_max");
        const auto min = min_text ? parse_iso8601(*min_text, zone) : std::nullopt;
        const auto max = max_text ? parse_iso8601(*max_text, zone) : std::nullopt;
        if ((min && *instant < *min) || (max && *instant > *max)) {
            if (min && max) return rejected("Please enter a date and time between " + *min_text + " and " + *max_text);
            if (min) return rejected("Please enter a date and time no earlier than " + *min_text);
            return rejected("Please enter a date and time no later than " + *max_text);
        }
    }
    return stored_form(question, format_iso8601_utc(*instant));
}

AnswerCheck validate_choice(const Question& question, std::string_view value) {
    const bool multiple = question.type == QuestionType::multiple_choice;
    if (value.empty()) return rejected(multiple ? "Please choose at least one option" : "Please choose an option");
    const auto tokens = split(value, ',');
    if (!multiple && tokens.size() > 1) return rejected("Please choose exactly one option");
    std::set<int64_t> chosen;
    for (std::string_view token : tokens) {
        const QuestionOption* option = find_option(question, trim(token));
        if (option == nullptr) return rejected("Not one of the offered options");
        if (!chosen.insert(option->id).second) return rejected("Each option can be chosen only once");
    }
    // In the question's option order, so "2,1" and "1,2" store the same answer, as pretix does.
    std::string text;
    std::vector<int64_t> ids;
    for (const auto& option : question.options) {
        if (!chosen.contains(option.id)) continue;
        if (!text.empty()) text += ", ";
        text += option_text(option);
        ids.push_back(option.id);
        chosen.erase(option.id);        // options listed twice with one id count once
    }
    return stored_form(question, std::move(text), std::move(ids));
}

AnswerCheck validate_email(const Question& question, std::string_view value) {
    if (!is_email(value)) return rejected("Please enter an email address such as name@example.com");
    return stored_form(question, std::string(value));
}

AnswerCheck validate_phone(const Question& question, std::string_view value) {
    if (auto phone = normalized_phone(value)) return stored_form(question, std::move(*phone));
    return rejected("Please enter a phone number with its country code, such as +49 30 1234567");
}

AnswerCheck validate_country(const Question& question, std::string_view value) {
    std::string upper(value);
    std::transform(upper.begin(), upper.end(), upper.begin(), ascii_upper);
    if (!is_country_code(upper)) return rejected("Please enter a two-letter country code such as DE");
    return stored_form(question, std::move(upper));
}

// The kiosk cannot take uploads, so only a reference to a file already uploaded satisfies it.
AnswerCheck validate_file(const Question& question, std::string_view value) {
    if (value.size() <= 5 || value.substr(0, 5) != "file:" || value.find_first_of(" \t\r\n") != std::string_view::npos)
        return rejected("Files cannot be uploaded at this kiosk");
    return stored_form(question, std::string(value));
}

AnswerCheck validate(const Question& question, std::string_view raw, bool enforce_bounds,
                     const date::time_zone* zone = nullptr) {
    if (!utf8::is_valid(raw)) return rejected("The answer is not valid text (invalid UTF-8)");
    const std::string_view value = trim(raw);
    switch (question.type) {
    case QuestionType::boolean: return validate_boolean(question, value);
    case QuestionType::number: return validate_number(question, value, enforce_bounds);
    case QuestionType::string:
    case QuestionType::text: return validate_text(question, value);
    case QuestionType::choice:
    case QuestionType::multiple_choice: return validate_choice(question, value);
    case QuestionType::date: return validate_date(question, value, enforce_bounds);
    case QuestionType::time: return validate_time(question, value);
    case QuestionType::datetime: return validate_datetime(question, value, enforce_bounds, zone);
    case QuestionType::email: return validate_email(question, value);
    case QuestionType::phone: return validate_phone(question, value);
    case QuestionType::country: return validate_country(question, value);
    case QuestionType::file: return validate_file(question, value);
    }
    return rejected("This question cannot be answered here");
}

// --- Reviewing a position's questions ------------------------------------------------------------

using QuestionsById = std::map<int64_t, const Question*>;
using StoredById = std::map<int64_t, const Answer*>;

QuestionsById questions_by_id(const std::vector<const Question*>& questions) {
    QuestionsById by_id;
    for (const Question* question : questions)
        if (question != nullptr) by_id.emplace(question->id, question);
    return by_id;
}

StoredById stored_by_question(const std::vector<Answer>& stored) {
    StoredById by_id;
    for (const Answer& answer : stored) by_id[answer.question] = &answer;
    return by_id;
}

// Validates the answers given with this scan to questions that are asked, into `review`'s
// accepted and errors. A blank field on an optional question means "no answer", not a wrong one.
void validate_given_answers(const QuestionsById& asked, const std::map<int64_t, std::string>& given,
                            const date::time_zone* zone, QuestionReview& review) {
    for (const auto& [id, raw] : given) {
        const auto question = asked.find(id);
        if (question == asked.end()) continue;
        if (!question->second->required && trim(raw).empty()) continue;
        AnswerCheck check = validate(*question->second, raw, true, zone);
        if (check) review.accepted.emplace(id, std::move(*check));
        else review.errors.emplace(id, std::move(check.error()));
    }
}

// The answer a question has at this point of the scan: a valid one given now, else the stored one.
struct AnswersSoFar {
    const std::map<int64_t, Answer>& accepted;
    const StoredById& stored;

    const Answer* of(int64_t question_id) const {
        if (const auto it = accepted.find(question_id); it != accepted.end()) return &it->second;
        if (const auto it = stored.find(question_id); it != stored.end()) return it->second;
        return nullptr;
    }
};

// Whether `answer` to `parent` is one of a conditional question's dependency_values: option
// identifiers for choices, "True"/"False" (any case) for booleans, the text itself otherwise.
bool answer_is_listed(const Question& parent, const Answer& answer, const std::vector<std::string>& values) {
    const auto listed = [&](std::string_view value) { return std::find(values.begin(), values.end(), value) != values.end(); };
    switch (parent.type) {
    case QuestionType::choice:
    case QuestionType::multiple_choice:
        for (const QuestionOption* option : stored_options(parent, answer))
            if (listed(option->identifier)) return true;
        return false;
    case QuestionType::boolean: {
        const auto yes = parse_boolean(trim(answer.answer));
        if (!yes) return false;
        return std::any_of(values.begin(), values.end(),
                           [&](const std::string& value) { return equals_ignoring_case(trim(value), *yes ? "True" : "False"); });
    }
    default: return listed(trim(answer.answer));
    }
}

// Which asked questions the attendee is shown: a question is, when it is unconditional, or when
// its parent is shown and answered as the condition wants. A parent asked when the ticket was
// bought (an order question) is never shown at the door; its stored answer decides.
class QuestionVisibility {
public:
    QuestionVisibility(const QuestionsById& asked, const std::vector<const Question*>& order_questions, AnswersSoFar answers)
        : asked_(asked), order_questions_(order_questions), answers_(answers) {}

    std::map<int64_t, bool> decide_all() {
        for (const auto& entry : asked_) is_visible(*entry.second);
        return visible_;
    }

private:
    // Memoised; a question on the current path counts as hidden, so a dependency cycle cannot
    // recurse forever.
    bool is_visible(const Question& question) {
        if (const auto known = visible_.find(question.id); known != visible_.end()) return known->second;
        if (!question.dependency_question) return visible_[question.id] = true;
        visible_[question.id] = false;
        return visible_[question.id] = parent_allows(*question.dependency_question, question.dependency_values);
    }

    bool parent_allows(int64_t parent_id, const std::vector<std::string>& values) {
        if (const auto parent = asked_.find(parent_id); parent != asked_.end())
            return is_visible(*parent->second) && answered_as(*parent->second, values);
        if (const Question* parent = order_question(parent_id)) return answered_as(*parent, values);
        return false;
    }

    bool answered_as(const Question& parent, const std::vector<std::string>& values) const {
        const Answer* answer = answers_.of(parent.id);
        return answer != nullptr && answer_is_listed(parent, *answer, values);
    }

    const Question* order_question(int64_t id) const {
        for (const Question* question : order_questions_)
            if (question != nullptr && question->id == id) return question;
        return nullptr;
    }

    const QuestionsById& asked_;
    const std::vector<const Question*>& order_questions_;
    AnswersSoFar answers_;
    std::map<int64_t, bool> visible_;
};

// A shown question still needs an answer when the one given is invalid, or when it is required
// and has neither a valid given answer nor a valid stored one. Optional questions never block.
bool still_needs_answer(const Question& question, const QuestionReview& review, const StoredById& stored) {
    if (review.errors.contains(question.id)) return true;
    if (review.accepted.contains(question.id)) return false;
    const auto old = stored.find(question.id);
    if (old != stored.end() && stored_answer_is_valid(question, *old->second)) return false;
    return question.required;
}

} // namespace

AnswerCheck validate_answer(const Question& question, std::string_view raw, const date::time_zone* zone) {
    return validate(question, raw, true, zone);
}

bool stored_answer_is_valid(const Question& question, const Answer& stored) {
    const std::string_view text = trim(stored.answer);
    switch (question.type) {
    case QuestionType::choice:
    case QuestionType::multiple_choice:
        // Backend data: trust its option ids, and accept text that names options.
        return !stored.options.empty() || (!text.empty() && !stored_options(question, stored).empty());
    case QuestionType::string:
    case QuestionType::text:
    case QuestionType::email:
    case QuestionType::phone:
    case QuestionType::file:
        return !text.empty();
    case QuestionType::country:
        return text.size() == 2 && std::all_of(text.begin(), text.end(), [](char c) {
                   return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
               });
    case QuestionType::boolean:
    case QuestionType::number:
    case QuestionType::date:
    case QuestionType::time:
    case QuestionType::datetime:
        // Bounds may have changed since the backend stored the answer; pretix keeps such answers.
        return !text.empty() && validate(question, text, false).has_value();
    }
    return false;
}

QuestionReview review_questions(const std::vector<const Question*>& asked, const std::vector<Answer>& stored,
                                const std::map<int64_t, std::string>& given, const date::time_zone* zone,
                                const std::vector<const Question*>& order_questions) {
    const QuestionsById by_id = questions_by_id(asked);
    const StoredById stored_by_id = stored_by_question(stored);
    QuestionReview review;
    validate_given_answers(by_id, given, zone, review);
    // Decided before any answer is dropped below, so every decision sees the same answers.
    const std::map<int64_t, bool> visible =
        QuestionVisibility(by_id, order_questions, AnswersSoFar{review.accepted, stored_by_id}).decide_all();
    for (const auto& [id, question] : by_id) {
        if (!visible.at(id)) {
            // Answers to a question the attendee was never shown are dropped, as pretix clears them.
            review.accepted.erase(id);
            review.errors.erase(id);
            continue;
        }
        if (still_needs_answer(*question, review, stored_by_id)) review.missing.push_back(question);
    }
    std::sort(review.missing.begin(), review.missing.end(), [](const Question* a, const Question* b) {
        return a->position != b->position ? a->position < b->position : a->id < b->id;
    });
    return review;
}

} // namespace kiosk
