#include "netsync/sync/pretix_download.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "kiosk/core/time.h"
#include "netsync/pretix/pretix_json.h"

namespace kiosk::sync {

using nlohmann::json;
using pretix::ApiResult;
using pretix::JsonPath;

namespace {

// Cursor names, per event, in the store's sync_cursors.
constexpr const char* kEventHash = "event.hash";
constexpr const char* kOrdersSince = "orders.modified_since";          // set once a full sync finished
constexpr const char* kFullResume = "orders.full.created_since";       // newest order time of a running full sync
constexpr const char* kFullGenerated = "orders.full.page_generated";   // its first page's X-Page-Generated
constexpr const char* kRevokedSince = "revokedsecrets.created_since";
constexpr const char* kBlockedSince = "blockedsecrets.updated_since";
pretix::ApiError bad_answer(std::string message) {
    pretix::ApiError error;
    error.kind = pretix::ApiErrorKind::bad_answer;
    error.message = std::move(message);
    return error;
}

std::string last_modified_cursor(std::string_view resource) { return std::string(resource) + ".last_modified"; }
std::string content_hash_cursor(std::string_view resource) { return std::string(resource) + ".hash"; }

// Every page of a small resource, or not_modified when the server says it has not changed.
struct Fetched {
    bool not_modified = false;
    json results = json::array();
    std::optional<std::string> last_modified;
};

ApiResult<Fetched> fetch_all(pretix::Api& api, const std::string& slug, std::string_view resource,
                             const std::optional<std::string>& if_modified_since) {
    auto page = api.first_page(slug, resource, {}, if_modified_since);
    if (!page) return std::unexpected(page.error());
    Fetched fetched;
    fetched.not_modified = page->not_modified;
    fetched.last_modified = page->last_modified;
    while (!page->not_modified) {
        for (json& result : page->results) fetched.results.push_back(std::move(result));
        if (!page->next) break;
        page = api.next_page(*page);
        if (!page) return std::unexpected(page.error());
    }
    return fetched;
}

// The record's id for a report: "id" or "code" as the server wrote it, else its place in the page.
std::string record_id(const json& record, size_t index) {
    for (const char* key : {"code", "id", "secret"}) {
        const auto found = record.find(key);
        if (found == record.end()) continue;
        if (found->is_string()) return found->get<std::string>();
        if (found->is_number_integer()) return std::to_string(found->get<int64_t>());
    }
    std::string place = "#";   // appended, not "#" + ...: GCC 12 -O3 warns (-Wrestrict) on that
    place += std::to_string(index);
    return place;
}

// Converts each record of `results` with `convert`; what does not convert is reported, not fatal.
template <class T, class Convert>
std::vector<T> convert_each(const json& results, std::string_view resource, Convert&& convert,
                            std::vector<SkippedRecord>& skipped) {
    std::vector<T> values;
    values.reserve(results.size());
    const JsonPath path{std::string(resource) + ": "};
    for (size_t i = 0; i < results.size(); ++i) {
        auto value = convert(results[i], path / i);
        if (value) values.push_back(std::move(*value));
        else skipped.push_back({std::string(resource), record_id(results[i], i), value.error()});
    }
    return values;
}

// pretix lists the item assignments of badge layouts separately (badgeitems); the store keeps each
// layout with its own `item_assignments`, as pretix's export writes them. A product pretix prints no
// badge for (layout null) is kept as {"item": id, "layout": null} in every layout's assignments,
// which is how printer::layout_for_item reads "no badge".
json layouts_with_assignments(json layouts, const json& badge_items) {
    for (json& layout : layouts) {
        if (!layout.is_object()) continue;
        json assignments = json::array();
        for (const json& entry : badge_items) {
            if (!entry.is_object() || !entry.contains("layout")) continue;
            if (entry["layout"].is_null())
                assignments.push_back({{"item", entry.value("item", json())}, {"layout", nullptr}});
            else if (entry["layout"] == layout.value("id", json()))
                assignments.push_back({{"item", entry.value("item", json())}, {"layout", entry["layout"]}});
        }
        layout["item_assignments"] = std::move(assignments);
    }
    return layouts;
}

std::optional<Timestamp> order_time(const json& order, std::string_view field) {
    if (!order.is_object()) return std::nullopt;
    const auto value = order.find(field);
    if (value == order.end() || !value->is_string()) return std::nullopt;
    return parse_iso8601(value->get<std::string>());
}

// The newest time of `field` among the records, for a cursor.
std::optional<Timestamp> newest(const json& records, std::string_view field) {
    std::optional<Timestamp> latest;
    for (const json& record : records)
        if (const auto t = order_time(record, field); t && (!latest || *t > *latest)) latest = t;
    return latest;
}

std::optional<std::string> later_of(const std::optional<std::string>& cursor, std::optional<Timestamp> candidate) {
    if (!candidate) return cursor;
    const auto current = cursor ? parse_iso8601(*cursor) : std::nullopt;
    if (current && *current >= *candidate) return cursor;
    return format_iso8601_utc(*candidate);
}

// How long one transaction of order pages may hold the write lock (an admission on another process
// waits for it; one in this process waits for one page only, see sqlite::another_connection_waiting),
// and how many fetched pages may wait for the store (each a converted page of 50 orders).
constexpr std::chrono::milliseconds kTransactionBudget{200};
constexpr size_t kPagesAhead = 32;

// [SECTION] The order page pipeline
// Pages of orders are fetched, parsed and converted on a thread of their own while this one writes
// the ones before to the store, several to a transaction: the network, the JSON and the disk work
// at the same time, and a full sync pays a commit and a checkpoint per batch, not per page. Only the
// fetching thread uses the Api while a pipeline runs.
class PagePipeline {
public:
    // Called on the fetching thread for every page in order: the page's converted orders, its
    // adapter-skipped records and the cursors that follow it.
    using Convert = std::function<OrdersPage(const pretix::Page&)>;

