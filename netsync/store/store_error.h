// The one exception the store throws: the machine failed (disk, I/O, corrupt or locked file).
#pragma once

#include <stdexcept>

namespace kiosk {

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace kiosk
