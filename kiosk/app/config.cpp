// Reading kiosk.toml: toml++ parses, this file checks every key against the schema below and turns
// what it finds into a KioskConfig. toml++ stays in here (config.h is plain values).
//
// [SECTION] Schema: the known sections and keys
// [SECTION] Problems: collected with their line, the first one told
// [SECTION] Small checks (URLs, language codes, typo suggestions)
// [SECTION] The token file
// [SECTION] Reading values
// [SECTION] Sections
// [SECTION] Entry points
#include "kiosk/app/config.h"
#include "kiosk/app/staff_pin.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

namespace kiosk {

// [SECTION] Schema: the known sections and keys
// One list per section: what is refused as unknown, and what typos are compared with.

namespace {

constexpr std::string_view kBackendKeys[] = {"kind", "url", "token", "token_file", "device_file",
                                             "organizer", "events", "ca_file"};
constexpr std::string_view kSyncKeys[] = {"upload_interval_seconds", "download_interval_seconds", "online",
                                          "online_timeout_ms", "connect_timeout_ms", "request_timeout_ms"};
constexpr std::string_view kKioskKeys[] = {"lists", "camera", "printer", "badge_layout", "languages",
                                           "default_language", "idle_seconds", "still_there_seconds",
                                           "rejection_seconds", "staff_pin_hash", "staff_code", "lookup_enabled",
                                           "manual_entry_enabled", "preview_badge", "trust_offline_scans"};
constexpr std::string_view kWebhooksKeys[] = {"urls", "secret"};

struct SectionSchema {
    std::string_view name;
    std::span<const std::string_view> keys;
};

constexpr SectionSchema kSections[] = {
    {"backend", kBackendKeys}, {"sync", kSyncKeys}, {"kiosk", kKioskKeys}, {"webhooks", kWebhooksKeys}};

// Keys whose values are secrets: a syntax error on their line is told without toml++'s details,
// which may quote the text it stumbled on.
constexpr std::string_view kSecretWords[] = {"token", "secret", "pin_hash"};

constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;
constexpr off_t kMaxTokenBytes = 64 * 1024;

} // namespace

std::string_view backend_kind_name(BackendKind kind) { return backend::kind_name(kind); }

std::optional<BackendKind> backend_kind_from_name(std::string_view name) { return backend::kind_from_name(name); }

namespace {

// [SECTION] Problems: collected with their line, the first one told
// The whole file is checked so that the count of further problems is honest; the message is the
// first problem by line, as a person would fix them top to bottom.

class Problems {
public:
    explicit Problems(std::string_view source) : source_(source) {}

    void add(const toml::source_region& where, std::string_view key_path, std::string_view what) {
        add_at_line(where.begin.line, std::string(key_path) + ": " + std::string(what));
    }
    void add_at_line(toml::source_index line, std::string text) {
        list_.push_back({line, std::move(text)});
    }
    bool empty() const { return list_.empty(); }

