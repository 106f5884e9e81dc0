// The state App keeps for a backend other than pretix (app_ticket_backend.cpp): its client, and
// whether it answered the last ask. Private to the app layer; app.cpp needs it complete only to
// destroy it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "kiosk/app/app.h"

namespace kiosk {

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
