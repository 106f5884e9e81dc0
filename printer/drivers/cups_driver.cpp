#include "printer/drivers/cups_driver.h"

#include <cups/cups.h>

#include <algorithm>
#include <array>
#include <cmath>
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

// Following a job: a badge through a filter chain (cups-pdf: pdftopdf, pdftops, Ghostscript) takes
// a few hundred milliseconds, and every poll interval is added to what the attendee waits at its
// end, so the job is asked after often at first. A job still going after that waits on a printer
// (warming up, out of labels, offline): a human-scale interval then spares the scheduler.
using namespace std::chrono_literals;
constexpr auto fast_poll = 20ms;
constexpr auto fast_poll_for = 3s;
constexpr auto slow_poll = 250ms;
// The queue's own state while a job waits (stopped, printer offline or out of labels) is news
// for staff within a fraction of a second; asking at every 20 ms poll would double the requests.
constexpr auto queue_check_every = 250ms;

double ms_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

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
    bool unanswered = false;                // no IPP response at all: the connection failed
};

QueueAnswer ask_queue(http_t* http, const std::string& queue, const std::string& server) {
    ipp_t* request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
    static const char* const wanted[] = {"printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs"};
    ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, nullptr, wanted);
    const Ipp response(cupsDoRequest(http, request, "/"));
    const ipp_status_t status = cupsLastError();
    if (status == IPP_STATUS_ERROR_NOT_FOUND)
        return {{}, trouble(PrinterState::error, "There is no print queue named '" + queue + "' on the CUPS server " + server + "."), false};
    if (!response || status > IPP_STATUS_OK_CONFLICTING)
        return {{}, trouble(PrinterState::offline, "The CUPS server " + server + " did not answer: " + cupsLastErrorString() + "."), !response};
    CupsQueueState state;
    state.printer_state = integer_of(response.get(), "printer-state", 3);
    ipp_attribute_t* accepting = ippFindAttribute(response.get(), "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
    state.accepting = !accepting || ippGetBoolean(accepting, 0);
    for (std::string& reason : strings_of(response.get(), "printer-state-reasons"))
        if (reason != "none") state.reasons.push_back(std::move(reason));
    state.message = string_of(response.get(), "printer-state-message");
    return {state, {}, false};
}

} // namespace

struct CupsConnection {
    Http http;
    bool served = false;                    // has answered before: the scheduler may have closed it since
};

namespace {

// The queue's state over the driver's kept connection, opening it when there is none (nullopt:
// the server cannot be reached). A connection kept from an earlier job that gets no answer at all
// is reopened and asked once more: cupsd may close a client that sat idle (its Timeout) and
// drops every client when it restarts, and asking for a queue's state changes nothing.
std::optional<QueueAnswer> ask_queue_kept(std::unique_ptr<CupsConnection>& connection, const std::string& host, int port,
                                          const std::string& queue, const std::string& server) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!connection) {
            Http http = connect(host, port);
            if (!http) return std::nullopt;
            connection = std::make_unique<CupsConnection>(CupsConnection{std::move(http), false});
        }
        QueueAnswer answer = ask_queue(connection->http.get(), queue, server);
        if (!answer.unanswered) {
            connection->served = true;
            return answer;
        }
        const bool was_kept = connection->served;
        connection.reset();
        if (!was_kept) return answer;
    }
    return std::nullopt;   // not reached: the second attempt is on a fresh connection
}

} // namespace

std::expected<std::string, std::string> cups_media_name(const MediaSize& size) {
    // PWG sizes are integers in hundredths of a millimetre; CUPS maps a custom name onto the PPD's
    // custom page size (cups-pdf: Custom.WxH in whole points) or onto a listed size within 5 points.
    const auto hundredths = [](double mm) { return std::isfinite(mm) && mm > 0 && mm < 100000 ? std::lround(mm * 100) : 0L; };
    const long width = hundredths(size.width_mm), height = hundredths(size.height_mm);
    std::array<char, 128> name{};
    if (width <= 0 || height <= 0 ||
        !pwgFormatSizeName(name.data(), name.size(), "custom", nullptr, static_cast<int>(width), static_cast<int>(height), "mm"))
        return std::unexpected("the page size " + std::to_string(size.width_mm) + " x " + std::to_string(size.height_mm) +
                               " mm has no IPP media name");
    return std::string(name.data());
}

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

CupsDriver::CupsDriver(PrinterUri uri, std::string host, int port, std::chrono::seconds timeout)
    : uri_(std::move(uri)), host_(std::move(host)), port_(port), timeout_(timeout) {}

