// Brother QL label printers over raw TCP (port 9100) in the QL raster protocol.
//
// A job: invalidate (NULs), ESC @ (initialize), ESC i a 01 (raster mode, where the model has it),
// ESC i z (media type, width, length, raster line count: the printer checks the loaded roll against
// it), ESC i M 0x40 (auto cut), ESC i A 1 (cut every label), ESC i K 0x08 (cut at end), ESC i d
// (feed margin: 35 dots on continuous rolls, 0 on die-cut labels), M 02 (TIFF PackBits, where the
// model has it), one `g 0x00 N data` per raster line, and 0x1A (print with feeding).
//
// A raster line is the whole print head (90 bytes = 720 pins on the 62 mm models) and runs from
// the label's right edge to its left as it comes out: the badge is mirrored and placed at the
// label's offset from the first pin (table below). Every QL prints at 300 dpi.
//
// Before the job the printer is asked ESC i S; its 32-byte status block says what is loaded and
// what is wrong (no media, end of media, cover open, cutter jam, ...). A loaded roll other than
// the URI's label is refused before printing ("A 29 mm label is loaded, the badge needs 62 mm").
// After the job the printer's own status blocks are read until "printing completed" or an error.
// A printer that never answers the status request (some print servers pass data one way only) is
// printed to without the checks, and the outcome says so.
//
// URI: brother-ql://HOST[:PORT]?model=QL-820NWB&label=62[&cut=1|0&timeout=SECONDS]
//   model  QL-570, QL-700, QL-710W, QL-720NW, QL-800, QL-810W, QL-820NWB (default QL-820NWB)
//   label  a roll: 12 29 38 50 54 62 (continuous, mm), 17x54 17x87 23x23 29x42 29x90 39x48
//          39x90 52x29 62x29 62x100 (die-cut, mm across x along) (default 62)
//   cut    auto cut after each badge (default 1)
//   timeout  seconds for connecting and for each answer (default 5; printing allows 30 more)
//
// Thread rule: a driver belongs to the print thread that opened it.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "printer/badge_render.h"
#include "printer/drivers/printer_uri.h"
#include "printer/printer_driver.h"

namespace kiosk::printer {

struct BrotherQlModel {
    std::string_view name;
    int line_bytes = 90;                    // raster line: the whole head
    bool compression = true;                // takes M 02 (TIFF PackBits)
    bool raster_mode_command = true;        // takes ESC i a 01
    int invalidate_bytes = 200;
};

struct BrotherQlLabel {
    std::string_view id;                    // as in the URI: "62", "62x29"
    int width_mm = 0, length_mm = 0;        // length 0: continuous roll
    int printable_across = 0;               // dots
    int printable_along = 0;                // dots; 0 on a continuous roll
    int offset = 0;                         // dots from the first pin of a raster line to the printable area
    bool die_cut() const { return length_mm > 0; }
    std::string describe() const;           // "62 mm continuous tape", "62 x 29 mm die-cut labels"
};

std::span<const BrotherQlModel> brother_ql_models();
std::span<const BrotherQlLabel> brother_ql_labels();
const BrotherQlModel* find_brother_ql_model(std::string_view name);
const BrotherQlLabel* find_brother_ql_label(std::string_view id);

// TIFF PackBits of one line, as the QL's M 02 mode reads it.
std::string packbits(std::span<const uint8_t> line);

// A whole job printing `raster` (width <= printable_across; on die-cut labels its height is the
// printable length) as one label.
std::string brother_ql_job(const MonoRaster& raster, const BrotherQlModel& model, const BrotherQlLabel& label, bool auto_cut = true);
inline constexpr std::string_view brother_ql_status_request = "\x1b\x69\x53";

// The 32-byte status block.
struct BrotherQlStatus {
    uint8_t error1 = 0, error2 = 0;
    int media_width_mm = 0, media_length_mm = 0;
    uint8_t media_type = 0;                 // 0x0A continuous, 0x0B die-cut, 0x00 none
    uint8_t status_type = 0;                // 0x00 reply, 0x01 printing completed, 0x02 error, 0x06 phase change ...
    uint8_t phase = 0;                      // 0x00 waiting to receive, 0x01 printing
};
std::expected<BrotherQlStatus, std::string> parse_brother_ql_status(std::string_view block);
// The status in words; with `wanted`, a roll other than that label is wrong_media.
PrinterStatus brother_ql_printer_status(const BrotherQlStatus& status, const BrotherQlLabel* wanted);

struct BrotherQlOptions {
    const BrotherQlModel* model = nullptr;
    const BrotherQlLabel* label = nullptr;
    bool auto_cut = true;
    std::chrono::milliseconds timeout{5000};
};

class BrotherQlDriver final : public PrinterDriver {
public:
    static std::expected<std::unique_ptr<BrotherQlDriver>, std::string> open(const PrinterUri& uri);

    const std::string& uri() const override { return uri_.text; }
    PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) override;
    PrinterStatus status() override;

    // Prints an already placed raster (see brother_ql_job); the layout path renders and calls this.
    PrintOutcome print_raster(const MonoRaster& raster);
    const BrotherQlOptions& options() const { return options_; }

private:
    BrotherQlDriver(PrinterUri uri, BrotherQlOptions options) : uri_(std::move(uri)), options_(options) {}
    PrinterUri uri_;
    BrotherQlOptions options_;
};

} // namespace kiosk::printer
