#include "kiosk/ui/keyboard.h"
#include "render/theme.h"

namespace kiosk::ui {

// Find my ticket (name, email or order code) or type my ticket code. Results show names only:
// enough to pick one's own ticket, nothing about anyone else.
void LookupScreen::Draw(UiContext& ui, Area area) {
    const auto& view = ui.view;
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    const bool manual = view.manual_entry;

    ImGui::SetCursorScreenPos(area.min);
    ui.text(manual ? ui.tr("Ticket code") : ui.tr("Search by name, email or order code"), render::FontRole::large,
            colors.text, area.width(), render::Align::center);
    const float field_top = ImGui::GetCursorScreenPos().y + u * 0.4f;
    const float field_h = u * 2.4f;
    const float w = std::min(area.width() - u * 18, u * 26);
    const float x = area.min.x + (area.width() - w) / 2;
    text_field(ui, {x, field_top}, {x + w, field_top + field_h}, view.field, manual ? "" : ui.tr("Type at least 4 characters"));

    const float nav_h = std::max(render::kMinTouchTarget, u * 2.4f);
    // Landscape: the keyboard on the left, the names found on the right; portrait: names between
    // the field and the keyboard, which sits low where hands reach. The keys shrink to the room
    // below the field (large text makes everything else bigger).
    const float below = field_top + field_h + u * 0.5f;
    const bool side_by_side = !ui.portrait();
    const float keyboard = keyboard_height(ui, KeyboardLayout::letters, (area.max.y - below) * (side_by_side ? 1.0f : 0.6f));
    const Area keys = side_by_side ? Area{{area.min.x, area.max.y - keyboard}, {area.min.x + area.width() * 0.62f, area.max.y}}
                                   : Area{{area.min.x, area.max.y - keyboard}, area.max};
    on_screen_keyboard(ui, keys, KeyboardLayout::letters);

    ImGui::SetCursorScreenPos({area.min.x, field_top});
    if (ui.button("back", ui.tr("Back"), {u * 7, nav_h}, render::ButtonKind::secondary)) ui.press("back");
    if (manual) {
        ImGui::SetCursorScreenPos({area.max.x - u * 7, field_top});
        if (ui.button("next", ui.tr("Check in"), {u * 7, nav_h}, render::ButtonKind::primary)) ui.press("next");
        return;
    }

    const float list_top = field_top + field_h + u * 0.5f;
    const float list_x = side_by_side ? keys.max.x + u : x;
    const float list_w = side_by_side ? area.max.x - list_x : w;
    const float list_h = (side_by_side ? area.max.y : keys.min.y - u * 0.5f) - list_top;
    ImGui::SetCursorScreenPos({list_x, list_top});
    if (view.field.size() >= 4 && view.hits.empty() && !view.lookup_busy) {
        ui.text(ui.tr("No tickets found"), render::FontRole::body, colors.text_muted, list_w, render::Align::center);
        return;
    }
    ImGui::BeginChild("hits", {list_w, std::max(list_h, u * 2)}, false, ImGuiWindowFlags_NoScrollbar);
    render::DragScroll();
    for (size_t i = 0; i < view.hits.size(); ++i) {
        const std::string id = "hit:" + std::to_string(i);
        const std::string& name = view.hits[i].attendee_name;
        if (ui.button(id, name.empty() ? ui.tr("This is me") : name, {list_w - u * 0.5f, u * 2.2f}, render::ButtonKind::option,
                      "option"))
            ui.press(id);
    }
    ImGui::EndChild();
}

} // namespace kiosk::ui
