// The kiosk's configuration: one TOML file (`kiosk --config FILE`, `kioskctl --config FILE`), every
// key optional. This comment is the reference staff read; docs/config.example.toml is the same list
// as a file to copy. Command-line flags override the file; the caller applies them after loading.
//
// [SECTION] Keys and defaults
// [SECTION] Rules
// [SECTION] KioskConfig
// [SECTION] Loading
//
// [SECTION] Keys and defaults
//
//   [backend]                        the ticketing backend this kiosk syncs with
//   kind = "pretix"                  "pretix" | "constantcontact" | "oveit" | "brightstar"
//   url = ""                         http(s) API base. pretix: the server root (https://pretix.eu);
//                                    the others up to and including the version segment, as the
//                                    seed documents write it (https://api.cc.email/v3,
//                                    https://l.oveit.com/api, the BrightStar host plus /v1)
//   token = ""                       a team API token. Prefer token_file: a token is a password.
//                                    Kept in memory only, never written to a log or a message
//   token_file = ""                  file holding the token (surrounding whitespace ignored); must
//                                    be readable by its owner only (chmod 600). Not with `token`
//   device_file = ""                 pretix device credentials written by `kioskctl setup`;
//                                    empty: next to the database
//   organizer = ""                   pretix organizer slug
//   events = []                      event slugs or backend event ids; a bare number is read as its
//                                    digits ("1234")
//   ca_file = ""                     extra CA bundle (PEM) for a server with a private CA; TLS is
//                                    always verified, empty uses the system's CAs
//
//   [sync]
//   upload_interval_seconds = 5      how often queued check-ins are sent        (1 to 3600)
//   download_interval_seconds = 60   how often changes are fetched              (1 to 86400)
//   online = false                   true: ask the server first on every scan, waiting up to
//                                    online_timeout_ms; false: decide from the synced copy
//   online_timeout_ms = 1500         (100 to 30000)
//   connect_timeout_ms = 5000        (100 to 120000)
//   request_timeout_ms = 30000       a whole request, download pages included  (1000 to 600000)
//
//   [kiosk]
//   lists = []                       check-in list ids to scan against; empty: the caller decides
//                                    (`--list`, or the staff panel)
//   camera = "auto"                  camera source URI; "none" runs without a camera
//                                    (keyboard-wedge scanners still work)
//   printer = ""                     printer URI; empty: no printer configured
//   badge_layout = ""                badge layout file (pretix layout JSON); empty: the event's own
//   languages = ["en"]               language codes offered on screen, in this order ("de", "pt-BR")
//   default_language = "en"          one of `languages`; when left out: "en" if offered, else the
//                                    first of `languages`
//   idle_seconds = 30                no touch this long: ask "still there?"       (5 to 3600)
//   still_there_seconds = 20         then back to the start, personal data wiped (5 to 600)
//   rejection_seconds = 5            how long a rejection stays on screen        (1 to 120)
//   staff_pin_hash = ""              output of `kioskctl pin-hash`; empty: the staff panel is locked
//   staff_code = ""                  scanning this code (a staff card) opens the PIN screen; empty: only
//                                    the long press in the top-left corner does. Never logged
//   lookup_enabled = true            attendees may look themselves up by name / email / order code
//   manual_entry_enabled = true      attendees may type a ticket code
//   preview_badge = false            show the badge before printing it
//   trust_offline_scans = false      with a backend that cannot download tickets (Constant Contact,
//                                    BrightStar), admit and queue a scan made while the backend is
//                                    unreachable instead of sending the attendee to the help desk
//                                    (recorded as such: kioskctl scan says "trusted_offline"); pretix
//                                    and Oveit decide from their downloaded copy and ignore it
//
//   [webhooks]
//   urls = []                        http(s) URLs told about each check-in
//   secret = ""                      shared secret for signing webhook calls; never logged
//
// [SECTION] Rules
//
// A file that breaks a rule is refused as a whole, never half applied: the error names the file,
// the line and the key, e.g. "kiosk.toml:12: sync.upload_interval_seconds: expected a whole number
// of seconds between 1 and 3600". When a file has several problems the first (by line) is told and
// the others counted. Refused: TOML syntax errors; wrong types (5.0 or "5" where 5 is expected);
// numbers out of range; unknown backend kinds; unknown sections and keys, with "did you mean ...?"
// for a likely typo or a key in the wrong section; URLs that are not http(s) (and a backend.url
// with a user name or password in it); a default_language not among `languages`; a token given
// both inline and as token_file; a token_file that is missing, empty, or open to its group or to
// others (chmod 600); a staff_pin_hash that is a bare PIN. No message ever holds a token, a
// webhook secret, a PIN hash or a URL (a webhook URL may carry its own secret).
//
// Relative paths (token_file, device_file, ca_file, badge_layout) are relative to the folder of
// the configuration file in load_config, and to the working directory in parse_config.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/app/outcome.h"
#include "netsync/backend/ticket_client.h"

