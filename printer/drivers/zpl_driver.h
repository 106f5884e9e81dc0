// Zebra label printers over raw TCP (port 9100) in ZPL II.
//
// A badge is one label: ^XA, ^PW (width in dots), ^LL (length), ^MD (darkness, when the URI sets
// it), the badge as one graphic field ^FO0,0^GFA with ZPL's ASCII run-length compression, ^XZ.
// Before every label the printer is asked ~HS (host status): paper out, head open, ribbon out and
// pause are refused before anything is sent; after the label the status is read again, so a
// printer that ran out or was opened while taking the label says so. ~HS is answered at once,
// so "done" means the printer holds the label, not that it has finished printing it.
//
// URI: zpl://HOST[:PORT][?dpi=203|300|600&darkness=-30..30&label=WxH&timeout=SECONDS]
//   dpi       the print head's resolution (default 203)
//   darkness  ^MD, relative to the printer's own setting (default: not sent)
//   label     the label in millimetres, W across the head x H along the feed (e.g. 102x76):
//             the badge is turned and shrunk to fit it; without it the label is the layout's page
//   timeout   seconds for connecting and for each answer (default 5)
//
// Thread rule: a driver belongs to the print thread that opened it.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "printer/badge_render.h"
#include "printer/drivers/printer_uri.h"
#include "printer/printer_driver.h"

namespace kiosk::printer {

struct ZplOptions {
    int dpi = 203;
    std::optional<int> darkness;            // ^MD -30..30
    std::optional<double> label_width_mm, label_length_mm;
    std::chrono::milliseconds timeout{5000};
};

// One label holding `raster` as a compressed ^GFA graphic field.
std::string zpl_label(const MonoRaster& raster, const ZplOptions& options);
// ZPL's ASCII compression of hex graphic data (G..Y, g..z repeat counts, ',' '!' ':' row codes).
std::string zpl_compress_rows(const MonoRaster& raster);

// What ~HS reports, from its three <STX>...<ETX> lines.
struct ZplHostStatus {
    bool paper_out = false, paused = false, buffer_full = false, under_temperature = false, over_temperature = false,
         corrupt_ram = false, head_up = false, ribbon_out = false;
    int formats_in_buffer = 0;
};
std::expected<ZplHostStatus, std::string> parse_zpl_host_status(std::string_view answer);
PrinterStatus zpl_printer_status(const ZplHostStatus& host);

class ZplDriver final : public PrinterDriver {
public:
    static std::expected<std::unique_ptr<ZplDriver>, std::string> open(const PrinterUri& uri);

    const std::string& uri() const override { return uri_.text; }
    PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) override;
    PrinterStatus status() override;

    // Prints an already rendered label (width = ^PW); the layout path renders and calls this.
    PrintOutcome print_raster(const MonoRaster& raster);
    const ZplOptions& options() const { return options_; }

private:
    ZplDriver(PrinterUri uri, ZplOptions options) : uri_(std::move(uri)), options_(options) {}
    PrinterUri uri_;
    ZplOptions options_;
};

} // namespace kiosk::printer
