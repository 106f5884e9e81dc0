#include "kiosk/ui/question_widgets.h"
#include "render/theme.h"

namespace kiosk::ui {

// One question per page: "Question 2 of 5", the question, its widget, the problem if any, and
// back / next at the bottom (next says "Done" on the last page).
void QuestionsScreen::Draw(UiContext& ui, Area area) {
    const auto& view = ui.view;
    if (view.pages.empty() || view.page >= view.pages.size()) return;
    const flow::QuestionPage& page = view.pages[view.page];
    const render::Palette& colors = render::palette();
    const float u = ui.u();

    ImGui::SetCursorScreenPos(area.min);
    ui.text(format_message(ui.tr("Question %d of %d"), {std::to_string(view.page + 1), std::to_string(view.pages.size())}),
            render::FontRole::small, colors.text_muted, area.width(), render::Align::center);
    ImGui::SetCursorScreenPos({area.min.x, ImGui::GetCursorScreenPos().y + u * 0.3f});
    std::string question = localized_text(page.question.question, view.language);
    if (!page.question.required) question += " (" + ui.tr("optional") + ")";
    ui.text(question, render::FontRole::large, colors.text, area.width(), render::Align::center);
    float top = ImGui::GetCursorScreenPos().y + u * 0.3f;
    if (!page.error.empty()) {
        ImGui::SetCursorScreenPos({area.min.x, top});
        ui.text(ui.tr(page.error), render::FontRole::body, colors.warning, area.width(), render::Align::center);
        top = ImGui::GetCursorScreenPos().y + u * 0.3f;
    }

    const float nav_h = std::max(render::kMinTouchTarget, u * 2.4f);
    const Area widget{{area.min.x, top + u * 0.3f}, {area.max.x, area.max.y - nav_h - u * 0.6f}};
    widget_for(page.question.type).Draw(ui, page, widget);

    const float w = u * 8;
    ImGui::SetCursorScreenPos({area.min.x, area.max.y - nav_h});
    if (ui.button("back", ui.tr("Back"), {w, nav_h}, render::ButtonKind::secondary)) ui.press("back");
    const bool last = view.page + 1 == view.pages.size();
    ImGui::SetCursorScreenPos({area.max.x - w, area.max.y - nav_h});
    if (ui.button("next", last ? ui.tr("Done") : ui.tr("Next"), {w, nav_h}, render::ButtonKind::primary)) ui.press("next");
}

} // namespace kiosk::ui
