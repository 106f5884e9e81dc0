// What a badge says: the texts the layout's fields draw on, in the attendee's language, and the
// code its QR holds.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "image/image.h"
#include "kiosk/core/model.h"

namespace kiosk::printer {

struct BadgeData {
    // Text by pretix content key: attendee_name, attendee_name_given_name (and other name parts),
    // attendee_company, attendee_email, order, positionid, item, variation, itemvar, event_name,
    // event_date, event_location, question_<id> / question_<identifier>, secret ...
    std::map<std::string, std::string> text;
    std::string secret;                     // what the QR code holds
    std::map<std::string, Image> images;    // imagearea content key -> image (e.g. a photo answer)
    std::string language;                   // the attendee's language ("de", "pt-br"): picks text_i18n, guides CJK fonts
};

// The badge of a position in `language` (an i18n text without it falls back to its base language
// "pt" for "pt-br", to English, then to any language it has; an empty `language` is the order's
// locale); dates in the event's time zone.
BadgeData badge_data_for(const Position& position, const Order& order, const EventCatalog& catalog,
                         std::string_view language);

} // namespace kiosk::printer
