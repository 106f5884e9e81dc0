// The state App keeps for a backend other than pretix (app_ticket_backend.cpp): its client, and
// whether it answered the last ask. Private to the app layer; app.cpp needs it complete only to
// destroy it.
//
// Exits and re-entries with a backend that keeps no tickets here (Constant Contact, BrightStar): none
// of them has an exit or check-out call, so an exit is this kiosk's own record and the backend never
// hears of it. An exit of a ticket this kiosk has a live check-in of (admitted by the server, or
// unchecked while it was away) is admitted and recorded here as one with nothing to send; it needs
// no server, so it works while the backend is away. An exit of a ticket this kiosk has never checked
// in is refused with RejectReason::error and words for staff ("this kiosk has no check-in of this
// ticket..."), not `invalid`: the kiosk cannot tell, and the ticket may well be good. An entry after
// such an exit is a re-entry decided here as pretix's engine does (allowed when the list allows entry
// after exit or multiple entries; else "already used"), without asking the server, which already has
// the ticket's check-in (BrightStar would answer "already checked in"). Undoing such an exit is
// refused in words (an undo sent for it would revert the ticket's check-in at Constant Contact):
// staff scan the ticket at the entry instead. Backends that download (Oveit) decide exits on their
// copy, as pretix does.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "kiosk/app/app.h"

namespace kiosk {

struct App::BackendList {
    CheckinList list;
    std::shared_ptr<const EventCatalog> catalog;
};

struct App::TicketBackend {
    TicketBackendOptions options;
    std::unique_ptr<backend::TicketClient> client;
    sync::OnlineState state{true, {}};      // until an ask fails
    std::chrono::steady_clock::time_point away_until{};

    bool away() const { return std::chrono::steady_clock::now() < away_until; }

    // The server's answer, or its error; nullopt when it is known to be away and was not asked.
    std::optional<backend::ApiResult<backend::TicketAnswer>> ask(const backend::TicketCall& call, bool check_in) {
        if (away()) return std::nullopt;
        auto answer = check_in ? client->check_in(call) : client->look_up(call);
        if (answer || answer.error().kind == backend::ApiErrorKind::refused) {
            state = {true, {}};
        } else {
            state = {false, answer.error().message};
            away_until = std::chrono::steady_clock::now() + options.retry_after;
        }
        return answer;
    }
};

} // namespace kiosk
