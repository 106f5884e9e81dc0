#include "netsync/webhooks/webhook_sender.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>

#include "kiosk/core/sodium.h"
#include "kiosk/core/time.h"
#include "netsync/backend/kiosk_name.h"
#include "netsync/http/curl_handle.h"
#include "netsync/http/retry_policy.h"

namespace kiosk::webhooks {

using nlohmann::json;

namespace {

std::string hex(const unsigned char* bytes, size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes, size);
    out.pop_back();
    return out;
}

std::string scanner_id_of(const WebhookSettings& settings) {
    return settings.scanner_id.empty() ? backend::this_kiosks_name() : settings.scanner_id;
}

Timestamp wall_clock_now() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

json optional_text(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

// Who holds a target's lease: this sender, in this process (the kiosk and kioskctl differ).
std::string new_lease_owner() {
    ensure_sodium();
    std::array<unsigned char, 8> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return hex(bytes.data(), bytes.size());
}

// The wait before trying a URL again after its `attempts`-th failure in a row: first_retry doubled
// for each next failure, capped, with jitter so kiosks that lost one receiver do not come back in
// step; a receiver's Retry-After is obeyed up to an hour.
std::chrono::milliseconds retry_wait(const WebhookSettings& settings, int attempts,
                                     const std::optional<std::chrono::seconds>& retry_after) {
    thread_local std::mt19937 random{std::random_device{}()};
    const http::RetryPolicy policy{1, settings.first_retry, settings.max_retry};
    const auto backoff = http::backoff_delay(policy, attempts, std::uniform_real_distribution<double>(0.0, 1.0)(random));
    if (retry_after) return std::max<std::chrono::milliseconds>(backoff, std::min<std::chrono::seconds>(*retry_after, std::chrono::hours(1)));
    return backoff;
}

// A failure in words for staff: which webhook, and what happened, never the URL's path or query.
std::string failure_words(const http::Error& error, std::string_view name) {
    if (error.kind == http::ErrorKind::http_status)
        return std::string(name) + " answered HTTP " + std::to_string(error.status) + "; the events wait and are sent again.";
    // The client's sentences name the host only; a bad address is said without repeating it.
    return std::string(name) + ": " + error.message;
}

struct Target {
    std::string url, key, name;
};

std::vector<Target> targets_of(const WebhookSettings& settings) {
    std::vector<Target> out;
    for (size_t i = 0; i < settings.urls.size(); ++i)
        out.push_back({settings.urls[i], target_key(settings.urls[i]), target_name(settings.urls[i], i)});
    return out;
}

std::vector<std::string> keys_of(const std::vector<Target>& targets) {
    std::vector<std::string> keys;
    for (const Target& target : targets) keys.push_back(target.key);
    return keys;
}

http::Request event_request(const Target& target, const WebhookEvent& event, const WebhookSettings& settings,
                            const std::string& scanner_id, Timestamp sent_at) {
    http::Request request = http::Request::post_json(target.url, event_body(event, scanner_id, sent_at));
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(sent_at.time_since_epoch()).count();
    request.headers.push_back({"X-Kiosk-Event", event.kind});
    request.headers.push_back({"X-Kiosk-Event-Id", event.id});
    request.headers.push_back({"X-Kiosk-Timestamp", std::to_string(seconds)});
    request.headers.push_back({"X-Kiosk-Signature", signature_header(settings.secret, request.body)});
    // The id in the body lets the receiver deduplicate: sending it again is safe.
    request.idempotent = true;
    return request;
}

struct TargetRound {
    size_t delivered = 0;
    bool failed = false, more = false;
    std::optional<Timestamp> next_retry;
};

// Sends one URL its due events in order, up to a batch, under the target's lease.
TargetRound deliver_to(const Target& target, const WebhookTargetState& state, const WebhookSettings& settings,
                       Store& store, http::Client& client, Timestamp now, const std::string& owner) {
    TargetRound round;
    if (state.pending == 0) return round;
    if (state.attempts > 0 && state.next_attempt_at > now) {
        round.next_retry = state.next_attempt_at;
        return round;
    }
    const auto lease = settings.connect_timeout + settings.request_timeout + std::chrono::seconds(30);
    const std::string scanner_id = scanner_id_of(settings);
    int64_t through = state.delivered_through;
    while (round.delivered < settings.batch) {
        const auto events = store.webhook_events_after(through, 1);
        if (events.empty()) break;
        // Renewed before each send; another process sending this URL's events skips it meanwhile.
        if (!store.lease_webhook_target(target.key, owner, now, now + lease)) break;
        const WebhookEvent& event = events.front();
        const auto sent = client.send(event_request(target, event, settings, scanner_id, now));
        if (!sent) {
            const auto wait = retry_wait(settings, state.attempts + 1, sent.error().retry_after);
            store.webhook_failed(target.key, failure_words(sent.error(), target.name), now + wait);
            round.failed = true;
            round.next_retry = now + wait;
            break;
        }
        store.webhook_delivered(target.key, event.seq, now);
        through = event.seq;
        ++round.delivered;
    }
    store.release_webhook_target(target.key, owner);
    if (!round.failed && round.delivered == settings.batch) round.more = !store.webhook_events_after(through, 1).empty();
    return round;
}

} // namespace

// [SECTION] Settings and status

json to_json(const WebhookStatus& status) {
    json targets = json::array();
    for (const WebhookTargetStatus& target : status.targets) {
        targets.push_back({{"name", target.name},
                           {"pending", target.pending},
                           {"attempts", target.attempts},
                           {"last_error", target.last_error},
                           {"last_success", target.last_success ? json(format_iso8601_utc(*target.last_success)) : json(nullptr)},
                           {"next_attempt", target.next_attempt ? json(format_iso8601_utc(*target.next_attempt)) : json(nullptr)}});
    }
    return {{"pending", status.pending}, {"last_error", status.last_error}, {"targets", std::move(targets)}};
}

WebhookStatus read_webhook_status(const WebhookSettings& settings, Store& store) {
    const auto states = store.webhook_targets();
    WebhookStatus status;
    for (const Target& target : targets_of(settings)) {
        WebhookTargetStatus out;
        out.name = target.name;
        const auto state = std::ranges::find(states, target.key, &WebhookTargetState::key);
        if (state != states.end()) {
            out.pending = state->pending;
            out.attempts = state->attempts;
            out.last_error = state->last_error.value_or("");
            out.last_success = state->last_success;
            if (state->attempts > 0) out.next_attempt = state->next_attempt_at;
        }
        status.pending += out.pending;
        if (status.last_error.empty()) status.last_error = out.last_error;
        status.targets.push_back(std::move(out));
    }
    return status;
}

// [SECTION] Bodies and signatures

std::string event_body(const WebhookEvent& event, std::string_view scanner_id, Timestamp sent_at) {
    json data = {{"ticket_id", event.secret},
                 {"attendee", optional_text(event.attendee_name)},
                 {"scanner_id", scanner_id},
                 {"type", checkin_type_name(event.type)},
                 {"list_id", event.list_id}};
    if (event.kind == "ticket.check_in_reverted") {
        data["timestamp"] = format_iso8601_utc(event.created_at);
        data["reverted_by"] = scanner_id;
        data["reason"] = "staff_undo";
        data["checked_in_at"] = format_iso8601_utc(event.checkin_datetime);
    } else {
        data["timestamp"] = format_iso8601_utc(event.checkin_datetime);
        data["gate"] = optional_text(event.gate);
    }
    const json body = {{"event", event.kind},
                       {"id", event.id},
                       {"created_at", format_iso8601_utc(event.created_at)},
                       {"sent_at", format_iso8601_utc(std::chrono::time_point_cast<std::chrono::seconds>(sent_at))},
                       {"data", std::move(data)}};
    // A name the store holds in broken UTF-8 is replaced, never a reason to lose the event.
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string signature_header(std::string_view secret, std::string_view body) {
    ensure_sodium();
    crypto_auth_hmacsha256_state state;
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    sodium_memzero(&state, sizeof state);
    return "sha256=" + hex(mac.data(), mac.size());
}

std::string target_key(std::string_view url) {
    ensure_sodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(url.data()), url.size());
    return hex(digest.data(), digest.size());
}

std::string target_name(std::string_view url, size_t index) {
    const auto host = http::curl::server_host(std::string(url));
    return "webhook " + std::to_string(index + 1) + " (" + (host ? *host : std::string("bad address")) + ")";
}

// [SECTION] One delivery round

http::ClientOptions client_options(const WebhookSettings& settings, const std::atomic<bool>* cancel) {
    http::ClientOptions options;
    options.connect_timeout = settings.connect_timeout;
    options.total_timeout = settings.request_timeout;
    options.ca_file = settings.ca_file;
    options.retry.max_attempts = 1;          // the queue tries again, later, without holding the thread
    options.max_body_bytes = 1u << 20;       // a receiver's answer is not read, only its status
    options.cancel = cancel;
    return options;
}

DeliveryRound deliver_once(const WebhookSettings& settings, Store& store, http::Client& client, Timestamp now) {
    static const std::string owner = new_lease_owner();
    const auto targets = targets_of(settings);
    auto states = store.webhook_targets();
    // Registering writes: done only when a URL is new, not on every poll (a write waits for the lock).
    const auto known = [&](const Target& target) { return std::ranges::find(states, target.key, &WebhookTargetState::key) != states.end(); };
    if (!std::ranges::all_of(targets, known)) {
        store.register_webhook_targets(keys_of(targets));
        states = store.webhook_targets();
    }
    DeliveryRound round;
    for (const Target& target : targets) {
        const auto state = std::ranges::find(states, target.key, &WebhookTargetState::key);
        if (state == states.end()) continue;
        const TargetRound done = deliver_to(target, *state, settings, store, client, now, owner);
        round.delivered += done.delivered;
        round.failed += done.failed ? 1 : 0;
        round.more = round.more || done.more;
        if (done.next_retry && (!round.next_retry || *done.next_retry < *round.next_retry)) round.next_retry = done.next_retry;
    }
    return round;
}

WebhookStatus deliver_round(std::vector<std::string> urls, std::string secret, const std::string& db_path) {
    WebhookSettings settings;
    settings.urls = std::move(urls);
    settings.secret = std::move(secret);
    Store store(db_path);
    http::Client client(client_options(settings, nullptr));
    deliver_once(settings, store, client, wall_clock_now());
    return read_webhook_status(settings, store);
}

void forget_other_targets(const WebhookSettings& settings, Store& store) {
    store.drop_webhook_targets_except(keys_of(targets_of(settings)));
}

// [SECTION] The sender thread

WebhookSender::WebhookSender(WebhookSettings settings, std::string db_path)
    : settings_(std::move(settings)), db_path_(std::move(db_path)) {}

WebhookSender::~WebhookSender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cancel_ = true;
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void WebhookSender::start() { thread_ = std::thread([this] { run(); }); }

void WebhookSender::request_delivery() {
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_all();
}

WebhookStatus WebhookSender::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void WebhookSender::run() {
    std::optional<Store> store;
    http::Client client(client_options(settings_, &cancel_));
    auto next = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, next, [&] { return stopping_ || requested_; });
            if (stopping_) return;
            requested_ = false;
        }
        next = std::chrono::steady_clock::now() + settings_.poll_interval;
        try {
            if (!store) {
                store.emplace(db_path_);
                // Cursors are bookkeeping a resend repairs (receivers deduplicate on the id): they
                // need not wait for the disk, and a backlog is not one fsync per event.
                store->relax_durability_for_sync(true);
            }
            const DeliveryRound round = deliver_once(settings_, *store, client, wall_clock_now());
            if (round.more) next = std::chrono::steady_clock::now();
            WebhookStatus fresh = read_webhook_status(settings_, *store);
            std::lock_guard lock(mutex_);
            status_ = std::move(fresh);
        } catch (const std::exception& failure) {
            std::lock_guard lock(mutex_);
            status_.last_error = std::string("the webhooks could not use the kiosk's store: ") + failure.what();
            store.reset();
        }
    }
}

std::unique_ptr<WebhookSender> start_webhook_sender(WebhookSettings settings, const std::string& db_path) {
    try {
        Store store(db_path);
        forget_other_targets(settings, store);
    } catch (const std::exception& failure) {
        std::fprintf(stderr, "kiosk: no webhooks: %s\n", failure.what());
        return nullptr;
    }
    if (settings.urls.empty()) return nullptr;
    auto sender = std::make_unique<WebhookSender>(std::move(settings), db_path);
    sender->start();
    return sender;
}

std::unique_ptr<WebhookSender> start_webhook_sender(std::vector<std::string> urls, std::string secret,
                                                    const std::string& db_path) {
    WebhookSettings settings;
    settings.urls = std::move(urls);
    settings.secret = std::move(secret);
    return start_webhook_sender(std::move(settings), db_path);
}

} // namespace kiosk::webhooks
