#include "netsync/pretix/pretix_api.h"

#include <charconv>
#include <limits>

#include "netsync/backend/wire_text.h"
#include "netsync/pretix/pretix_json.h"

// [SECTION] Text and URLs
// [SECTION] Answers
// [SECTION] Device set-up
// [SECTION] Api

namespace kiosk::pretix {

using nlohmann::json;
using backend::bad_answer;
using backend::from_http;
using backend::host_of;
using backend::in_context;
using backend::is_json_media;
using backend::kind_of_status;
using backend::lowercase;
using backend::make_error;
using backend::one_line;
using backend::percent_encode;
using backend::trim;
using backend::without_trailing_slashes;

namespace {

constexpr int kMaxPages = 10'000;             // events(): a server whose `next` never ends is broken

//-----------------------------------------------------------------------------
// [SECTION] Text and URLs
//-----------------------------------------------------------------------------

std::string query_string(const Query& query) {
    std::string out;
    for (const auto& [key, value] : query) {
        out += out.empty() ? '?' : '&';
        out += percent_encode(key) + '=' + percent_encode(value);
    }
    return out;
}

// Where a URL sends its request. The token may only travel to the origin staff configured.
struct Origin {
    std::string scheme;
    std::string host;
    int port = 0;
    bool operator==(const Origin&) const = default;
};

std::optional<int> parse_port(std::string_view text) {
    int port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
    return port;
}

std::optional<Origin> origin_of(std::string_view url) {
    const size_t separator = url.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    Origin origin;
    origin.scheme = lowercase(url.substr(0, separator));
    if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
    const std::string_view rest = url.substr(separator + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) return std::nullopt;   // credentials in a URL are never ours
    std::string_view host = authority;
    std::string_view port;
    const size_t colon = authority.rfind(':');
    const size_t bracket = authority.rfind(']');                            // IPv6 literal: [::1]:8000
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    origin.host = lowercase(host);
    if (port.empty()) {
        origin.port = origin.scheme == "https" ? 443 : 80;
    } else {
        const auto number = parse_port(port);
        if (!number) return std::nullopt;
        origin.port = *number;
    }
    return origin;
}

std::string organizer_url(const Connection& connection) {
    return without_trailing_slashes(connection.url) + "/api/v1/organizers/" + percent_encode(connection.organizer) + "/";
}

std::string event_url(const Connection& connection, std::string_view slug) {
    return organizer_url(connection) + "events/" + percent_encode(slug) + "/";
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

//-----------------------------------------------------------------------------
// [SECTION] Answers
//-----------------------------------------------------------------------------

ApiResult<http::Response> send(http::Client& client, const http::Request& request, std::string_view context) {
    auto response = client.send(request);
    if (!response) return std::unexpected(from_http(response.error(), context));
    return std::move(*response);
}

http::Request get_request(std::string url, const std::optional<std::string>& if_modified_since = std::nullopt) {
    http::Request request = http::Request::get(std::move(url));
    request.headers.push_back({"Accept", "application/json"});
    if (if_modified_since) request.headers.push_back({"If-Modified-Since", *if_modified_since});
    return request;
}

// A POST whose nonce makes it safe to send twice. The key names the call as well as the nonce:
// pretix refuses a key used before on another path (409), and redeem and annul share a nonce.
http::Request post_request(std::string url, const json& body, std::string idempotency_key, std::vector<int> answers) {
    // Scanned text may be invalid UTF-8; such a secret matches nothing, but must not throw here.
    http::Request request = http::Request::post_json(std::move(url), body.dump(-1, ' ', false, json::error_handler_t::replace));
    request.headers.push_back({"Accept", "application/json"});
    if (!idempotency_key.empty()) {
        request.idempotent = true;
        request.headers.push_back({"X-Idempotency-Key", std::move(idempotency_key)});
    }
    request.answer_statuses = std::move(answers);
    return request;
}

// The answer's JSON. A 200 with an HTML page is a captive portal or a proxy, not pretix.
ApiResult<json> read_json(const http::Response& response, std::string_view context, const std::string& host) {
    if (!is_json_media(response))
        return std::unexpected(bad_answer(context, host, backend::not_json_words(response), response.status));
    auto parsed = parse_json_text(response.body, "the answer");
    if (!parsed)
        return std::unexpected(bad_answer(context, host, "sent an answer that is not valid JSON (cut off or garbled)",
                                          response.status));
    return std::move(*parsed);
}

std::optional<int64_t> as_int64(const json& value) {
    if (value.is_number_unsigned()) {
        const auto number = value.get<uint64_t>();
        if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
        return static_cast<int64_t>(number);
    }
    if (value.is_number_integer()) return value.get<int64_t>();
    return std::nullopt;
}

const json* member(const json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> string_member(const json& object, std::string_view key) {
    const json* value = member(object, key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
}

// The first string in a Django REST framework error body: {"detail": "..."}, ["..."], or
// {"field": ["..."]}. The parser's depth limit bounds the recursion.
std::optional<std::string> first_string(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (const auto detail = string_member(value, "detail")) return detail;
    if (value.is_object() || value.is_array()) {
        for (const json& item : value)
            if (auto found = first_string(item)) return found;
    }
    return std::nullopt;
}

// What the server said in a refusal, or nothing when its body is not JSON with a sentence in it
// (an HTML error page is not quoted to staff).
std::optional<std::string> server_words(const http::Response& response) {
    if (!is_json_media(response)) return std::nullopt;
    const auto parsed = parse_json_text(response.body, "the answer");
    if (!parsed) return std::nullopt;
    const auto words = first_string(*parsed);
    if (!words || trim(*words).empty()) return std::nullopt;
    return one_line(std::string(trim(*words)));
}

// A 400 or 404 whose body is not the answer the call expects: the resource is missing (an event
// deleted) or the server refuses the request for good, in its words when it gave some.
ApiError refusal(const http::Response& response, std::string_view context, const std::string& host) {
    const ApiErrorKind kind = kind_of_status(response.status);
    std::string sentence = http::status_message(response.status, host);
    if (kind == ApiErrorKind::refused) {
        if (const auto words = server_words(response)) sentence = host + " refused the request: " + *words;
    }
    return make_error(kind, in_context(context, sentence), response.status);
}

std::optional<std::string> header_copy(const http::Response& response, std::string_view name) {
    const auto value = response.header(name);
    if (!value) return std::nullopt;
    return std::string(*value);
}

ApiResult<Page> read_page(const http::Response& response, const Origin& home, std::string_view context,
                          const std::string& host) {
    Page page;
    page.page_generated = header_copy(response, "X-Page-Generated");
    page.last_modified = header_copy(response, "Last-Modified");
    if (response.status == 304) {
        page.not_modified = true;
        return page;
    }
    auto body = read_json(response, context, host);
    if (!body) return std::unexpected(body.error());
    const auto results = body->is_object() ? body->find("results") : body->end();
    if (results == body->end() || !results->is_array())
        return std::unexpected(bad_answer(context, host, "answered with something that is not a list page (no results)", response.status));
    page.results = std::move(*results);   // a page of orders is large: moved, not copied
    if (const json* count = member(*body, "count")) {
        const auto number = as_int64(*count);
        if (!number || *number < 0)
            return std::unexpected(bad_answer(context, host, "answered with a list page whose count is not a number", response.status));
        page.count = *number;
    } else {
        page.count = static_cast<int64_t>(page.results.size());
    }
    if (const json* next = member(*body, "next"); next != nullptr && !next->is_null()) {
        if (!next->is_string() || origin_of(next->get<std::string>()) != home)
            return std::unexpected(bad_answer(context, host, "pointed the next page to another server", response.status));
        page.next = next->get<std::string>();
    }
    return page;
}

// The connection's origin; a URL staff typed that is not http(s) fails every call in words.
ApiResult<Origin> home_of(const Connection& connection, std::string_view context) {
    auto origin = origin_of(connection.url);
    if (!origin) return std::unexpected(backend::not_an_http_url(context, connection.url));
    return std::move(*origin);
}

ApiResult<Page> get_page(http::Client& client, const Connection& connection, std::string url,
                         const std::optional<std::string>& if_modified_since, std::string_view context) {
    const auto home = home_of(connection, context);
    if (!home) return std::unexpected(home.error());
    if (origin_of(url) != *home)
        return std::unexpected(bad_answer(context, home->host, "pointed the next page to another server", 0));
    const auto response = send(client, get_request(std::move(url), if_modified_since), context);
    if (!response) return std::unexpected(response.error());
    return read_page(*response, *home, context, home->host);
}

//-----------------------------------------------------------------------------
// [SECTION] Device set-up
//-----------------------------------------------------------------------------

json device_info_json(const Handshake& handshake, const DeviceInfo& info) {
    return {{"token", handshake.token},
            {"hardware_brand", info.hardware_brand},
            {"hardware_model", info.hardware_model},
            {"os_name", info.os_name},
            {"os_version", info.os_version},
            {"software_brand", info.software_brand},
            {"software_version", info.software_version}};
}

// pretix sends the gate as {"id", "name"} (or null); older versions as a name.
std::optional<std::string> gate_name(const json& answer) {
    const json* gate = member(answer, "gate");
    if (gate == nullptr || gate->is_null()) return std::nullopt;
    if (gate->is_string()) return gate->get<std::string>();
    return string_member(*gate, "name");
}

ApiResult<DeviceCredentials> read_credentials(const json& answer, const Handshake& handshake,
                                              std::string_view context, const std::string& host) {
    DeviceCredentials credentials;
    credentials.url = handshake.url;
    const auto organizer = string_member(answer, "organizer");
    const json* device_id = member(answer, "device_id");
    const auto api_token = string_member(answer, "api_token");
    if (!organizer || organizer->empty() || device_id == nullptr || !as_int64(*device_id) || !api_token || api_token->empty())
        return std::unexpected(bad_answer(context, host, "answered the set-up without organizer, device id or token", 200));
    credentials.organizer = *organizer;
    credentials.device_id = *as_int64(*device_id);
    credentials.api_token = *api_token;
    credentials.unique_serial = string_member(answer, "unique_serial").value_or("");
    credentials.name = string_member(answer, "name").value_or("");
    credentials.gate = gate_name(answer);
    return credentials;
}

} // namespace

std::expected<Handshake, std::string> parse_handshake(std::string_view text) {
    const auto parsed = parse_json_text(trim(text), "the set-up code");
    if (!parsed || !parsed->is_object()) return std::unexpected("This is not a pretix device set-up code.");
    const json* version = member(*parsed, "handshake_version");
    if (version == nullptr)
        return std::unexpected("This is not a pretix device set-up code: it has no handshake_version.");
    const auto number = as_int64(*version);
    if (version->is_number_unsigned() && !number)
        return std::unexpected("This kiosk is too old for this pretix set-up code (handshake version " + version->dump() +
                               "): please update the kiosk software.");
    if (!number || *number < 1)
        return std::unexpected("This pretix set-up code has an invalid handshake_version (" + version->dump() + ").");
    if (*number > kHandshakeVersion)
        return std::unexpected("This kiosk is too old for this pretix set-up code (handshake version " +
                               std::to_string(*number) + "): please update the kiosk software.");
    Handshake handshake;
    handshake.version = static_cast<int>(*number);
    const auto url = string_member(*parsed, "url");
    if (!url || !origin_of(*url))
        return std::unexpected("This pretix set-up code has no valid server address (an http or https URL).");
    const auto token = string_member(*parsed, "token");
    if (!token || token->empty()) return std::unexpected("This pretix set-up code has no device token.");
    handshake.url = *url;
    handshake.token = *token;
    return handshake;
}

//-----------------------------------------------------------------------------
// [SECTION] Api
//-----------------------------------------------------------------------------

namespace {

http::ClientOptions with_token(http::ClientOptions options, const http::ApiToken& token) {
    options.token = token;
    return options;
}

// The init token travels in the body, where the http client does not know to hide it; it is
// removed from every sentence here, including the server's own words.
ApiError without_init_token(ApiError error, const Handshake& handshake) {
    error.message = http::redact(std::move(error.message), {handshake.token});
    return error;
}

} // namespace

Api::Api(Connection connection, http::ClientOptions options)
    : connection_(std::move(connection)), client_(with_token(std::move(options), connection_.token)) {}

ApiResult<DeviceCredentials> Api::initialize_device(const Handshake& handshake, const DeviceInfo& info,
                                                    http::ClientOptions options) {
    constexpr std::string_view context = "setting the kiosk up as a pretix device";
    options.token.reset();   // the device has no token yet; the init token is in the body
    http::Client client(std::move(options));
    const std::string url = without_trailing_slashes(handshake.url) + "/api/v1/device/initialize";
    const std::string host = host_of(url);
    // Not idempotent: the init token works once, so a retry after a lost answer would be refused.
    const auto response = send(client, post_request(url, device_info_json(handshake, info), "", {400}), context);
    if (!response) return std::unexpected(without_init_token(response.error(), handshake));
    if (response->status == 400) {
        const std::string words = server_words(*response).value_or("no reason given");
        return std::unexpected(without_init_token(
            make_error(ApiErrorKind::refused, host + " did not accept the set-up code: " + words, 400), handshake));
    }
    const auto body = read_json(*response, context, host);
    if (!body) return std::unexpected(without_init_token(body.error(), handshake));
    auto credentials = read_credentials(*body, handshake, context, host);
    if (!credentials) return std::unexpected(without_init_token(credentials.error(), handshake));
    return credentials;
}

ApiResult<std::vector<json>> Api::events() {
    const std::string context = "listing the events of organizer " + in_quotes(connection_.organizer);
    auto page = get_page(client_, connection_, organizer_url(connection_) + "events/", std::nullopt, context);
    std::vector<json> events;
    for (int pages = 1;; ++pages) {
        if (!page) return std::unexpected(page.error());
        for (json& event : page->results) events.push_back(std::move(event));
        if (!page->next) return events;
        if (pages >= kMaxPages)
            return std::unexpected(bad_answer(context, host_of(connection_.url), "sent more pages of events than any organizer has", 0));
        const std::string next = *page->next;
        page = get_page(client_, connection_, next, std::nullopt, context);
    }
}

ApiResult<json> Api::event(std::string_view slug) {
    const std::string context = "downloading event " + in_quotes(slug);
    const std::string url = event_url(connection_, slug);
    const auto response = send(client_, get_request(url), context);
    if (!response) return std::unexpected(response.error());
    auto body = read_json(*response, context, host_of(url));
    if (!body) return std::unexpected(body.error());
    if (!body->is_object())
        return std::unexpected(bad_answer(context, host_of(url), "answered with something that is not an event", response->status));
    return std::move(*body);
}

ApiResult<Page> Api::first_page(std::string_view slug, std::string_view resource, const Query& query,
                                const std::optional<std::string>& if_modified_since) {
    const std::string context = "downloading the " + std::string(resource) + " of event " + in_quotes(slug);
    std::string url = event_url(connection_, slug) + std::string(resource) + "/" + query_string(query);
    return get_page(client_, connection_, std::move(url), if_modified_since, context);
}

ApiResult<Page> Api::next_page(const Page& page) {
    if (!page.next) return Page{};   // past the last page: nothing more
    return get_page(client_, connection_, *page.next, std::nullopt, "downloading the next page of a list");
}

ApiResult<RedeemAnswer> Api::redeem(const RedeemCall& call) {
    constexpr std::string_view context = "checking a ticket in at the server";
    const std::string url = organizer_url(connection_) + "checkinrpc/redeem/";
    const std::string host = host_of(url);
    json body = {{"secret", call.secret},   {"source_type", "barcode"}, {"lists", call.lists},
                 {"type", call.type},       {"force", call.force},      {"questions_supported", call.questions_supported},
                 {"ignore_unpaid", call.ignore_unpaid},
                 {"answers", call.answers.is_object() ? call.answers : json::object()}};
    if (!call.datetime.empty()) body["datetime"] = call.datetime;
    if (!call.nonce.empty()) body["nonce"] = call.nonce;
    const auto response = send(client_, post_request(url, body, call.nonce, {400, 404}), context);
    if (!response) return std::unexpected(response.error());
    const bool refused = response->status == 400 || response->status == 404;
    auto answer = read_json(*response, context, host);
    if (!answer) return std::unexpected(refused ? refusal(*response, context, host) : answer.error());
    const auto status = string_member(*answer, "status");
    if (!status) {
        if (refused) return std::unexpected(refusal(*response, context, host));
        return std::unexpected(bad_answer(context, host, "answered the check-in without a status", response->status));
    }
    RedeemAnswer result;
    result.http_status = response->status;
    result.status = *status;
    result.reason = string_member(*answer, "reason").value_or("");
    result.body = std::move(*answer);
    return result;
}

ApiResult<AnnulAnswer> Api::annul(const AnnulCall& call) {
    constexpr std::string_view context = "undoing a check-in at the server";
    const std::string url = organizer_url(connection_) + "checkinrpc/annul/";
    const std::string host = host_of(url);
    json body = {{"lists", call.lists}, {"nonce", call.nonce}};
    if (!call.datetime.empty()) body["datetime"] = call.datetime;
    if (!call.error_explanation.empty()) body["error_explanation"] = call.error_explanation;
    const std::string key = call.nonce.empty() ? "" : "annul:" + call.nonce;
    const auto response = send(client_, post_request(url, body, key, {400, 404}), context);
    if (!response) return std::unexpected(response.error());
    AnnulAnswer answer;
    answer.http_status = response->status;
    if (response->status == 400 || response->status == 404) {
        answer.message = server_words(*response).value_or(host + " refused to undo the check-in (HTTP " +
                                                          std::to_string(response->status) + ").");
        return answer;
    }
    const auto confirmed = read_json(*response, context, host);
    if (!confirmed) return std::unexpected(confirmed.error());
    if (string_member(*confirmed, "status") != "ok")
        return std::unexpected(bad_answer(context, host, "answered the undo without saying ok", response->status));
    answer.annulled = true;
    return answer;
}

ApiResult<FailedCheckinAnswer> Api::failed_checkin(const FailedCheckinCall& call) {
    const std::string context = "reporting a refused scan on list " + std::to_string(call.list);
    const std::string url = event_url(connection_, call.event_slug) + "checkinlists/" + std::to_string(call.list) +
                            "/failed_checkins/";
    const std::string host = host_of(url);
    json body = {{"error_reason", call.error_reason}, {"raw_barcode", call.raw_barcode}, {"type", call.type}};
    if (!call.datetime.empty()) body["datetime"] = call.datetime;
    if (!call.nonce.empty()) body["nonce"] = call.nonce;
    if (call.position) body["position"] = *call.position;
    const std::string key = call.nonce.empty() ? "" : "failed_checkin:" + call.nonce;
    const auto response = send(client_, post_request(url, body, key, {400}), context);
    if (!response) return std::unexpected(response.error());
    FailedCheckinAnswer answer;
    answer.http_status = response->status;
    if (response->status == 400) {
        answer.message = server_words(*response).value_or(host + " refused the report (HTTP 400).");
        return answer;
    }
    const auto stored = read_json(*response, context, host);   // a login page's 200 is not "stored"
    if (!stored) return std::unexpected(stored.error());
    answer.stored = true;
    return answer;
}

} // namespace kiosk::pretix
