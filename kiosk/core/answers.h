// Answers to check-in questions: validation per pretix question type and conditional questions.
//
// Attendees type answers on a touchscreen and scripts pass them as `--answer QID=VALUE`, so every
// value is untrusted text. Choice answers are option ids (comma-separated for M), as in pretix's
// redeem API; we also accept an option's identifier for convenience.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/model.h"

namespace date { class time_zone; }

namespace kiosk {

// What to store (canonical text and chosen option ids), or one line telling the attendee or
// operator what to fix. An invalid answer is an ordinary outcome, so it is a value, not an exception.
using AnswerCheck = std::expected<Answer, std::string>;

// Validates `raw` for `question`. Rules per type:
//  B: "true"/"false" (also yes/no/1/0, any case); stored "True"/"False". A required boolean must be
//     true (pretix: a required checkbox must be ticked).
//  N: decimal number; honours the question's valid_number_min / valid_number_max (raw JSON).
//  S, T: non-empty after trimming (S must be one line); at most 10000 bytes; valid UTF-8.
//  C: exactly one known option id (or identifier). M: one or more, comma-separated, no duplicates.
//  D: YYYY-MM-DD (valid_date_min/max). H: HH:MM or HH:MM:SS. W: ISO 8601 datetime (valid_datetime_min/max).
//  EMAIL: local@domain with a dot in the domain. TEL: "+" and 6..20 digits, spaces/dashes/() allowed.
//  CC: ISO 3166-1 alpha-2 code (upper-cased). F: a file reference "file:..." (the kiosk cannot take
//  uploads, so only existing answers satisfy it).
// `zone` is the event's: a datetime (W) typed without an offset is its wall clock.
AnswerCheck validate_answer(const Question& question, std::string_view raw, const date::time_zone* zone = nullptr);

// True when `stored` (an answer already on the position) satisfies the question.
bool stored_answer_is_valid(const Question& question, const Answer& stored);

// Given the questions asked for a position (ask_during_checkin, for its item), the answers already
// stored on it and the answers given with this scan, returns the questions that still need an
// answer and the validated new answers. A conditional question (dependency_question) is asked only
// when its parent is itself asked and its parent's answer matches one of dependency_values
// (option identifiers for choices; "True"/"False" for booleans). Optional questions never block,
// but an invalid answer to any question does (the error is listed).
struct QuestionReview {
    std::vector<const Question*> missing;   // in display order (position, then id)
    std::map<int64_t, Answer> accepted;     // validated new answers by question id
    std::map<int64_t, std::string> errors;  // invalid given answers by question id
};
// `order_questions` are the item's other questions (asked when the ticket was bought): a check-in
// question may depend on one of them, and then their stored answer decides whether it is asked.
QuestionReview review_questions(const std::vector<const Question*>& asked, const std::vector<Answer>& stored,
                                const std::map<int64_t, std::string>& given, const date::time_zone* zone = nullptr,
                                const std::vector<const Question*>& order_questions = {});

} // namespace kiosk