    std::string message() const {
        auto first = std::min_element(list_.begin(), list_.end(),
                                      [](const Problem& a, const Problem& b) { return a.line < b.line; });
        std::string text = std::string(source_);
        if (first->line > 0) text += ":" + std::to_string(first->line);
        text += ": " + first->text;
        if (list_.size() == 2) text += " (and 1 more problem)";
        if (list_.size() > 2) text += " (and " + std::to_string(list_.size() - 1) + " more problems)";
        return text;
    }

private:
    struct Problem {
        toml::source_index line;
        std::string text;
    };
    std::string_view source_;
    std::vector<Problem> list_;
};

// [SECTION] Small checks (URLs, language codes, typo suggestions)

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_control_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Why `url` is not an http(s) URL we can use, or nothing. URLs are never quoted back: a webhook
// URL may carry its own secret.
std::optional<std::string> url_problem(std::string_view url, bool allow_credentials) {
    const std::string lowered = lower(url.substr(0, 8));
    std::string_view rest;
    if (lowered.starts_with("https://")) rest = url.substr(8);
    else if (lowered.starts_with("http://")) rest = url.substr(7);
    else return "expected an http:// or https:// URL";
    if (std::any_of(url.begin(), url.end(), is_control_or_space))
        return "expected a URL without spaces or control characters";
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.empty() || authority.front() == '@' || authority.front() == ':')
        return "expected a host name after the http(s)://";
    if (!allow_credentials && authority.find('@') != std::string_view::npos)
        return "expected a URL without a user name or password; the token goes in backend.token or "
               "backend.token_file";
    return std::nullopt;
}

// A BCP 47 tag as far as a kiosk cares: "en", "pt-BR", "zh-Hans".
bool is_language_code(std::string_view code) {
    std::size_t i = 0;
    while (i < code.size() && is_ascii_alpha(code[i])) ++i;
    if (i < 2 || i > 3) return false;
    while (i < code.size()) {
        if (code[i] != '-') return false;
        const std::size_t start = ++i;
        while (i < code.size() && (is_ascii_alpha(code[i]) || is_ascii_digit(code[i]))) ++i;
        if (i - start < 2 || i - start > 8) return false;
    }
    return true;
}

// Optimal string alignment distance: Levenshtein plus swapped neighbours ("langauges").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// Is `candidate` what someone who typed `typed` probably meant? A few typos, or the start of it
// ("idle" for "idle_seconds").
bool close_enough(std::string_view typed, std::string_view candidate) {
    const std::string t = lower(typed);
    if (t.size() >= 3 && candidate.starts_with(t) && candidate.size() > t.size() && candidate[t.size()] == '_')
        return true;
    const std::size_t allowed = t.size() <= 4 ? 1 : t.size() <= 8 ? 2 : 3;
    return edit_distance(t, candidate) <= allowed;
}

const SectionSchema* find_section(std::string_view name) {
    for (const SectionSchema& section : kSections)
        if (section.name == name) return &section;
    return nullptr;
}

bool has_key(const SectionSchema& section, std::string_view key) {
    return std::find(section.keys.begin(), section.keys.end(), key) != section.keys.end();
}

// "section.key" the person probably meant by `key` in `section` ("" for the top level): the
// same key in another section first (a key in the wrong place), then a near miss in its own
// section, then a near miss anywhere.
std::optional<std::string> suggest_key(std::string_view section, std::string_view key) {
    for (const SectionSchema& candidate : kSections)
        if (candidate.name != section && has_key(candidate, key))
            return std::string(candidate.name) + "." + std::string(key);
    const auto nearest = [&](std::span<const SectionSchema> sections) -> std::optional<std::string> {
        std::optional<std::string> best;
        std::size_t best_distance = SIZE_MAX;
        for (const SectionSchema& candidate : sections) {
            for (std::string_view known : candidate.keys) {
                if (!close_enough(key, known)) continue;
                const std::size_t distance = edit_distance(lower(key), known);
                if (distance < best_distance) {
                    best_distance = distance;
                    best = std::string(candidate.name) + "." + std::string(known);
                }
            }
        }
        return best;
    };
    if (const SectionSchema* own = find_section(section)) {
        if (auto near = nearest(std::span(own, 1))) return near;
    }
    return nearest(kSections);
}

std::string unknown_key_message(std::string_view section, std::string_view key) {
    const std::string path = section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
    std::string text = "unknown key " + path;
    if (auto suggestion = suggest_key(section, key)) text += " \u2014 did you mean " + *suggestion + "?";
    return text;
}

std::string unknown_section_message(std::string_view name) {
    std::string text = "unknown section [" + std::string(name) + "]";
    for (const SectionSchema& section : kSections) {
        if (close_enough(name, section.name)) {
            text += " \u2014 did you mean [" + std::string(section.name) + "]?";
            break;
        }
    }
    return text;
}

std::string type_description(toml::node_type type) {
    switch (type) {
    case toml::node_type::string: return "text in quotes";
    case toml::node_type::integer: return "a whole number";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "true or false";
    case toml::node_type::array: return "a list";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

std::string expected_not(std::string_view expected, const toml::node& found) {
    return std::string(expected) + ", not " + type_description(found.type());
}

// The line `line` (1-based) of `text`, or "".
std::string_view line_of(std::string_view text, toml::source_index line) {
    for (toml::source_index n = 1; n < line; ++n) {
        const std::size_t end = text.find('\n');
        if (end == std::string_view::npos) return {};
        text.remove_prefix(end + 1);
    }
    return text.substr(0, text.find('\n'));
}

bool mentions_secret(std::string_view line) {
    const std::string lowered = lower(line);
    return std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                       [&](std::string_view word) { return lowered.find(word) != std::string::npos; });
}

// Could the syntax error at `line` be inside a secret's value? Its own line, or, for a line that
// continues a multi-line value, the line where that value's key stands.
bool may_hold_secret(std::string_view text, toml::source_index line) {
    for (toml::source_index n = line; n >= 1; --n) {
        const std::string_view here = line_of(text, n);
        if (mentions_secret(here)) return true;
        if (here.find('=') != std::string_view::npos || trim(here).starts_with("[")) return false;
    }
    return false;
}

// [SECTION] The token file
// Opened once and checked through its descriptor, so what is checked is what is read. The
// message never holds the file's contents.

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

Outcome<std::string> read_token_file(const std::filesystem::path& file) {
    const std::string name = file.string();
    // O_NONBLOCK: a FIFO put there must not hang the kiosk at start-up; it is refused below.
    FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENOENT) return std::unexpected(name + " does not exist");
        return std::unexpected("cannot open " + name + ": " + std::strerror(error));
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return std::unexpected("cannot read " + name + ": " + std::strerror(errno));
    if (!S_ISREG(info.st_mode)) return std::unexpected(name + " is not a regular file");
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return std::unexpected(name + " is open to other users (mode " + octal_mode(info.st_mode) +
                               "); a token is a password: chmod 600 " + name);
    if (info.st_size > kMaxTokenBytes) return std::unexpected(name + " is too large to hold a token");

    std::string contents(static_cast<std::size_t>(info.st_size) + 1, '\0');
    std::size_t filled = 0;
    while (filled < contents.size()) {
        const ssize_t got = ::read(fd.get(), contents.data() + filled, contents.size() - filled);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::unexpected("cannot read " + name + ": " + std::strerror(errno));
        if (got == 0) break;
        filled += static_cast<std::size_t>(got);
    }
    if (filled > static_cast<std::size_t>(kMaxTokenBytes))
        return std::unexpected(name + " is too large to hold a token");
    contents.resize(filled);
    const std::string_view token = trim(contents);
    if (token.empty()) return std::unexpected(name + " is empty; expected the token");
    if (std::any_of(token.begin(), token.end(), is_control_or_space))
        return std::unexpected(name + " holds more than the token (spaces or several lines)");
    return std::string(token);
}

// [SECTION] Reading values
// Each reader leaves the default in place when the key is absent, and records a problem (and
// leaves the default) when the value is wrong. A SectionReader reads one section's table.

class SectionReader {
public:
    SectionReader(const toml::table& table, std::string_view name, Problems& problems)
        : table_(table), name_(name), problems_(problems) {}

