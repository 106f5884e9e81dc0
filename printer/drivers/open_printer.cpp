// open_printer() and printer_state_name() of printer_driver.h: the URI picks the driver.
#include "printer/printer_driver.h"

#include "printer/drivers/brother_ql_driver.h"
#include "printer/drivers/cups_driver.h"
#include "printer/drivers/file_driver.h"
#include "printer/drivers/printer_uri.h"
#include "printer/drivers/zpl_driver.h"

namespace kiosk::printer {

std::string_view printer_state_name(PrinterState state) {
    switch (state) {
    case PrinterState::ready: return "ready";
    case PrinterState::busy: return "busy";
    case PrinterState::offline: return "offline";
    case PrinterState::out_of_media: return "out_of_media";
    case PrinterState::cover_open: return "cover_open";
    case PrinterState::wrong_media: return "wrong_media";
    case PrinterState::queue_stopped: return "queue_stopped";
    case PrinterState::error: return "error";
    }
    return "error";
}

std::expected<std::unique_ptr<PrinterDriver>, std::string> open_printer(std::string_view text) {
    auto uri = parse_printer_uri(text);
    if (!uri) return std::unexpected(uri.error());
    const auto as_driver = [](auto opened) -> std::expected<std::unique_ptr<PrinterDriver>, std::string> {
        if (!opened) return std::unexpected(opened.error());
        return std::unique_ptr<PrinterDriver>(std::move(*opened));
    };
    switch (uri->scheme) {
    case PrinterScheme::cups: return as_driver(CupsDriver::open(*uri));
    case PrinterScheme::zpl: return as_driver(ZplDriver::open(*uri));
    case PrinterScheme::brother_ql: return as_driver(BrotherQlDriver::open(*uri));
    case PrinterScheme::file: return as_driver(FileDriver::open(*uri));
    }
    return std::unexpected("Unknown printer URI '" + std::string(text) + "'.");
}

} // namespace kiosk::printer
