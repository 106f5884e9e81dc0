#include "kiosk/core/rules_explainer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "kiosk/core/rules_coercions.h"
#include "kiosk/core/time.h"

namespace kiosk::jsonlogic {

namespace {

using json = nlohmann::json;

// [SECTION] Reasons

struct Reason {
    std::string text;
    int weight = 0;                         // pretix's: the lower, the more worth showing
};
using Reasons = std::vector<Reason>;

int lowest_weight(const Reasons& reasons) {
    int lowest = std::numeric_limits<int>::max();
    for (const Reason& reason : reasons) lowest = std::min(lowest, reason.weight);
    return lowest;
}

// Fewer failing atoms first, then the most readable.
bool cheaper(const Reasons& a, const Reasons& b) {
    if (a.size() != b.size()) return a.size() < b.size();
    return lowest_weight(a) < lowest_weight(b);
}

// Each distinct reason once, in order, comma-separated as pretix shows them.
std::string join_reasons(const Reasons& reasons) {
    std::vector<std::string_view> seen;
    std::string out;
    for (const Reason& reason : reasons) {
        if (std::find(seen.begin(), seen.end(), reason.text) != seen.end()) continue;
        seen.push_back(reason.text);
        if (!out.empty()) out += ", ";
        out += reason.text;
    }
    return out.empty() ? "Check-in rule not met" : out;
}

// [SECTION] Comparison operators

bool is_comparison(Op op) {
    switch (op) {
    case Op::equal:
    case Op::strict_equal:
    case Op::not_equal:
    case Op::strict_not_equal:
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal: return true;
    default: return false;
    }
}

bool is_upper_bound(Op op) { return op == Op::less || op == Op::less_equal; }
bool is_lower_bound(Op op) { return op == Op::greater || op == Op::greater_equal; }
bool is_equality(Op op) { return op == Op::equal || op == Op::strict_equal; }

// a OP b is b MIRRORED(OP) a.
Op mirrored(Op op) {
    switch (op) {
    case Op::less: return Op::greater;
    case Op::less_equal: return Op::greater_equal;
    case Op::greater: return Op::less;
    case Op::greater_equal: return Op::less_equal;
    default: return op;
    }
}

// not (a OP b) is a NEGATED(OP) b. Precondition: is_comparison(op).
Op negated(Op op) {
    switch (op) {
    case Op::equal: return Op::not_equal;
    case Op::strict_equal: return Op::strict_not_equal;
    case Op::not_equal: return Op::equal;
    case Op::strict_not_equal: return Op::strict_equal;
    case Op::less: return Op::greater_equal;
    case Op::less_equal: return Op::greater;
    case Op::greater: return Op::less_equal;
    default: return Op::less;               // Op::greater_equal
    }
}

// What an entries_* operation counts; nullopt for other nodes.
std::optional<EntryCount> entry_count_in(const json& node) {
    const auto op = operation_of(node);
    if (!op) return std::nullopt;
    return entry_count_of(*op);
}

// [SECTION] Rendering a rule we have no words for

// Binary operators that read naturally between their operands.
bool reads_infix(Op op) {
    return is_comparison(op) || op == Op::in || op == Op::plus || op == Op::minus || op == Op::times || op == Op::divide;
}

// A short, bounded rendering of a part of a rule, operators spelled as written.
std::string render(const json& node, int depth) {
    if (depth > 4) return "...";
    if (is_operation(node)) {
        if (auto path = var_path(node)) return *path;
        const std::string& name = operation_name(node);
        const Operands operands = Operands::of(node);
        const auto op = operation_of(node);
        if (operands.size() == 2 && op && reads_infix(*op))
            return render(operands[0], depth + 1) + " " + name + " " + render(operands[1], depth + 1);
        std::string out = name + "(";
        for (size_t i = 0; i < operands.size() && i < 4; ++i) out += (i > 0 ? ", " : "") + render(operands[i], depth + 1);
        return out + (operands.size() > 4 ? ", ...)" : ")");
    }
    if (node.is_array()) {
        std::string out = "[";
        for (size_t i = 0; i < node.size() && i < 4; ++i) out += (i > 0 ? ", " : "") + render(node[i], depth + 1);
        return out + (node.size() > 4 ? ", ...]" : "]");
    }
    if (node.is_object()) return "{...}";
    return node.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string truncated(std::string text, size_t limit) {
    if (text.size() <= limit) return text;
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    text.resize(cut);
    return text + "...";
}

Reason generic_reason(const json& node, bool wanted) {
    return {truncated(std::string("Check-in rule not met: ") + (wanted ? "" : "not ") + render(node, 0), 160), 500};
}

// [SECTION] Describing values

std::string format_local(Timestamp instant, const date::time_zone* zone, bool time_only) {
    const LocalDateTime local = to_local(instant, zone);
    char buffer[64];
    if (time_only)
        std::snprintf(buffer, sizeof buffer, "%02d:%02d", local.hour, local.minute);
    else
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", local.year, local.month, local.day, local.hour,
                      local.minute);
    return buffer;
}

std::optional<std::string_view> weekday_name(const Value& value) {
    static constexpr std::string_view kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    if (value.kind != Value::Kind::number || value.number < 1 || value.number > 7 || value.number != std::trunc(value.number))
        return std::nullopt;
    return kWeekdays[static_cast<size_t>(value.number) - 1];
}

std::string capitalized(std::string text) {
    if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return text;
}

// A counter a rule compares: how pretix names it and how much its reason weighs.
struct Counter {
    std::string label;
    int weight = 0;
    bool counts_weekdays = false;           // its values read better as day names
    bool minus_one_means_none = false;      // -1 stands for "no entry yet"
};

std::optional<Counter> counter_of(Variable variable) {
    switch (variable) {
    case Variable::minutes_since_first_entry: return Counter{"time since first entry", 80, false, true};
    case Variable::minutes_since_last_entry: return Counter{"time since last entry", 90, false, true};
    case Variable::entries_days: return Counter{"number of days with an entry", 100};
    case Variable::entries_number: return Counter{"number of entries", 120};
    case Variable::entries_today: return Counter{"number of entries today", 140};
    case Variable::now_isoweekday: return Counter{"week day", 210, true};
    default: return std::nullopt;
    }
}

// Whether comparing a minutes_since_* counter with `limit` by `op` only tests for "no entry yet".
bool tests_for_none(Op op, double limit) {
    switch (op) {
    case Op::less: return limit <= 0;
    case Op::less_equal: return limit < 0;
    case Op::greater_equal: return limit < 0;
    case Op::greater: return limit <= 0;
    case Op::equal:
    case Op::strict_equal:
    case Op::not_equal:
    case Op::strict_not_equal: return limit == -1;
    default: return false;
    }
}

// [SECTION] The explainer

class Explainer {
public:
    // One budget for the whole explanation, which re-evaluates parts of the rule: a rule with many
    // expensive atoms must not get a fresh budget for each.
    explicit Explainer(Evaluator& evaluator) : evaluator_(evaluator) { evaluator_.restart_budget(); }

