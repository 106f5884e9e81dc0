// Printing through CUPS: the badge as a PDF to a named queue, followed to its end.
//
// Before submitting, the queue's state is read (IPP Get-Printer-Attributes): a stopped or
// rejecting queue and printer-state-reasons that stop printing (media-empty, cover-open,
// offline-report, paused, ...) are reported in words without submitting. A job is followed with
// Get-Job-Attributes until completed, aborted or canceled, within the URI's timeout; a job that
// did not complete is canceled before its failure is reported, so a retry never prints a badge
// twice when the queue is restarted later.
//
// URI: cups:QUEUE[?server=HOST[:PORT]&timeout=SECONDS]
//   server   the CUPS server; without it libcups' default applies: the CUPS_SERVER environment
//            variable, then client.conf, then the local scheduler. A path (/run/cups/cups.sock)
//            is a domain socket. PORT defaults to 631.
//   timeout  seconds for the job to complete (default 60)
//
// Thread rule: a driver belongs to the print thread that opened it; it never changes libcups'
// process-wide defaults (no cupsSetServer), so drivers for several servers can live side by side.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "printer/drivers/printer_uri.h"
#include "printer/printer_driver.h"

namespace kiosk::printer {

struct CupsQueueState {
    int printer_state = 3;                  // IPP: 3 idle, 4 processing, 5 stopped
    bool accepting = true;
    std::vector<std::string> reasons;       // printer-state-reasons, "none" left out
    std::string message;                    // printer-state-message
};
// The queue's state in words for staff ("The print queue 'badges' is stopped ...").
PrinterStatus cups_printer_status(const CupsQueueState& queue_state, std::string_view queue);

class CupsDriver final : public PrinterDriver {
public:
    static std::expected<std::unique_ptr<CupsDriver>, std::string> open(const PrinterUri& uri);

    const std::string& uri() const override { return uri_.text; }
    PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) override;
    PrinterStatus status() override;

    // Submits a PDF as one job titled `title` and follows it; the layout path renders and calls this.
    PrintOutcome print_pdf(std::string_view pdf, const std::string& title);
    std::string server() const;             // "HOST:PORT" (or the socket path) this driver talks to

private:
    CupsDriver(PrinterUri uri, std::string host, int port, std::chrono::seconds timeout)
        : uri_(std::move(uri)), host_(std::move(host)), port_(port), timeout_(timeout) {}
    PrinterUri uri_;
    std::string host_;                      // empty: libcups' default server
    int port_ = 631;
    std::chrono::seconds timeout_;
};

} // namespace kiosk::printer
