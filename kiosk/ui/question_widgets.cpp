#include "kiosk/ui/question_widgets.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <vector>

#include "kiosk/ui/keyboard.h"
#include "render/theme.h"

namespace kiosk::ui {

namespace {

using render::FontRole;

// B: two large choices, Yes and No (ids "true" / "false", as the state log names them).
class BooleanWidget final : public QuestionWidget {
public:
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u(), w = std::min(u * 9, area.width() / 2 - u), h = u * 3;
        const float x = area.min.x + (area.width() - (2 * w + u)) / 2;
        ImGui::SetCursorScreenPos({x, area.min.y + u});
        if (ui.button("true", ui.tr("Yes"), {w, h}, render::ButtonKind::option, "option", page.text == "True", FontRole::large))
            ui.press("true");
        ImGui::SetCursorScreenPos({x + w + u, area.min.y + u});
        if (ui.button("false", ui.tr("No"), {w, h}, render::ButtonKind::option, "option", page.text == "False", FontRole::large))
            ui.press("false");
    }
};

// C and M: the options as a grid of toggles that scrolls by dragging when there are many.
class ChoiceWidget final : public QuestionWidget {
public:
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u();
        const auto& options = page.question.options;
        const int columns = ui.portrait() || options.size() <= 3 ? 1 : 2;
        const float gap = u * 0.5f;
        const float w = std::min(u * 16, (area.width() - gap * static_cast<float>(columns - 1)) / static_cast<float>(columns));
        const float h = std::max(render::kMinTouchTarget, u * 2.2f);
        const float total_w = w * static_cast<float>(columns) + gap * static_cast<float>(columns - 1);
        ImGui::SetCursorScreenPos({area.min.x + (area.width() - total_w) / 2, area.min.y});
        ImGui::BeginChild("options", {total_w, area.height()}, false, ImGuiWindowFlags_NoScrollbar);
        render::DragScroll();
        for (size_t i = 0; i < options.size(); ++i) {
            const QuestionOption& option = options[i];
            const int column = static_cast<int>(i) % columns;
            if (column > 0) ImGui::SameLine(0, gap);
            const std::string id = "option:" + std::to_string(option.id);
            const bool chosen = page.chosen.contains(option.id);
            const std::string mark = page.question.type == QuestionType::multiple_choice ? (chosen ? "☑ " : "☐ ") : "";
            if (ui.button(id, mark + localized_text(option.answer, ui.view.language), {w, h}, render::ButtonKind::option,
                          "option", chosen))
                ui.press(id);
            if (column == columns - 1 || i + 1 == options.size()) ImGui::Dummy({0, gap * 0.5f});
        }
        ImGui::EndChild();
    }
};

// S, T, N, EMAIL, TEL: a field and the keyboard that fits the type.
class TextWidget final : public QuestionWidget {
public:
    explicit TextWidget(KeyboardLayout layout) : layout_(layout) {}
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u();
        const float field_h = u * 2.4f;
        const float w = std::min(area.width(), u * 26);
        const float x = area.min.x + (area.width() - w) / 2;
        text_field(ui, {x, area.min.y}, {x + w, area.min.y + field_h}, page.text, placeholder(ui, page.question.type));
        on_screen_keyboard(ui, {{area.min.x, area.min.y + field_h + u * 0.5f}, area.max}, layout_);
    }

private:
    static std::string placeholder(const UiContext& ui, QuestionType type) {
        switch (type) {
        case QuestionType::email: return "name@example.com";
        case QuestionType::phone: return "+49 30 1234567";
        case QuestionType::number: return "0";
        default: return ui.tr("Type your answer");
        }
    }
    KeyboardLayout layout_;
};

// D, H, W: digits on a keypad, shown as the date or time they make ("2027-03-16", "09:30").
class DateTimeWidget final : public QuestionWidget {
public:
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u();
        const float field_h = u * 2.4f;
        const float w = std::min(area.width(), u * 14);
        const float x = area.min.x + (area.width() - w) / 2;
        const QuestionType type = page.question.type;
        const std::string format = type == QuestionType::date   ? ui.tr("YYYY-MM-DD")
                                   : type == QuestionType::time ? ui.tr("HH:MM")
                                                                : ui.tr("YYYY-MM-DD HH:MM");
        text_field(ui, {x, area.min.y}, {x + w, area.min.y + field_h}, page.text, format);
        on_screen_keyboard(ui, {{area.min.x, area.min.y + field_h + u * 0.5f}, area.max}, KeyboardLayout::digits);
    }
};

