// Local webhooks: the kiosk tells turnstiles, dashboards and other local systems about every
// admission and every undo made here, whatever the ticketing backend, by POSTing a signed JSON
// event to each URL of the configuration ([webhooks] urls, secret).
//
// [SECTION] For people writing a receiver
// [SECTION] Settings and status
// [SECTION] Bodies and signatures
// [SECTION] One delivery round, on the caller's thread (tests, kioskctl)
// [SECTION] The sender thread (the kiosk)
//
//-----------------------------------------------------------------------------
// [SECTION] For people writing a receiver
//-----------------------------------------------------------------------------
// Each event is one `POST` to your URL with `Content-Type: application/json` and these headers:
//
//   X-Kiosk-Event        ticket.checked_in | ticket.check_in_reverted
//   X-Kiosk-Event-Id     the event's id (32 hex digits), the same as the body's "id", the same on
//                        every retry: keep the ids you have processed and ignore one you have seen
//   X-Kiosk-Timestamp    when this attempt was sent, Unix seconds; a copy of the body's "sent_at"
//   X-Kiosk-Signature    sha256=<64 lower-case hex digits>: HMAC-SHA256 keyed with the shared secret
//                        (the UTF-8 bytes of [webhooks] secret) over the EXACT bytes of the request
//                        body, as received, before any JSON parsing
//
// To accept a request: compute the HMAC over the raw body, compare it with the header in constant
// time (hmac.compare_digest, crypto.timingSafeEqual), then parse the body. Against replays, refuse
// a body whose "sent_at" is more than a few minutes from your clock (it is covered by the signature;
// the X-Kiosk-Timestamp header is a copy for convenience and is not) and remember the ids of the
// last minutes. Bodies (extra fields may be added later; ignore the ones you do not know):
//
//   {"event": "ticket.checked_in", "id": "9f2c...", "created_at": "2026-05-04T09:00:00Z",
//    "sent_at": "2026-05-04T09:00:01Z",
//    "data": {"ticket_id": "<the ticket's code>", "attendee": "Ada Lovelace" | null,
//             "timestamp": "2026-05-04T09:00:00Z", "scanner_id": "<this kiosk's name>",
//             "type": "entry" | "exit", "list_id": 10, "gate": "north" | null}}
//   {"event": "ticket.check_in_reverted", "id": "...", "created_at": "<when it was undone>",
//    "sent_at": "...",
//    "data": {"ticket_id": "...", "reverted_by": "<this kiosk's name>", "reason": "staff_undo",
//             "attendee": ..., "timestamp": "<when it was undone>",
//             "checked_in_at": "<the reverted check-in's time>", "scanner_id": "...",
//             "type": "entry" | "exit", "list_id": 10}}
//
// The "data" fields named by BrightStar's webhook documentation (ticket_id, attendee, timestamp,
// scanner_id; ticket_id, reverted_by, reason) are always there. Times are ISO 8601 in UTC.
// "ticket.checked_in" fires for every check-in recorded at this kiosk, exits included (see "type"),
// whatever decided it (the local engine, the backend online, a trusted offline scan);
// "ticket.check_in_reverted" for every undo made here.
//
// Answer any 2xx once you have the event: it is then never sent to you again. Anything else (a
// 4xx, a 5xx, a timeout, a refused connection) is tried again later with backoff (5 s doubling up
// to 5 min, with jitter; a Retry-After of up to an hour is obeyed), and the events behind it wait:
// each URL gets every event in the order the kiosk recorded them, from the moment the URL was
// configured. A receiver that was down for an hour gets the whole hour afterwards. Delivery is at
// least once (an answer lost on its way back means a resend): deduplicate on the id.
//
//-----------------------------------------------------------------------------
// How it works here. The store's triggers (schema 9) queue an event in the admission's or the
// undo's own transaction, so the attendee flow never waits for a receiver and a crash never loses
// or invents an event. Events are only recorded while webhooks are configured (a target is
// registered in the store); a target is a cursor over the queue; events every target has are
// deleted. The body is built at send time from the check-in and its position. URLs and the secret
// are never stored, logged or shown: a target is the SHA-256 of its URL in the store and "webhook
// N (host)" in words for staff (the path and the query may hold a receiver's own secret).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsync/http/http_client.h"
#include "netsync/store/store.h"