    // Why `node` did not evaluate to `wanted`: the failing atoms, never empty.
    Reasons why_not(const json& node, bool wanted, int depth) {
        const auto op = depth > kMaxDepth ? std::nullopt : operation_of(node);
        if (!op) return {describe_atom(node, wanted)};
        const Operands operands = Operands::of(node);
        switch (*op) {
        case Op::not_:
        case Op::double_not:
            if (operands.size() != 1) break;
            return why_not(operands[0], *op == Op::not_ ? !wanted : wanted, depth + 1);
        case Op::and_:
        case Op::or_: return why_not_and_or(node, *op, wanted, depth);
        case Op::if_: return why_not_taken_branch(node, wanted, depth);
        default: break;
        }
        return {describe_atom(node, wanted)};
    }

private:
    // "and" wanted true and "or" wanted false need every operand: every failing one is a reason.
    // The others need any one operand: the cheapest failing one is the reason.
    Reasons why_not_and_or(const json& node, Op op, bool wanted, int depth) {
        const Operands operands = Operands::of(node);
        const bool needs_every = (op == Op::and_) == wanted;
        Reasons every;
        std::optional<Reasons> cheapest;
        for (size_t i = 0; i < operands.size(); ++i) {
            const auto outcome = truthiness(operands[i]);
            if (!outcome || *outcome == wanted) continue;   // fails to evaluate alone, or is fine
            Reasons failing = why_not(operands[i], wanted, depth + 1);
            if (needs_every) every.insert(every.end(), failing.begin(), failing.end());
            else if (!cheapest || cheaper(failing, *cheapest)) cheapest = std::move(failing);
        }
        if (needs_every && !every.empty()) return every;
        if (!needs_every && cheapest && !cheapest->empty()) return *cheapest;
        return {describe_atom(node, wanted)};
    }