    PagePipeline(pretix::Api& api, pretix::Page first, Convert convert)
        : fetcher_([this, &api, first = std::move(first), convert = std::move(convert)]() mutable {
              fetch(api, std::move(first), convert);
          }) {}

    ~PagePipeline() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        changed_.notify_all();
        fetcher_.join();   // a request in flight ends by its own timeout
    }
    PagePipeline(const PagePipeline&) = delete;
    PagePipeline& operator=(const PagePipeline&) = delete;

    // Moves every page fetched so far onto the end of `pages`, waiting for one if there is none.
    // False when no page is left: the server's last page was taken, or `error` says why not.
    bool take(std::vector<OrdersPage>& pages, std::optional<pretix::ApiError>& error) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
        if (ready_.empty()) {
            error = error_;
            return false;
        }
        for (OrdersPage& page : ready_) pages.push_back(std::move(page));
        ready_.clear();
        changed_.notify_all();
        return true;
    }

private:
    void fetch(pretix::Api& api, pretix::Page page, const Convert& convert) {
        for (;;) {
            OrdersPage converted = convert(page);
            pretix::Page link;
            link.next = page.next;
            if (!push(std::move(converted)) || !link.next) break;
            auto next = api.next_page(link);
            if (!next) {
                finish(next.error());
                return;
            }
            page = std::move(*next);
        }
        finish(std::nullopt);
    }

    bool push(OrdersPage page) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return ready_.size() < kPagesAhead || closed_; });
        if (closed_) return false;
        ready_.push_back(std::move(page));
        changed_.notify_all();
        return true;
    }

    void finish(std::optional<pretix::ApiError> error) {
        std::lock_guard lock(mutex_);
        finished_ = true;
        error_ = std::move(error);
        changed_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<OrdersPage> ready_;
    bool finished_ = false, closed_ = false;
    std::optional<pretix::ApiError> error_;
    std::thread fetcher_;   // last: it starts when the rest is ready
};

OrdersPage convert_orders(const pretix::Page& page) {
    OrdersPage converted;
    converted.orders = convert_each<ImportedOrder>(
        page.results, "orders", [](const json& r, const JsonPath& p) { return pretix::order_from_json(r, 0, p); },
        converted.skipped);
    return converted;
}

} // namespace

Downloader::Downloader(pretix::Api& api, Store& store, ProgressCallback progress)
    : api_(api), store_(store), progress_(std::move(progress)) {}

ApiResult<EventDownload> Downloader::event(const std::string& slug) {
    EventDownload report;
    report.event = slug;
    auto changed = catalog(slug, report);
    if (!changed) return std::unexpected(changed.error());
    report.catalog_changed = *changed;
    if (auto done = orders(slug, report); !done) return std::unexpected(done.error());
    if (auto done = secrets(slug, report); !done) return std::unexpected(done.error());
    return report;
}

// [SECTION] The catalog

