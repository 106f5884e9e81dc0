#include "printer/drivers/cups_driver.h"

#include <cups/cups.h>

#include <algorithm>
#include <array>
#include <optional>
#include <thread>

#include "printer/badge_render.h"

namespace kiosk::printer {
namespace {

struct HttpClose {
    void operator()(http_t* http) const { httpClose(http); }
};
struct IppDelete {
    void operator()(ipp_t* ipp) const { ippDelete(ipp); }
};
using Http = std::unique_ptr<http_t, HttpClose>;
using Ipp = std::unique_ptr<ipp_t, IppDelete>;

constexpr int connect_timeout_ms = 5000;
constexpr double io_timeout_seconds = 10;

PrinterStatus trouble(PrinterState state, std::string message, std::vector<std::string> reasons = {}) {
    return {state, std::move(message), std::move(reasons)};
}

std::string without_severity(std::string_view reason) {
    for (std::string_view suffix : {"-error", "-warning", "-report"})
        if (reason.ends_with(suffix)) return std::string(reason.substr(0, reason.size() - suffix.size()));
    return std::string(reason);
}

std::string printer_uri_of(std::string_view queue) {
    std::array<char, HTTP_MAX_URI> uri{};
    httpAssembleURIf(HTTP_URI_CODING_ALL, uri.data(), static_cast<int>(uri.size()), "ipp", nullptr, "localhost", 0, "/printers/%s",
                     std::string(queue).c_str());
    return uri.data();
}

std::vector<std::string> strings_of(ipp_t* response, const char* name) {
    std::vector<std::string> values;
    if (ipp_attribute_t* attribute = ippFindAttribute(response, name, IPP_TAG_ZERO))
        for (int i = 0; i < ippGetCount(attribute); ++i)
            if (const char* value = ippGetString(attribute, i, nullptr)) values.emplace_back(value);
    return values;
}

std::string string_of(ipp_t* response, const char* name) {
    const auto values = strings_of(response, name);
    return values.empty() ? std::string() : values.front();
}

int integer_of(ipp_t* response, const char* name, int fallback) {
    ipp_attribute_t* attribute = ippFindAttribute(response, name, IPP_TAG_ZERO);
    return attribute ? ippGetInteger(attribute, 0) : fallback;
}

// The words staff read for one printer-state-reason (without its -error/-warning/-report).
struct ReasonWords {
    std::string_view keyword;
    PrinterState state;
    std::string_view message;
};
constexpr std::array reason_words{
    ReasonWords{"media-empty", PrinterState::out_of_media, "The printer is out of labels."},
    ReasonWords{"media-needed", PrinterState::out_of_media, "The printer needs labels loaded."},
    ReasonWords{"media-jam", PrinterState::error, "A label is jammed in the printer."},
    ReasonWords{"cover-open", PrinterState::cover_open, "The printer's cover is open: close it."},
    ReasonWords{"door-open", PrinterState::cover_open, "The printer's door is open: close it."},
    ReasonWords{"interlock-open", PrinterState::cover_open, "The printer's cover is open: close it."},
    ReasonWords{"offline", PrinterState::offline, "The printer is offline: CUPS cannot reach it."},
    ReasonWords{"timed-out", PrinterState::offline, "The printer stopped answering CUPS."},
    ReasonWords{"shutdown", PrinterState::offline, "The printer is switched off."},
    ReasonWords{"marker-supply-empty", PrinterState::out_of_media, "The printer's ribbon or ink has run out."},
    ReasonWords{"toner-empty", PrinterState::out_of_media, "The printer's toner has run out."},
    ReasonWords{"input-tray-missing", PrinterState::out_of_media, "The printer's label tray is missing."},
    ReasonWords{"media-size-mismatch", PrinterState::wrong_media, "The loaded labels are not the size the queue prints on."},
    ReasonWords{"paused", PrinterState::queue_stopped, "The print queue is paused."},
};

Http connect(const std::string& host, int port) {
    http_t* http = httpConnect2(host.c_str(), port, nullptr, AF_UNSPEC, cupsEncryption(), 1, connect_timeout_ms, nullptr);
    if (http) httpSetTimeout(http, io_timeout_seconds, nullptr, nullptr);
    return Http(http);
}

struct QueueAnswer {
    std::optional<CupsQueueState> state;
    std::optional<PrinterStatus> trouble;   // the queue cannot be asked (no such queue, server gone)
};

QueueAnswer ask_queue(http_t* http, const std::string& queue, const std::string& server) {
    ipp_t* request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
    static const char* const wanted[] = {"printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs"};
    ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, nullptr, wanted);
    const Ipp response(cupsDoRequest(http, request, "/"));
    const ipp_status_t status = cupsLastError();
    if (status == IPP_STATUS_ERROR_NOT_FOUND)
        return {{}, trouble(PrinterState::error, "There is no print queue named '" + queue + "' on the CUPS server " + server + ".")};
    if (!response || status > IPP_STATUS_OK_CONFLICTING)
        return {{}, trouble(PrinterState::offline, "The CUPS server " + server + " did not answer: " + cupsLastErrorString() + ".")};
    CupsQueueState state;
    state.printer_state = integer_of(response.get(), "printer-state", 3);
    ipp_attribute_t* accepting = ippFindAttribute(response.get(), "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
    state.accepting = !accepting || ippGetBoolean(accepting, 0);
    for (std::string& reason : strings_of(response.get(), "printer-state-reasons"))
        if (reason != "none") state.reasons.push_back(std::move(reason));
    state.message = string_of(response.get(), "printer-state-message");
    return {state, {}};
}

} // namespace

PrinterStatus cups_printer_status(const CupsQueueState& queue_state, std::string_view queue) {
    PrinterStatus status;
    status.reasons = queue_state.reasons;
    const std::string name = "'" + std::string(queue) + "'";
    const std::string printer_says = queue_state.message.empty() ? "" : " (CUPS says: " + queue_state.message + ")";
    // Faults of the printer first: they are what staff must fix, and CUPS stops a queue because of them.
    for (const ReasonWords& words : reason_words) {
        if (words.state == PrinterState::queue_stopped) continue;
        for (const std::string& reason : queue_state.reasons) {
            if (reason.ends_with("-warning") || without_severity(reason) != words.keyword) continue;
            status.state = words.state;
            status.message = std::string(words.message) + printer_says;
            if (queue_state.printer_state == 5) status.message += " The queue " + name + " is stopped until it is enabled again (cupsenable).";
            return status;
        }
    }
    if (queue_state.printer_state == 5) {
        status.state = PrinterState::queue_stopped;
        status.message = "The print queue " + name + " is stopped" + printer_says + ": enable it again (cupsenable " + std::string(queue) + ").";
        return status;
    }
    if (!queue_state.accepting) {
        status.state = PrinterState::queue_stopped;
        status.message = "The print queue " + name + " is rejecting jobs" + printer_says + ": let it accept them again (cupsaccept " +
                         std::string(queue) + ").";
        return status;
    }
    const bool paused = std::ranges::any_of(queue_state.reasons, [](const std::string& reason) { return without_severity(reason) == "paused"; });
    if (paused) {
        status.state = PrinterState::queue_stopped;
        status.message = "The print queue " + name + " is paused.";
        return status;
    }
    status.state = queue_state.printer_state == 4 ? PrinterState::busy : PrinterState::ready;
    status.message = queue_state.printer_state == 4 ? "The printer is printing." : "The printer is ready.";
    return status;
}

std::expected<std::unique_ptr<CupsDriver>, std::string> CupsDriver::open(const PrinterUri& uri) {
    static constexpr std::array<std::string_view, 2> known{"server", "timeout"};
    if (auto checked = check_known_options(uri, known); !checked) return std::unexpected(checked.error());
    auto timeout = option_int(uri, "timeout", 60, 1, 3600);
    if (!timeout) return std::unexpected(timeout.error());
    std::string host;
    int port = 631;
    if (const auto server = option(uri, "server")) {
        if (server->empty()) return std::unexpected("Printer URI '" + uri.text + "': server is empty (expected HOST[:PORT]).");
        if (server->front() == '/') {
            host = *server;
        } else {
            auto parsed = parse_printer_uri("zpl://" + *server);
            if (!parsed || !parsed->query.empty())
                return std::unexpected("Printer URI '" + uri.text + "': server must be HOST[:PORT] or a socket path, got '" + *server + "'.");
            host = parsed->host;
            const bool has_port = server->front() == '[' ? server->find("]:") != std::string::npos : server->find(':') != std::string::npos;
            if (has_port) port = parsed->port;
        }
    }
    return std::unique_ptr<CupsDriver>(new CupsDriver(uri, std::move(host), port, std::chrono::seconds(*timeout)));
}

std::string CupsDriver::server() const {
    if (!host_.empty()) return host_.front() == '/' ? host_ : host_port(host_, static_cast<uint16_t>(port_));
    const std::string host = cupsServer();
    return host.front() == '/' ? host : host_port(host, static_cast<uint16_t>(ippPort()));
}

PrinterStatus CupsDriver::status() {
    const std::string host = host_.empty() ? std::string(cupsServer()) : host_;
    const int port = host_.empty() ? ippPort() : port_;
    const Http http = connect(host, port);
    if (!http) return trouble(PrinterState::offline, "The CUPS server " + server() + " cannot be reached: " + cupsLastErrorString() + ".");
    QueueAnswer answer = ask_queue(http.get(), uri_.queue, server());
    if (answer.trouble) return *answer.trouble;
    return cups_printer_status(*answer.state, uri_.queue);
}

PrintOutcome CupsDriver::print(const BadgeLayout& layout, const BadgeData& data) {
    auto pdf = render_pdf(layout, data);
    if (!pdf) return std::unexpected(trouble(PrinterState::error, "The badge could not be drawn: " + pdf.error()));
    return print_pdf(*pdf, "kiosk badge");
}

PrintOutcome CupsDriver::print_pdf(std::string_view pdf, const std::string& title) {
    const std::string host = host_.empty() ? std::string(cupsServer()) : host_;
    const int port = host_.empty() ? ippPort() : port_;
    const std::string where = server();
    const std::string& queue = uri_.queue;
    const Http http = connect(host, port);
    if (!http) return std::unexpected(trouble(PrinterState::offline, "The CUPS server " + where + " cannot be reached: " + cupsLastErrorString() + "."));

    QueueAnswer before = ask_queue(http.get(), queue, where);
    if (before.trouble) return std::unexpected(*before.trouble);
    if (PrinterStatus status = cups_printer_status(*before.state, queue); status.state != PrinterState::ready && status.state != PrinterState::busy)
        return std::unexpected(status);

    // Create-Job by hand: cupsCreateJob() looks the queue up as a destination first, through the
    // default server rather than this connection's.
    ipp_t* create = ippNewRequest(IPP_OP_CREATE_JOB);
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, cupsUser());
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, title.c_str());
    const Ipp created(cupsDoRequest(http.get(), create, ("/printers/" + queue).c_str()));
    const int job = created && cupsLastError() <= IPP_STATUS_OK_CONFLICTING ? integer_of(created.get(), "job-id", 0) : 0;
    if (job <= 0)
        return std::unexpected(trouble(PrinterState::error, "CUPS refused the badge on '" + queue + "': " + cupsLastErrorString() + "."));
    const std::string job_name = "CUPS job " + std::to_string(job) + " on '" + queue + "'";
    // From here on, every failure cancels the job: staff may restart the queue later, and the
    // print queue's retry must then be the only copy.
    const auto fail = [&](PrinterStatus status) -> PrintOutcome {
        cupsCancelJob2(http.get(), queue.c_str(), job, 0);
        status.message += " (" + job_name + " was canceled.)";
        return std::unexpected(std::move(status));
    };
    if (cupsStartDocument(http.get(), queue.c_str(), job, "badge.pdf", CUPS_FORMAT_PDF, 1) != HTTP_STATUS_CONTINUE ||
        cupsWriteRequestData(http.get(), pdf.data(), pdf.size()) != HTTP_STATUS_CONTINUE) {
        const std::string why = cupsLastErrorString();
        cupsFinishDocument(http.get(), queue.c_str());
        return fail(trouble(PrinterState::error, "Sending the badge to CUPS failed: " + why + "."));
    }
    if (cupsFinishDocument(http.get(), queue.c_str()) > IPP_STATUS_OK_CONFLICTING)
        return fail(trouble(PrinterState::error, "CUPS did not take the badge: " + std::string(cupsLastErrorString()) + "."));

    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    auto pause = std::chrono::milliseconds(50);
    for (;;) {
        ipp_t* request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job);
        static const char* const wanted[] = {"job-state", "job-state-reasons", "job-printer-state-message", "job-impressions-completed"};
        ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, nullptr, wanted);
        const Ipp response(cupsDoRequest(http.get(), request, "/"));
        if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING)
            return fail(trouble(PrinterState::offline, "The CUPS server " + where + " stopped answering about " + job_name + ": " + cupsLastErrorString() + "."));
        const int state = integer_of(response.get(), "job-state", IPP_JSTATE_PENDING);
        const std::string job_says = string_of(response.get(), "job-printer-state-message");
        if (state == IPP_JSTATE_COMPLETED)
            return Printed{std::max(1, integer_of(response.get(), "job-impressions-completed", 1)), job_name + " completed"};
        if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED) {
            // CUPS stops the queue when its backend fails: say why, as the queue sees it.
            QueueAnswer now = ask_queue(http.get(), queue, where);
            PrinterStatus status = now.state ? cups_printer_status(*now.state, queue) : trouble(PrinterState::error, "");
            if (status.state == PrinterState::ready || status.state == PrinterState::busy) status.state = PrinterState::error;
            status.message = job_name + (state == IPP_JSTATE_ABORTED ? " was aborted" : " was canceled") +
                             (job_says.empty() ? "" : " (" + job_says + ")") + "." + (status.message.empty() ? "" : " " + status.message);
            for (std::string& reason : strings_of(response.get(), "job-state-reasons")) status.reasons.push_back("job: " + reason);
            return std::unexpected(std::move(status));
        }
        {
            // Waiting behind a stopped queue, or a printer that went offline or ran out while the
            // job was on its way: that is the answer for staff, now rather than at the timeout.
            QueueAnswer now = ask_queue(http.get(), queue, where);
            if (now.state) {
                PrinterStatus status = cups_printer_status(*now.state, queue);
                if (status.state != PrinterState::ready && status.state != PrinterState::busy) return fail(std::move(status));
            }
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(trouble(PrinterState::error, job_name + " did not finish within " + std::to_string(timeout_.count()) + " s" +
                                                         (job_says.empty() ? "" : " (" + job_says + ")") + "."));
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(500));
    }
}

} // namespace kiosk::printer
