// [SECTION] index
// - Reader: one element's fields, each checked once; the first problem is kept with its path
// - elements: textarea, barcodearea, imagearea
// - layout objects: page size, element list, limits
// - which layout an item prints with, and our default layout

#include "printer/badge_layout.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "printer/default_layout_json.h"

namespace kiosk::printer {
namespace {

using nlohmann::json;

// Limits for untrusted layouts: generous for any real badge, small enough that a hostile layout
// cannot make the renderer spend minutes or gigabytes.
constexpr size_t kMaxElements = 300;
constexpr double kMinSizeMm = 1, kMaxSizeMm = 2000;
constexpr double kMaxOffsetMm = 2000;           // left / bottom may be negative (bleed), within this
constexpr double kMinFontPt = 1, kMaxFontPt = 500;
constexpr size_t kMaxTextBytes = 10000;
constexpr double kDefaultPageWidthMm = 203.2, kDefaultPageHeightMm = 82.55;  // pretix: 8 in x 3.25 in

std::string quoted(const json& value) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

// pretix writes numbers as numbers or as decimal strings ("48.00"); nothing else is a number.
std::optional<double> number_of(const json& value) {
    double out = 0;
    if (value.is_number()) {
        out = value.get<double>();
    } else if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        const std::string_view trimmed = std::string_view(text).substr(0, text.find_last_not_of(' ') + 1);
        const char* first = trimmed.data() + std::min(trimmed.find_first_not_of(' '), trimmed.size());
        const char* last = trimmed.data() + trimmed.size();
        const auto [end, error] = std::from_chars(first, last, out);
        if (error != std::errc() || end != last || first == last) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(out)) return std::nullopt;  // NaN and infinities never reach the renderer
    return out;
}

class Reader {
public:
    Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    const std::optional<std::string>& error() const { return error_; }

    double number(const char* field, double fallback, double min, double max, const char* what) {
        const json* value = find(field);
        if (value == nullptr) return fallback;
        const auto parsed = number_of(*value);
        if (!parsed) return failed(field, std::string("expected ") + what + ", got " + quoted(*value), fallback);
        if (*parsed < min || *parsed > max)
            return failed(field, std::string(what) + " out of range " + format(min) + ".." + format(max) + ": " + quoted(*value), fallback);
        return *parsed;
    }
    double required_number(const char* field, double min, double max, const char* what) {
        if (find(field) == nullptr) fail(field, "missing");
        return number(field, 0, min, max, what);
    }
    bool boolean(const char* field, bool fallback = false) {
        const json* value = find(field);
        if (value == nullptr) return fallback;
        if (value->is_boolean()) return value->get<bool>();
        if (*value == "true") return true;
        if (*value == "false") return false;
        return failed(field, "expected true or false, got " + quoted(*value), fallback);
    }
    std::string text(const char* field, std::string fallback = {}) {
        const json* value = find(field);
        if (value == nullptr) return fallback;
        if (!value->is_string()) return failed(field, "expected a text, got " + quoted(*value), fallback);
        const auto& out = value->get_ref<const std::string&>();
        if (out.size() > kMaxTextBytes) return failed(field, "longer than " + std::to_string(kMaxTextBytes) + " bytes", fallback);
        return out;
    }
    std::map<std::string, std::string> texts_by_language(const char* field) {
        std::map<std::string, std::string> out;
        const json* value = find(field);
        if (value == nullptr) return out;
        if (!value->is_object()) return failed(field, "expected an object of texts by language, got " + quoted(*value), out);
        for (const auto& [language, text] : value->items()) {
            if (!text.is_string()) return failed(field, "the text for \"" + language + "\" is not a text", out);
            out.emplace(language, text.get<std::string>());
        }
        return out;
    }
    Color color(const char* field) {
        const json* value = find(field);
        if (value == nullptr) return {};
        if (!value->is_array() || value->size() < 3 || value->size() > 4)
            return failed(field, "expected [r, g, b] or [r, g, b, a], got " + quoted(*value), Color{});
        double channel[4] = {0, 0, 0, 1};
        for (size_t i = 0; i < value->size(); ++i) {
            const auto parsed = number_of((*value)[i]);
            const double max = i == 3 ? 1 : 255;
            if (!parsed || *parsed < 0 || *parsed > max)
                return failed(field, "channel " + std::to_string(i) + " must be a number 0.." + format(max) + ", got " + quoted((*value)[i]), Color{});
            channel[i] = *parsed;
        }
        return {channel[0] / 255, channel[1] / 255, channel[2] / 255, channel[3]};
    }
    Align align(const char* field) {
        const std::string value = text(field, "left");
        if (value == "left") return Align::left;
        if (value == "center") return Align::center;
        if (value == "right") return Align::right;
        return failed(field, "expected left, center or right, got \"" + value + "\"", Align::left);
    }

private:
    const json* find(const char* field) const {
        const auto it = object_.find(field);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }
    void fail(const char* field, const std::string& why) {
        if (!error_) error_ = path_ + "." + field + ": " + why;
    }
    // Keeps the first problem and hands back the value to go on with, so one element's fields
    // read top to bottom without an early return after each.
    template <class T> T failed(const char* field, const std::string& why, T fallback) {
        fail(field, why);
        return fallback;
    }
    static std::string format(double value) {
        char buffer[32];
        const auto [end, ignored] = std::to_chars(buffer, buffer + sizeof buffer, value);
        return std::string(buffer, end);
    }

