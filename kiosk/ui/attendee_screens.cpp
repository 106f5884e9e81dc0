// The attendee's screens that show and wait: attract, checking, rejected, admitted, printing,
// done, still there, out of order. Questions and lookup have their own files.
#include <cmath>

#include "kiosk/app/local_time_format.h"
#include "kiosk/core/time.h"
#include "kiosk/ui/screens.h"
#include "render/theme.h"

namespace kiosk::ui {

namespace {

using render::FontRole;

float fraction_left(const UiContext& ui) {
    const auto& view = ui.view;
    if (view.deadline == flow::Clock::time_point{}) return 1.0f;
    const auto total = std::chrono::duration<float>(view.deadline - view.entered).count();
    const auto left = std::chrono::duration<float>(view.deadline - ui.now).count();
    return total <= 0 ? 0.0f : std::clamp(left / total, 0.0f, 1.0f);
}

// A phone showing a QR code, held up to the camera: the attract screen's picture of what to do.
void draw_phone_pictogram(ImDrawList* draw, ImVec2 center, float unit, const render::Palette& colors) {
    const ImVec2 phone_min{center.x - unit * 1.6f, center.y - unit * 2.8f}, phone_max{center.x + unit * 1.6f, center.y + unit * 2.8f};
    draw->AddRect(phone_min, phone_max, colors.text, unit * 0.35f, 0, unit * 0.15f);
    const float cell = unit * 0.32f;
    const ImVec2 qr{center.x - cell * 3.5f, center.y - cell * 3.5f};
    // A fixed 7x7 pattern that reads as "a QR code" at a glance: three finder squares and some modules.
    static constexpr const char* kPattern[7] = {"111 111", "1 1 1 1", "111 111", "   1 1 ", "111  1 ", "1 1 1 1", "111 11 "};
    for (int row = 0; row < 7; ++row)
        for (int col = 0; col < 7; ++col)
            if (kPattern[row][col] == '1')
                draw->AddRectFilled({qr.x + static_cast<float>(col) * cell, qr.y + static_cast<float>(row) * cell},
                                    {qr.x + static_cast<float>(col + 1) * cell, qr.y + static_cast<float>(row + 1) * cell},
                                    colors.text);
    // Brightness: rays around the phone's screen.
    for (int i = 0; i < 8; ++i) {
        const float angle = static_cast<float>(i) * 3.14159f / 4;
        const ImVec2 dir{std::cos(angle), std::sin(angle)};
        draw->AddLine({center.x + dir.x * unit * 3.3f, center.y + dir.y * unit * 3.3f},
                      {center.x + dir.x * unit * 3.9f, center.y + dir.y * unit * 3.9f}, colors.warning, unit * 0.12f);
    }
}

// The attendee is to wait for staff (require_attention, or a badge they said was wrong).
void send_to_staff(UiContext& ui, Area area, float y) {
    const render::Palette& colors = render::palette();
    centered_text(ui, area, y, ui.tr("Please see the help desk"), FontRole::large, colors.warning);
    centered_text(ui, area, ImGui::GetCursorScreenPos().y + ui.u() * 0.5f, ui.tr("A member of staff will be with you shortly."),
                  FontRole::body, colors.text);
}

std::string event_time(const UiContext& ui, Timestamp t, TimeStyle style) {
    return format_local_time(t, find_time_zone(ui.view.event_timezone), ui.view.language, style, now_utc());
}

} // namespace

void centered_text(UiContext& ui, Area area, float y, std::string_view text, FontRole role, ImU32 color) {
    ImGui::SetCursorScreenPos({area.min.x, y});
    ui.text(text, role, color, area.width(), render::Align::center);
}

void countdown_bar(UiContext& ui, ImVec2 min, float width, float fraction) {
    ImGui::SetCursorScreenPos(min);
    render::ProgressBar(fraction, {width, ui.u() * 0.4f}, render::palette().primary);
}

void draw_camera(UiContext& ui, ImVec2 min, ImVec2 max) {
    const render::Palette& colors = render::palette();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    if (!ui.camera || ui.camera->empty()) {
        draw->AddRect(min, max, colors.text_muted, ui.u() * 0.3f, 0, 2);
        return;
    }
    // Fit the frame into the box, keeping its aspect; mirrored, as people expect of a camera facing them.
    const float box_w = max.x - min.x, box_h = max.y - min.y;
    const float scale = std::min(box_w / static_cast<float>(ui.camera->width()), box_h / static_cast<float>(ui.camera->height()));
    const float w = static_cast<float>(ui.camera->width()) * scale, h = static_cast<float>(ui.camera->height()) * scale;
    const ImVec2 at{min.x + (box_w - w) / 2, min.y + (box_h - h) / 2};
    draw->AddImage(ui.camera->id(), at, {at.x + w, at.y + h}, {1, 0}, {0, 1});
    draw->AddRect(at, {at.x + w, at.y + h}, colors.text_muted, 0, 0, 2);
    if (ui.code_outline) {
        ImVec2 points[4];
        for (int i = 0; i < 4; ++i) {
            const ImVec2 p = (*ui.code_outline)[static_cast<size_t>(i)];
            points[i] = {at.x + w - p.x * scale, at.y + p.y * scale};
        }
        draw->AddPolyline(points, 4, colors.success, ImDrawFlags_Closed, ui.u() * 0.15f);
    }
}

void AttractScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    Area text_area = area;
    if (ui.camera) {
        if (ui.portrait()) {
            draw_camera(ui, area.min, {area.max.x, area.min.y + area.height() * 0.38f});
            text_area.min.y += area.height() * 0.4f;
        } else {
            draw_camera(ui, area.min, {area.min.x + area.width() * 0.45f, area.max.y});
            text_area.min.x += area.width() * 0.48f;
        }
    }
    float y = text_area.min.y + u * 0.5f;
    centered_text(ui, text_area, y, ui.tr("Welcome"), FontRole::huge, colors.text);
    y += ui.fonts.px(FontRole::huge) * 1.3f;
    centered_text(ui, text_area, y, ui.tr("Check in here"), FontRole::large, colors.text);
    y += ui.fonts.px(FontRole::large) * 1.6f;
    draw_phone_pictogram(ImGui::GetWindowDrawList(), {(text_area.min.x + text_area.max.x) / 2, y + u * 4}, u, colors);
    y += u * 8.6f;
    centered_text(ui, text_area, y, ui.tr("Show your ticket's QR code to the camera"), FontRole::body, colors.text);
    y = ImGui::GetCursorScreenPos().y + u * 0.3f;
    centered_text(ui, text_area, y, ui.tr("Turn your phone's brightness up"), FontRole::body, colors.text_muted);