namespace kiosk::webhooks {

//-----------------------------------------------------------------------------
// [SECTION] Settings and status
//-----------------------------------------------------------------------------

struct WebhookSettings {
    std::vector<std::string> urls;          // http(s); never shown as they are
    std::string secret;                     // the HMAC key; never shown
    std::string scanner_id;                 // this kiosk's name in the events; "" = the machine's name
    std::string ca_file;                    // "" = the system's CAs; TLS is always verified
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds poll_interval{1'000};     // how often the thread looks for new events
    std::chrono::milliseconds first_retry{5'000};       // the wait after a first failure, doubled after each next
    std::chrono::milliseconds max_retry{300'000};
    size_t batch = 100;                     // events sent to one URL in one round at most
};

struct WebhookTargetStatus {
    std::string name;                       // "webhook 1 (dashboard.local)": never the path or query
    size_t pending = 0;
    int attempts = 0;                       // failed sends of the event at its head
    std::string last_error;                 // in words; empty after a success
    std::optional<Timestamp> last_success;
    std::optional<Timestamp> next_attempt;  // after a failure
};

struct WebhookStatus {
    size_t pending = 0;                     // events still to deliver, summed over the URLs
    std::string last_error;                 // the first URL's trouble, in words; empty when all is well
    std::vector<WebhookTargetStatus> targets;   // in the order of the configuration
};

nlohmann::json to_json(const WebhookStatus& status);
// As the store says now (any process may read it): pending counts and errors per URL.
WebhookStatus read_webhook_status(const WebhookSettings& settings, Store& store);

//-----------------------------------------------------------------------------
// [SECTION] Bodies and signatures
//-----------------------------------------------------------------------------

std::string event_body(const WebhookEvent& event, std::string_view scanner_id, Timestamp sent_at);
std::string signature_header(std::string_view secret, std::string_view body);   // "sha256=<hex>"
std::string target_key(std::string_view url);       // hex SHA-256 of the URL: how the store knows it
std::string target_name(std::string_view url, size_t index);   // "webhook 1 (host:port)"

//-----------------------------------------------------------------------------
// [SECTION] One delivery round
//-----------------------------------------------------------------------------

struct DeliveryRound {
    size_t delivered = 0;                   // events acknowledged, all URLs together
    size_t failed = 0;                      // URLs whose send failed this round
    bool more = false;                      // a URL has more due events than one round sends
    std::optional<Timestamp> next_retry;    // the earliest time a failed URL is due again
};

// Registers the configured URLs in the store (a new one starts at the newest event), then sends
// each URL that is due its pending events in order, up to `settings.batch`, stopping at its first
// failure. `now` decides what is due and is written as the failures' clock. Machine failures of
// the store throw StoreError; network trouble is recorded per URL and never thrown.
DeliveryRound deliver_once(const WebhookSettings& settings, Store& store, http::Client& client, Timestamp now);

// The client a sender uses: one attempt per request (the queue retries), TLS verified.
http::ClientOptions client_options(const WebhookSettings& settings, const std::atomic<bool>* cancel);

// `kioskctl sync`: one round on the caller's thread with the defaults above for everything but the
// configuration's two keys, on a connection of its own to the store; the status after it.
WebhookStatus deliver_round(std::vector<std::string> urls, std::string secret, const std::string& db_path);

// Makes the store forget every URL not in `settings` (and the events only they still needed); with
// no URL, the triggers stop recording. The kiosk calls it at start, through start_webhook_sender.
void forget_other_targets(const WebhookSettings& settings, Store& store);

//-----------------------------------------------------------------------------
// [SECTION] The sender thread
//-----------------------------------------------------------------------------
// Thread rule: start(), request_delivery() and status() may be called from any thread; the
// sender's own thread does every network call and store write, on its own connection to the store.
// A store failure on that thread is shown as the last error and tried again; it never ends the
// process.
class WebhookSender {
public:
    WebhookSender(WebhookSettings settings, std::string db_path);
    ~WebhookSender();                       // stops and joins; a request in flight is cancelled
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    void start();
    void request_delivery();                // something was recorded: look now rather than at the next poll
    WebhookStatus status() const;

private:
    void run();

    WebhookSettings settings_;
    std::string db_path_;
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false, stopping_ = false;
    WebhookStatus status_;
    std::thread thread_;
};

// For the kiosk: forgets URLs no longer configured (all of them when there are none) and starts a
// sender when there are URLs; nullptr otherwise. A store that cannot be opened is reported on
// stderr and gives nullptr: webhooks never keep the kiosk from starting.
std::unique_ptr<WebhookSender> start_webhook_sender(WebhookSettings settings, const std::string& db_path);
// The same with the defaults above for everything but the configuration's two keys.
std::unique_ptr<WebhookSender> start_webhook_sender(std::vector<std::string> urls, std::string secret,
                                                    const std::string& db_path);

} // namespace kiosk::webhooks
