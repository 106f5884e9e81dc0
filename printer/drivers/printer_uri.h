// The printer URI, split once (printer_driver.h lists the four forms):
//   cups:QUEUE[?server=HOST:PORT&timeout=SECONDS]
//   zpl://HOST[:PORT][?dpi=203&darkness=15&label=WxH&timeout=SECONDS]
//   brother-ql://HOST[:PORT]?model=QL-820NWB&label=62[&timeout=SECONDS]
//   file:DIR[?format=pdf|png&dpi=300]           (also file:///ABSOLUTE/DIR)
// PORT defaults to 9100, the raw printing port of Zebra and Brother network printers. IPv6
// literals are written in brackets (zpl://[::1]:9100). Query values are percent-decoded.
//
// Only the shape is checked here; what an option means (and whether its value is allowed) is the
// driver's to say, with `option_*` below, so every driver words its refusals the same way.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kiosk::printer {

enum class PrinterScheme { cups, zpl, brother_ql, file };

struct PrinterUri {
    std::string text;                       // the URI as given
    PrinterScheme scheme = PrinterScheme::file;
    std::string host;                       // zpl, brother-ql (brackets removed)
    uint16_t port = 9100;                   // zpl, brother-ql
    std::string queue;                      // cups
    std::string path;                       // file
    std::map<std::string, std::string> query;
};

std::expected<PrinterUri, std::string> parse_printer_uri(std::string_view uri);

// A refusal of any option not in `known` ("unknown option 'dpl' in zpl://...: did you mean 'dpi'?").
std::expected<void, std::string> check_known_options(const PrinterUri& uri, std::span<const std::string_view> known);
// The option as an integer within [min, max], or `fallback` when absent.
std::expected<int, std::string> option_int(const PrinterUri& uri, std::string_view key, int fallback, int min, int max);
std::optional<std::string> option(const PrinterUri& uri, std::string_view key);

// "HOST:PORT", with brackets for an IPv6 literal: for messages and for the CUPS server option.
std::string host_port(std::string_view host, uint16_t port);

} // namespace kiosk::printer
