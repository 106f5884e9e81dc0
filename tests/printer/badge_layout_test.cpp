#include "printer/badge_layout.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "printer/default_layout_json.h"

namespace kiosk::printer {
namespace {

using nlohmann::json;

json read_json(const std::string& relative) {
    std::ifstream in(std::string(KIOSK_SOURCE_DIR) + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

json demo_layouts() { return read_json("assets/demo/badgelayouts.json"); }

template <class T> const T& element(const BadgeLayout& layout, size_t index) {
    return std::get<T>(layout.elements.at(index));
}

TEST(ParseBadgeLayout, DemoLayout) {
    const auto layout = parse_badge_layout(demo_layouts()["results"][0]);
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_EQ(layout->id, 1);
    EXPECT_EQ(layout->name, "KioskConf badge");
    EXPECT_DOUBLE_EQ(layout->page_width_mm, 203.2);  // no size in the layout: pretix's 8 in x 3.25 in
    EXPECT_DOUBLE_EQ(layout->page_height_mm, 82.55);
    ASSERT_EQ(layout->elements.size(), 4u);

    const auto& name = element<TextArea>(*layout, 0);
    EXPECT_DOUBLE_EQ(name.left_mm, 10);
    EXPECT_DOUBLE_EQ(name.bottom_mm, 48);
    EXPECT_DOUBLE_EQ(name.width_mm, 140);
    EXPECT_EQ(name.content, "attendee_name");
    EXPECT_DOUBLE_EQ(name.font_size_pt, 26);
    EXPECT_EQ(name.font_family, "Open Sans");
    EXPECT_TRUE(name.bold);
    EXPECT_FALSE(name.italic);
    EXPECT_TRUE(name.autoresize);
    EXPECT_FALSE(name.downward);
    EXPECT_DOUBLE_EQ(name.line_height, 1.15);
    EXPECT_EQ(name.align, Align::left);

    const auto& event = element<TextArea>(*layout, 1);
    EXPECT_DOUBLE_EQ(event.color.r, 68.0 / 255);
    EXPECT_DOUBLE_EQ(event.color.a, 1);
    const auto& product = element<TextArea>(*layout, 2);
    EXPECT_DOUBLE_EQ(product.color.b, 204.0 / 255);

    const auto& qr = element<BarcodeArea>(*layout, 3);
    EXPECT_DOUBLE_EQ(qr.left_mm, 158.2);
    EXPECT_DOUBLE_EQ(qr.bottom_mm, 17.28);
    EXPECT_DOUBLE_EQ(qr.size_mm, 40);
    EXPECT_EQ(qr.content, "secret");
    EXPECT_FALSE(qr.no_whitespace);
}

TEST(ParseBadgeLayout, BareElementListAndNumbersEitherWay) {
    const auto layout = parse_badge_layout(json::parse(R"([
        {"type": "textarea", "left": 5, "bottom": "7.5", "width": " 50 ", "content": "other", "text": "Hi",
         "fontsize": 12, "rotation": "90", "align": "right", "color": ["255", 0, 0, "0.5"]},
        {"type": "imagearea", "left": "1", "bottom": "2", "width": "30", "height": "40", "content": "photo"},
        {"type": "barcodearea", "left": "1", "bottom": "2", "size": 20, "nowhitespace": true}
    ])"));
    ASSERT_TRUE(layout) << layout.error();
    const auto& text = element<TextArea>(*layout, 0);
    EXPECT_DOUBLE_EQ(text.bottom_mm, 7.5);
    EXPECT_DOUBLE_EQ(text.width_mm, 50);
    EXPECT_DOUBLE_EQ(text.rotation_deg, 90);
    EXPECT_EQ(text.align, Align::right);
    EXPECT_DOUBLE_EQ(text.color.r, 1);
    EXPECT_DOUBLE_EQ(text.color.a, 0.5);
    EXPECT_DOUBLE_EQ(element<ImageArea>(*layout, 1).height_mm, 40);
    EXPECT_EQ(element<BarcodeArea>(*layout, 2).content, "secret");  // pretix's default
    EXPECT_TRUE(element<BarcodeArea>(*layout, 2).no_whitespace);
}

TEST(ParseBadgeLayout, PageSizeFromTheLayout) {
    json object = demo_layouts()["results"][0];
    object["size"] = json::parse(R"([{"width": "90", "height": 54, "orientation": "landscape"}])");
    auto layout = parse_badge_layout(object);
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_DOUBLE_EQ(layout->page_width_mm, 90);
    EXPECT_DOUBLE_EQ(layout->page_height_mm, 54);

    object["size"] = R"([{"width": 148, "height": 105}])";  // kept as JSON text, as some pretix versions do
    layout = parse_badge_layout(object);
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_DOUBLE_EQ(layout->page_width_mm, 148);
}

TEST(ParseBadgeLayout, SkipsWhatABadgeDoesNotPrint) {
    const auto layout = parse_badge_layout(json::parse(R"([
        {"type": "poweredby", "left": 0, "bottom": 0, "size": 10},
        {"type": "textarea", "page": 2, "left": 0, "bottom": 0, "width": 10, "content": "order"},
        {"type": "textarea", "page": 1, "left": 0, "bottom": 0, "width": 10, "content": "order"}
    ])"));
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_EQ(layout->elements.size(), 1u);
}

struct BadLayout {
    const char* layout;
    const char* message;
};

TEST(ParseBadgeLayout, RefusesBadLayoutsNamingElementAndField) {
    const BadLayout cases[] = {
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": "big", "content": "order"}])",
         "layout[0].width: expected a number of millimetres, got \"big\""},
        {R"([{"type": "barcodearea", "left": 0, "bottom": 0, "size": "nan"}])", "layout[0].size: expected a number of millimetres"},
        {R"([{"type": "barcodearea", "left": 0, "bottom": 0, "size": "1e400"}])", "layout[0].size: expected a number of millimetres"},
        {R"([{"type": "barcodearea", "left": 0, "bottom": 0, "size": 0}])", "layout[0].size: a number of millimetres out of range 1..2000"},
        {R"([{"type": "imagearea", "left": 0, "bottom": 0, "width": 10, "height": 5000}])", "layout[0].height: a number of millimetres out of range"},
        {R"([{"type": "textarea", "bottom": 0, "width": 10, "content": "order"}])", "layout[0].left: missing"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10}])", "layout[0].content: missing"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "color": [300, 0, 0, 1]}])",
         "layout[0].color: channel 0 must be a number 0..255, got 300"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "color": [0, 0, 0, 2]}])",
         "layout[0].color: channel 3 must be a number 0..1"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "color": "red"}])", "layout[0].color: expected [r, g, b]"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "align": "justify"}])",
         "layout[0].align: expected left, center or right, got \"justify\""},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "bold": "yes"}])", "layout[0].bold: expected true or false"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order", "fontsize": "-3"}])", "layout[0].fontsize: a font size"},
        {R"([{"type": "textcontainer", "left": 0, "bottom": 0}])", "layout[0].type: \"textcontainer\" is not an element we can print"},
        {R"([{"type": "textarea", "left": 0, "bottom": 0, "width": 10, "content": "order"}, 7])", "layout[1]: expected an object, got 7"},
        {R"({"layout": {"pages": []}})", "layout: expected a list of elements"},
        {R"({"name": "x"})", "layout: missing"},
        {R"({"layout": [], "size": [{"width": 0, "height": 10}]})", "size.width: a number of millimetres out of range"},
        {R"({"layout": [], "size": "A4"})", "size: expected [{\"width\": mm, \"height\": mm}]"},
        {R"("a layout")", "a badge layout is an object or a list of elements"},
    };
    for (const BadLayout& bad : cases) {
        const auto layout = parse_badge_layout(json::parse(bad.layout));
        ASSERT_FALSE(layout) << bad.layout;
        EXPECT_NE(layout.error().find(bad.message), std::string::npos) << layout.error() << "\n  wanted: " << bad.message;
    }
}