    const toml::node* find(std::string_view key) const { return table_.get(key); }
    std::string path(std::string_view key) const { return std::string(name_) + "." + std::string(key); }
    void problem(const toml::node& at, std::string_view key, std::string_view what) const {
        problems_.add(at.source(), path(key), what);
    }

    // The value as text, or a problem. Messages name the key and the line, which is enough to find
    // it; values are not quoted back, apart from short choices a person typed (a backend kind, a
    // language code).
    std::optional<std::string> text(std::string_view key, std::string_view expected = "expected text in quotes") const {
        const toml::node* node = find(key);
        if (node == nullptr) return std::nullopt;
        const auto* value = node->as_string();
        if (value == nullptr) {
            problem(*node, key, expected_not(expected, *node));
            return std::nullopt;
        }
        if (value->get().find('\0') != std::string::npos) {
            problem(*node, key, "expected text without NUL characters");
            return std::nullopt;
        }
        return value->get();
    }

    void string(std::string_view key, std::string& out, std::string_view expected) const {
        if (auto value = text(key, expected)) out = std::move(*value);
    }

    void non_empty_string(std::string_view key, std::string& out, std::string_view what) const {
        auto value = text(key, what);
        if (!value) return;
        if (trim(*value).empty()) {
            problem(*find(key), key, "is empty; " + std::string(what) + ", or remove the key");
            return;
        }
        out = std::move(*value);
    }

    void path_value(std::string_view key, std::filesystem::path& out, const std::filesystem::path& base) const {
        auto value = text(key, "expected a file path in quotes");
        if (!value) return;
        if (value->empty()) return;   // "" is the default: unset
        const std::filesystem::path written(*value);
        out = written.is_relative() && !base.empty() ? base / written : written;
    }

    void url(std::string_view key, std::string& out, bool allow_credentials) const {
        auto value = text(key, "expected an http:// or https:// URL in quotes");
        if (!value || value->empty()) return;
        if (auto why = url_problem(*value, allow_credentials)) {
            problem(*find(key), key, *why);
            return;
        }
        out = std::move(*value);
    }

    void boolean(std::string_view key, bool& out) const {
        const toml::node* node = find(key);
        if (node == nullptr) return;
        if (const auto* value = node->as_boolean()) out = value->get();
        else problem(*node, key, expected_not("expected true or false", *node));
    }

