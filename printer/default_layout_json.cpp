// The default badge layout, a copy of assets/badge/default_layout.json compiled in so that an
// installed kiosk finds it without a source tree. printer_tests checks that both are the same.
#include "printer/default_layout_json.h"

namespace kiosk::printer {

const std::string_view kDefaultBadgeLayoutJson = R"json(
{
 "id": 0,
 "name": "Kiosk default badge (4 in x 3 in)",
 "default": true,
 "size": [{"width": 101.6, "height": 76.2}],
 "layout": [
  {"type": "textarea", "page": 1, "left": "5.00", "bottom": "50.00", "width": "91.60", "content": "attendee_name",
   "fontsize": "26.0", "fontfamily": "Open Sans", "bold": true, "italic": false, "align": "center",
   "color": [0, 0, 0, 1], "lineheight": "1", "downward": false, "rotation": 0, "autoresize": true},
  {"type": "textarea", "page": 1, "left": "5.00", "bottom": "48.00", "width": "91.60", "content": "attendee_company",
   "fontsize": "14.0", "fontfamily": "Open Sans", "bold": false, "italic": false, "align": "center",
   "color": [68, 68, 68, 1], "lineheight": "1", "downward": true, "rotation": 0, "autoresize": true},
  {"type": "textarea", "page": 1, "left": "5.00", "bottom": "20.00", "width": "58.00", "content": "itemvar",
   "fontsize": "12.0", "fontfamily": "Open Sans", "bold": true, "italic": false, "align": "left",
   "color": [0, 82, 204, 1], "lineheight": "1", "downward": false, "rotation": 0, "autoresize": false},
  {"type": "textarea", "page": 1, "left": "5.00", "bottom": "10.00", "width": "58.00", "content": "event_name",
   "fontsize": "10.0", "fontfamily": "Open Sans", "bold": false, "italic": false, "align": "left",
   "color": [0, 0, 0, 1], "lineheight": "1", "downward": false, "rotation": 0, "autoresize": true},
  {"type": "barcodearea", "page": 1, "left": "68.60", "bottom": "4.00", "size": "28.00", "content": "secret",
   "nowhitespace": false}
 ],
 "item_assignments": []
}
)json";

} // namespace kiosk::printer
