#include "netsync/backend/kiosk_name.h"

#include <unistd.h>

#include <array>

namespace kiosk::backend {

std::string this_kiosks_name() {
    std::array<char, 256> name{};   // the last byte stays '\0' even when the name is cut
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "kiosk";
    return name.data();
}

} // namespace kiosk::backend
