// The text of our default badge layout (pretix layout JSON), compiled into the program.
#pragma once

#include <string_view>

namespace kiosk::printer {

extern const std::string_view kDefaultBadgeLayoutJson;

} // namespace kiosk::printer