namespace kiosk {

// [SECTION] KioskConfig
// Plain values with the defaults above; a default-constructed KioskConfig is what an empty file
// gives (and what `kiosk --demo` starts from).

using BackendKind = backend::Kind;                   // netsync/backend/ticket_client.h

std::string_view backend_kind_name(BackendKind kind);                   // "pretix", ...
std::optional<BackendKind> backend_kind_from_name(std::string_view name); // exact, lower case

struct BackendConfig {
    BackendKind kind = BackendKind::pretix;
    std::string url;                        // empty, or an http(s) URL
    std::string token;                      // inline or read from token_file; never log it
    std::filesystem::path token_file;       // where `token` came from, when it came from a file
    std::filesystem::path device_file;      // empty: next to the database (the caller decides)
    std::string organizer;
    std::vector<std::string> events;
    std::filesystem::path ca_file;          // empty: the system's CAs
};

struct SyncConfig {
    int upload_interval_seconds = 5;
    int download_interval_seconds = 60;
    bool online = false;                    // ask the server first on every scan
    int online_timeout_ms = 1500;
    int connect_timeout_ms = 5000;
    int request_timeout_ms = 30000;
};

struct KioskOptions {
    std::vector<int64_t> lists;             // check-in list ids; empty: the caller decides
    std::string camera = "auto";            // URI, or "none"
    std::string printer;                    // URI; empty: none configured
    std::filesystem::path badge_layout;     // empty: the event's own layout
    std::vector<std::string> languages{"en"};   // never empty, no duplicates
    std::string default_language = "en";    // always one of `languages`
    int idle_seconds = 30;
    int still_there_seconds = 20;
    int rejection_seconds = 5;
    std::string staff_pin_hash;             // empty: staff panel locked; never log it
    std::string staff_code;                 // a scanned code that opens the PIN screen; never log it
    bool lookup_enabled = true;
    bool manual_entry_enabled = true;
    bool preview_badge = false;
    bool trust_offline_scans = false;
};

struct WebhooksConfig {
    std::vector<std::string> urls;          // http(s) URLs
    std::string secret;                     // never log it
};

struct KioskConfig {
    BackendConfig backend;                  // [backend]
    SyncConfig sync;                        // [sync]
    KioskOptions kiosk;                     // [kiosk]
    WebhooksConfig webhooks;                // [webhooks]
};

// [SECTION] Loading
// Both are pure apart from reading the file (and the token_file it names); they never throw for
// bad input: the error side is one line for a person, starting with the file name (and line).

// Reads and checks the file at `path`; `path` as given is the name used in messages.
Outcome<KioskConfig> load_config(const std::filesystem::path& path);

// Checks `toml_text` as if read from a file named `source_name` (used in messages only); a
// token_file it names is read (relative to the working directory).
Outcome<KioskConfig> parse_config(std::string_view toml_text, std::string_view source_name);

} // namespace kiosk
