#include "netsync/sync/online_check.h"

namespace kiosk::sync {

using nlohmann::json;

namespace {

http::ClientOptions deadline_options(const OnlineSettings& settings) {
    http::ClientOptions options;
    options.connect_timeout = settings.deadline;
    options.total_timeout = settings.deadline;
    options.ca_file = settings.ca_file;
    options.retry.max_attempts = 1;     // a second try would break the deadline; the local decision is the retry
    return options;
}

std::optional<int64_t> integer_at(const json& object, const char* key) {
    if (!object.is_object()) return std::nullopt;
    const auto value = object.find(key);
    if (value == object.end() || !value->is_number_integer()) return std::nullopt;
    return value->get<int64_t>();
}

} // namespace

std::optional<ServerVerdict> read_redeem_answer(const pretix::RedeemAnswer& answer) {
    ServerVerdict verdict;
    if (answer.status == "ok") verdict.status = VerdictStatus::ok;
    else if (answer.status == "incomplete") verdict.status = VerdictStatus::incomplete;
    else if (answer.status == "error") verdict.status = VerdictStatus::error;
    else return std::nullopt;
    if (verdict.status == VerdictStatus::error) {
        const auto reason = reject_reason_from_name(answer.reason);
        if (!reason) return std::nullopt;
        verdict.reason = *reason;
    }
    const json& body = answer.body;
    if (body.contains("reason_explanation") && body["reason_explanation"].is_string())
        verdict.explanation = body["reason_explanation"].get<std::string>();
    verdict.require_attention = body.value("require_attention", json()) == true;
    verdict.position_id = integer_at(body.value("position", json()), "id");
    if (const auto list = body.value("list", json()); list.is_object()) verdict.list = integer_at(list, "id");
    for (const json& question : body.value("questions", json::array()))
        if (const auto id = integer_at(question, "id")) verdict.question_ids.push_back(*id);
    return verdict;
}

OnlineChecker::OnlineChecker(pretix::Connection connection, OnlineSettings settings)
    : api_(std::move(connection), deadline_options(settings)), settings_(std::move(settings)) {}

std::optional<ServerVerdict> OnlineChecker::ask(const pretix::RedeemCall& call) {
    if (std::chrono::steady_clock::now() < offline_until_) return std::nullopt;
    const auto go_offline = [&](std::string why) {
        state_ = {false, std::move(why)};
        offline_until_ = std::chrono::steady_clock::now() + settings_.retry_after;
        return std::nullopt;
    };
    const auto answer = api_.redeem(call);
    if (!answer) return go_offline(answer.error().message);
    auto verdict = read_redeem_answer(*answer);
    if (!verdict) return go_offline("pretix answered a check-in with something we cannot read");
    state_ = {true, {}};
    return verdict;
}

} // namespace kiosk::sync
