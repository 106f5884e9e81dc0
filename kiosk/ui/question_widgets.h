// One touch widget per pretix question type, behind one small interface. A widget draws the
// answer so far (from the flow's QuestionPage) and sends the events that change it; validation
// and the page's back / next are the questions screen's and the flow's.
#pragma once

#include "kiosk/ui/screens.h"

namespace kiosk::ui {

class QuestionWidget {
public:
    virtual ~QuestionWidget() = default;
    virtual void Draw(UiContext& ui, const flow::QuestionPage& page, Area area) const = 0;
};

const QuestionWidget& widget_for(QuestionType type);

} // namespace kiosk::ui
