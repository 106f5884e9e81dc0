// [SECTION] App: badges (queue after admission, print now for staff).
#include <fstream>

#include "kiosk/app/app.h"
#include "kiosk/app/badges.h"
#include "kiosk/app/decision_reads.h"
#include "kiosk/app/print_queue.h"
#include "kiosk/core/time.h"
#include "printer/badge_render.h"

namespace kiosk {

namespace {

Outcome<void> write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return std::unexpected(path.string() + ": cannot be written");
    return {};
}

// --out FILE: the badge rendered by the file's extension, no printer.
Outcome<PrintReport> render_to_file(Store& store, const PrintJob& job, const PrintRequest& request) {
    const auto badge = badge_of(store, job, request.layout_file);
    if (!badge) return std::unexpected(badge.error());
    PrintReport report{PrintJobState::done, request.out_file->string(), 0, {}, job.id};
    if (!*badge) {
        report.reason = "this product has no badge";
        return report;
    }
    const std::string extension = request.out_file->extension().string();
    const auto bytes = extension == ".png" ? printer::render_png((*badge)->layout, (*badge)->data, 300)
                       : extension == ".pdf" ? printer::render_pdf((*badge)->layout, (*badge)->data)
                                             : std::expected<std::string, std::string>(std::unexpected(
                                                   "--out: the file must end in .pdf or .png"));
    if (!bytes) return std::unexpected(bytes.error());
    if (auto written = write_file(*request.out_file, *bytes); !written) return std::unexpected(written.error());
    report.pages = 1;
    return report;
}

} // namespace

Outcome<std::optional<Image>> App::badge_preview(const ScanOutcome& admission, std::string_view language, double dpi,
                                                 const std::optional<std::filesystem::path>& layout_file) {
    const Verdict& verdict = admission.verdict;
    if (verdict.status != VerdictStatus::ok || !verdict.position || !verdict.event)
        return std::unexpected("only an admitted ticket gets a badge");
    PrintJob job;
    job.event_id = *verdict.event;
    if (verdict.position_stored()) job.position_id = verdict.position->id;
    job.secret = verdict.position->secret;
    job.language = std::string(language);
    const auto badge = badge_of(store_, job, layout_file);
    if (!badge) return std::unexpected(badge.error());
    if (!*badge) return std::optional<Image>();
    auto image = printer::render_image((*badge)->layout, (*badge)->data, dpi);
    if (!image) return std::unexpected(image.error());
    return std::optional<Image>(std::move(*image));
}

Outcome<PrintJob> App::queue_badge(const ScanOutcome& admission, std::string_view language) {
    const Verdict& verdict = admission.verdict;
    if (verdict.status != VerdictStatus::ok || !verdict.position || !verdict.event)
        return std::unexpected("only an admitted ticket gets a badge");
    NewPrintJob job;
    job.event_id = *verdict.event;
    if (verdict.position_stored()) job.position_id = verdict.position->id;
    job.secret = verdict.position->secret;
    job.language = std::string(language);
    return store_.queue_print(job, now_utc());
}

Outcome<Position> App::position_on_list(std::string_view raw, int64_t list) {
    const CleanedScan scanned = clean_scanned_text(raw);
    if (!scanned.usable) return std::unexpected("nothing usable was scanned");
    catalogs_.refresh(store_);
    const int64_t ids[] = {list};
    const auto lists = resolve_lists(store_, catalogs_, ids);
    if (!lists) return std::unexpected(lists.error());
    const int64_t event_id = lists->front().event_id;
    for (Position& candidate : store_.positions_by_secret(scanned.text))
        if (candidate.event_id == event_id) return std::move(candidate);
    return std::unexpected("no ticket with this code in the list's event");
}

Outcome<PrintJob> App::queue_reprint(std::string_view raw, int64_t list, std::string_view language) {
    const auto position = position_on_list(raw, list);
    if (!position) return std::unexpected(position.error());
    NewPrintJob job{position->event_id, position->id, position->secret, std::string(language), /*reprint=*/true,
                    /*printing_now=*/false};
    return store_.queue_print(job, now_utc());
}

std::string App::event_timezone(int64_t event_id) {
    catalogs_.refresh(store_);
    const auto catalog = catalogs_.event(store_, event_id);
    return catalog ? catalog->event.timezone : "UTC";
}

Outcome<PrintReport> App::print_badge(const PrintRequest& request) {
    const auto position = position_on_list(request.raw, request.list);
    if (!position) return std::unexpected(position.error());
    const int64_t event_id = position->event_id;
    const auto order = store_.order(event_id, position->order);
    std::unique_ptr<printer::PrinterDriver> printer;
    if (!request.out_file) {
        auto opened = printer::open_printer(request.printer_uri);
        if (!opened) return std::unexpected(opened.error());   // refused before any job exists
        printer = std::move(*opened);
    }
    // Staff's job is printed here and now: created `printing`, so the kiosk's queue never takes it,
    // and settled here whatever happens (staff see a failure at once and decide; it is not retried).
    NewPrintJob job{event_id, position->id, position->secret,
                    request.language.empty() && order ? order->locale : request.language, /*reprint=*/true,
                    /*printing_now=*/true};
    const PrintJob claimed = store_.queue_print(job, now_utc());
    const auto never = Timestamp::max();
    if (request.out_file) {
        auto written = render_to_file(store_, claimed, request);
        store_.set_print_state(claimed.id, written ? PrintJobState::done : PrintJobState::failed,
                               written ? std::nullopt : std::optional<std::string>(written.error()), now_utc(), never);
        return written;
    }
    const PrintEvent outcome = print_job_now(store_, claimed, *printer, request.layout_file);
    if (outcome.state == PrintJobState::failed)
        store_.set_print_state(claimed.id, PrintJobState::failed, outcome.message, now_utc(), never);
    return PrintReport{outcome.state, request.printer_uri, outcome.state == PrintJobState::done ? 1 : 0,
                       outcome.message, claimed.id};
}

} // namespace kiosk
