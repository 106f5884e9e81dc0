#include "netsync/oveit/oveit_download.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

#include "netsync/backend/wire_text.h"

// [SECTION] Hashes and cursors
// [SECTION] Catalog
// [SECTION] Orders
// [SECTION] store_ticket_list

namespace kiosk::oveit {

using nlohmann::json;

namespace {

constexpr std::string_view kOrganizer = "oveit";
constexpr std::string_view kListCursor = "oveit.list";
constexpr std::string_view kCatalogCursor = "oveit.catalog";
constexpr std::string_view kPagePrefix = "oveit.page.";
// In every hash: a kiosk updated to a different mapping rewrites the event once.
constexpr std::string_view kFormat = "oveit-v1\n";

//-----------------------------------------------------------------------------
// [SECTION] Hashes and cursors
//-----------------------------------------------------------------------------

constexpr uint64_t kFnvOffset = 1469598103934665603ull;

uint64_t fnv1a(std::string_view text, uint64_t hash = kFnvOffset) {
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string hex(uint64_t value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kHex[value & 15];
    return out;
}

// Content hash of text: two FNV-1a passes with different starts (128 bits), so that a changed
// list is never taken for the stored one by chance.
std::string content_hash(std::string_view text) {
    return hex(fnv1a(text, fnv1a(kFormat))) + hex(fnv1a(text, fnv1a(kFormat, 0x84222325cbf29ce4ull)));
}

std::string page_cursor_name(size_t page) { return std::string(kPagePrefix) + std::to_string(page); }

// "<hash> <code> <code> ...": codes never hold spaces as we store them (see page_cursor_value).
struct PageCursor {
    std::string hash;
    std::vector<std::string> codes;
};

PageCursor read_page_cursor(std::string_view value) {
    PageCursor cursor;
    size_t begin = 0;
    bool first = true;
    while (begin <= value.size()) {
        size_t end = value.find(' ', begin);
        if (end == std::string_view::npos) end = value.size();
        if (end > begin) {
            if (first) cursor.hash = std::string(value.substr(begin, end - begin));
            else cursor.codes.emplace_back(value.substr(begin, end - begin));
        }
        first = false;
        begin = end + 1;
    }
    return cursor;
}

// A code with a space (or a control character) cannot be kept in a page cursor's code list; it
// is written percent-style so the list splits back into codes.
std::string cursor_code(std::string_view code) {
    return backend::percent_escape(code, [](unsigned char byte) { return byte <= 0x20 || byte == '%' || byte == 0x7f; });
}

// A power of two near tickets / kPageSize: it changes only when the list doubles or halves, so
// pages stay put while tickets come and go.
size_t page_count(size_t tickets) {
    size_t pages = 1;
    while (pages * kPageSize < tickets) pages *= 2;
    return pages;
}

size_t page_of(std::string_view code, size_t pages) { return static_cast<size_t>(fnv1a(code) % pages); }

std::string canonical(const ListedTicket& ticket) {
    std::string text = ticket.code;
    text += '\t' + std::to_string(ticket.ticket_type) + (ticket.checked_in ? "\t1" : "\t0");
    for (const ServerCheckin& checkin : ticket.checkins)
        text += '\t' + (checkin.addon ? std::to_string(*checkin.addon) : "-") + '@' +
                std::to_string(checkin.date.time_since_epoch().count());
    return text + '\n';
}

//-----------------------------------------------------------------------------
// [SECTION] Catalog
//-----------------------------------------------------------------------------

EventCatalog catalog_for(Store& store, const std::string& event, const TicketList& list) {
    std::optional<EventCatalog> stored;
    if (const auto id = store.event_id(kOrganizer, event)) stored = store.catalog(*id);
    const int64_t main_list = main_list_id(event);

    std::map<int64_t, json> item_names;     // kept names first, then the types seen now
    std::set<int64_t> addons;
    if (stored) {
        for (const Item& item : stored->items) item_names.emplace(item.id, item.name);
        for (const CheckinList& known : stored->lists)
            if (known.id != main_list) addons.insert(known.id);
    }
    for (const ListedTicket& ticket : list.tickets) {
        item_names.try_emplace(ticket.ticket_type, json{{"en", "Ticket type " + std::to_string(ticket.ticket_type)}});
        for (const ServerCheckin& checkin : ticket.checkins)
            if (checkin.addon) addons.insert(*checkin.addon);
    }

    EventCatalog catalog;
    catalog.event.organizer = std::string(kOrganizer);
    catalog.event.slug = event;
    catalog.event.name = stored ? stored->event.name : json{{"en", "Oveit event " + event}};
    for (const auto& [id, name] : item_names) {
        Item item;
        item.id = id;
        item.name = name;
        item.admission = true;
        catalog.items.push_back(std::move(item));
    }
    const auto add_list = [&](int64_t id, std::string name) {
        CheckinList entry;
        entry.id = id;
        entry.name = std::move(name);
        entry.all_products = true;
        entry.allow_multiple_entries = false;
        catalog.lists.push_back(std::move(entry));
    };
    add_list(main_list, "Entry");
    for (const int64_t addon : addons) add_list(addon, "Addon " + std::to_string(addon));
    return catalog;
}

std::string catalog_text(const EventCatalog& catalog) {
    std::string text = catalog.event.name.dump() + '\n';
    for (const Item& item : catalog.items) text += "item " + std::to_string(item.id) + ' ' + item.name.dump() + '\n';
    for (const CheckinList& list : catalog.lists) text += "list " + std::to_string(list.id) + ' ' + list.name + '\n';
    return text;
}

//-----------------------------------------------------------------------------
// [SECTION] Orders
//-----------------------------------------------------------------------------

ImportedOrder order_of(const ListedTicket& ticket, const std::string& event, int64_t event_id, Timestamp now) {
    ImportedOrder imported;
    imported.order.code = ticket.code;
    imported.order.event_id = event_id;
    imported.order.status = OrderStatus::paid;
    Position position;
    position.id = position_id(event, ticket.code);
    position.event_id = event_id;
    position.order = ticket.code;
    position.positionid = 1;
    position.item = ticket.ticket_type;
    position.secret = ticket.code;
    const int64_t main_list = main_list_id(event);
    std::optional<Timestamp> latest;
    bool main_entry = false;
    for (const ServerCheckin& checkin : ticket.checkins) {
        Checkin entry;
        entry.list = checkin.addon ? *checkin.addon : main_list;
        entry.datetime = checkin.date;
        entry.type = CheckinType::entry;
        imported.checkins.emplace_back(position.id, entry);
        main_entry = main_entry || !checkin.addon;
        if (!latest || checkin.date > *latest) latest = checkin.date;
    }
    if (ticket.checked_in && !main_entry) {
        Checkin entry;
        entry.list = main_list;
        entry.datetime = latest.value_or(now);
        imported.checkins.emplace_back(position.id, entry);
    }
    imported.positions.push_back(std::move(position));
    return imported;
}

// A ticket gone from the list, as stored, marked canceled with its check-ins kept.
std::optional<ImportedOrder> canceled_order(Store& store, const EventCatalog& catalog, int64_t event_id,
                                            const std::string& event, const std::string& code) {
    const int64_t id = position_id(event, code);
    for (Position position : store.positions_by_secret(code)) {
        if (position.event_id != event_id || position.id != id) continue;
        ImportedOrder imported;
        imported.order.code = code;
        imported.order.event_id = event_id;
        imported.order.status = OrderStatus::canceled;
        for (const CheckinList& list : catalog.lists)
            for (const Checkin& checkin : store.checkins_of_position(list.id, position.id))
                imported.checkins.emplace_back(position.id, checkin);
        position.canceled = true;
        imported.positions.push_back(std::move(position));
        return imported;
    }
    return std::nullopt;
}

} // namespace

int64_t position_id(std::string_view event, std::string_view code) {
    uint64_t hash = fnv1a("oveit:");
    hash = fnv1a(event, hash);
    hash = fnv1a(":", hash);
    hash = fnv1a(code, hash);
    constexpr uint64_t kBase = 1ull << 52;
    return static_cast<int64_t>(kBase + hash % kBase);
}

int64_t main_list_id(std::string_view event) { return backend::local_list_id(backend::Kind::oveit, event); }

//-----------------------------------------------------------------------------
// [SECTION] store_ticket_list
//-----------------------------------------------------------------------------

backend::ApiResult<backend::DownloadSummary> store_ticket_list(Store& store, const std::string& event, const TicketList& list,
                                                               std::string_view answer_body, Timestamp now) {
    backend::DownloadSummary summary;
    summary.skipped = list.skipped;
    const std::string list_hash = content_hash(answer_body);
    const auto known_id = store.event_id(kOrganizer, event);
    const bool has_catalog = known_id && store.catalog(*known_id);
    if (has_catalog && store.sync_cursor(*known_id, kListCursor) == list_hash) {
        summary.event_id = *known_id;       // the list is what the store holds: nothing to write
        return summary;
    }

    // Catalog: only when its items or lists changed.
    const EventCatalog catalog = catalog_for(store, event, list);
    const std::string catalog_hash = content_hash(catalog_text(catalog));
    int64_t event_id = 0;
    if (has_catalog && store.sync_cursor(*known_id, kCatalogCursor) == catalog_hash) {
        event_id = *known_id;
    } else {
        const CursorUpdate cursor{std::string(kCatalogCursor), catalog_hash};
        auto applied = store.apply_catalog(catalog, std::nullopt, std::span(&cursor, 1));
        // Ids come from Oveit and our own hashes; a clash means another event of this store owns
        // one of them: the store refuses the whole catalog and nothing of this event can land. Data
        // the store cannot hold, as pretix's download says it: an answer to report, not a crash.
        if (!applied)
            return std::unexpected(backend::make_error(backend::ApiErrorKind::bad_answer,
                                                       "could not store Oveit event " + event + ": " + applied.error()));
        event_id = applied->event_id;
        summary.changed = true;
        for (SkippedRecord& skipped : applied->skipped) summary.skipped.push_back(std::move(skipped));
    }
    summary.event_id = event_id;

    // Pages: tickets bucketed by a hash of their code, sorted by code within a page, so that a
    // ticket added or removed changes its own page only.
    const size_t pages = page_count(list.tickets.size());
    std::vector<std::vector<const ListedTicket*>> paged(pages);
    for (const ListedTicket& ticket : list.tickets) paged[page_of(ticket.code, pages)].push_back(&ticket);
    for (auto& page : paged) std::ranges::sort(page, {}, &ListedTicket::code);
    std::vector<std::optional<std::string>> old_cursors;
    for (size_t page = 0;; ++page) {
        auto value = store.sync_cursor(event_id, page_cursor_name(page));
        if (!value) break;
        old_cursors.push_back(std::move(value));
    }
    std::unordered_set<std::string> listed;
    listed.reserve(list.tickets.size());
    for (const ListedTicket& ticket : list.tickets) listed.insert(cursor_code(ticket.code));

    struct Write {
        std::vector<ImportedOrder> orders;
        std::vector<CursorUpdate> cursors;
    };
    std::vector<Write> writes;

    // Tickets gone from the list: canceled, written with the first page.
    Write removed;
    for (const auto& value : old_cursors)
        for (const std::string& stored_code : read_page_cursor(*value).codes)
            if (!listed.contains(stored_code))
                // Codes with a space or control character were escaped in the cursor; such a
                // ticket is found again by its escaped form only if it had none (the usual case).
                if (auto order = canceled_order(store, catalog, event_id, event, stored_code)) removed.orders.push_back(std::move(*order));
    if (!removed.orders.empty()) writes.push_back(std::move(removed));

    for (size_t page = 0; page < pages; ++page) {
        std::string text;
        std::string codes;
        for (const ListedTicket* ticket : paged[page]) {
            text += canonical(*ticket);
            codes += ' ' + cursor_code(ticket->code);
        }
        const std::string value = content_hash(text) + codes;
        if (page < old_cursors.size() && old_cursors[page] == value) continue;
        Write write;
        write.orders.reserve(paged[page].size());
        for (const ListedTicket* ticket : paged[page]) write.orders.push_back(order_of(*ticket, event, event_id, now));
        write.cursors.push_back({page_cursor_name(page), value});
        if (!writes.empty() && writes.back().cursors.empty()) {
            // The canceled tickets go in with the first page (one transaction fewer).
            for (ImportedOrder& order : write.orders) writes.back().orders.push_back(std::move(order));
            writes.back().cursors = std::move(write.cursors);
        } else {
            writes.push_back(std::move(write));
        }
    }
    if (writes.empty()) writes.emplace_back();
    for (size_t page = pages; page < old_cursors.size(); ++page) writes.back().cursors.push_back({page_cursor_name(page), std::nullopt});
    writes.back().cursors.push_back({std::string(kListCursor), list_hash});

    for (size_t i = 0; i < writes.size(); ++i) {
        const std::span<const SkippedRecord> skipped =
            i == 0 ? std::span<const SkippedRecord>(list.skipped) : std::span<const SkippedRecord>();
        PageApplied applied = store.apply_orders_page(event_id, writes[i].orders, skipped, writes[i].cursors);
        summary.tickets += applied.positions;
        summary.changed = summary.changed || !writes[i].orders.empty();
        for (SkippedRecord& record : applied.skipped) summary.skipped.push_back(std::move(record));
    }
    return summary;
}

} // namespace kiosk::oveit
