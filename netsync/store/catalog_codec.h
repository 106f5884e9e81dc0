// The store's own encoding of catalog objects (events, subevents, products, check-in lists,
// questions): JSON of the model types, field for field, times as integer microseconds.
//
// Private to the store. It is not any backend's wire format: what a backend sends is turned into
// model types by its adapter (netsync/pretix, ...) before it reaches the store. A row that does
// not decode was written by us and damaged since, so decoding throws StoreError.
#pragma once

#include <string>
#include <string_view>

#include "kiosk/core/model.h"

namespace kiosk::catalog_codec {

std::string encode(const Event& event);
std::string encode(const SubEvent& subevent);
std::string encode(const Item& item);
std::string encode(const CheckinList& list);
std::string encode(const Question& question);

// `id` and `event_id` come from the row's own columns, not from the encoded text.
Event decode_event(std::string_view text, int64_t id, const std::string& organizer, const std::string& slug);
SubEvent decode_subevent(std::string_view text, int64_t event_id);
Item decode_item(std::string_view text, int64_t event_id);
CheckinList decode_list(std::string_view text, int64_t event_id);
Question decode_question(std::string_view text, int64_t event_id);

} // namespace kiosk::catalog_codec