TEST(ParseBadgeLayout, RefusesTooManyElements) {
    json elements = json::array();
    for (int i = 0; i < 301; ++i) elements.push_back({{"type", "barcodearea"}, {"left", 0}, {"bottom", 0}, {"size", 10}});
    const auto layout = parse_badge_layout(elements);
    ASSERT_FALSE(layout);
    EXPECT_NE(layout.error().find("301 elements, more than the 300"), std::string::npos) << layout.error();
}

json layouts_with(const char* text) { return json::parse(text); }

TEST(LayoutForItem, DemoAssignmentsAndDefault) {
    const json layouts = demo_layouts();
    const auto assigned = layout_for_item(layouts, 101);  // a list page, as the API returns it
    ASSERT_TRUE(assigned) << assigned.error();
    ASSERT_TRUE(*assigned);
    EXPECT_EQ((*assigned)->id, 1);
    const auto unassigned = layout_for_item(layouts["results"], 105);  // no assignment: the event's default
    ASSERT_TRUE(unassigned && *unassigned);
    EXPECT_EQ((*unassigned)->id, 1);
}

TEST(LayoutForItem, AssignmentBeatsDefaultAndNullMeansNoBadge) {
    const json layouts = layouts_with(R"([
        {"id": 1, "name": "Default", "default": true, "layout": [], "item_assignments": []},
        {"id": 2, "name": "Speakers", "default": false, "layout": [], "item_assignments": [{"item": 103}]},
        {"id": 3, "name": "Other", "default": false, "layout": [], "item_assignments": [{"item": 105, "layout": null}]}
    ])");
    EXPECT_EQ((*layout_for_item(layouts, 103))->id, 2);
    EXPECT_EQ((*layout_for_item(layouts, 101))->id, 1);
    const auto none = layout_for_item(layouts, 105);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

TEST(LayoutForItem, NoLayoutsMeansOurDefault) {
    for (const char* layouts : {"[]", R"([{"id": 4, "default": false, "layout": [], "item_assignments": [{"item": 7}]}])"}) {
        const auto layout = layout_for_item(layouts_with(layouts), 101);
        ASSERT_TRUE(layout && *layout) << layouts;
        EXPECT_EQ((*layout)->name, default_badge_layout().name);
    }
}

TEST(LayoutForItem, BadInputIsAnError) {
    EXPECT_FALSE(layout_for_item(json::object(), 1));
    const auto broken = layout_for_item(layouts_with(R"([{"id": 1, "name": "Broken", "default": true, "layout": [{"type": "x"}]}])"), 1);
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("badge layout \"Broken\": layout[0].type"), std::string::npos) << broken.error();
}

TEST(DefaultBadgeLayout, IsTheAssetFile) {
    EXPECT_EQ(json::parse(kDefaultBadgeLayoutJson), read_json("assets/badge/default_layout.json"));
    const BadgeLayout layout = default_badge_layout();
    EXPECT_DOUBLE_EQ(layout.page_width_mm, 101.6);  // 4 in x 3 in
    EXPECT_DOUBLE_EQ(layout.page_height_mm, 76.2);
    std::vector<std::string> contents;
    for (const LayoutElement& element : layout.elements)
        std::visit([&](const auto& area) { contents.push_back(area.content); }, element);
    EXPECT_EQ(contents, (std::vector<std::string>{"attendee_name", "attendee_company", "itemvar", "event_name", "secret"}));
}

} // namespace
} // namespace kiosk::printer
