// Online mode: ask pretix to decide a scan first, with a short deadline, and fall back to the local
// decision when it is slow, down or answers something we cannot read.
//
// After a failed ask the checker stays offline for a while (retry_after) rather than making every
// attendee in the queue wait out the deadline; the first ask after that tries the server again.
// The mode in force, and why, is part of what staff see.
//
// Thread rule: an OnlineChecker belongs to the thread that scans (it owns an HTTP connection).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/engine.h"
#include "netsync/pretix/pretix_api.h"

namespace kiosk::sync {

struct OnlineSettings {
    std::chrono::milliseconds deadline{1'500};          // per scan, from connect to the last byte
    std::chrono::seconds retry_after{30};               // offline this long after a failed ask
    std::string ca_file;
};

// pretix's decision in our vocabulary. `position_id` and `question_ids` refer to the server's
// objects; the caller finds them in the store.
struct ServerVerdict {
    VerdictStatus status = VerdictStatus::error;
    RejectReason reason = RejectReason::none;
    std::string explanation;
    bool require_attention = false;
    std::optional<int64_t> position_id;
    std::optional<int64_t> list;
    std::vector<int64_t> question_ids;
};

struct OnlineState {
    bool online = false;                                // the last ask was answered in time
    std::string why_offline;                            // in words, when offline
};

class OnlineChecker {
public:
    OnlineChecker(pretix::Connection connection, OnlineSettings settings);

    // pretix's verdict on `call` (made without force), or nullopt: decide locally.
    std::optional<ServerVerdict> ask(const pretix::RedeemCall& call);
    OnlineState state() const { return state_; }

private:
    pretix::Api api_;
    OnlineSettings settings_;
    OnlineState state_;
    std::chrono::steady_clock::time_point offline_until_{};
};

// Reads a redeem answer; nullopt when its status or reason is not one pretix documents.
std::optional<ServerVerdict> read_redeem_answer(const pretix::RedeemAnswer& answer);

} // namespace kiosk::sync
