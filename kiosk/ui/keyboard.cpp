#include "kiosk/ui/keyboard.h"

#include <vector>

#include "render/theme.h"

namespace kiosk::ui {

namespace {

// Rows of keys; "⌫" erases, "␣" is the space bar (labels translated at draw time).
std::vector<std::vector<std::string>> rows_of(KeyboardLayout layout) {
    switch (layout) {
    case KeyboardLayout::digits: return {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"0", "⌫"}};
    case KeyboardLayout::number: return {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"-", "0", ".", "⌫"}};
    case KeyboardLayout::phone: return {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"+", "0", "␣", "⌫"}};
    case KeyboardLayout::email:
        return {{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
                {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
                {"a", "s", "d", "f", "g", "h", "j", "k", "l", "@"},
                {"z", "x", "c", "v", "b", "n", "m", ".", "-", "_"},
                {"⌫"}};
    case KeyboardLayout::letters:
        return {{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
                {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
                {"a", "s", "d", "f", "g", "h", "j", "k", "l", "'"},
                {"z", "x", "c", "v", "b", "n", "m", "-", ".", "@"},
                {"␣", "⌫"}};
    }
    return {};
}

bool is_pad(KeyboardLayout layout) {
    return layout == KeyboardLayout::digits || layout == KeyboardLayout::number || layout == KeyboardLayout::phone;
}

// Keys as large as the width allows (2.2 body lines at most), shrunk to fit `max_height`, never
// below the 64 px touch target.
float key_size(const UiContext& ui, KeyboardLayout layout, float max_height) {
    const bool pad = is_pad(layout);
    const float by_width = (ui.size.x * (pad ? 0.3f : 0.8f)) / (pad ? 4.0f : 10.0f);
    float key = std::min(ui.u() * 2.2f, by_width);
    const auto rows = static_cast<float>(rows_of(layout).size());
    if (max_height > 0) key = std::min(key, max_height / rows - ui.u() * 0.2f);
    return std::max(render::kMinTouchTarget, key);
}

float key_width(std::string_view label, float key, KeyboardLayout layout) {
    if (label == "␣") return key * 5;
    if (label == "⌫") return key * (is_pad(layout) ? 2.2f : 2.5f);
    return key;
}

} // namespace

float keyboard_height(const UiContext& ui, KeyboardLayout layout, float max_height) {
    return static_cast<float>(rows_of(layout).size()) * (key_size(ui, layout, max_height) + ui.u() * 0.2f);
}

float on_screen_keyboard(UiContext& ui, Area area, KeyboardLayout layout) {
    const auto rows = rows_of(layout);
    const float key = key_size(ui, layout, area.height());
    const float gap = ui.u() * 0.2f;
    const float height = keyboard_height(ui, layout, area.height());
    float y = area.max.y - height;
    for (const auto& row : rows) {
        float row_width = 0;
        for (const std::string& label : row) row_width += key_width(label, key, layout) + gap;
        float x = area.min.x + (area.width() - row_width + gap) / 2;
        for (const std::string& label : row) {
            const float w = key_width(label, key, layout);
            ImGui::SetCursorScreenPos({x, y});
            const std::string id = label == "⌫" ? "key:erase" : label == "␣" ? "key:space" : "key:" + label;
            const std::string shown = label == "⌫" ? "⌫ " + ui.tr("Delete") : label == "␣" ? ui.tr("Space") : label;
            if (ui.button(id, shown, {w, key}, render::ButtonKind::key, "key", false,
                          label.size() > 1 && label != "␣" ? render::FontRole::small : render::FontRole::body)) {
                if (label == "⌫") ui.events.push_back(flow::Erased{});
                else ui.events.push_back(flow::Typed{label == "␣" ? " " : label});
            }
            x += w + gap;
        }
        y += key + gap;
    }
    return height;
}

void text_field(UiContext& ui, ImVec2 min, ImVec2 max, std::string_view text, std::string_view placeholder, bool secret) {
    const render::Palette& colors = render::palette();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(min, max, colors.surface, ui.u() * 0.3f);
    draw->AddRect(min, max, colors.text_muted, ui.u() * 0.3f, 0, 2.0f);
    const float pad = ui.u() * 0.5f;
    const float line = ui.fonts.px(render::FontRole::large);
    const ImVec2 at{min.x + pad, min.y + (max.y - min.y - line) / 2};
    if (text.empty()) {
        render::draw_text_at(draw, at, placeholder, {render::FontRole::body, colors.text_muted, max.x - min.x - 2 * pad});
        ui.spoken.emplace_back(placeholder);
        return;
    }
    std::string shown = secret ? std::string() : std::string(text);
    if (secret)
        for (size_t i = 0; i < text.size(); ++i) shown += "●";
    render::draw_text_at(draw, at, shown, {render::FontRole::large, colors.text, 0});
    const ImVec2 extent = render::measure_text(shown, {render::FontRole::large, colors.text, 0});
    // The caret blinks at the end of the text: where typing goes.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ui.now.time_since_epoch()).count();
    if ((ms / 530) % 2 == 0)
        draw->AddRectFilled({at.x + extent.x + 4, at.y}, {at.x + extent.x + 8, at.y + line}, colors.focus);
}

} // namespace kiosk::ui
