// pretix's REST API as the kiosk calls it: device set-up, the resources a sync downloads, and the
// check-in calls an upload makes (reference/pretix.md; seed 002_093ee3bffa7028b8.txt).
//
// [SECTION] Device set-up (handshake QR, initialisation)
// [SECTION] Connection and errors
// [SECTION] Api
//
// The calls are thin: they build the request, send it through http::Client and read the answer
// into a value. Whether to retry later, skip, or stop is the sync engine's decision, made on
// ApiError::kind. Server JSON is untrusted: a page whose `results` is not an array, a redeem
// answer without `status`, any answer that is not JSON is ApiErrorKind::bad_answer in words.
//
// Thread rule: an Api owns one http::Client and belongs to one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsync/backend/api_error.h"
#include "netsync/http/auth.h"
#include "netsync/http/http_client.h"

namespace kiosk::pretix {

//-----------------------------------------------------------------------------
// [SECTION] Device set-up
//-----------------------------------------------------------------------------

// The device-connect QR code pretix shows: {"handshake_version": 1, "url": ..., "token": ...}.
struct Handshake {
    int version = 1;
    std::string url;                        // the pretix installation, e.g. https://pretix.eu
    std::string token;                      // the one-time initialisation token
};

constexpr int kHandshakeVersion = 1;        // the newest handshake this kiosk understands

// Reads the scanned or typed QR text. A version above kHandshakeVersion is refused with a message
// that asks to update the kiosk; a URL that is not http(s) or a missing token is refused in words.
std::expected<Handshake, std::string> parse_handshake(std::string_view text);

// What the kiosk says about itself to POST /api/v1/device/initialize.
struct DeviceInfo {
    std::string hardware_brand = "kiosk";
    std::string hardware_model = "check-in kiosk";
    std::string os_name = "Linux";
    std::string os_version;
    std::string software_brand = "kiosk-checkin";
    std::string software_version = "0.1";
};

// What initialisation answers: the device's identity and its API token (a password).
struct DeviceCredentials {
    std::string url;                        // the installation the handshake named
    std::string organizer;
    int64_t device_id = 0;
    std::string unique_serial;
    std::string api_token;
    std::string name;
    std::optional<std::string> gate;
};

//-----------------------------------------------------------------------------
// [SECTION] Connection and errors
//-----------------------------------------------------------------------------

struct Connection {
    std::string url;                        // the installation: scheme, host, port (a path prefix allowed)
    std::string organizer;
    http::ApiToken token;
};

// The error vocabulary every backend shares (netsync/backend/api_error.h).
using ApiErrorKind = backend::ApiErrorKind;
using ApiError = backend::ApiError;
template <class T> using ApiResult = backend::ApiResult<T>;

//-----------------------------------------------------------------------------
// [SECTION] Api
//-----------------------------------------------------------------------------

// One page of a pretix list resource, or "not modified" (304) for If-Modified-Since.
struct Page {
    bool not_modified = false;
    nlohmann::json results = nlohmann::json::array();   // always an array when not_modified is false
    std::optional<std::string> next;        // absolute URL of the next page, checked to be on our server
    std::optional<std::string> page_generated;  // X-Page-Generated (orders' modified_since cursor)
    std::optional<std::string> last_modified;   // Last-Modified, for the next If-Modified-Since
    int64_t count = 0;
};

using Query = std::vector<std::pair<std::string, std::string>>;   // encoded by the Api

// checkinrpc/redeem as an upload (force) or an online decision (no force).
struct RedeemCall {
    std::string secret;
    std::vector<int64_t> lists;
    std::string type = "entry";             // entry / exit
    std::string datetime;                   // ISO 8601 with offset: when the scan happened
    bool force = false;
    std::string nonce;
    nlohmann::json answers = nlohmann::json::object();  // {"question id": "value"}
    bool questions_supported = true;
    bool ignore_unpaid = false;
};

// The server's answer to a redeem: 201 ok, 400 incomplete or error, 404 invalid, body as sent.
struct RedeemAnswer {
    int http_status = 0;
    std::string status;                     // ok / incomplete / error
    std::string reason;                     // for error
    nlohmann::json body;
};

struct AnnulCall {
    std::vector<int64_t> lists;
    std::string nonce;                      // of the check-in to annul
    std::string datetime;                   // ISO 8601 with offset: when staff undid it
    std::string error_explanation;
};

// 200 annulled; 404 (no check-in with that nonce) and 400 (too old, unsuccessful, another device)
// are refusals with the server's words in `message`.
struct AnnulAnswer {
    bool annulled = false;
    int http_status = 0;
    std::string message;
};

struct FailedCheckinCall {
    std::string event_slug;
    int64_t list = 0;
    std::string error_reason;
    std::string raw_barcode;                // printable as scanned, or "binary:<base64>"
    std::string datetime;
    std::string type = "entry";
    std::string nonce;
    std::optional<int64_t> position;
};

// 201 stored; 400 refused for good (`message` says why).
struct FailedCheckinAnswer {
    bool stored = false;
    int http_status = 0;
    std::string message;
};

class Api {
public:
    // `options.token` is replaced by the connection's token.
    Api(Connection connection, http::ClientOptions options);

    // POST {handshake.url}/api/v1/device/initialize. 400 (unknown or used token) is `refused` with
    // pretix's message.
    static ApiResult<DeviceCredentials> initialize_device(const Handshake& handshake, const DeviceInfo& info,
                                                          http::ClientOptions options);

    const Connection& connection() const { return connection_; }

    // GET organizers/{org}/events/ (every event the token may see, all pages).
    ApiResult<std::vector<nlohmann::json>> events();
    // GET organizers/{org}/events/{slug}/
    ApiResult<nlohmann::json> event(std::string_view slug);
    // GET organizers/{org}/events/{slug}/{resource}/?query, first page.
    ApiResult<Page> first_page(std::string_view slug, std::string_view resource, const Query& query = {},
                               const std::optional<std::string>& if_modified_since = std::nullopt);
    // GET page.next. A next URL on another scheme, host or port than the connection is bad_answer:
    // the token must not travel anywhere nobody configured.
    ApiResult<Page> next_page(const Page& page);

    ApiResult<RedeemAnswer> redeem(const RedeemCall& call);
    ApiResult<AnnulAnswer> annul(const AnnulCall& call);
    ApiResult<FailedCheckinAnswer> failed_checkin(const FailedCheckinCall& call);

private:
    Connection connection_;
    http::Client client_;
};

} // namespace kiosk::pretix
