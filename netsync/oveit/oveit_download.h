// Oveit's ticket list (POST /events/tickets, seed 003_f6fed5afae64980c.txt) brought into the
// store's model, so that scans are decided offline from a cached copy as the seed recommends.
//
// [SECTION] The mapping
// [SECTION] Refreshing
//
// The mapping (one Oveit event = one local event):
//   event        organizer "oveit", slug = the Oveit event id, name "Oveit event <id>" (the list
//                names no event; a name already stored is kept)
//   items        one per ticket type seen in the list, id = ticket_type_id, name "Ticket type <id>"
//                (the list names no type; a name already stored is kept)
//   check-in lists  the main entry, id backend::local_list_id(Kind::oveit, event), every product;
//                plus one list per addon, id = the addon id, name "Addon <id>", every product.
//                The seed documents no call that lists an event's addons: they are known from the
//                tickets' check-ins (addon_id), and an addon list once known is kept. Nor does it
//                say which ticket types carry an addon, so an addon list covers every product:
//                offline, any valid ticket passes an addon's entry once; online the server judges.
//                Every list admits once (no multiple entries): each addon is its own entry.
//   orders       one per ticket: order code = position secret = the ticket code (what its barcode
//                holds), status paid; one position, positionid 1, item = its ticket type.
//   position id  position_id(event, code): FNV-1a of "oveit:<event>:<code>" folded into
//                [2^52, 2^53): stable across runs and kiosks, above every pretix id and the local
//                list ids ([2^40, 2^52)), exact in a JSON double. Two codes meeting on one id
//                (about 1 in 10^8 for 10,000 tickets) would be refused by the store and reported.
//   check-ins    the server's, per entry: addon_id null -> the main list, else the addon's list
//                (ImportedOrder.checkins, origin server). A ticket flagged checked_in without a
//                main-entry check-in gets one, dated at its latest check-in, else at the download:
//                the flag is what the server decides on.
//   no names     the list carries no attendee names: /tickets/scan tells them (OveitClient::look_up).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "netsync/backend/ticket_client.h"
#include "netsync/oveit/oveit_wire.h"

namespace kiosk::oveit {

//-----------------------------------------------------------------------------
// [SECTION] The mapping
//-----------------------------------------------------------------------------

int64_t position_id(std::string_view event, std::string_view code);
int64_t main_list_id(std::string_view event);       // backend::local_list_id(Kind::oveit, event)

//-----------------------------------------------------------------------------
// [SECTION] Refreshing
//-----------------------------------------------------------------------------
// The list call has no "since" parameter, so a refresh downloads the whole list; what it writes is
// kept small with content hashes kept as the event's sync cursors:
//   "oveit.list"       hash of the whole answer: unchanged -> nothing is written at all;
//   "oveit.catalog"    hash of items and lists: unchanged -> apply_catalog is skipped;
//   "oveit.page.<i>"   "<hash> <code> <code>..." of page i: tickets go to a page by a hash of their
//                      code (a power of two of pages, about kPageSize tickets or fewer each, sorted
//                      by code), so an added, changed or removed ticket rewrites its own page only;
//                      a page whose hash is unchanged is not rewritten. Each page lands in one
//                      transaction with its cursor (apply_orders_page), the list hash with the last.
// Tickets the list no longer has (the codes of the old pages minus the new list): Oveit lists the
// tickets generated for an event, so a ticket gone from it was cancelled or deleted there. It is
// kept, marked canceled (order canceled, position canceled, its check-ins kept), so a scan of it
// says "canceled" instead of "unknown ticket" and its history stays. Written with the first page.
// Unreadable entries are skipped, reported by code in the summary and remembered for staff.
constexpr size_t kPageSize = 1000;

// The store's refusal of the event's catalog (its ids clash with another event's) is a bad_answer.
backend::ApiResult<backend::DownloadSummary> store_ticket_list(Store& store, const std::string& event, const TicketList& list,
                                                               std::string_view answer_body, Timestamp now);

} // namespace kiosk::oveit
