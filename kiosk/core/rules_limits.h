// Check-in rules: how the implementation says a rule is invalid, and the bounds that keep a
// hostile rule from exhausting the kiosk.
//
// A rule comes from the backend and is untrusted, so a malformed one (unknown operator, wrong
// argument shapes, too deep, too much work) is an ordinary outcome, not a failure of the machine:
// every step of the implementation returns RuleResult, whose error is the reason in words. The
// public API prefixes it with "Invalid check-in rule: ".
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <utility>

namespace kiosk::jsonlogic {

template <class T>
using RuleResult = std::expected<T, std::string>;    // error: why the rule is invalid, e.g. "unknown operator \"x\""

inline std::unexpected<std::string> invalid_rule(std::string reason) { return std::unexpected(std::move(reason)); }

// Nesting is bounded so recursion cannot exhaust the stack; work is bounded because map/reduce can
// multiply it (nested maps, an accumulator that doubles) far beyond the size of the rule. Real
// pretix rules are a few levels and a few dozen nodes deep.
inline constexpr int kMaxDepth = 64;
inline constexpr int64_t kMaxSteps = 100'000;
// Beyond this, a tolerance in minutes would overflow the microsecond clock; no real rule gets near.
inline constexpr double kMaxToleranceMinutes = 1e8;

inline RuleResult<void> check_depth(int depth) {
    if (depth > kMaxDepth) return invalid_rule("rule is nested too deeply");
    return {};
}

// Steps spent on one evaluation, or on one explanation (which re-evaluates parts of the rule).
class StepBudget {
public:
    RuleResult<void> spend(int64_t steps) {
        spent_ += steps;
        if (spent_ > kMaxSteps) return invalid_rule("rule is too complex to evaluate");
        return {};
    }
    void restart() { spent_ = 0; }

private:
    int64_t spent_ = 0;
};

} // namespace kiosk::jsonlogic