    const bool lookup = ui.settings.lookup_enabled, manual = ui.settings.manual_entry_enabled;
    const int buttons = (lookup ? 1 : 0) + (manual ? 1 : 0);
    if (buttons == 0) return;
    const float h = std::max(render::kMinTouchTarget, u * 2.4f);
    const float gap = u * 0.8f;
    const float w = std::min(u * 11, (text_area.width() - gap) / static_cast<float>(buttons));
    float x = text_area.min.x + (text_area.width() - (w * static_cast<float>(buttons) + gap * static_cast<float>(buttons - 1))) / 2;
    const float by = text_area.max.y - h;
    if (lookup) {
        ImGui::SetCursorScreenPos({x, by});
        if (ui.button("lookup", ui.tr("Find my ticket"), {w, h}, render::ButtonKind::secondary)) ui.press("lookup");
        x += w + gap;
    }
    if (manual) {
        ImGui::SetCursorScreenPos({x, by});
        if (ui.button("manual", ui.tr("Type my ticket code"), {w, h}, render::ButtonKind::secondary)) ui.press("manual");
    }
}

void CheckingScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float cy = (area.min.y + area.max.y) / 2;
    // A spinner: the kiosk is working, not frozen.
    const float t = std::chrono::duration<float>(ui.now.time_since_epoch()).count();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 c{(area.min.x + area.max.x) / 2, cy - ui.u() * 3};
    for (int i = 0; i < 12; ++i) {
        const float a = static_cast<float>(i) * 3.14159f / 6 + t * 4;
        const auto alpha = static_cast<int>(255.0f * static_cast<float>(i + 1) / 12.0f);
        draw->AddCircleFilled({c.x + std::cos(a) * ui.u() * 1.5f, c.y + std::sin(a) * ui.u() * 1.5f}, ui.u() * 0.25f,
                              (colors.primary & 0x00FFFFFFu) | (static_cast<ImU32>(alpha) << 24));
    }
    centered_text(ui, area, cy, ui.tr("Checking your ticket…"), FontRole::large, colors.text);
}