CupsDriver::~CupsDriver() = default;

std::string CupsDriver::connect_host() const { return host_.empty() ? std::string(cupsServer()) : host_; }
int CupsDriver::connect_port() const { return host_.empty() ? ippPort() : port_; }

std::string CupsDriver::server() const {
    if (!host_.empty()) return host_.front() == '/' ? host_ : host_port(host_, static_cast<uint16_t>(port_));
    const std::string host = cupsServer();
    return host.front() == '/' ? host : host_port(host, static_cast<uint16_t>(ippPort()));
}

PrinterStatus CupsDriver::status() {
    const std::optional<QueueAnswer> answer = ask_queue_kept(connection_, connect_host(), connect_port(), uri_.queue, server());
    if (!answer) return trouble(PrinterState::offline, "The CUPS server " + server() + " cannot be reached: " + cupsLastErrorString() + ".");
    if (answer->trouble) return *answer->trouble;
    return cups_printer_status(*answer->state, uri_.queue);
}

PrintOutcome CupsDriver::print(const BadgeLayout& layout, const BadgeData& data) {
    const auto start = Clock::now();
    times_ = {};
    auto pdf = render_pdf(layout, data);
    times_.render_ms = ms_between(start, Clock::now());
    if (!pdf) return std::unexpected(trouble(PrinterState::error, "The badge could not be drawn: " + pdf.error()));
    return submit(*pdf, "kiosk badge", MediaSize{layout.page_width_mm, layout.page_height_mm}, start);
}

PrintOutcome CupsDriver::print_pdf(std::string_view pdf, const std::string& title, std::optional<MediaSize> media) {
    times_ = {};
    return submit(pdf, title, media, Clock::now());
}

PrintOutcome CupsDriver::submit(std::string_view pdf, const std::string& title, std::optional<MediaSize> media, Clock::time_point start) {
    PrintOutcome outcome = run_job(pdf, title, media, start);
    // A failed job may have left the connection mid-request or closed; the next job opens a new one.
    if (!outcome) connection_.reset();
    return outcome;
}

