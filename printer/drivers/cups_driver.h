// Printing through CUPS: the badge as a PDF to a named queue, followed to its end.
//
// Before submitting, the queue's state is read (IPP Get-Printer-Attributes): a stopped or
// rejecting queue and printer-state-reasons that stop printing (media-empty, cover-open,
// offline-report, paused, ...) are reported in words without submitting. The job carries the
// badge's page size as its `media` (a PWG custom size in millimetres), so the queue prints on the
// layout's page rather than its default paper. A job is followed with Get-Job-Attributes until
// completed, aborted or canceled, within the URI's timeout; a job that did not complete is
// canceled before its failure is reported, so a retry never prints a badge twice when the queue
// is restarted later.
//
// URI: cups:QUEUE[?server=HOST[:PORT]&timeout=SECONDS]
//   server   the CUPS server; without it libcups' default applies: the CUPS_SERVER environment
//            variable, then client.conf, then the local scheduler. A path (/run/cups/cups.sock)
//            is a domain socket. PORT defaults to 631.
//   timeout  seconds for the job to complete (default 60)
//
// Thread rule: a driver belongs to the print thread that opened it; it never changes libcups'
// process-wide defaults (no cupsSetServer), so drivers for several servers can live side by side.
// It keeps one connection to the scheduler open between jobs.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
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

struct MediaSize {
    double width_mm = 0, height_mm = 0;     // as the page is drawn: a landscape badge is wider than high
};
// The IPP `media` keyword for a page of that size: PWG 5101.1's self-describing custom name,
// "custom_86x54mm_86x54mm" (sizes to a hundredth of a millimetre), or why there is none.
std::expected<std::string, std::string> cups_media_name(const MediaSize& size);

// Where the last print's time went, in milliseconds since print() (or print_pdf()) was called.
struct CupsConnection;                      // the scheduler connection a driver keeps between jobs (cups_driver.cpp)

struct CupsJobTimes {
    double render_ms = 0;                   // layout -> PDF (print() only)
    double connect_ms = 0;                  // opening the connection; 0 when the kept one served
    double queue_check_ms = 0;              // Get-Printer-Attributes before submitting
    double create_ms = 0;                   // Create-Job
    double send_ms = 0;                     // Send-Document with the PDF, until the scheduler took it
    double spooled_ms = 0;                  // render + spool: from the call until the scheduler accepted the job
    double completed_ms = 0;                // from the call until the job was seen completed (0 if it was not)
    int polls = 0;                          // Get-Job-Attributes requests while following the job
};

class CupsDriver final : public PrinterDriver {
public:
    static std::expected<std::unique_ptr<CupsDriver>, std::string> open(const PrinterUri& uri);
    ~CupsDriver() override;

    const std::string& uri() const override { return uri_.text; }
    PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) override;
    PrinterStatus status() override;

    // Submits a PDF as one job titled `title` on `media` (without it, the queue's default paper)
    // and follows it; the layout path renders and calls this with the layout's page size.
    PrintOutcome print_pdf(std::string_view pdf, const std::string& title, std::optional<MediaSize> media = std::nullopt);
    std::string server() const;             // "HOST:PORT" (or the socket path) this driver talks to
    const CupsJobTimes& last_job_times() const { return times_; }

private:
    using Clock = std::chrono::steady_clock;

    CupsDriver(PrinterUri uri, std::string host, int port, std::chrono::seconds timeout);
    // Submits and follows the job; a failed job also drops the kept connection (run_job does the work).
    PrintOutcome submit(std::string_view pdf, const std::string& title, std::optional<MediaSize> media, Clock::time_point start);
    PrintOutcome run_job(std::string_view pdf, const std::string& title, std::optional<MediaSize> media, Clock::time_point start);
    std::string connect_host() const;       // host_, or libcups' default server
    int connect_port() const;

    PrinterUri uri_;
    std::string host_;                      // empty: libcups' default server
    int port_ = 631;
    std::chrono::seconds timeout_;
    std::unique_ptr<CupsConnection> connection_;   // null until the first request, and after a failed job
    CupsJobTimes times_;
};

} // namespace kiosk::printer
