// Printers, chosen by a URI:
//   cups:QUEUE                                     libcups: submit, follow the job to its end
//   zpl://HOST:PORT?dpi=203&darkness=15            Zebra: the badge as a ZPL graphic field (^GF)
//   brother-ql://HOST:PORT?model=QL-820NWB&label=62   Brother QL raster protocol, with its status block
//   file:DIR?format=pdf|png                        a file per badge
// A printer's trouble (offline, out of labels, cover open, queue stopped, wrong label loaded)
// is a PrinterStatus value with a sentence for staff, never an exception.
//
// Thread rule: a driver belongs to the print thread that opened it.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "printer/badge_data.h"
#include "printer/badge_layout.h"

namespace kiosk::printer {

enum class PrinterState {
    ready,
    busy,
    offline,            // cannot be reached
    out_of_media,       // no labels / paper
    cover_open,
    wrong_media,        // a label of another size than the layout is loaded
    queue_stopped,      // CUPS: the queue is paused or rejecting jobs
    error,              // any other fault, in `message`
};

std::string_view printer_state_name(PrinterState state);   // "ready", "out_of_media", ... for JSON

struct PrinterStatus {
    PrinterState state = PrinterState::ready;
    std::string message;                    // one sentence for staff ("The printer is out of labels.")
    std::vector<std::string> reasons;       // the printer's own words (CUPS printer-state-reasons, status bits)
};

struct Printed {
    int pages = 1;
    std::string detail;                     // e.g. the CUPS job id or the file written
};

using PrintOutcome = std::expected<Printed, PrinterStatus>;

class PrinterDriver {
public:
    virtual ~PrinterDriver() = default;
    virtual const std::string& uri() const = 0;
    // Renders the badge as this printer needs it and prints it; returns when the printer has it
    // (CUPS: the job completed) or with the status that stopped it.
    virtual PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) = 0;
    virtual PrinterStatus status() = 0;
};

// The driver for `uri`, or a sentence saying what is wrong with it.
std::expected<std::unique_ptr<PrinterDriver>, std::string> open_printer(std::string_view uri);

} // namespace kiosk::printer
