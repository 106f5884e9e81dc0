#include "kiosk/core/engine.h"

#include <algorithm>
#include <set>

#include "kiosk/core/answers.h"
#include "kiosk/core/rules.h"
#include "kiosk/core/signed_ticket.h"
#include "kiosk/core/time.h"

namespace kiosk {

std::string_view verdict_status_name(VerdictStatus status) {
    switch (status) {
    case VerdictStatus::ok: return "ok";
    case VerdictStatus::incomplete: return "incomplete";
    case VerdictStatus::error: return "error";
    }
    return "error";
}

std::string_view reject_reason_name(RejectReason reason) {
    switch (reason) {
    case RejectReason::none: return "";
    case RejectReason::invalid: return "invalid";
    case RejectReason::unpaid: return "unpaid";
    case RejectReason::blocked: return "blocked";
    case RejectReason::invalid_time: return "invalid_time";
    case RejectReason::canceled: return "canceled";
    case RejectReason::already_redeemed: return "already_redeemed";
    case RejectReason::product: return "product";
    case RejectReason::rules: return "rules";
    case RejectReason::ambiguous: return "ambiguous";
    case RejectReason::revoked: return "revoked";
    case RejectReason::unapproved: return "unapproved";
    case RejectReason::error: return "error";
    case RejectReason::offline: return "offline";
    }
    return "error";
}

std::optional<RejectReason> reject_reason_from_name(std::string_view name) {
    for (const RejectReason reason :
         {RejectReason::invalid, RejectReason::unpaid, RejectReason::blocked, RejectReason::invalid_time,
          RejectReason::canceled, RejectReason::already_redeemed, RejectReason::product, RejectReason::rules,
          RejectReason::ambiguous, RejectReason::revoked, RejectReason::unapproved, RejectReason::error,
          RejectReason::offline})
        if (reject_reason_name(reason) == name) return reason;
    return std::nullopt;
}

CleanedScan clean_scanned_text(std::string_view raw) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
    while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
    // ZXing marks an Extended Channel Interpretation as a backslash and six digits.
    if (raw.size() >= 7 && raw[0] == '\\' &&
        std::all_of(raw.begin() + 1, raw.begin() + 7, [](char c) { return c >= '0' && c <= '9'; }))
        raw.remove_prefix(7);
    CleanedScan cleaned;
    cleaned.too_long = raw.size() > kMaxScanBytes;
    cleaned.usable = !raw.empty() && !cleaned.too_long;
    if (cleaned.usable) cleaned.text = std::string(raw);
    return cleaned;
}

namespace {

// Everything one decision step needs to know about the ticket under consideration.
struct TicketUnderCheck {
    Position position;
    const Order* order = nullptr;          // null for an offline-signed ticket
    const std::vector<Checkin>* checkins = nullptr;
    const CheckinList* list = nullptr;
    const DecisionSnapshot::EventFacts* event = nullptr;
};

Verdict rejection(RejectReason reason, std::string explanation = {}) {
    Verdict verdict;
    verdict.status = VerdictStatus::error;
    verdict.reason = reason;
    verdict.explanation = std::move(explanation);
    return verdict;
}

std::string local_minute(Timestamp t, const DecisionSnapshot::EventFacts& event) {
    const auto* zone = find_time_zone(event.catalog->event.timezone);
    const LocalDateTime local = to_local(t, zone);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", local.year, local.month, local.day, local.hour,
                  local.minute);
    return buffer;
}

bool requires_attention(const TicketUnderCheck& ticket) {
    if (ticket.order != nullptr && ticket.order->checkin_attention) return true;
    if (const Item* item = ticket.event->catalog->item(ticket.position.item)) {
        if (item->checkin_attention) return true;
        for (const Variation& variation : item->variations)
            if (ticket.position.variation && variation.id == *ticket.position.variation && variation.checkin_attention)
                return true;
    }
    return false;
}

// What the rules of step 8 may read about this ticket; a subevent's dates replace the event's.
RuleContext rule_context(const TicketUnderCheck& ticket, const ScanRequest& request) {
    const Position& position = ticket.position;
    const EventCatalog& catalog = *ticket.event->catalog;
    RuleContext context;
    context.product = position.item;
    context.variation = position.variation;
    context.gate = request.gate;
    context.now = request.now;
    context.zone = find_time_zone(catalog.event.timezone);
    context.checkins = *ticket.checkins;
    context.date_from = catalog.event.date_from;
    context.date_to = catalog.event.date_to;
    context.date_admission = catalog.event.date_admission;
    if (position.subevent) {
        for (const SubEvent& subevent : catalog.subevents) {
            if (subevent.id != *position.subevent) continue;
            context.date_from = subevent.date_from;
            context.date_to = subevent.date_to;
            context.date_admission = subevent.date_admission;
        }
    }
    return context;
}