    // [c1, v1, c2, v2, ..., else]: the branch that was taken is what failed.
    Reasons why_not_taken_branch(const json& node, bool wanted, int depth) {
        const Operands operands = Operands::of(node);
        size_t i = 0;
        for (; i + 1 < operands.size(); i += 2) {
            const auto condition = truthiness(operands[i]);
            if (!condition) return {describe_atom(node, wanted)};
            if (*condition) return why_not(operands[i + 1], wanted, depth + 1);
        }
        if (i < operands.size()) return why_not(operands[i], wanted, depth + 1);
        return {describe_atom(node, wanted)};
    }

    Reason describe_atom(const json& node, bool wanted) {
        const auto op = operation_of(node);
        if (!op) return generic_reason(node, wanted);
        const Operands operands = Operands::of(node);
        std::optional<Reason> reason;
        if (is_comparison(*op) && operands.size() == 2) reason = describe_comparison_atom(*op, operands, wanted);
        else if ((*op == Op::is_after || *op == Op::is_before) && (operands.size() == 2 || operands.size() == 3))
            reason = describe_time_bound(*op, operands, wanted);
        else if ((*op == Op::in_list || *op == Op::in) && operands.size() == 2)
            reason = describe_membership(operands);
        return reason ? *reason : generic_reason(node, wanted);
    }

    // Turned around so that what is tested (a variable, an entries_* count) is on the left, and
    // negated when the comparison was wanted false.
    std::optional<Reason> describe_comparison_atom(Op op, const Operands& operands, bool wanted) {
        const json* subject = &operands[0];
        const json* other = &operands[1];
        if (!is_subject(*subject) && is_subject(*other)) {
            std::swap(subject, other);
            op = mirrored(op);
        }
        if (!wanted) op = negated(op);
        return describe_comparison(*subject, op, *other);
    }

    // The side of a comparison that says what is being tested.
    static bool is_subject(const json& node) { return var_path(node).has_value() || entry_count_in(node).has_value(); }

    std::optional<Reason> describe_comparison(const json& subject, Op op, const json& other) {
        if (const auto counted = entry_count_in(subject)) return describe_entries_relative(subject, *counted, op, other);
        const auto variable = variable_of(subject);
        if (!variable) return std::nullopt;
        switch (*variable) {
        case Variable::product:
        case Variable::variation: return Reason{"Ticket type not allowed", 1000};
        case Variable::gate: return Reason{"Wrong entrance gate", 10};
        case Variable::entry_status: return describe_entry_status(subject);
        case Variable::now: return describe_now_bound(op, other);
        default: break;
        }
        const auto counter = counter_of(*variable);
        if (!counter) return std::nullopt;
        Counter weighed = *counter;
        if (weighed.minus_one_means_none && compares_with_none(op, other))
            weighed.weight += 1000;         // "-1 means never": a technicality, not a reason to show
        return counter_reason(weighed, op, other);
    }

    // Whatever was compared, the current status is what the attendee needs to hear.
    std::optional<Reason> describe_entry_status(const json& subject) {
        const auto status = evaluate(subject);
        const bool present = status && status->text == "present";
        return Reason{present ? "Ticket is already checked in" : "Ticket is not checked in", 110};
    }

    std::optional<Reason> describe_now_bound(Op op, const json& other) {
        if (!is_upper_bound(op) && !is_lower_bound(op)) return std::nullopt;
        const auto boundary = instant_of(other);
        if (!boundary) return std::nullopt;
        const std::string when = describe_time(other, *boundary);
        return Reason{(is_lower_bound(op) ? "Only allowed after " : "Only allowed before ") + when, 200};
    }

