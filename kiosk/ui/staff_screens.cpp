// Staff: the PIN keypad and the panel behind it. Staff read English here (the panel is not for
// attendees), but the words still go through tr() so a venue can translate them.
#include "kiosk/ui/keyboard.h"
#include "render/theme.h"

namespace kiosk::ui {

void StaffPinScreen::Draw(UiContext& ui, Area area) {
    const auto& view = ui.view;
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    ImGui::SetCursorScreenPos(area.min);
    ui.text(ui.tr("Enter staff PIN"), render::FontRole::large, colors.text, area.width(), render::Align::center);
    float y = ImGui::GetCursorScreenPos().y + u * 0.3f;
    if (!ui.settings.staff_pin_set) {
        ImGui::SetCursorScreenPos({area.min.x, y});
        ui.text(ui.tr("No staff PIN is configured on this kiosk."), render::FontRole::body, colors.warning, area.width(),
                render::Align::center);
        y = ImGui::GetCursorScreenPos().y;
    } else if (view.pin_locked_for.count() > 0) {
        ImGui::SetCursorScreenPos({area.min.x, y});
        ui.text(format_message(ui.tr("Too many attempts. Try again in %d seconds."), {std::to_string(view.pin_locked_for.count())}),
                render::FontRole::body, colors.warning, area.width(), render::Align::center);
        y = ImGui::GetCursorScreenPos().y;
    } else if (view.pin_wrong) {
        ImGui::SetCursorScreenPos({area.min.x, y});
        ui.text(ui.tr("Wrong PIN"), render::FontRole::body, colors.warning, area.width(), render::Align::center);
        y = ImGui::GetCursorScreenPos().y;
    }
    const float w = u * 12;
    const float x = area.min.x + (area.width() - w) / 2;
    text_field(ui, {x, y + u * 0.3f}, {x + w, y + u * 2.5f}, view.field, "", /*secret=*/true);
    const float nav_h = u * 2.2f;
    const Area pad{{area.min.x, y + u * 3}, {area.max.x, area.max.y - nav_h - u * 0.5f}};
    on_screen_keyboard(ui, pad, KeyboardLayout::digits);
    ImGui::SetCursorScreenPos({x, area.max.y - nav_h});
    if (ui.button("back", ui.tr("Cancel"), {w / 2 - u * 0.25f, nav_h}, render::ButtonKind::secondary)) ui.press("back");
    ImGui::SetCursorScreenPos({x + w / 2 + u * 0.25f, area.max.y - nav_h});
    if (ui.button("next", "OK", {w / 2 - u * 0.25f, nav_h}, render::ButtonKind::primary)) ui.press("next");
}

void StaffScreen::Draw(UiContext& ui, Area area) {
    const auto& view = ui.view;
    const auto& status = ui.status;
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    const float column = ui.portrait() ? area.width() : area.width() * 0.45f;

    // Left: what staff need to know at a glance.
    ImGui::SetCursorScreenPos(area.min);
    ui.text(ui.tr("Staff"), render::FontRole::large, colors.text);
    auto line = [&](const std::string& label, const std::string& value, ImU32 color) {
        ImGui::SetCursorScreenPos({area.min.x, ImGui::GetCursorScreenPos().y + u * 0.15f});
        ui.text(label + ": " + value, render::FontRole::body, color, column);
    };
    line(ui.tr("Checked in"), std::to_string(view.stats.checked_in), colors.text);
    line(ui.tr("Expected"), std::to_string(view.stats.expected), colors.text);
    line(ui.tr("Inside"), std::to_string(view.stats.inside), colors.text);
    // Which backend, by its brand name (never translated): a store can have more than one saved.
    // TRANSLATORS: %s is the ticketing system's brand name (pretix, Constant Contact, Oveit, BrightStar).
    const std::string online = ui.tr("Online (%s)");
    // TRANSLATORS: %s is the ticketing system's brand name (pretix, Constant Contact, Oveit, BrightStar).
    const std::string offline = ui.tr("Offline (%s)");
    line(ui.tr("Sync"), !status.backend ? ui.tr("no backend configured")
                                        : format_message(status.online ? online : offline, {status.backend_name}),
         status.online || !status.backend ? colors.text : colors.warning);
    if (status.backend) {
        // Online mode (or a backend that keeps no tickets here): the server decides first; after a
        // failed ask this kiosk decides alone for a while (sync/online_check.h), and staff see why.
        const bool server_silent = status.scan_mode && !status.scan_mode->online && !status.scan_mode->why_offline.empty();
        line(ui.tr("Decisions"), !status.scan_mode ? ui.tr("on this kiosk")
                                 : server_silent   ? ui.tr("on this kiosk until the server answers")
                                                   : ui.tr("by the server first"),
             server_silent ? colors.warning : colors.text);
        if (server_silent && status.scan_mode->why_offline != status.sync_error)   // said once is enough
            line(ui.tr("Server"), status.scan_mode->why_offline, colors.warning);
        line(ui.tr("Last sync"), status.last_success.empty() ? "—" : status.last_success, colors.text);
        line(ui.tr("Queued uploads"), std::to_string(status.pending_uploads), colors.text);
        if (!status.sync_error.empty()) line(ui.tr("Problem"), status.sync_error, colors.warning);
    }
    line(ui.tr("Printer"), status.printer.empty() ? ui.tr("none") : status.printer, colors.text);
    line(ui.tr("Camera"), status.camera, colors.text);
    if (!view.staff_message.empty()) {
        ImGui::SetCursorScreenPos({area.min.x, ImGui::GetCursorScreenPos().y + u * 0.5f});
        ui.text(view.staff_message, render::FontRole::body, colors.success, column);
    }

    // Right (below in portrait): the check-in list, the mode, and the actions.
    const float right = ui.portrait() ? area.min.x : area.min.x + area.width() * 0.5f;
    float y = ui.portrait() ? ImGui::GetCursorScreenPos().y + u : area.min.y;
    const float width = area.max.x - right;
    const float h = std::max(render::kMinTouchTarget, u * 1.9f);
    ImGui::SetCursorScreenPos({right, y});
    ui.text(ui.tr("Check-in list"), render::FontRole::small, colors.text_muted);
    y = ImGui::GetCursorScreenPos().y;
    for (const ListChoice& list : status.lists) {
        ImGui::SetCursorScreenPos({right, y});
        const bool chosen = std::find(view.lists.begin(), view.lists.end(), list.id) != view.lists.end();
        const std::string id = "list:" + std::to_string(list.id);
        if (ui.button(id, list.name, {width, h}, render::ButtonKind::option, "option", chosen)) ui.press(id);
        y += h + u * 0.2f;
    }
    y += u * 0.3f;
    const float half = (width - u * 0.3f) / 2;
    struct Action { const char* id; std::string label; render::ButtonKind kind; };
    const Action actions[] = {
        {"mode", view.mode == CheckinType::entry ? ui.tr("Mode: entry") : ui.tr("Mode: exit"), render::ButtonKind::option},
        {"sync", ui.tr("Sync now"), render::ButtonKind::secondary},
        {"undo", ui.tr("Undo last check-in"), render::ButtonKind::secondary},
        {"reprint", ui.tr("Reprint badge"), render::ButtonKind::secondary},
        {view.out_of_order_manual ? "ooo_off" : "ooo_on",
         view.out_of_order_manual ? ui.tr("Out of order off") : ui.tr("Out of order on"), render::ButtonKind::secondary},
        {"reset", ui.tr("Reset kiosk"), render::ButtonKind::secondary},
        {"exit", ui.tr("Exit kiosk"), render::ButtonKind::danger},
        {"close", ui.tr("Close"), render::ButtonKind::primary},
    };
    for (size_t i = 0; i < std::size(actions); ++i) {
        ImGui::SetCursorScreenPos({right + (i % 2 == 0 ? 0 : half + u * 0.3f), y});
        if (ui.button(actions[i].id, actions[i].label, {half, h}, actions[i].kind)) ui.press(actions[i].id);
        if (i % 2 == 1) y += h + u * 0.3f;
    }
}

} // namespace kiosk::ui
