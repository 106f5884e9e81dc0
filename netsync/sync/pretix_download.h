// Downloading pretix events into the store: a full sync first, incremental ones after.
//
// Per event (reference/pretix.md, "Resources a kiosk syncs"):
// - the event, and its items, check-in lists, questions, subevents, badge layouts and badge item
//   assignments, each asked with If-Modified-Since: when none changed (all 304) the catalog is not
//   rewritten; when one changed the whole catalog is applied, dropping what pretix no longer lists;
// - orders: a full sync walks `ordering=datetime` pages and remembers, with every page, the newest
//   order time it has stored, so that an interrupted full sync resumes with `created_since`; the
//   first page's X-Page-Generated becomes the `modified_since` of every later incremental sync;
// - revoked secrets by `created_since`, blocked secrets by `updated_since`.
// Every page lands in one store transaction together with the cursor that follows it (pages ready
// together share one), so a scan never sees half a page and a crash between transactions loses
// nothing but the pages in flight. A record the converters cannot read is skipped, reported by id
// and remembered for staff; it never keeps the rest of its page out.
//
// Thread rule: a Downloader uses the caller's Api and Store and belongs to the caller's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "netsync/pretix/pretix_api.h"
#include "netsync/store/store.h"

namespace kiosk::sync {

struct DownloadProgress {
    std::string event;                      // slug
    bool full = false;                      // a full sync (the first, or one resuming)
    size_t orders_done = 0;                 // orders stored by this run so far
    int64_t orders_total = 0;               // the server's count for the query in progress
};

struct EventDownload {
    std::string event;                      // slug
    int64_t event_id = 0;                   // local id
    bool full = false;
    bool catalog_changed = false;
    size_t orders = 0, positions = 0, revoked = 0, blocked = 0;
    std::vector<SkippedRecord> skipped;
};

class Downloader {
public:
    using ProgressCallback = std::function<void(const DownloadProgress&)>;

    Downloader(pretix::Api& api, Store& store, ProgressCallback progress = {});

    // Brings one event up to date. An ApiError stops it where it is; what landed stays, and the next
    // call goes on from there.
    pretix::ApiResult<EventDownload> event(const std::string& slug);

private:
    pretix::ApiResult<bool> catalog(const std::string& slug, EventDownload& report);
    pretix::ApiResult<void> orders(const std::string& slug, EventDownload& report);
    pretix::ApiResult<void> full_orders(const std::string& slug, EventDownload& report);
    pretix::ApiResult<void> changed_orders(const std::string& slug, const std::string& since, EventDownload& report);
    pretix::ApiResult<void> secrets(const std::string& slug, EventDownload& report);
    // Fetches and converts the pages after `first` on a thread of its own and applies them in
    // transactions of several pages; what landed stays when an ApiError stops it.
    pretix::ApiResult<void> apply_pages(pretix::Page first,
                                        const std::function<OrdersPage(const pretix::Page&)>& convert,
                                        DownloadProgress progress, EventDownload& report);

    pretix::Api& api_;
    Store& store_;
    ProgressCallback progress_;
};

} // namespace kiosk::sync
