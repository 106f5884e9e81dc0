// [SECTION] App: online mode (pretix decides first, the store records what it decided).
#include <algorithm>

#include "kiosk/app/app.h"
#include "kiosk/app/decision_reads.h"
#include "kiosk/core/nonce.h"
#include "kiosk/core/time.h"

namespace kiosk {

namespace {

nlohmann::json answers_json(const std::map<int64_t, std::string>& answers) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [question, value] : answers) out[std::to_string(question)] = value;
    return out;
}

// The list that decided: the one pretix named if it is among ours, else the one of the ticket's
// event, else the first.
const CheckinList& deciding_list(const std::vector<CheckinList>& lists, const sync::ServerVerdict& server,
                                 const std::optional<Position>& position) {
    if (server.list)
        if (auto named = std::ranges::find(lists, *server.list, &CheckinList::id); named != lists.end()) return *named;
    if (position)
        if (auto of_event = std::ranges::find(lists, position->event_id, &CheckinList::event_id); of_event != lists.end())
            return *of_event;
    return lists.front();
}

} // namespace

void App::go_online(const pretix::Connection& connection, const sync::OnlineSettings& settings) {
    online_ = std::make_unique<sync::OnlineChecker>(connection, settings);
}

std::optional<Outcome<ScanOutcome>> App::scan_online(ScanRequest& request, const CleanedScan& scanned) {
    if (!scanned.usable) return std::nullopt;   // nothing pretix could read either
    if (request.nonce.empty()) request.nonce = make_nonce();
    pretix::RedeemCall call;
    call.secret = scanned.text;
    call.lists = request.lists;
    call.type = checkin_type_name(request.type);
    call.datetime = format_iso8601_utc(request.now);
    call.nonce = request.nonce;
    call.answers = answers_json(request.answers);
    call.questions_supported = request.questions_supported;
    call.ignore_unpaid = request.ignore_unpaid;
    const auto server = online_->ask(call);
    if (!server) return std::nullopt;
    return record_server_verdict(request, scanned, *server);
}

Outcome<ScanOutcome> App::record_server_verdict(const ScanRequest& request, const CleanedScan& scanned,
                                                const sync::ServerVerdict& server) {
    Store::WriteTransaction transaction(store_);
    catalogs_.refresh(store_);
    auto lists = resolve_lists(store_, catalogs_, request.lists);
    if (!lists) return std::unexpected(lists.error());

    std::optional<Position> position;
    for (Position& candidate : store_.positions_by_secret(scanned.text)) {
        if (std::ranges::find(*lists, candidate.event_id, &CheckinList::event_id) == lists->end()) continue;
        if (!position || candidate.id == server.position_id) position = std::move(candidate);
    }
    const CheckinList& list = deciding_list(*lists, server, position);
    const auto catalog = catalogs_.event(store_, list.event_id);

    ScanOutcome outcome;
    outcome.decided_by_server = true;
    Verdict& verdict = outcome.verdict;
    verdict.status = server.status;
    verdict.reason = server.reason;
    verdict.explanation = server.explanation;
    verdict.require_attention = server.require_attention;
    verdict.list = list.id;
    verdict.event = list.event_id;
    verdict.secret = scanned.text;
    verdict.position = position;
    if (catalog) {
        outcome.event_slug = catalog->event.slug;
        for (const int64_t id : server.question_ids)
            if (auto q = std::ranges::find(catalog->questions, id, &Question::id); q != catalog->questions.end())
                verdict.questions.push_back(*q);
    }
    // "Already checked in at 09:14": pretix does not say when; the store knows when it synced.
    if (verdict.reason == RejectReason::already_redeemed && position)
        if (const auto earlier = store_.checkins_of_position(list.id, position->id); !earlier.empty())
            verdict.first_checkin = earlier.front().datetime;
    // pretix records its own refusals; only its admission is kept here, as already uploaded.
    if (verdict.status == VerdictStatus::ok) {
        NewCheckin checkin;
        checkin.event_id = list.event_id;
        checkin.list_id = list.id;
        if (position) checkin.position_id = position->id;   // else adopted when its order syncs
        checkin.secret = scanned.text;
        checkin.type = request.type;
        checkin.datetime = request.now;
        checkin.gate = request.gate;
        checkin.nonce = request.nonce;
        checkin.accepted_by_server = true;
        const int64_t id = store_.record_checkin(checkin);
        outcome.checkin = RecordedCheckin{id, checkin.datetime, checkin.type, checkin.nonce};
    }
    transaction.commit();
    return outcome;
}

} // namespace kiosk