    const json& object_;
    std::string path_;
    std::optional<std::string> error_;
};

// [SECTION] elements

TextArea read_textarea(Reader& in) {
    TextArea area;
    area.left_mm = in.required_number("left", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.bottom_mm = in.required_number("bottom", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.width_mm = in.required_number("width", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    area.content = in.text("content");
    area.text = in.text("text");
    area.text_i18n = in.texts_by_language("text_i18n");
    area.font_size_pt = in.number("fontsize", area.font_size_pt, kMinFontPt, kMaxFontPt, "a font size in points");
    area.font_family = in.text("fontfamily", "Open Sans");
    area.bold = in.boolean("bold");
    area.italic = in.boolean("italic");
    area.align = in.align("align");
    area.color = in.color("color");
    area.line_height = in.number("lineheight", area.line_height, 0.1, 10, "a line height factor");
    area.downward = in.boolean("downward");
    area.rotation_deg = std::fmod(in.number("rotation", 0, -3600, 3600, "an angle in degrees"), 360.0);
    area.autoresize = in.boolean("autoresize");
    return area;
}

BarcodeArea read_barcodearea(Reader& in) {
    BarcodeArea area;
    area.left_mm = in.required_number("left", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.bottom_mm = in.required_number("bottom", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.size_mm = in.required_number("size", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    area.content = in.text("content", "secret");
    if (area.content.empty()) area.content = "secret";
    area.text = in.text("text");
    area.no_whitespace = in.boolean("nowhitespace");
    return area;
}

ImageArea read_imagearea(Reader& in) {
    ImageArea area;
    area.left_mm = in.required_number("left", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.bottom_mm = in.required_number("bottom", -kMaxOffsetMm, kMaxOffsetMm, "a number of millimetres");
    area.width_mm = in.required_number("width", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    area.height_mm = in.required_number("height", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    area.content = in.text("content");
    return area;
}

// One element, or nullopt for what a badge does not print (pretix's "poweredby" logo, elements
// of a second page: a badge is one page), or why it is refused.
std::expected<std::optional<LayoutElement>, std::string> read_element(const json& element, const std::string& path) {
    if (!element.is_object()) return std::unexpected(path + ": expected an object, got " + quoted(element));
    Reader in(element, path);
    const std::string type = in.text("type");
    const double page = in.number("page", 1, 1, 1000, "a page number");
    if (in.error()) return std::unexpected(*in.error());
    if (type == "poweredby" || page != 1) return std::optional<LayoutElement>();

    std::optional<LayoutElement> out;
    if (type == "textarea") {
        TextArea area = read_textarea(in);
        if (!in.error() && area.content.empty()) return std::unexpected(path + ".content: missing (a field such as attendee_name, or other)");
        out = std::move(area);
    } else if (type == "barcodearea") {
        out = read_barcodearea(in);
    } else if (type == "imagearea") {
        out = read_imagearea(in);
    } else {
        return std::unexpected(path + ".type: \"" + type + "\" is not an element we can print (textarea, barcodearea, imagearea)");
    }
    if (in.error()) return std::unexpected(*in.error());
    return out;
}

// [SECTION] layout objects

// pretix keeps a layout's text fields as JSON text in places; both forms are read.
json unwrap_json_text(const json& value) {
    if (!value.is_string()) return value;
    return json::parse(value.get<std::string>(), nullptr, false);
}

// The page: pretix takes it from the background PDF and reports none; layouts that carry it
// (pretix forks, our own) write "size": [{"width": mm, "height": mm}].
std::expected<void, std::string> read_page_size(const json& object, BadgeLayout& layout) {
    const auto it = object.find("size");
    if (it == object.end() || it->is_null()) return {};
    json size = unwrap_json_text(*it);
    if (size.is_array() && !size.empty()) size = size[0];
    if (!size.is_object()) return std::unexpected("size: expected [{\"width\": mm, \"height\": mm}], got " + quoted(*it));
    Reader in(size, "size");
    layout.page_width_mm = in.required_number("width", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    layout.page_height_mm = in.required_number("height", kMinSizeMm, kMaxSizeMm, "a number of millimetres");
    if (in.error()) return std::unexpected(*in.error());
    return {};
}

std::expected<void, std::string> read_elements(const json& elements, BadgeLayout& layout) {
    if (!elements.is_array()) return std::unexpected("layout: expected a list of elements, got " + quoted(elements));
    if (elements.size() > kMaxElements)
        return std::unexpected("layout: " + std::to_string(elements.size()) + " elements, more than the " +
                               std::to_string(kMaxElements) + " a badge may have");
    for (size_t i = 0; i < elements.size(); ++i) {
        auto element = read_element(elements[i], "layout[" + std::to_string(i) + "]");
        if (!element) return std::unexpected(element.error());
        if (*element) layout.elements.push_back(std::move(**element));
    }
    return {};
}

std::expected<void, std::string> read_identity(const json& object, BadgeLayout& layout) {
    if (const auto id = object.find("id"); id != object.end() && !id->is_null()) {
        if (!id->is_number_integer()) return std::unexpected("id: expected an integer, got " + quoted(*id));
        layout.id = id->get<int64_t>();
    }
    if (const auto name = object.find("name"); name != object.end() && name->is_string()) layout.name = name->get<std::string>();
    return {};
}

// [SECTION] assignments

bool same_id(const json& value, int64_t id) {
    return value.is_number_integer() && value.get<int64_t>() == id;
}

const json& layout_list(const json& layouts) {
    if (layouts.is_object() && layouts.contains("results")) return layouts["results"];
    return layouts;
}

// An assignment of `item_id` in a layout's item_assignments. pretix's badgeitems carry
// "layout": null for "do not print badges"; such an entry, kept under any layout, means no badge.
enum class Assignment { none, this_layout, no_badge };
Assignment assignment_in(const json& layout, int64_t item_id) {
    const auto it = layout.find("item_assignments");
    if (it == layout.end() || !it->is_array()) return Assignment::none;
    for (const json& entry : *it) {
        if (!entry.is_object() || !same_id(entry.value("item", json()), item_id)) continue;
        const auto target = entry.find("layout");
        if (target != entry.end() && target->is_null()) return Assignment::no_badge;
        return Assignment::this_layout;
    }
    return Assignment::none;
}

bool is_default(const json& layout) {
    const auto flag = layout.find("default");
    return flag != layout.end() && flag->is_boolean() && flag->get<bool>();
}

} // namespace

std::expected<BadgeLayout, std::string> parse_badge_layout(const json& layout) {
    BadgeLayout out;
    out.page_width_mm = kDefaultPageWidthMm;
    out.page_height_mm = kDefaultPageHeightMm;
    if (layout.is_array()) {
        if (auto read = read_elements(layout, out); !read) return std::unexpected(read.error());
        return out;
    }
    if (!layout.is_object()) return std::unexpected("a badge layout is an object or a list of elements, not " + quoted(layout));
    if (auto read = read_identity(layout, out); !read) return std::unexpected(read.error());
    if (auto read = read_page_size(layout, out); !read) return std::unexpected(read.error());
    const auto elements = layout.find("layout");
    if (elements == layout.end()) return std::unexpected("layout: missing");
    const json unwrapped = unwrap_json_text(*elements);
    if (auto read = read_elements(unwrapped, out); !read) return std::unexpected(read.error());
    return out;
}

std::expected<std::optional<BadgeLayout>, std::string> layout_for_item(const json& layouts, int64_t item_id) {
    const json& list = layout_list(layouts);
    if (!list.is_array()) return std::unexpected("badge layouts: expected a list of layouts, got " + quoted(list));
    const json* assigned = nullptr;
    const json* event_default = nullptr;
    for (const json& layout : list) {
        if (!layout.is_object()) continue;
        switch (assignment_in(layout, item_id)) {
        case Assignment::no_badge: return std::optional<BadgeLayout>();
        case Assignment::this_layout: assigned = assigned ? assigned : &layout; break;
        case Assignment::none: break;
        }
        if (event_default == nullptr && is_default(layout)) event_default = &layout;
    }
    const json* chosen = assigned ? assigned : event_default;
    if (chosen == nullptr) return std::optional<BadgeLayout>(default_badge_layout());
    auto parsed = parse_badge_layout(*chosen);
    if (!parsed) return std::unexpected("badge layout " + quoted(chosen->value("name", json())) + ": " + parsed.error());
    return std::optional<BadgeLayout>(std::move(*parsed));
}

BadgeLayout default_badge_layout() {
    // Embedded so that an installed kiosk without a source tree still has it; a test checks that
    // the copy equals assets/badge/default_layout.json.
    static const BadgeLayout layout = [] {
        auto parsed = parse_badge_layout(json::parse(kDefaultBadgeLayoutJson));
        return parsed ? *parsed : BadgeLayout{};
    }();
    return layout;
}

} // namespace kiosk::printer