ApiResult<bool> Downloader::catalog(const std::string& slug, EventDownload& report) {
    auto event_json = api_.event(slug);
    if (!event_json) return std::unexpected(event_json.error());
    auto event = pretix::event_from_json(*event_json, api_.connection().organizer, JsonPath{"event: "});
    if (!event) return std::unexpected(bad_answer("pretix sent event " + slug + " in a form we cannot read: " + event.error()));
    const auto known_id = store_.event_id(api_.connection().organizer, slug);
    const auto stored = known_id ? store_.catalog(*known_id) : std::nullopt;
    const auto cursor = [&](const std::string& name) {
        return stored ? store_.sync_cursor(*known_id, name) : std::nullopt;   // no catalog: ask for everything
    };
    const std::string event_hash = std::to_string(std::hash<std::string>{}(event_json->dump()));

    constexpr std::array kinds = {"subevents", "items", "checkinlists", "questions", "badgelayouts", "badgeitems"};
    std::map<std::string, Fetched> fetched;
    bool anything_changed = !stored || cursor(kEventHash) != event_hash;
    std::map<std::string, std::string> content_hashes;
    for (const char* kind : kinds) {
        auto all = fetch_all(api_, slug, kind, cursor(last_modified_cursor(kind)));
        if (!all) return std::unexpected(all.error());
        // Without Last-Modified (pretix sends none for some resources) the content tells.
        if (!all->not_modified && !all->last_modified) {
            content_hashes[kind] = std::to_string(std::hash<std::string>{}(all->results.dump()));
            all->not_modified = cursor(content_hash_cursor(kind)) == content_hashes[kind];
        }
        anything_changed |= !all->not_modified;
        fetched[kind] = std::move(*all);
    }
    if (!anything_changed) {
        report.event_id = *known_id;
        return false;
    }
    // Kinds that did not change come from the store; badge layouts and their assignments travel
    // together, so an unchanged one of the pair is asked for again in full.
    for (const char* kind : {"badgelayouts", "badgeitems"})
        if (fetched[kind].not_modified && (!fetched["badgelayouts"].not_modified || !fetched["badgeitems"].not_modified)) {
            auto all = fetch_all(api_, slug, kind, std::nullopt);
            if (!all) return std::unexpected(all.error());
            fetched[kind] = std::move(*all);
        }

    EventCatalog catalog;
    catalog.event = std::move(*event);
    const auto take = [&](const char* kind, auto member, auto convert) {
        using T = typename std::remove_reference_t<decltype(catalog.*member)>::value_type;
        if (fetched[kind].not_modified) catalog.*member = (*stored).*member;
        else catalog.*member = convert_each<T>(fetched[kind].results, kind, convert, report.skipped);
    };
    take("subevents", &EventCatalog::subevents, [](const json& r, const JsonPath& p) { return pretix::subevent_from_json(r, 0, p); });
    take("items", &EventCatalog::items, [](const json& r, const JsonPath& p) { return pretix::item_from_json(r, 0, p); });
    take("checkinlists", &EventCatalog::lists, [](const json& r, const JsonPath& p) { return pretix::checkin_list_from_json(r, 0, p); });
    take("questions", &EventCatalog::questions, [](const json& r, const JsonPath& p) { return pretix::question_from_json(r, 0, p); });
    std::optional<json> layouts;
    if (!fetched["badgelayouts"].not_modified)
        layouts = layouts_with_assignments(fetched["badgelayouts"].results, fetched["badgeitems"].results);

    std::vector<CursorUpdate> cursors = {{kEventHash, event_hash}};
    for (const char* kind : kinds)
        if (!fetched[kind].not_modified) cursors.push_back({last_modified_cursor(kind), fetched[kind].last_modified});
    for (const auto& [kind, hash] : content_hashes) cursors.push_back({content_hash_cursor(kind), hash});
    auto applied = store_.apply_catalog(catalog, layouts, cursors);
    if (!applied) return std::unexpected(bad_answer(applied.error()));
    report.event_id = applied->event_id;
    for (SkippedRecord& record : applied->skipped) report.skipped.push_back(std::move(record));
    return true;
}

// [SECTION] Orders

ApiResult<void> Downloader::orders(const std::string& slug, EventDownload& report) {
    const auto since = store_.sync_cursor(report.event_id, kOrdersSince);
    if (since) return changed_orders(slug, *since, report);
    report.full = true;
    return full_orders(slug, report);
}