// Step 9: the check-in questions of the ticket's product that have no valid answer yet. `verdict`
// becomes `incomplete` with them, or carries the accepted answers for the admission to store.
void review_checkin_questions(const TicketUnderCheck& ticket, const ScanRequest& request, Verdict& verdict) {
    const Position& position = ticket.position;
    const EventCatalog& catalog = *ticket.event->catalog;
    std::vector<const Question*> asked, order_questions;
    for (const Question& question : catalog.questions) {
        if (std::find(question.items.begin(), question.items.end(), position.item) == question.items.end()) continue;
        (question.ask_during_checkin ? asked : order_questions).push_back(&question);
    }
    QuestionReview review = review_questions(asked, position.answers, request.answers,
                                             find_time_zone(catalog.event.timezone), order_questions);
    if (!review.missing.empty()) {
        verdict.status = VerdictStatus::incomplete;
        verdict.reason = RejectReason::none;
        for (const Question* question : review.missing) verdict.questions.push_back(*question);
        verdict.answer_errors = std::move(review.errors);
        return;
    }
    for (auto& [question_id, answer] : review.accepted) verdict.accepted_answers.push_back(std::move(answer));
}

// Step 10: an entry after earlier check-ins on this list (lists are independent of each other).
std::optional<Verdict> check_history(const TicketUnderCheck& ticket) {
    const CheckinList& list = *ticket.list;
    const std::vector<Checkin>& history = *ticket.checkins;
    if (list.allow_multiple_entries || history.empty()) return std::nullopt;
    const bool only_exits =
        std::all_of(history.begin(), history.end(), [](const Checkin& c) { return c.type == CheckinType::exit; });
    const bool last_was_exit = history.back().type == CheckinType::exit;
    if (only_exits || (list.allow_entry_after_exit && last_was_exit)) return std::nullopt;
    Verdict redeemed = rejection(RejectReason::already_redeemed);
    for (const Checkin& checkin : history) {
        if (checkin.type != CheckinType::entry) continue;
        redeemed.first_checkin = checkin.datetime;
        break;
    }
    if (redeemed.first_checkin)
        redeemed.explanation = "Already checked in at " + local_minute(*redeemed.first_checkin, *ticket.event);
    return redeemed;
}

// Steps 5 to 11, shared by synced positions and offline-signed tickets.
Verdict check_admission(const TicketUnderCheck& ticket, const ScanRequest& request) {
    const Position& position = ticket.position;
    const CheckinList& list = *ticket.list;
    const DecisionSnapshot::EventFacts& event = *ticket.event;
    const bool entry = request.type == CheckinType::entry;

    // 5. Validity window (entries only: leaving is always possible).
    if (entry && position.valid_from && request.now < *position.valid_from)
        return rejection(RejectReason::invalid_time, "Only valid from " + local_minute(*position.valid_from, event));
    if (entry && position.valid_until && request.now > *position.valid_until)
        return rejection(RejectReason::invalid_time, "Only valid until " + local_minute(*position.valid_until, event));

    // 6. Product, then the list's date in an event series.
    if (!product_on_list(list, position.item))
        return rejection(RejectReason::product, "This product is not valid on check-in list \"" + list.name + "\"");
    if (list.subevent && position.subevent != list.subevent)
        return rejection(RejectReason::invalid, "The ticket is for another date of this event series");

    // 7. Pending orders.
    if (ticket.order != nullptr && ticket.order->status == OrderStatus::pending && !ticket.order->valid_if_pending &&
        !(request.ignore_unpaid && list.include_pending))
        return rejection(RejectReason::unpaid, "The order has not been paid yet");

    // 8. Check-in rules.
    if (entry && !rules_are_empty(list.rules)) {
        if (const RuleOutcome admitted = evaluate_rules(list.rules, rule_context(ticket, request)); !admitted)
            return rejection(RejectReason::rules, admitted.error());
    }

    // 9. Questions asked at check-in that have no valid answer yet.
    Verdict verdict;
    if (entry && request.questions_supported) {
        review_checkin_questions(ticket, request, verdict);
        if (verdict.status == VerdictStatus::incomplete) return verdict;
    }

    // 10. Earlier check-ins on this list.
    if (entry)
        if (auto redeemed = check_history(ticket)) return std::move(*redeemed);

    // 11. Admitted: the caller records it.
    verdict.status = VerdictStatus::ok;
    verdict.reason = RejectReason::none;
    return verdict;
}

// Fills what every verdict about a known ticket reports.
Verdict& describe(Verdict& verdict, const TicketUnderCheck& ticket) {
    verdict.list = ticket.list->id;
    verdict.event = ticket.event->catalog->event.id;
    verdict.position = ticket.position;
    verdict.require_attention = requires_attention(ticket);
    if (ticket.order) verdict.order_locale = ticket.order->locale;
    return verdict;
}