    std::optional<Reason> describe_entries_relative(const json& subject, EntryCount counted, Op op, const json& other) {
        const Operands operands = Operands::of(subject);
        if (operands.size() != 1) return std::nullopt;
        const auto boundary = instant_of(operands[0]);
        if (!boundary) return std::nullopt;
        const std::string label = std::string(counted.distinct_days ? "number of days with an entry " : "number of entries ") +
                                  (counted.since ? "since " : "before ") + describe_time(operands[0], *boundary);
        return counter_reason(Counter{label, 130}, op, other);
    }

    // isAfter(now, t, tol) and isBefore(now, t, tol), either way round: isAfter(t, now, tol) is
    // isBefore(now, t, tol).
    std::optional<Reason> describe_time_bound(Op op, const Operands& operands, bool wanted) {
        const json* subject = &operands[0];
        const json* other = &operands[1];
        bool after = op == Op::is_after;
        if (!is_now(*subject) && is_now(*other)) {
            std::swap(subject, other);
            after = !after;
        }
        if (!is_now(*subject)) return std::nullopt;
        const auto boundary = instant_of(*other);
        if (!boundary) return std::nullopt;
        std::chrono::microseconds tolerance{0};
        if (operands.size() == 3) {
            const auto value = evaluate(operands[2]);
            if (!value) return std::nullopt;
            const auto minutes = tolerance_of(*value, "");
            if (!minutes) return std::nullopt;
            tolerance = *minutes;
        }
        const Timestamp shifted = after ? *boundary - tolerance : *boundary + tolerance;
        const bool must_be_after = after == wanted;
        return Reason{std::string(must_be_after ? "Only allowed after " : "Only allowed before ") + describe_time(*other, shifted),
                      200};
    }

    // inList / in with the product, variation or gate on the left; other memberships have no words.
    static std::optional<Reason> describe_membership(const Operands& operands) {
        const auto variable = variable_of(operands[0]);
        if (variable == Variable::product || variable == Variable::variation) return Reason{"Ticket type not allowed", 1000};
        if (variable == Variable::gate) return Reason{"Wrong entrance gate", 10};
        return std::nullopt;
    }

    // pretix's wording, including its "Minimum ... exceeded" for a lower bound not reached.
    std::optional<Reason> counter_reason(const Counter& counter, Op op, const json& other) {
        if (is_upper_bound(op)) return Reason{"Maximum " + counter.label + " exceeded", counter.weight + 1};
        if (is_lower_bound(op)) return Reason{"Minimum " + counter.label + " exceeded", counter.weight + 1};
        const auto value = evaluate(other);
        if (!value) return std::nullopt;
        std::string shown = to_text(*value, zone());
        if (counter.counts_weekdays)
            if (const auto day = weekday_name(*value)) shown = *day;
        const bool equality = is_equality(op);
        return Reason{capitalized(counter.label) + (equality ? " is not " : " is ") + shown, counter.weight + (equality ? 2 : 3)};
    }

    bool compares_with_none(Op op, const json& other) {
        const auto value = evaluate(other);
        return value && value->kind == Value::Kind::number && tests_for_none(op, value->number);
    }

    static bool is_now(const json& node) { return variable_of(node) == Variable::now; }

    // A clock time today reads best as "14:00"; any other time needs its date.
    std::string describe_time(const json& expression, Timestamp instant) const {
        return format_local(instant, zone(), build_time_kind_of(expression) == BuildTimeKind::customtime);
    }

    // Evaluation of a part of the rule on its own; nullopt when it cannot be evaluated alone.
    std::optional<Value> evaluate(const json& node) {
        auto value = evaluator_.evaluate(node);
        if (!value) return std::nullopt;
        return std::move(*value);
    }

    std::optional<bool> truthiness(const json& node) {
        const auto value = evaluate(node);
        if (!value) return std::nullopt;
        return truthy(*value);
    }

    std::optional<Timestamp> instant_of(const json& node) {
        const auto value = evaluate(node);
        if (!value) return std::nullopt;
        const auto instant = time_operand(*value, zone(), "");
        if (!instant) return std::nullopt;
        return *instant;
    }

    const date::time_zone* zone() const { return evaluator_.zone(); }

    Evaluator& evaluator_;
};

} // namespace

std::string explain_denial(const json& rule, Evaluator& evaluator) {
    Explainer explainer(evaluator);
    return join_reasons(explainer.why_not(rule, true, 0));
}

} // namespace kiosk::jsonlogic