ApiResult<void> Downloader::full_orders(const std::string& slug, EventDownload& report) {
    auto resume = store_.sync_cursor(report.event_id, kFullResume);
    auto generated = store_.sync_cursor(report.event_id, kFullGenerated);
    pretix::Query query = {{"ordering", "datetime"}, {"include_canceled_positions", "true"}};
    if (resume) query.emplace_back("created_since", *resume);
    auto page = api_.first_page(slug, "orders", query);
    if (!page) return std::unexpected(page.error());
    // A full sync that resumes keeps the X-Page-Generated of its first start: changes made since
    // then come with the first incremental sync.
    if (!generated) generated = page->page_generated;
    std::optional<std::string> newest_change;   // without X-Page-Generated, the newest last_modified seen
    const DownloadProgress progress{slug, true, 0, page->count};
    // Runs on the fetching thread, page after page: the cursors are its own until the pipeline ends.
    auto convert = [&](const pretix::Page& fetched) {
        OrdersPage converted = convert_orders(fetched);
        resume = later_of(resume, newest(fetched.results, "datetime"));
        newest_change = later_of(newest_change, newest(fetched.results, "last_modified"));
        converted.cursors = {{kFullResume, resume}, {kFullGenerated, generated}};
        if (!fetched.next) {
            const auto since = generated ? generated : newest_change;
            converted.cursors = {{kFullResume, std::nullopt}, {kFullGenerated, std::nullopt}, {kOrdersSince, since}};
        }
        return converted;
    };
    return apply_pages(std::move(*page), convert, progress, report);
}

ApiResult<void> Downloader::apply_pages(pretix::Page first, const std::function<OrdersPage(const pretix::Page&)>& convert,
                                        DownloadProgress progress, EventDownload& report) {
    PagePipeline pipeline(api_, std::move(first), convert);
    std::vector<OrdersPage> pending;
    std::optional<pretix::ApiError> error;
    while (!pending.empty() || pipeline.take(pending, error)) {
        const auto applied = store_.apply_orders_pages(report.event_id, pending, kTransactionBudget);
        for (size_t i = 0; i < applied.size(); ++i) {
            report.orders += applied[i].orders;
            report.positions += applied[i].positions;
            for (auto& record : pending[i].skipped) report.skipped.push_back(std::move(record));
            for (const auto& record : applied[i].skipped) report.skipped.push_back(record);
            progress.orders_done = report.orders;
            if (progress_) progress_(progress);
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(applied.size()));
    }
    if (error) return std::unexpected(std::move(*error));
    return {};
}

ApiResult<void> Downloader::changed_orders(const std::string& slug, const std::string& since, EventDownload& report) {
    const pretix::Query query = {
        {"modified_since", since}, {"ordering", "-last_modified"}, {"include_canceled_positions", "true"}};
    auto page = api_.first_page(slug, "orders", query);
    if (!page) return std::unexpected(page.error());
    const auto generated = page->page_generated;
    std::optional<std::string> newest_change = since;
    const DownloadProgress progress{slug, false, 0, page->count};
    auto convert = [&](const pretix::Page& fetched) {
        OrdersPage converted = convert_orders(fetched);
        newest_change = later_of(newest_change, newest(fetched.results, "last_modified"));
        // The new cursor lands with the last page: a sync cut short asks again from the old one.
        if (!fetched.next) converted.cursors.push_back({kOrdersSince, generated ? generated : newest_change});
        return converted;
    };
    return apply_pages(std::move(*page), convert, progress, report);
}

// [SECTION] Revoked and blocked secrets

ApiResult<void> Downloader::secrets(const std::string& slug, EventDownload& report) {
    struct Kind {
        const char* resource;
        const char* cursor;
        const char* parameter;
        const char* time_field;
    };
    for (const Kind kind : {Kind{"revokedsecrets", kRevokedSince, "created_since", "created"},
                            Kind{"blockedsecrets", kBlockedSince, "updated_since", "updated"}}) {
        const auto since = store_.sync_cursor(report.event_id, kind.cursor);
        pretix::Query query;
        if (since) query.emplace_back(kind.parameter, *since);
        auto page = api_.first_page(slug, kind.resource, query);
        if (!page) return std::unexpected(page.error());
        const auto generated = page->page_generated;
        std::optional<std::string> newest_seen = since;
        for (;;) {
            std::vector<SkippedRecord> skipped;
            std::vector<std::string> revoked;
            std::vector<BlockedSecret> blocked;
            if (std::string_view(kind.resource) == "revokedsecrets")
                revoked = convert_each<std::string>(page->results, kind.resource, pretix::revoked_secret_from_json, skipped);
            else
                blocked = convert_each<BlockedSecret>(page->results, kind.resource, pretix::blocked_secret_from_json, skipped);
            newest_seen = later_of(newest_seen, newest(page->results, kind.time_field));
            std::vector<CursorUpdate> cursors;
            if (!page->next) cursors.push_back({kind.cursor, generated ? generated : newest_seen});
            store_.apply_secrets_page(report.event_id, revoked, blocked, cursors);
            report.revoked += revoked.size();
            report.blocked += blocked.size();
            for (auto& record : skipped) report.skipped.push_back(std::move(record));
            if (!page->next) break;
            page = api_.next_page(*page);
            if (!page) return std::unexpected(page.error());
        }
    }
    return {};
}

} // namespace kiosk::sync