Verdict decide_signed(const DecisionSnapshot& snapshot, const ScanRequest& request, const std::string& text) {
    for (const CheckinList& list : snapshot.lists) {
        const auto event_it = snapshot.events.find(list.event_id);
        if (event_it == snapshot.events.end() || event_it->second.catalog->event.sig1_keys.empty()) continue;
        const DecisionSnapshot::EventFacts& event = event_it->second;
        const SignedTicketRead read = read_signed_ticket(text, event.catalog->event.sig1_keys);
        if (read.check != SignatureCheck::valid) continue;

        TicketUnderCheck ticket;
        ticket.position.event_id = event.catalog->event.id;
        ticket.position.secret = text;
        ticket.position.item = read.ticket.item;
        ticket.position.variation = read.ticket.variation;
        ticket.position.subevent = read.ticket.subevent;
        ticket.position.valid_from = read.ticket.valid_from;
        ticket.position.valid_until = read.ticket.valid_until;
        ticket.checkins = &event.unsynced_checkins;
        ticket.list = &list;
        ticket.event = &event;

        Verdict verdict;
        if (event.secret_revoked)
            verdict = rejection(RejectReason::revoked, "This ticket code has been revoked");
        else if (event.secret_blocked)
            verdict = rejection(RejectReason::blocked, "This ticket has been blocked");
        else if (event.catalog->item(read.ticket.item) == nullptr)
            verdict = rejection(RejectReason::error, "Signed for product " + std::to_string(read.ticket.item) +
                                                         ", which this kiosk does not know yet; sync first");
        else
            verdict = check_admission(ticket, request);
        verdict.offline_signed = true;
        return describe(verdict, ticket);
    }
    return rejection(RejectReason::invalid, "Unknown ticket code");
}

} // namespace

Verdict decide(const DecisionSnapshot& snapshot, const ScanRequest& request) {
    const CleanedScan& cleaned = snapshot.scanned;
    auto finish = [&](Verdict verdict) {
        verdict.secret = cleaned.text;
        if (!verdict.list && !snapshot.lists.empty()) {
            verdict.list = snapshot.lists.front().id;
            verdict.event = snapshot.lists.front().event_id;
        }
        return verdict;
    };
    if (!cleaned.usable)
        return finish(rejection(RejectReason::invalid, cleaned.too_long ? "The scanned code is too long to be a ticket"
                                                                        : "Nothing was scanned"));

    // 1. Positions with this secret in the selected lists' events.
    std::vector<const CandidateTicket*> matches;
    std::set<int64_t> match_events;
    for (const CandidateTicket& candidate : snapshot.matches) {
        if (!snapshot.events.contains(candidate.position.event_id)) continue;
        matches.push_back(&candidate);
        match_events.insert(candidate.position.event_id);
    }
    if (matches.empty()) return finish(decide_signed(snapshot, request, cleaned.text));
    if (match_events.size() > 1)
        return finish(rejection(RejectReason::ambiguous, "This code matches tickets of several events"));

    const CandidateTicket* chosen = matches.front();
    const auto list_it = std::find_if(snapshot.lists.begin(), snapshot.lists.end(), [&](const CheckinList& list) {
        return list.event_id == chosen->position.event_id;
    });
    if (list_it == snapshot.lists.end()) return finish(rejection(RejectReason::invalid, "Unknown ticket code"));
    const CheckinList& list = *list_it;
    const DecisionSnapshot::EventFacts& event = snapshot.events.at(list.event_id);

    // Add-on matching: the parent ticket stands for its one add-on that is valid on this list.
    if (list.addon_match) {
        std::vector<const CandidateTicket*> on_list;
        if (product_on_list(list, chosen->position.item)) on_list.push_back(chosen);
        for (const CandidateTicket& addon : snapshot.addons)
            if (addon.position.addon_to == chosen->position.id && !addon.position.canceled &&
                product_on_list(list, addon.position.item))
                on_list.push_back(&addon);
        if (on_list.size() > 1) {
            Verdict verdict = rejection(RejectReason::ambiguous, "Several add-ons of this ticket are valid here");
            TicketUnderCheck parent{chosen->position, &chosen->order, &chosen->checkins, &list, &event};
            return finish(describe(verdict, parent));
        }
        if (on_list.empty()) {
            Verdict verdict = rejection(RejectReason::product, "Neither this ticket nor its add-ons are valid on check-in list \"" + list.name + "\"");
            TicketUnderCheck parent{chosen->position, &chosen->order, &chosen->checkins, &list, &event};
            return finish(describe(verdict, parent));
        }
        chosen = on_list.front();
    }

    TicketUnderCheck ticket{chosen->position, &chosen->order, &chosen->checkins, &list, &event};
    Verdict verdict;
    // 2 to 4: the order's and the position's own state.
    if (chosen->order.status == OrderStatus::canceled || chosen->order.status == OrderStatus::expired ||
        chosen->position.canceled)
        verdict = rejection(RejectReason::canceled, "This ticket has been canceled");
    else if (chosen->position.blocked || (chosen->position.secret == cleaned.text && event.secret_blocked))
        verdict = rejection(RejectReason::blocked, "This ticket has been blocked");
    else if (chosen->order.status == OrderStatus::pending && chosen->order.require_approval)
        verdict = rejection(RejectReason::unapproved, "The order has not been approved yet");
    else
        verdict = check_admission(ticket, request);
    return finish(describe(verdict, ticket));
}

} // namespace kiosk