std::string rejection_sentence(const UiContext& ui, const flow::RejectedView& rejected) {
    switch (rejected.reason) {
    case RejectReason::already_redeemed:
        if (rejected.first_checkin)
            return format_message(ui.tr("This ticket has already been used (checked in %s)."),
                                  {event_time(ui, *rejected.first_checkin, TimeStyle::relative_day)});
        return ui.tr("This ticket has already been used.");
    case RejectReason::invalid_time: {
        const Timestamp now = now_utc();
        if (rejected.valid_from && *rejected.valid_from > now)
            return format_message(ui.tr("This ticket is not valid yet. It is valid from %s."),
                                  {event_time(ui, *rejected.valid_from, TimeStyle::relative_day)});
        if (rejected.valid_until && *rejected.valid_until < now)
            return format_message(ui.tr("This ticket is no longer valid. It expired %s."),
                                  {event_time(ui, *rejected.valid_until, TimeStyle::relative_day)});
        return ui.tr("This ticket is not valid at this time. Please see the help desk.");
    }
    case RejectReason::invalid:
        return ui.tr("This ticket was not found. Please check that you are showing the right ticket, or see the help desk.");
    case RejectReason::unpaid: return ui.tr("This order has not been paid yet. Please see the help desk.");
    case RejectReason::canceled: return ui.tr("This ticket has been canceled. Please see the help desk.");
    case RejectReason::blocked: return ui.tr("This ticket is blocked. Please see the help desk.");
    case RejectReason::product: return ui.tr("This ticket is not valid for this entrance. Please see the help desk.");
    case RejectReason::rules: return ui.tr("This ticket cannot be admitted here right now. Please see the help desk.");
    case RejectReason::ambiguous: return ui.tr("This ticket matches more than one booking. Please see the help desk.");
    case RejectReason::revoked: return ui.tr("This ticket has been replaced by a newer one. Please show your latest ticket.");
    case RejectReason::unapproved: return ui.tr("This order is waiting for approval. Please see the help desk.");
    case RejectReason::offline: return ui.tr("We cannot check tickets right now. Please see the help desk.");
    case RejectReason::error:
    case RejectReason::none: break;
    }
    return ui.tr("Something went wrong. Please see the help desk.");
}

void RejectedScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    float y = area.min.y + area.height() * 0.15f;
    ImGui::GetWindowDrawList()->AddCircleFilled({(area.min.x + area.max.x) / 2, y + u * 1.5f}, u * 1.5f, colors.danger);
    render::draw_text_at(ImGui::GetWindowDrawList(), {area.min.x, y + u * 1.5f - ui.fonts.px(FontRole::huge) / 2}, "!",
                         {FontRole::huge, colors.danger_text, area.width(), render::Align::center});
    y += u * 4;
    // Offline is no fault of the ticket: the headline must not blame it.
    const bool offline = ui.view.rejected.reason == RejectReason::offline;
    centered_text(ui, area, y,
                  offline ? ui.tr("Sorry, check-in is offline right now") : ui.tr("Sorry, this ticket cannot be used here"),
                  FontRole::large, colors.text);
    y = ImGui::GetCursorScreenPos().y + u;
    const Area sentence{{area.min.x + area.width() * 0.1f, area.min.y}, {area.max.x - area.width() * 0.1f, area.max.y}};
    centered_text(ui, sentence, y, rejection_sentence(ui, ui.view.rejected), FontRole::body, colors.text);
    const float bar_w = std::min(area.width() * 0.6f, u * 20);
    const float bottom = area.max.y - u * 2.4f;
    if (!ui.view.rejected.countdown_stopped)
        countdown_bar(ui, {area.min.x + (area.width() - bar_w) / 2, bottom - u * 1.2f}, bar_w, fraction_left(ui));
    ImGui::SetCursorScreenPos({area.min.x + (area.width() - u * 8) / 2, bottom});
    if (ui.button("done", ui.tr("Done"), {u * 8, u * 2.4f}, render::ButtonKind::primary)) ui.press("done");
}

void AdmittedScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    float y = area.min.y + area.height() * 0.18f;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 c{(area.min.x + area.max.x) / 2, y + u * 1.8f};
    draw->AddCircleFilled(c, u * 1.8f, ui.view.require_attention ? colors.warning : colors.success);
    // A check mark drawn, not a glyph: it reads in every language.
    draw->AddPolyline(std::array<ImVec2, 3>{ImVec2{c.x - u * 0.8f, c.y}, ImVec2{c.x - u * 0.2f, c.y + u * 0.7f},
                                            ImVec2{c.x + u * 0.9f, c.y - u * 0.6f}}.data(),
                      3, colors.background, 0, u * 0.3f);
    y += u * 4.6f;
    const std::string welcome = ui.view.attendee_name.empty()
                                    ? ui.tr("Welcome!")
                                    : format_message(ui.tr("Welcome, %s!"), {ui.view.attendee_name});
    centered_text(ui, area, y, welcome, FontRole::huge, colors.text);
    y = ImGui::GetCursorScreenPos().y + u;
    if (ui.view.require_attention) {
        send_to_staff(ui, area, y);
    } else if (ui.settings.printer) {
        centered_text(ui, area, y, ui.tr("Your badge is printing…"), FontRole::body, colors.text_muted);
    }
}

void PrintingScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    if (ui.view.preview) {
        // The badge as it will print: the attendee checks their name before it is used up.
        ImGui::SetCursorScreenPos(area.min);
        ui.text(ui.tr("Is this your badge?"), FontRole::large, colors.text, area.width(), render::Align::center);
        const float top = ImGui::GetCursorScreenPos().y + u * 0.5f;
        const float buttons_h = u * 2.6f;
        const float box_h = area.max.y - buttons_h - u - top;
        if (ui.view.preview_ready && ui.badge && !ui.badge->empty()) {
            const float scale = std::min(area.width() * 0.8f / static_cast<float>(ui.badge->width()),
                                         box_h / static_cast<float>(ui.badge->height()));
            const float w = static_cast<float>(ui.badge->width()) * scale, h = static_cast<float>(ui.badge->height()) * scale;
            const ImVec2 at{area.min.x + (area.width() - w) / 2, top + (box_h - h) / 2};
            ImGui::GetWindowDrawList()->AddImage(ui.badge->id(), at, {at.x + w, at.y + h});
        } else {
            centered_text(ui, area, top + box_h / 2, ui.tr("Your badge is printing…"), FontRole::body, colors.text_muted);
        }
        const float w = u * 10, y = area.max.y - buttons_h;
        ImGui::SetCursorScreenPos({area.min.x + area.width() / 2 - w - u * 0.5f, y});
        if (ui.button("wrong", ui.tr("This is wrong"), {w, buttons_h}, render::ButtonKind::secondary)) ui.press("wrong");
        ImGui::SetCursorScreenPos({area.min.x + area.width() / 2 + u * 0.5f, y});
        if (ui.button("print", ui.tr("Print"), {w, buttons_h}, render::ButtonKind::primary, "button", false, FontRole::large))
            ui.press("print");
        return;
    }
    const float cy = area.min.y + area.height() * 0.3f;
    // A badge coming out of a slot, moving gently: look down, take it.
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float t = std::fmod(std::chrono::duration<float>(ui.now.time_since_epoch()).count(), 1.5f) / 1.5f;
    const ImVec2 c{(area.min.x + area.max.x) / 2, cy};
    draw->AddRectFilled({c.x - u * 3.5f, c.y - u * 0.4f}, {c.x + u * 3.5f, c.y + u * 0.4f}, colors.text_muted, u * 0.2f);
    draw->AddRectFilled({c.x - u * 2.2f, c.y}, {c.x + u * 2.2f, c.y + u * (1.5f + 2.0f * t)}, colors.text, u * 0.2f);
    centered_text(ui, area, cy + u * 5, ui.tr("Please take your badge"), FontRole::huge, colors.text);
    centered_text(ui, area, ImGui::GetCursorScreenPos().y + u, ui.tr("Your badge is printing…"), FontRole::body,
                  colors.text_muted);
}

void DoneScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    float y = area.min.y + area.height() * 0.3f;
    centered_text(ui, area, y, ui.tr("You're all set. Enjoy the event!"), FontRole::huge, colors.text);
    y = ImGui::GetCursorScreenPos().y + u;
    if (ui.view.require_attention) {
        send_to_staff(ui, area, y);
    } else if (ui.settings.printer && ui.view.print_state != PrintJobState::done) {
        centered_text(ui, area, y, ui.tr("Your badge could not be printed. Please see the help desk."), FontRole::body,
                      colors.warning);
    } else if (ui.settings.printer) {
        centered_text(ui, area, y, ui.tr("Please take your badge from the printer"), FontRole::body, colors.text_muted);
    }
}

void StillThereScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float u = ui.u();
    float y = area.min.y + area.height() * 0.2f;
    centered_text(ui, area, y, ui.tr("Still there?"), FontRole::huge, colors.text);
    y = ImGui::GetCursorScreenPos().y + u;
    centered_text(ui, area, y, ui.tr("Tap to continue"), FontRole::body, colors.text_muted);
    y = ImGui::GetCursorScreenPos().y + u * 1.5f;
    const float bar_w = std::min(area.width() * 0.6f, u * 20);
    countdown_bar(ui, {area.min.x + (area.width() - bar_w) / 2, y}, bar_w, fraction_left(ui));
    y += u * 2;
    const float w = u * 10, h = u * 2.6f;
    ImGui::SetCursorScreenPos({area.min.x + (area.width() - w) / 2, y});
    if (ui.button("continue", ui.tr("Continue"), {w, h}, render::ButtonKind::primary, "button", false, FontRole::large))
        ui.press("continue");
    ImGui::SetCursorScreenPos({area.min.x + (area.width() - w) / 2, y + h + u});
    if (ui.button("start_over", ui.tr("Start over"), {w, u * 2.2f}, render::ButtonKind::secondary)) ui.press("start_over");
}

void OutOfOrderScreen::Draw(UiContext& ui, Area area) {
    const render::Palette& colors = render::palette();
    const float y = area.min.y + area.height() * 0.3f;
    centered_text(ui, area, y, ui.tr("Out of order"), FontRole::huge, colors.warning);
    centered_text(ui, area, ImGui::GetCursorScreenPos().y + ui.u(), ui.tr("Please use another kiosk"), FontRole::large,
                  colors.text);
}

} // namespace kiosk::ui
