// A badge layout in our own model, read from pretix's badge layout JSON (reference/pretix.md,
// "Badge layouts"), and which layout a product prints with.
//
// pretix writes positions in millimetres from the bottom-left corner of the page and numbers
// possibly as strings ("48.00"); both are read here once, so the renderer works in one unit and
// never meets a string where a number belongs. Bad layouts are refused with the element and the
// field named ("layout[3].size: expected a number of millimetres, got \"big\"").
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::printer {

struct Color {
    double r = 0, g = 0, b = 0, a = 1;      // 0..1 each
};

enum class Align { left, center, right };

struct TextArea {
    double left_mm = 0, bottom_mm = 0, width_mm = 0;
    std::string content;                    // a field of BadgeData ("attendee_name", ...) or "other"
    std::string text;                       // for "other"
    std::map<std::string, std::string> text_i18n;  // for "other", by language
    double font_size_pt = 12;
    std::string font_family;                // pretix's family name; the renderer maps it to a font we have
    bool bold = false, italic = false;
    Align align = Align::left;
    Color color;
    double line_height = 1.0;               // pretix's "lineheight"; lines are 1.15 x this x the font size apart, as pretix draws them
    bool downward = false;                  // text grows down from `bottom` instead of up
    double rotation_deg = 0;                // clockwise, about the top-left corner of the text block (pretix's editor and renderer)
    bool autoresize = false;                // shrink the font until the text fits the width
};

struct BarcodeArea {
    double left_mm = 0, bottom_mm = 0, size_mm = 0;
    std::string content = "secret";         // a field of BadgeData, or "other" with `text`
    std::string text;
    bool no_whitespace = false;             // no quiet zone drawn inside `size`
};

struct ImageArea {
    double left_mm = 0, bottom_mm = 0, width_mm = 0, height_mm = 0;
    std::string content;                    // which image of BadgeData; scaled to fit, centred
};

using LayoutElement = std::variant<TextArea, BarcodeArea, ImageArea>;

struct BadgeLayout {
    int64_t id = 0;                         // pretix's layout id; 0 for ours
    std::string name;
    double page_width_mm = 203.2;           // pretix's default: 8 in x 3.25 in
    double page_height_mm = 82.55;
    std::vector<LayoutElement> elements;
};

// A pretix badge layout object ({"id", "name", "layout": [...], "size"?, ...}) or a bare element array.
std::expected<BadgeLayout, std::string> parse_badge_layout(const nlohmann::json& layout);

// Which layout prints for `item_id`, from the layouts as the store keeps them (a JSON array of
// pretix layout objects, each with its `item_assignments`): the assigned one, else the one marked
// `default`, else our default layout. A product assigned `null` (pretix: no badge) gets nullopt;
// that is an item_assignments entry {"item": id, "layout": null}, as pretix's badgeitems write it,
// under any layout. `layouts` may also be a pretix list page {"results": [...]}.
std::expected<std::optional<BadgeLayout>, std::string> layout_for_item(const nlohmann::json& layouts, int64_t item_id);

// Our default badge (assets/badge/default_layout.json): name large, company, ticket type, event
// name, QR of the secret; for events without a layout of their own.
BadgeLayout default_badge_layout();

} // namespace kiosk::printer
