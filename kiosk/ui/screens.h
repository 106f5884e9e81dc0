// The screens: one struct per screen with its state and a Draw(), as Dear ImGui's demo windows
// are written. Each reads the flow's view through the UiContext and turns touches and keys into
// flow events; none of them decides anything.
//
// Draw() gets the content rectangle between the kiosk's top and bottom bars (chrome.h).
#pragma once

#include "kiosk/ui/ui_context.h"

namespace kiosk::ui {

struct Area { ImVec2 min, max; float width() const { return max.x - min.x; } float height() const { return max.y - min.y; } };

struct AttractScreen { void Draw(UiContext& ui, Area area); };
struct CheckingScreen { void Draw(UiContext& ui, Area area); };
struct RejectedScreen { void Draw(UiContext& ui, Area area); };
struct AdmittedScreen { void Draw(UiContext& ui, Area area); };
struct PrintingScreen { void Draw(UiContext& ui, Area area); };
struct DoneScreen { void Draw(UiContext& ui, Area area); };
struct StillThereScreen { void Draw(UiContext& ui, Area area); };
struct OutOfOrderScreen { void Draw(UiContext& ui, Area area); };
struct QuestionsScreen { void Draw(UiContext& ui, Area area); };
struct LookupScreen { void Draw(UiContext& ui, Area area); };
struct StaffPinScreen { void Draw(UiContext& ui, Area area); };
struct StaffScreen { void Draw(UiContext& ui, Area area); };

// The friendly sentence for a rejection: what happened and what to do next, in the language.
std::string rejection_sentence(const UiContext& ui, const flow::RejectedView& rejected);

// Shared pieces.
void centered_text(UiContext& ui, Area area, float y, std::string_view text, render::FontRole role, ImU32 color);
void draw_camera(UiContext& ui, ImVec2 min, ImVec2 max);   // the live preview with the detected code's outline
void countdown_bar(UiContext& ui, ImVec2 min, float width, float fraction);

} // namespace kiosk::ui
