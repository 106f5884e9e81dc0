#include "kiosk/cli/json_output.h"

#include "kiosk/core/text.h"
#include "kiosk/core/time.h"
#include "netsync/http/auth.h"

namespace kiosk::cli {

using nlohmann::json;

namespace {

json optional_id(const std::optional<int64_t>& id) { return id ? json(*id) : json(nullptr); }

json question_json(const Question& question) {
    json out = question.raw.is_object() ? question.raw : json::object();
    out["id"] = question.id;
    out["question"] = question.question;
    out["type"] = question_type_code(question.type);
    out["required"] = question.required;
    if (!out.contains("options")) {
        out["options"] = json::array();
        for (const QuestionOption& option : question.options)
            out["options"].push_back({{"id", option.id}, {"identifier", option.identifier}, {"answer", option.answer}});
    }
    return out;
}

// A backend's URL as staff may read it: without user info (a password), query or fragment (where a
// token could be), and with the token itself redacted should it be anywhere else.
std::string url_for_staff(std::string url, const std::string& token) {
    url = url.substr(0, url.find_first_of("?#"));
    const size_t authority = url.find("://");
    const size_t host = authority == std::string::npos ? 0 : authority + 3;
    const size_t at = url.find('@', host);
    if (at != std::string::npos && at < url.find('/', host)) url.erase(host, at + 1 - host);
    return http::redact(std::move(url), {token});
}

} // namespace

std::string dump_line(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

json position_json(const Position& position, bool not_stored) {
    return {
        {"id", not_stored ? json(nullptr) : json(position.id)},
        {"order", not_stored ? json(nullptr) : json(position.order)},
        {"positionid", not_stored ? json(nullptr) : json(position.positionid)},
        {"secret", printable_scan(position.secret)},
        {"item", position.item},
        {"variation", optional_id(position.variation)},
        {"subevent", optional_id(position.subevent)},
        {"attendee_name", position.attendee_name.empty() ? json(nullptr) : json(position.attendee_name)},
        {"attendee_email", position.attendee_email.empty() ? json(nullptr) : json(position.attendee_email)},
        {"addon_to", optional_id(position.addon_to)},
    };
}

json scan_json(const ScanOutcome& outcome) {
    const Verdict& verdict = outcome.verdict;
    json out;
    out["status"] = verdict_status_name(verdict.status);
    out["reason"] = verdict.reason == RejectReason::none ? json(nullptr) : json(reject_reason_name(verdict.reason));
    out["reason_explanation"] = verdict.explanation.empty() ? json(nullptr) : json(verdict.explanation);
    out["list"] = optional_id(verdict.list);
    out["event"] = outcome.event_slug.empty() ? json(nullptr) : json(outcome.event_slug);
    out["position"] = verdict.position ? position_json(*verdict.position, !verdict.position_stored()) : json(nullptr);
    out["offline_signed"] = verdict.offline_signed;
    out["require_attention"] = verdict.require_attention;
    out["questions"] = json::array();
    for (const Question& question : verdict.questions) out["questions"].push_back(question_json(question));
    if (!verdict.answer_errors.empty()) {
        json errors = json::object();
        for (const auto& [question, message] : verdict.answer_errors) errors[std::to_string(question)] = message;
        out["answer_errors"] = errors;
    }
    if (verdict.first_checkin) out["first_checkin"] = format_iso8601_utc(*verdict.first_checkin);
    out["checkin"] = nullptr;
    if (outcome.checkin)
        out["checkin"] = {{"id", outcome.checkin->id},
                          {"datetime", format_iso8601_utc(outcome.checkin->datetime)},
                          {"type", checkin_type_name(outcome.checkin->type)},
                          {"nonce", outcome.checkin->nonce}};
    out["decided_by"] = outcome.decided_by_server ? "server" : "kiosk";
    // Admitted without any check: the backend could not be asked and the organiser trusts offline scans.
    out["trusted_offline"] = outcome.trusted_offline;
    return out;
}

json undo_json(const UndoOutcome& outcome, int64_t list_id) {
    json out;
    out["status"] = outcome.reverted ? "ok" : "error";
    out["list"] = list_id;
    out["reason_explanation"] = outcome.reverted ? json(nullptr) : json(outcome.explanation);
    out["position"] = outcome.position ? position_json(*outcome.position) : json(nullptr);
    out["reverted"] = nullptr;
    if (outcome.checkin)
        out["reverted"] = {{"id", outcome.checkin->checkin_id},
                           {"type", checkin_type_name(outcome.checkin->type)},
                           {"datetime", format_iso8601_utc(outcome.checkin->checkin_datetime)},
                           {"settled_locally", outcome.checkin->settled_locally},
                           {"undo_nonce", outcome.checkin->settled_locally ? json(nullptr) : json(outcome.checkin->nonce)}};
    return out;
}

json search_json(const std::vector<SearchResult>& results) {
    json entries = json::array();
    for (const SearchResult& result : results) {
        json entry = position_json(result.position);
        entry["redeemed"] = result.redeemed;
        entry["order_status"] = order_status_code(result.order_status);
        entry["canceled"] = result.position.canceled;
        entry["event"] = result.event_slug;
        entry["require_attention"] = result.require_attention;
        entries.push_back(std::move(entry));
    }
    return {{"count", entries.size()}, {"results", entries}};
}

json stats_json(const ListStatusReport& report) {
    const EventCatalog& catalog = *report.catalog;
    json items = json::array();
    for (const auto& [item_counts, variation_counts] : report.counts.items) {
        const Item* item = catalog.item(item_counts.id);
        json variations = json::array();
        for (const auto& counts : variation_counts) {
            json value = nullptr;
            if (item != nullptr)
                for (const Variation& variation : item->variations)
                    if (variation.id == counts.id) value = variation.value;
            variations.push_back({{"id", counts.id}, {"value", value}, {"checkin_count", counts.checkin_count},
                                  {"position_count", counts.position_count}, {"inside_count", counts.inside_count}});
        }
        items.push_back({{"id", item_counts.id}, {"name", item ? item->name : json(nullptr)},
                         {"admission", item ? json(item->admission) : json(nullptr)},
                         {"checkin_count", item_counts.checkin_count}, {"position_count", item_counts.position_count},
                         {"inside_count", item_counts.inside_count}, {"variations", variations}});
    }
    const ListStatus& counts = report.counts;
    return {{"checkin_count", counts.total.checkin_count},
            {"position_count", counts.total.position_count},
            {"inside_count", counts.total.inside_count},
            {"event", {{"name", catalog.event.name}, {"slug", catalog.event.slug}}},
            {"items", items}};
}

namespace {

json upload_json(const QueuedUpload& upload) {
    return {{"kind", upload.kind},
            {"secret", printable_scan(upload.secret)},
            {"list", upload.list_id},
            {"type", checkin_type_name(upload.type)},
            {"datetime", format_iso8601_utc(upload.datetime)},
            {"nonce", upload.nonce},
            {"answers", upload.answers},
            {"gate", upload.gate ? json(*upload.gate) : json(nullptr)},
            {"attempts", upload.attempts},
            {"last_error", upload.last_error ? json(*upload.last_error) : json(nullptr)}};
}

json skipped_json(const std::vector<SkippedRecord>& skipped) {
    json records = json::array();
    for (const SkippedRecord& record : skipped)
        records.push_back({{"resource", record.resource}, {"id", record.id}, {"message", record.message}});
    return records;
}

} // namespace

json queue_json(const QueueSnapshot& queue) {
    json pending = json::array(), refused = json::array();
    for (const QueuedUpload& upload : queue.pending) pending.push_back(upload_json(upload));
    for (const QueuedUpload& upload : queue.refused) refused.push_back(upload_json(upload));
    json failed = json::array();
    for (const FailedScan& scan : queue.failed)
        failed.push_back({{"raw", printable_scan(scan.raw)},
                          {"reason", scan.reason},
                          {"list", scan.list_id},
                          {"type", checkin_type_name(scan.type)},
                          {"datetime", format_iso8601_utc(scan.datetime)},
                          {"nonce", scan.nonce}});
    return {{"pending", pending}, {"failed", failed}, {"refused", refused}};
}

namespace {

json sync_report_json(const sync::SyncReport& report) {
    json events = json::array();
    for (const sync::EventDownload& event : report.events)
        events.push_back({{"event", event.event},
                          {"full", event.full},
                          {"catalog_changed", event.catalog_changed},
                          {"orders", event.orders},
                          {"positions", event.positions},
                          {"revoked_secrets", event.revoked},
                          {"blocked_secrets", event.blocked},
                          {"skipped", skipped_json(event.skipped)}});
    return {{"status", report.error ? "error" : "ok"},
            {"events", events},
            {"uploaded", report.upload.sent},
            {"refused", report.upload.refused},
            {"postponed", report.upload.postponed},
            {"error", report.error ? json(report.error->message) : json(nullptr)}};
}

} // namespace

json sync_json(const BackendSyncReport& report) {
    json out = sync_report_json(report.sync);
    out["backend"] = backend_json(report.settings, report.choice);
    out["backend"]["saved"] = report.saved;
    if (report.webhooks) out["webhooks"] = webhooks::to_json(*report.webhooks);
    return out;
}

json status_json(const KioskStatus& status) {
    json out = sync::to_json(status.sync);
    const auto& settings = status.backend.settings;
    out["backend"] = settings ? backend_json(*settings, status.backend.choice) : json(nullptr);
    out["backend_error"] = settings ? json(nullptr) : json(settings.error());
    out["webhooks"] = status.webhooks ? webhooks::to_json(*status.webhooks) : json(nullptr);
    return out;
}

json print_json(const PrintReport& report) {
    return {{"status", print_job_state_name(report.state)},
            {"printer", report.printer},
            {"pages", report.pages},
            {"reason", report.reason.empty() ? json(nullptr) : json(report.reason)},
            {"job", report.job}};
}

json backend_json(const sync::SyncSettings& settings, const BackendChoice& choice) {
    json out = {{"kind", backend_kind_name(settings.kind)},
                {"name", backend_display_name(settings.kind)},
                {"url", url_for_staff(settings.connection.url, settings.connection.token.secret)},
                {"events", settings.events},
                {"from", backend_source_name(choice.source)},
                {"also_saved", json::array()}};
    if (settings.kind == BackendKind::pretix) out["organizer"] = settings.connection.organizer;
    if (settings.kind == BackendKind::brightstar) out["scanner_id"] = settings.scanner_id;
    for (const BackendKind kind : choice.also_saved) out["also_saved"].push_back(backend_kind_name(kind));
    if (const std::string note = also_saved_note(choice); !note.empty()) out["note"] = note;
    return out;
}

json setup_json(const DeviceSetup& device, const std::string& device_file) {
    return {{"status", "ok"},
            {"url", device.url},
            {"organizer", device.organizer},
            {"device_id", device.device_id},
            {"name", device.name},
            {"gate", device.gate ? json(*device.gate) : json(nullptr)},
            {"device_file", device_file}};
}

json import_json(const ImportReport& report) {
    const ImportSummary& summary = report.summary;
    return {{"status", "ok"},          {"organizer", report.event.organizer}, {"event", report.event.slug},
            {"event_id", summary.event_id}, {"items", summary.items},  {"checkinlists", summary.lists},
            {"questions", summary.questions}, {"subevents", summary.subevents}, {"orders", summary.orders},
            {"positions", summary.positions}, {"checkins", summary.checkins},
            {"skipped", skipped_json(summary.skipped)}};
}

json lists_json(const std::vector<ListSummary>& lists) {
    json entries = json::array();
    for (const ListSummary& summary : lists) {
        const CheckinList& list = summary.list;
        entries.push_back({{"id", list.id},
                           {"name", list.name},
                           {"event", {{"slug", summary.catalog->event.slug}, {"name", summary.catalog->event.name}}},
                           {"all_products", list.all_products},
                           {"limit_products", list.limit_products},
                           {"subevent", optional_id(list.subevent)},
                           {"include_pending", list.include_pending},
                           {"allow_multiple_entries", list.allow_multiple_entries},
                           {"allow_entry_after_exit", list.allow_entry_after_exit},
                           {"addon_match", list.addon_match}});
    }
    return {{"lists", entries}};
}

} // namespace kiosk::cli