PrintOutcome CupsDriver::run_job(std::string_view pdf, const std::string& title, std::optional<MediaSize> media, Clock::time_point start) {
    const std::string where = server();
    const std::string& queue = uri_.queue;
    std::string media_name;
    if (media) {
        auto named = cups_media_name(*media);
        if (!named) return std::unexpected(trouble(PrinterState::error, "The badge cannot be sent to CUPS: " + named.error() + "."));
        media_name = std::move(*named);
    }

    if (!connection_) {
        const auto connecting = Clock::now();
        Http http = connect(connect_host(), connect_port());
        times_.connect_ms = ms_between(connecting, Clock::now());
        if (!http) return std::unexpected(trouble(PrinterState::offline, "The CUPS server " + where + " cannot be reached: " + cupsLastErrorString() + "."));
        connection_ = std::make_unique<CupsConnection>(CupsConnection{std::move(http), false});
    }
    const auto asking = Clock::now();
    const std::optional<QueueAnswer> before = ask_queue_kept(connection_, connect_host(), connect_port(), queue, where);
    const auto asked = Clock::now();
    times_.queue_check_ms = ms_between(asking, asked);
    if (!before) return std::unexpected(trouble(PrinterState::offline, "The CUPS server " + where + " cannot be reached: " + cupsLastErrorString() + "."));
    if (before->trouble) return std::unexpected(*before->trouble);
    if (PrinterStatus status = cups_printer_status(*before->state, queue); status.state != PrinterState::ready && status.state != PrinterState::busy)
        return std::unexpected(status);
    http_t* http = connection_->http.get();

    // Create-Job by hand: cupsCreateJob() looks the queue up as a destination first, through the
    // default server rather than this connection's.
    ipp_t* create = ippNewRequest(IPP_OP_CREATE_JOB);
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, cupsUser());
    ippAddString(create, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, title.c_str());
    // The page size: without it CUPS prints on the queue's default paper (A4 or Letter) and the
    // filters place the badge somewhere on it. A queue that knows no such size substitutes or
    // ignores it (successful-ok-ignored-or-substituted-attributes), which is no reason to fail.
    if (!media_name.empty()) ippAddString(create, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", nullptr, media_name.c_str());
    const Ipp created(cupsDoRequest(http, create, ("/printers/" + queue).c_str()));
    const int job = created && cupsLastError() <= IPP_STATUS_OK_CONFLICTING ? integer_of(created.get(), "job-id", 0) : 0;
    const auto job_created = Clock::now();
    times_.create_ms = ms_between(asked, job_created);
    if (job <= 0)
        return std::unexpected(trouble(PrinterState::error, "CUPS refused the badge on '" + queue + "': " + cupsLastErrorString() + "."));
    const std::string job_name = "CUPS job " + std::to_string(job) + " on '" + queue + "'";
    // From here on, every failure cancels the job: staff may restart the queue later, and the
    // print queue's retry must then be the only copy.
    const auto fail = [&](PrinterStatus status) -> PrintOutcome {
        cupsCancelJob2(http, queue.c_str(), job, 0);
        status.message += " (" + job_name + " was canceled.)";
        return std::unexpected(std::move(status));
    };
    if (cupsStartDocument(http, queue.c_str(), job, "badge.pdf", CUPS_FORMAT_PDF, 1) != HTTP_STATUS_CONTINUE ||
        cupsWriteRequestData(http, pdf.data(), pdf.size()) != HTTP_STATUS_CONTINUE) {
        const std::string why = cupsLastErrorString();
        cupsFinishDocument(http, queue.c_str());
        return fail(trouble(PrinterState::error, "Sending the badge to CUPS failed: " + why + "."));
    }
    if (cupsFinishDocument(http, queue.c_str()) > IPP_STATUS_OK_CONFLICTING)
        return fail(trouble(PrinterState::error, "CUPS did not take the badge: " + std::string(cupsLastErrorString()) + "."));
    const auto spooled = Clock::now();
    times_.send_ms = ms_between(job_created, spooled);
    times_.spooled_ms = ms_between(start, spooled);

    // Following the job to its end is what tells the print queue the badge is out (or why not).
    const auto deadline = spooled + timeout_;
    auto next_queue_check = spooled + queue_check_every;
    for (;;) {
        ipp_t* request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer_uri_of(queue).c_str());
        ippAddInteger(request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job);
        static const char* const wanted[] = {"job-state", "job-state-reasons", "job-printer-state-message", "job-impressions-completed"};
        ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, nullptr, wanted);
        const Ipp response(cupsDoRequest(http, request, "/"));
        ++times_.polls;
        if (!response || cupsLastError() > IPP_STATUS_OK_CONFLICTING)
            return fail(trouble(PrinterState::offline, "The CUPS server " + where + " stopped answering about " + job_name + ": " + cupsLastErrorString() + "."));
        const int state = integer_of(response.get(), "job-state", IPP_JSTATE_PENDING);
        const std::string job_says = string_of(response.get(), "job-printer-state-message");
        if (state == IPP_JSTATE_COMPLETED) {
            times_.completed_ms = ms_between(start, Clock::now());
            return Printed{std::max(1, integer_of(response.get(), "job-impressions-completed", 1)), job_name + " completed"};
        }
        if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED) {
            // CUPS stops the queue when its backend fails: say why, as the queue sees it.
            QueueAnswer now = ask_queue(http, queue, where);
            PrinterStatus status = now.state ? cups_printer_status(*now.state, queue) : trouble(PrinterState::error, "");
            if (status.state == PrinterState::ready || status.state == PrinterState::busy) status.state = PrinterState::error;
            status.message = job_name + (state == IPP_JSTATE_ABORTED ? " was aborted" : " was canceled") +
                             (job_says.empty() ? "" : " (" + job_says + ")") + "." + (status.message.empty() ? "" : " " + status.message);
            for (std::string& reason : strings_of(response.get(), "job-state-reasons")) status.reasons.push_back("job: " + reason);
            return std::unexpected(std::move(status));
        }
        const auto now = Clock::now();
        if (now >= next_queue_check) {
            // Waiting behind a stopped queue, or a printer that went offline or ran out while the
            // job was on its way: that is the answer for staff, now rather than at the timeout.
            next_queue_check = now + queue_check_every;
            QueueAnswer queue_now = ask_queue(http, queue, where);
            if (queue_now.state) {
                PrinterStatus status = cups_printer_status(*queue_now.state, queue);
                if (status.state != PrinterState::ready && status.state != PrinterState::busy) return fail(std::move(status));
            }
        }
        if (now >= deadline)
            return fail(trouble(PrinterState::error, job_name + " did not finish within " + std::to_string(timeout_.count()) + " s" +
                                                         (job_says.empty() ? "" : " (" + job_says + ")") + "."));
        std::this_thread::sleep_for(now - spooled < fast_poll_for ? fast_poll : slow_poll);
    }
}

} // namespace kiosk::printer