    // A whole number in [min, max] of `unit` ("seconds", "milliseconds").
    void integer(std::string_view key, int& out, int min, int max, std::string_view unit) const {
        const toml::node* node = find(key);
        if (node == nullptr) return;
        const std::string expected = "expected a whole number of " + std::string(unit) + " between " +
                                     std::to_string(min) + " and " + std::to_string(max);
        const auto* value = node->as_integer();
        if (value == nullptr) {
            problem(*node, key, expected_not(expected, *node));
            return;
        }
        if (value->get() < min || value->get() > max) {
            problem(*node, key, expected);
            return;
        }
        out = static_cast<int>(value->get());
    }

    const toml::array* array(std::string_view key, std::string_view expected) const {
        const toml::node* node = find(key);
        if (node == nullptr) return nullptr;
        const auto* value = node->as_array();
        if (value == nullptr) problem(*node, key, expected_not(expected, *node));
        return value;
    }

    // A problem with the `index`th entry (1-based for people) of a list.
    void entry_problem(const toml::node& entry, std::string_view key, std::size_t index, std::string_view what) const {
        problem(entry, key, "entry " + std::to_string(index + 1) + ": " + std::string(what));
    }

    void check_unknown_keys() const {
        const SectionSchema* schema = find_section(name_);
        for (auto&& [key, node] : table_) {
            if (schema != nullptr && has_key(*schema, key.str())) continue;
            problems_.add_at_line(key.source().begin.line, unknown_key_message(name_, key.str()));
        }
    }

private:
    const toml::table& table_;
    std::string_view name_;
    Problems& problems_;
};

// [SECTION] Sections

void read_backend(const SectionReader& in, const std::filesystem::path& base, BackendConfig& out) {
    if (auto kind = in.text("kind", "expected a backend kind in quotes")) {
        if (auto known = backend_kind_from_name(*kind)) {
            out.kind = *known;
        } else {
            // Quoted back only when it looks like a typed name, so the message stays one short line.
            const bool quotable = kind->size() <= 32 && std::none_of(kind->begin(), kind->end(), is_control_or_space);
            std::string what = quotable ? "unknown backend kind \"" + *kind + "\"" : std::string("unknown backend kind");
            const std::string lowered = lower(*kind);
            constexpr BackendKind kKinds[] = {BackendKind::pretix, BackendKind::constantcontact, BackendKind::oveit,
                                              BackendKind::brightstar};
            auto near = std::find_if(std::begin(kKinds), std::end(kKinds), [&](BackendKind candidate) {
                return close_enough(lowered, backend_kind_name(candidate));
            });
            if (near != std::end(kKinds)) what += " \u2014 did you mean \"" + std::string(backend_kind_name(*near)) + "\"?";
            else what += "; expected pretix, constantcontact, oveit or brightstar";
            in.problem(*in.find("kind"), "kind", what);
        }
    }
    in.url("url", out.url, false);
    in.non_empty_string("organizer", out.organizer, "expected the organizer's short name in quotes");
    in.path_value("device_file", out.device_file, base);
    in.path_value("ca_file", out.ca_file, base);

    if (const toml::array* events = in.array("events", "expected a list of event slugs or ids in [ ]")) {
        std::vector<std::string> read;
        bool ok = true;
        for (std::size_t i = 0; i < events->size(); ++i) {
            const toml::node& entry = *events->get(i);
            if (const auto* slug = entry.as_string(); slug != nullptr && !trim(slug->get()).empty() &&
                                                      slug->get().find('\0') == std::string::npos) {
                read.push_back(slug->get());
            } else if (const auto* id = entry.as_integer(); id != nullptr && id->get() > 0) {
                read.push_back(std::to_string(id->get()));
            } else {
                in.entry_problem(entry, "events", i, "expected an event slug in quotes or a positive event id");
                ok = false;
            }
        }
        if (ok) out.events = std::move(read);
    }

    // The token: inline or from a file, never both, never quoted back.
    const toml::node* inline_token = in.find("token");
    if (inline_token != nullptr) {
        if (const auto* token = inline_token->as_string()) {
            const std::string_view value = token->get();
            if (value.empty()) in.problem(*inline_token, "token", "is empty; remove the key or give the token");
            else if (std::any_of(value.begin(), value.end(), is_control_or_space))
                in.problem(*inline_token, "token", "expected the token alone, without spaces");
            else out.token = value;
        } else {
            in.problem(*inline_token, "token", expected_not("expected the token in quotes", *inline_token));
        }
    }
    if (const toml::node* file_node = in.find("token_file")) {
        std::filesystem::path file;
        in.path_value("token_file", file, base);
        if (inline_token != nullptr && !file.empty()) {
            in.problem(*file_node, "token_file",
                       "the token is given both inline (backend.token) and as a file; keep one of them");
        } else if (!file.empty()) {
            if (auto token = read_token_file(file)) {
                out.token = std::move(*token);
                out.token_file = file;
            } else {
                in.problem(*file_node, "token_file", token.error());
            }
        }
    }
}

void read_sync(const SectionReader& in, SyncConfig& out) {
    in.integer("upload_interval_seconds", out.upload_interval_seconds, 1, 3600, "seconds");
    in.integer("download_interval_seconds", out.download_interval_seconds, 1, 86400, "seconds");
    in.boolean("online", out.online);
    in.integer("online_timeout_ms", out.online_timeout_ms, 100, 30000, "milliseconds");
    in.integer("connect_timeout_ms", out.connect_timeout_ms, 100, 120000, "milliseconds");
    in.integer("request_timeout_ms", out.request_timeout_ms, 1000, 600000, "milliseconds");
}

constexpr std::string_view kLanguageCodeExpected = "expected a language code in quotes, such as \"en\" or \"pt-BR\"";

void read_kiosk(const SectionReader& in, const std::filesystem::path& base, KioskOptions& out) {
    if (const toml::array* lists = in.array("lists", "expected a list of check-in list ids in [ ]")) {
        std::vector<int64_t> read;
        bool ok = true;
        for (std::size_t i = 0; i < lists->size(); ++i) {
            const toml::node& entry = *lists->get(i);
            const auto* id = entry.as_integer();
            if (id == nullptr || id->get() < 1) {
                in.entry_problem(entry, "lists", i, "expected a check-in list id (a whole number from 1)");
                ok = false;
            } else if (std::find(read.begin(), read.end(), id->get()) == read.end()) {
                read.push_back(id->get());
            }
        }
        if (ok) out.lists = std::move(read);
    }
    in.non_empty_string("camera", out.camera, "expected a camera URI in quotes (\"auto\", \"none\", ...)");
    in.string("printer", out.printer, "expected a printer URI in quotes");
    in.path_value("badge_layout", out.badge_layout, base);

    bool languages_ok = true;
    if (const toml::array* languages = in.array("languages", "expected a list of language codes in [ ]")) {
        std::vector<std::string> read;
        for (std::size_t i = 0; i < languages->size(); ++i) {
            const toml::node& entry = *languages->get(i);
            const auto* code = entry.as_string();
            if (code == nullptr || !is_language_code(code->get())) {
                in.entry_problem(entry, "languages", i, kLanguageCodeExpected);
                languages_ok = false;
            } else if (std::find(read.begin(), read.end(), code->get()) == read.end()) {
                read.push_back(code->get());
            }
        }
        if (languages_ok && read.empty()) {
            in.problem(*languages, "languages", "expected at least one language code");
            languages_ok = false;
        }
        if (languages_ok) out.languages = std::move(read);
    } else if (in.find("languages") != nullptr) {
        languages_ok = false;
    }
    if (auto language = in.text("default_language", "expected a language code in quotes")) {
        const toml::node& node = *in.find("default_language");
        if (!is_language_code(*language)) {
            in.problem(node, "default_language", kLanguageCodeExpected);
        } else if (languages_ok &&
                   std::find(out.languages.begin(), out.languages.end(), *language) == out.languages.end()) {
            in.problem(node, "default_language", "\"" + *language + "\" is not one of kiosk.languages");
        } else {
            out.default_language = std::move(*language);
        }
    } else if (std::find(out.languages.begin(), out.languages.end(), out.default_language) == out.languages.end()) {
        out.default_language = out.languages.front();
    }

    in.integer("idle_seconds", out.idle_seconds, 5, 3600, "seconds");
    in.integer("still_there_seconds", out.still_there_seconds, 5, 600, "seconds");
    in.integer("rejection_seconds", out.rejection_seconds, 1, 120, "seconds");

    if (const toml::node* node = in.find("staff_pin_hash")) {
        const auto* hash = node->as_string();
        const bool bare_pin = node->is_integer() ||
                              (hash != nullptr && !hash->get().empty() &&
                               std::all_of(hash->get().begin(), hash->get().end(), is_ascii_digit));
        const std::string_view fix = "put the output of `kioskctl pin-hash` here";
        if (bare_pin) in.problem(*node, "staff_pin_hash", "looks like a PIN, not its hash; " + std::string(fix));
        else if (hash == nullptr) in.problem(*node, "staff_pin_hash", expected_not(fix, *node));
        else if (!hash->get().empty() && !looks_like_pin_hash(hash->get()))
            in.problem(*node, "staff_pin_hash", "is not a PIN hash; " + std::string(fix));
        else out.staff_pin_hash = hash->get();
    }
    in.string("staff_code", out.staff_code, "expected the staff card's code in quotes");
    in.boolean("lookup_enabled", out.lookup_enabled);
    in.boolean("manual_entry_enabled", out.manual_entry_enabled);
    in.boolean("preview_badge", out.preview_badge);
    in.boolean("trust_offline_scans", out.trust_offline_scans);
}

void read_webhooks(const SectionReader& in, WebhooksConfig& out) {
    if (const toml::array* urls = in.array("urls", "expected a list of http(s) URLs in [ ]")) {
        std::vector<std::string> read;
        bool ok = true;
        for (std::size_t i = 0; i < urls->size(); ++i) {
            const toml::node& entry = *urls->get(i);
            const auto* url = entry.as_string();
            std::optional<std::string> why;
            if (url == nullptr) why = expected_not("expected an http:// or https:// URL in quotes", entry);
            else why = url_problem(url->get(), true);
            if (why) {
                in.entry_problem(entry, "urls", i, *why);
                ok = false;
            } else {
                read.push_back(url->get());
            }
        }
        if (ok) out.urls = std::move(read);
    }
    if (const toml::node* node = in.find("secret")) {
        if (const auto* secret = node->as_string()) out.secret = secret->get();
        else in.problem(*node, "secret", expected_not("expected the secret in quotes", *node));
    }
}

// [SECTION] Entry points

Outcome<KioskConfig> parse_with_base(std::string_view toml_text, std::string_view source_name,
                                     const std::filesystem::path& base) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& error) {
        const toml::source_index line = error.source().begin.line;
        std::string text = std::string(source_name);
        if (line > 0) text += ":" + std::to_string(line);
        text += ": not valid TOML: ";
        if (may_hold_secret(toml_text, line)) text += "syntax error in a line that holds a secret (details not shown)";
        else text += error.description();
        return std::unexpected(text);
    }

    KioskConfig config;
    Problems problems(source_name);
    for (auto&& [key, node] : root) {
        const SectionSchema* schema = find_section(key.str());
        if (schema == nullptr) {
            if (node.is_table()) problems.add_at_line(key.source().begin.line, unknown_section_message(key.str()));
            else problems.add_at_line(key.source().begin.line, unknown_key_message("", key.str()));
            continue;
        }
        const toml::table* table = node.as_table();
        if (table == nullptr) {
            const std::string expected = "expected a section [" + std::string(key.str()) + "]";
            problems.add(node.source(), key.str(), expected_not(expected, node));
            continue;
        }
        const SectionReader in(*table, schema->name, problems);
        in.check_unknown_keys();
        if (schema->name == "backend") read_backend(in, base, config.backend);
        else if (schema->name == "sync") read_sync(in, config.sync);
        else if (schema->name == "kiosk") read_kiosk(in, base, config.kiosk);
        else if (schema->name == "webhooks") read_webhooks(in, config.webhooks);
    }
    if (!problems.empty()) return std::unexpected(problems.message());
    return config;
}

} // namespace

Outcome<KioskConfig> parse_config(std::string_view toml_text, std::string_view source_name) {
    return parse_with_base(toml_text, source_name, {});
}

Outcome<KioskConfig> load_config(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error) return std::unexpected(name + ": cannot read the configuration: " + error.message());
    if (!std::filesystem::is_regular_file(status)) return std::unexpected(name + ": not a regular file");
    const auto size = std::filesystem::file_size(path, error);
    if (error) return std::unexpected(name + ": cannot read the configuration: " + error.message());
    if (size > kMaxConfigBytes) return std::unexpected(name + ": larger than 1 MiB, not a configuration file");

    std::ifstream file(path, std::ios::binary);
    if (!file) return std::unexpected(name + ": cannot read the configuration: " + std::strerror(errno));
    const std::string contents{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) return std::unexpected(name + ": cannot read the configuration");
    return parse_with_base(contents, name, path.parent_path());
}

} // namespace kiosk
