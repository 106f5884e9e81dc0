#include "kiosk/ui/ui_context.h"

#include <algorithm>

#include "render/theme.h"

namespace kiosk::ui {

void FocusChain::begin_frame() {
    previous_ = std::move(current_);
    current_.clear();
    const bool still_there = std::any_of(previous_.begin(), previous_.end(), [&](const Entry& e) { return e.id == focused_; });
    if (!still_there && !focused_.empty()) focused_.clear();
}

bool FocusChain::add(const std::string& id, std::string_view role) {
    current_.push_back({id, std::string(role)});
    return !focused_.empty() && id == focused_;
}

void FocusChain::place(const std::string& id, ImVec2 min, ImVec2 max) {
    if (!current_.empty() && current_.back().id == id) {
        current_.back().min = min;
        current_.back().max = max;
    }
}

// Called between frames (keys are handled before drawing), so current_ is the last frame's
// complete list of controls.
void FocusChain::move(int step) {
    if (current_.empty()) return;
    const auto n = static_cast<int>(current_.size());
    int at = -1;
    for (int i = 0; i < n; ++i)
        if (current_[static_cast<size_t>(i)].id == focused_) at = i;
    const int next = at < 0 ? (step > 0 ? 0 : n - 1) : ((at + step) % n + n) % n;
    focused_ = current_[static_cast<size_t>(next)].id;
}

std::string_view FocusChain::focused_role() const {
    for (const Entry& entry : current_)
        if (entry.id == focused_) return entry.role;
    for (const Entry& entry : previous_)
        if (entry.id == focused_) return entry.role;
    return "button";
}

void UiContext::text(std::string_view utf8, render::FontRole role, ImU32 color, float wrap, render::Align align) {
    if (utf8.empty()) return;
    render::draw_text(utf8, render::TextStyle{role, color, wrap, align});
    spoken.emplace_back(utf8);
}

bool UiContext::button(const std::string& control, std::string_view label, ImVec2 button_size, render::ButtonKind kind,
                       std::string_view role, bool selected, render::FontRole font) {
    const bool focused = focus.add(control, role);
    if (focused) focus.set_label(control, label);
    const bool tapped = render::Button(control.c_str(), label, button_size,
                                       render::ButtonLook{kind, focused, selected, font});
    focus.place(control, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    return tapped || focus.activated(control);
}

std::string format_message(std::string_view pattern, std::initializer_list<std::string_view> values) {
    std::string out;
    auto value = values.begin();
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size() && (pattern[i + 1] == 's' || pattern[i + 1] == 'd')) {
            if (value != values.end()) out += *value++;
            ++i;
        } else if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == '%') {
            out += '%';
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

} // namespace kiosk::ui
