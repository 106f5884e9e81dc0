#include "printer/drivers/printer_uri.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace kiosk::printer {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::expected<std::string, std::string> percent_decoded(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i] == '+' ? ' ' : text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::unexpected("a '%' not followed by two hex digits");
        const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::unexpected("a '%' not followed by two hex digits");
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// "HOST[:PORT]" of zpl:// and brother-ql://.
std::expected<void, std::string> parse_authority(std::string_view authority, PrinterUri& uri) {
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::unexpected("an IPv6 address opened with '[' is never closed with ']'");
        uri.host = std::string(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return std::unexpected("expected ':PORT' after the IPv6 address, got " + quoted(rest));
            port_text = rest.substr(1);
            if (port_text.empty()) return std::unexpected("a ':' with no port after it");
        }
    } else {
        const size_t colon = authority.rfind(':');
        if (colon != std::string_view::npos && authority.find(':') != colon)
            return std::unexpected("an IPv6 address must be written in brackets ([::1]:9100)");
        uri.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return std::unexpected("a ':' with no port after it");
        }
    }
    if (uri.host.empty()) return std::unexpected("no printer host (expected HOST[:PORT])");
    if (std::ranges::any_of(uri.host, [](char c) { return c == '/' || c == '@' || c == ' ' || c == '?' || c == '#'; }))
        return std::unexpected("the host " + quoted(uri.host) + " has characters a host name cannot have");
    if (!port_text.empty()) {
        unsigned port = 0;
        const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
            return std::unexpected("the port " + quoted(port_text) + " is not a number from 1 to 65535");
        uri.port = static_cast<uint16_t>(port);
    }
    return {};
}

std::expected<void, std::string> parse_query(std::string_view query, PrinterUri& uri) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) return std::unexpected("the option " + quoted(pair) + " is not KEY=VALUE");
        auto key = percent_decoded(pair.substr(0, eq));
        auto value = percent_decoded(pair.substr(eq + 1));
        if (!key || !value) return std::unexpected("the option " + quoted(pair) + " has " + (key ? value.error() : key.error()));
        if (uri.query.contains(*key)) return std::unexpected("the option " + quoted(*key) + " is given twice");
        uri.query.emplace(std::move(*key), std::move(*value));
    }
    return {};
}

std::expected<PrinterUri, std::string> parse(std::string_view text) {
    PrinterUri uri;
    uri.text = std::string(text);
    const size_t question = text.find('?');
    std::string_view head = text.substr(0, question);
    if (question != std::string_view::npos)
        if (auto parsed = parse_query(text.substr(question + 1), uri); !parsed) return std::unexpected(parsed.error());

    if (head.starts_with("cups:")) {
        uri.scheme = PrinterScheme::cups;
        head.remove_prefix(5);
        if (head.starts_with("//")) return std::unexpected("write a CUPS queue as cups:QUEUE (no '//'); the server goes in ?server=HOST:PORT");
        auto queue = percent_decoded(head);
        if (!queue) return std::unexpected("the queue name has " + queue.error());
        if (queue->empty()) return std::unexpected("no queue name (expected cups:QUEUE)");
        // CUPS refuses these in a queue name (lpadmin: "printer name can only contain printable characters").
        if (std::ranges::any_of(*queue, [](char c) { return c <= ' ' || c == 127 || c == '/' || c == '#' || c == '\\' || c == '\'' || c == '"'; }))
            return std::unexpected("the queue name " + quoted(*queue) + " has a space, '/', '#', a quote or a control character, which CUPS does not allow");
        uri.queue = std::move(*queue);
        return uri;
    }
    if (head.starts_with("file:")) {
        uri.scheme = PrinterScheme::file;
        head.remove_prefix(5);
        if (head.starts_with("//")) {
            head.remove_prefix(2);
            if (!head.starts_with('/')) return std::unexpected("file:// must be followed by an absolute path (file:///var/badges); or write file:DIR");
        }
        auto path = percent_decoded(head);
        if (!path) return std::unexpected("the directory has " + path.error());
        if (path->empty()) return std::unexpected("no directory (expected file:DIR)");
        uri.path = std::move(*path);
        return uri;
    }
    std::string_view rest;
    if (head.starts_with("zpl://")) {
        uri.scheme = PrinterScheme::zpl;
        rest = head.substr(6);
    } else if (head.starts_with("brother-ql://")) {
        uri.scheme = PrinterScheme::brother_ql;
        rest = head.substr(13);
    } else if (head.starts_with("zpl:") || head.starts_with("brother-ql:")) {
        return std::unexpected("a network printer is written with '//' before its host (zpl://HOST:PORT, brother-ql://HOST:PORT)");
    } else {
        return std::unexpected("unknown kind of printer: expected cups:QUEUE, zpl://HOST:PORT, brother-ql://HOST:PORT?model=...&label=... or file:DIR");
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) return std::unexpected("a network printer takes no path after HOST:PORT");
    if (auto parsed = parse_authority(rest, uri); !parsed) return std::unexpected(parsed.error());
    return uri;
}

} // namespace

std::expected<PrinterUri, std::string> parse_printer_uri(std::string_view uri) {
    if (uri.empty()) return std::unexpected("The printer URI is empty.");
    auto parsed = parse(uri);
    if (!parsed) return std::unexpected("Printer URI '" + std::string(uri) + "': " + parsed.error() + ".");
    return parsed;
}

std::expected<void, std::string> check_known_options(const PrinterUri& uri, std::span<const std::string_view> known) {
    for (const auto& [key, value] : uri.query) {
        if (std::ranges::find(known, key) != known.end()) continue;
        std::string message = "Printer URI '" + uri.text + "': unknown option " + quoted(key);
        std::string_view best;
        size_t best_distance = 3;
        for (std::string_view candidate : known) {
            const size_t distance = edit_distance(key, candidate);
            if (distance < best_distance) best = candidate, best_distance = distance;
        }
        if (!best.empty()) message += ": did you mean " + quoted(best) + "?";
        else {
            message += " (known:";
            for (std::string_view candidate : known) message += " " + std::string(candidate);
            message += ").";
        }
        return std::unexpected(message);
    }
    return {};
}

std::optional<std::string> option(const PrinterUri& uri, std::string_view key) {
    const auto found = uri.query.find(std::string(key));
    if (found == uri.query.end()) return std::nullopt;
    return found->second;
}

std::expected<int, std::string> option_int(const PrinterUri& uri, std::string_view key, int fallback, int min, int max) {
    const auto text = option(uri, key);
    if (!text) return fallback;
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value < min || value > max)
        return std::unexpected("Printer URI '" + uri.text + "': " + std::string(key) + " must be a whole number from " +
                               std::to_string(min) + " to " + std::to_string(max) + ", got " + quoted(*text) + ".");
    return value;
}

std::string host_port(std::string_view host, uint16_t port) {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    return (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

} // namespace kiosk::printer
