#include "kiosk/app/state_log.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace kiosk {

StateLog::StateLog(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "a")) {
    if (!file_) std::fprintf(stderr, "kiosk: cannot write the state log %s; going on without it\n", path.c_str());
}

void StateLog::write(std::string_view event, nlohmann::json fields) {
    if (!file_) return;
    using namespace std::chrono;
    fields["event"] = event;
    fields["t"] = static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
    fields["mono_ms"] = static_cast<double>(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count()) / 1000.0;
    const std::string line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), file_.get()) != line.size() || std::fflush(file_.get()) != 0) {
        std::fprintf(stderr, "kiosk: the state log stopped accepting lines; going on without it\n");
        file_.reset();
    }
}

} // namespace kiosk
