// [SECTION] Staff queries: search, list status, upload queue.
#include <set>

#include "netsync/store/search_text.h"
#include "netsync/store/store_impl.h"

namespace kiosk {

using nlohmann::json;
using namespace store_detail;

namespace {

constexpr size_t kMinimumQueryCharacters = 4;

// An FTS5 phrase: the whole key as one quoted string, so the trigram index finds it as a substring
// and no character of the query is read as query syntax.
std::string fts_phrase(std::string_view key) {
    std::string phrase = "\"";
    for (char c : key) {
        if (c == '"') phrase += '"';
        phrase += c;
    }
    return phrase + '"';
}

std::string upper_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

} // namespace

std::vector<SearchHit> Store::search(std::string_view query_text, std::span<const CheckinList> lists, size_t limit) {
    std::vector<SearchHit> hits;
    const std::string key = search_key(query_text);
    // Four characters as typed, and as folded: "ßab" folds to four ("ssab") but is three typed.
    if (character_count(query_text) < kMinimumQueryCharacters || character_count(key) < kMinimumQueryCharacters)
        return hits;
    // Indexed lookups, united: any part of a name through the trigram index, the attendee's or the
    // order's email by prefix, the order code exactly (codes are upper-case ASCII), the secret by
    // prefix. Each prefix is a range on its index: [prefix, prefix + 0xFF).
    static const std::string sql = std::string("SELECT ") + kPositionColumnsOfP + ", o.status, o.checkin_attention "
        "FROM (SELECT rowid AS id FROM position_search WHERE position_search MATCH ?2 "
        "      UNION SELECT id FROM positions WHERE event_id = ?1 AND email_key >= ?7 AND email_key < ?8 "
        "      UNION SELECT p.id FROM orders eo JOIN positions p ON p.event_id = eo.event_id AND p.order_code = eo.code "
        "            WHERE eo.event_id = ?1 AND eo.email_key >= ?7 AND eo.email_key < ?8 "
        "      UNION SELECT id FROM positions WHERE event_id = ?1 AND order_code = ?3 "
        "      UNION SELECT id FROM positions WHERE secret >= ?4 AND secret < ?5) found "
        "JOIN positions p ON p.id = found.id "
        "JOIN orders o ON o.event_id = p.event_id AND o.code = p.order_code "
        "WHERE p.event_id = ?1 ORDER BY p.attendee_name, p.order_code, p.positionid LIMIT ?6";
    auto query = impl_->db.prepare(sql);
    const std::string secret_prefix(query_text);
    std::set<int64_t> seen_events;
    for (const CheckinList& list : lists) {
        if (!seen_events.insert(list.event_id).second) continue;
        query.bind(1, list.event_id).bind(2, fts_phrase(key)).bind(3, upper_ascii(query_text)).bind(4, secret_prefix)
            .bind(5, secret_prefix + '\xff').bind(6, static_cast<int64_t>(limit)).bind(7, key).bind(8, key + '\xff');
        while (hits.size() < limit && query.step()) {
            SearchHit hit;
            hit.position = read_position(query);
            hit.order_status = order_status_from_code(query.text(kPositionColumnCount)).value_or(OrderStatus::paid);
            hit.order_checkin_attention = query.int64(kPositionColumnCount + 1) != 0;
            hits.push_back(std::move(hit));
        }
        query.reset();
    }
    for (SearchHit& hit : hits)
        for (const CheckinList& list : lists)
            if (list.event_id == hit.position.event_id && !checkins_of_position(list.id, hit.position.id).empty())
                hit.redeemed = true;
    return hits;
}

ListStatus Store::list_status(const CheckinList& list) {
    auto query = impl_->db.prepare(
        "SELECT p.item, p.variation, COUNT(*), "
        "  SUM(EXISTS (SELECT 1 FROM checkins c WHERE c.list_id = ?1 AND c.position_id = p.id AND c.type = 'entry' "
        "        AND c.reverted_at IS NULL)), "
        "  SUM(COALESCE((SELECT c.type = 'entry' FROM checkins c WHERE c.list_id = ?1 AND c.position_id = p.id "
        "        AND c.reverted_at IS NULL ORDER BY c.datetime DESC, c.id DESC LIMIT 1), 0)) "
        "FROM positions p JOIN orders o ON o.event_id = p.event_id AND o.code = p.order_code "
        "WHERE p.event_id = ?2 AND p.canceled = 0 "
        "  AND (o.status = 'p' OR (o.status = 'n' AND (?3 OR o.valid_if_pending))) "
        "  AND (?4 IS NULL OR p.subevent = ?4) "
        "GROUP BY p.item, p.variation ORDER BY p.item, p.variation");
    query.bind(1, list.id).bind(2, list.event_id).bind(3, list.include_pending).bind(4, list.subevent);
    ListStatus status;
    while (query.step()) {
        const int64_t item = query.int64(0);
        if (!product_on_list(list, item)) continue;
        const ListStatus::Counts counts{query.optional_int64(1).value_or(0), query.int64(3), query.int64(2),
                                        query.int64(4)};
        if (status.items.empty() || status.items.back().first.id != item)
            status.items.push_back({ListStatus::Counts{item, 0, 0, 0}, {}});
        auto& [item_counts, variations] = status.items.back();
        item_counts.checkin_count += counts.checkin_count;
        item_counts.position_count += counts.position_count;
        item_counts.inside_count += counts.inside_count;
        if (!query.is_null(1)) variations.push_back(counts);
        status.total.checkin_count += counts.checkin_count;
        status.total.position_count += counts.position_count;
        status.total.inside_count += counts.inside_count;
    }
    return status;
}

QueueSnapshot Store::queue() {
    QueueSnapshot snapshot;
    auto uploads = impl_->db.prepare(
        "SELECT kind, event_id, list_id, secret, type, datetime, nonce, answers, gate, attempts, last_error, "
        "refused_at IS NOT NULL FROM upload_queue ORDER BY id");
    while (uploads.step()) {
        QueuedUpload upload;
        upload.kind = uploads.text(0);
        upload.event_id = uploads.int64(1);
        upload.list_id = uploads.int64(2);
        upload.secret = uploads.text(3);
        upload.type = checkin_type_from_name(uploads.text(4)).value_or(CheckinType::entry);
        upload.datetime = from_micros(uploads.int64(5));
        upload.nonce = uploads.text(6);
        upload.answers = parse_stored_json(uploads.text(7));
        if (!uploads.is_null(8)) upload.gate = uploads.text(8);
        upload.attempts = static_cast<int>(uploads.int64(9));
        if (!uploads.is_null(10)) upload.last_error = uploads.text(10);
        (uploads.int64(11) ? snapshot.refused : snapshot.pending).push_back(std::move(upload));
    }
    auto failed = impl_->db.prepare("SELECT raw, reason, event_id, list_id, type, datetime, nonce, position_id "
                                    "FROM failed_scans WHERE uploaded = 0 ORDER BY id");
    while (failed.step()) {
        FailedScan scan;
        scan.raw = failed.text(0);
        scan.reason = failed.text(1);
        scan.event_id = failed.optional_int64(2);
        scan.list_id = failed.int64(3);
        scan.type = checkin_type_from_name(failed.text(4)).value_or(CheckinType::entry);
        scan.datetime = from_micros(failed.int64(5));
        scan.nonce = failed.text(6);
        scan.position_id = failed.optional_int64(7);
        snapshot.failed.push_back(std::move(scan));
    }
    return snapshot;
}

} // namespace kiosk