// CC: type a few letters of the country's name (in the attendee's language), pick it from the list.
class CountryWidget final : public QuestionWidget {
public:
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u();
        const auto& names = country_names(ui.view.language);
        const float field_h = u * 2.2f;
        const float w = std::min(area.width(), u * 26);
        const float x = area.min.x + (area.width() - w) / 2;
        std::string shown = ui.view.field;
        if (shown.empty() && !page.text.empty())
            for (const auto& [code, name] : names)
                if (code == page.text) shown = name;
        text_field(ui, {x, area.min.y}, {x + w, area.min.y + field_h}, shown, ui.tr("Country"));
        // Landscape: the keyboard on the left, the countries on the right; portrait: the list
        // between the field and the keyboard.
        const float below = area.min.y + field_h + u * 0.4f;
        const bool side_by_side = !ui.portrait();
        const Area keys = side_by_side ? Area{{area.min.x, below}, {area.min.x + area.width() * 0.62f, area.max.y}}
                                       : Area{{area.min.x, area.max.y - keyboard_height(ui, KeyboardLayout::letters,
                                                                                          (area.max.y - below) * 0.6f)},
                                              area.max};
        const float list_x = side_by_side ? keys.max.x + u * 0.5f : x;
        const float list_w = side_by_side ? area.max.x - list_x : w;
        const float list_h = std::max(u * 2.4f, (side_by_side ? area.max.y : keys.min.y - u * 0.4f) - below);
        ImGui::SetCursorScreenPos({list_x, below});
        ImGui::BeginChild("countries", {list_w, list_h}, false, ImGuiWindowFlags_NoScrollbar);
        render::DragScroll();
        const std::string filter = fold(ui.view.field);
        int shown_count = 0;
        for (const auto& [code, name] : names) {
            if (!filter.empty() && fold(name).find(filter) == std::string::npos && fold(code) != filter) continue;
            if (++shown_count > 40) break;  // a few letters narrow it; a list of 250 helps nobody
            const std::string id = "country:" + code;
            if (ui.button(id, name, {list_w - u * 0.5f, u * 1.9f}, render::ButtonKind::option, "option", page.text == code))
                ui.press(id);
        }
        ImGui::EndChild();
        on_screen_keyboard(ui, keys, KeyboardLayout::letters);
    }

private:
    // Lower case for ASCII; enough for filtering by the letters the keyboard types.
    static std::string fold(std::string_view text) {
        std::string out(text);
        for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }
    // ISO 3166 codes with their names in `language`, from ICU's locale data, sorted by name.
    using CountryNames = std::vector<std::pair<std::string, std::string>>;
    static const CountryNames& country_names(const std::string& language) {
        static std::map<std::string, CountryNames> cache;
        auto [it, fresh] = cache.try_emplace(language);
        if (!fresh) return it->second;
        const icu::Locale display(language.c_str());
        for (const char* const* code = icu::Locale::getISOCountries(); *code; ++code) {
            icu::UnicodeString name;
            icu::Locale("", *code).getDisplayCountry(display, name);
            std::string utf8;
            name.toUTF8String(utf8);
            it->second.emplace_back(*code, utf8);
        }
        std::sort(it->second.begin(), it->second.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        return it->second;
    }
};

// F: a photo with the kiosk's camera: live preview, a countdown, then the photo with "retake".
class PhotoWidget final : public QuestionWidget {
public:
    void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const override {
        const float u = ui.u();
        const float button_h = u * 2.4f;
        const Area picture{area.min, {area.max.x, area.max.y - button_h - u}};
        const float side = std::min(picture.width(), picture.height());
        const ImVec2 min{picture.min.x + (picture.width() - side * 4 / 3) / 2, picture.min.y};
        const ImVec2 max{min.x + side * 4 / 3, min.y + side};
        const render::Palette& colors = render::palette();
        if (!page.text.empty() && ui.photo && !ui.photo->empty()) {
            ImGui::GetWindowDrawList()->AddImage(ui.photo->id(), min, max, {1, 0}, {0, 1});
        } else {
            draw_camera(ui, min, max);
        }
        if (ui.view.photo_countdown) {
            const auto left = std::chrono::ceil<std::chrono::seconds>(ui.view.photo_at - ui.now).count();
            render::draw_text_at(ImGui::GetWindowDrawList(), {min.x, (min.y + max.y) / 2 - ui.fonts.px(FontRole::huge) / 2},
                                 format_message(ui.tr("Photo in %d…"), {std::to_string(std::max<int64_t>(left, 1))}),
                                 {FontRole::huge, colors.warning, max.x - min.x, render::Align::center});
            return;
        }
        const bool taken = !page.text.empty();
        const float w = u * 10;
        ImGui::SetCursorScreenPos({area.min.x + (area.width() - w) / 2, area.max.y - button_h});
        const std::string id = taken ? "retake" : "photo";
        if (!ui.camera) {
            ImGui::SetCursorScreenPos({area.min.x, area.max.y - button_h});
            ui.text(ui.tr("This kiosk has no camera for photos. Please see the help desk."), FontRole::body, colors.warning,
                    area.width(), render::Align::center);
        } else if (ui.button(id, taken ? ui.tr("Retake") : ui.tr("Take a photo"), {w, button_h},
                             taken ? render::ButtonKind::secondary : render::ButtonKind::primary)) {
            ui.press(id);
        }
    }
};

} // namespace

const QuestionWidget& widget_for(QuestionType type) {
    static const BooleanWidget boolean;
    static const ChoiceWidget choice;
    static const TextWidget text(KeyboardLayout::letters), email(KeyboardLayout::email), phone(KeyboardLayout::phone),
        number(KeyboardLayout::number);
    static const DateTimeWidget date_time;
    static const CountryWidget country;
    static const PhotoWidget photo;
    switch (type) {
    case QuestionType::boolean: return boolean;
    case QuestionType::choice:
    case QuestionType::multiple_choice: return choice;
    case QuestionType::email: return email;
    case QuestionType::phone: return phone;
    case QuestionType::number: return number;
    case QuestionType::date:
    case QuestionType::time:
    case QuestionType::datetime: return date_time;
    case QuestionType::country: return country;
    case QuestionType::file: return photo;
    case QuestionType::string:
    case QuestionType::text: break;
    }
    return text;
}

} // namespace kiosk::ui
