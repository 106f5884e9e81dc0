// A Zebra ZPL printer on loopback for driver tests: it answers ~HS (host status) with the error
// states a test sets, records every label (^XA ... ^XZ) it receives, and can turn a label's
// ^GFA graphic field back into a 1-bit image (decode_zpl_label), so a test can read the QR on it.
//
// Thread rule: the setters and accessors may be called from the test's thread at any time.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <expected>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "printer/badge_render.h"
#include "tests/support/loopback_listener.h"

namespace kiosk::testing {

struct ZebraState {
    bool paper_out = false;
    bool paused = false;
    bool head_open = false;
    bool ribbon_out = false;
    bool silent = false;                    // takes connections and data but never answers ~HS
    bool paper_out_after_label = false;     // runs out while printing the next label
};

class ZebraPrinter {
public:
    ZebraPrinter() : listener_([this](LoopbackConnection& connection) { serve(connection); }) {}

    uint16_t port() const { return listener_.port(); }
    std::string uri(std::string_view options = "") const {
        return "zpl://127.0.0.1:" + std::to_string(port()) + (options.empty() ? "" : "?" + std::string(options));
    }
    void set_state(const ZebraState& state) {
        std::lock_guard lock(mutex_);
        state_ = state;
    }
    std::vector<std::string> labels() const {
        std::lock_guard lock(mutex_);
        return labels_;
    }
    int status_queries() const {
        std::lock_guard lock(mutex_);
        return status_queries_;
    }

    // ~HS's three lines: b = paper out, c = pause (line 1); o = head up, p = ribbon out (line 2).
    static std::string host_status(const ZebraState& state, int formats = 0) {
        char first[64], second[64];
        std::snprintf(first, sizeof first, "030,%d,%d,0812,%03d,0,0,0,000,0,0,0", state.paper_out, state.paused, formats);
        std::snprintf(second, sizeof second, "001,0,%d,%d,0,2,4,0,00000000,1,000", state.head_open, state.ribbon_out);
        return std::string("\x02") + first + "\x03\r\n\x02" + second + "\x03\r\n\x02" + "1234,0\x03\r\n";
    }

private:
    void serve(LoopbackConnection& connection) {
        std::string buffer;
        while (auto chunk = connection.read_some(std::chrono::milliseconds(100))) {
            buffer += *chunk;
            for (;;) {
                const size_t query = buffer.find("~HS");
                const size_t end = buffer.find("^XZ");
                if (query != std::string::npos && (end == std::string::npos || query < end)) {
                    buffer.erase(0, query + 3);
                    std::lock_guard lock(mutex_);
                    ++status_queries_;
                    if (!state_.silent) connection.write(host_status(state_));
                } else if (end != std::string::npos) {
                    const size_t start = buffer.find("^XA");
                    std::lock_guard lock(mutex_);
                    labels_.push_back(buffer.substr(start == std::string::npos ? 0 : start, end + 3 - (start == std::string::npos ? 0 : start)));
                    buffer.erase(0, end + 3);
                    if (state_.paper_out_after_label) state_.paper_out = true;
                } else {
                    break;
                }
            }
        }
    }

    mutable std::mutex mutex_;
    ZebraState state_;
    std::vector<std::string> labels_;
    int status_queries_ = 0;
    LoopbackListener listener_;             // last: its thread stops before the state goes
};

// The ^GFA field of a label as a raster (width from ^PW when given, else bytes per row x 8),
// with ZPL's ASCII compression undone.
inline std::expected<printer::MonoRaster, std::string> decode_zpl_label(std::string_view label) {
    const auto number_after = [&](std::string_view command) -> int {
        const size_t at = label.find(command);
        if (at == std::string_view::npos) return -1;
        return std::atoi(std::string(label.substr(at + command.size(), 12)).c_str());
    };
    const size_t field = label.find("^GFA,");
    if (field == std::string_view::npos) return std::unexpected("no ^GFA field");
    std::string_view rest = label.substr(field + 5);
    std::array<long, 3> numbers{};
    for (long& number : numbers) {
        const size_t comma = rest.find(',');
        if (comma == std::string_view::npos) return std::unexpected("^GFA needs three numbers");
        number = std::atol(std::string(rest.substr(0, comma)).c_str());
        rest.remove_prefix(comma + 1);
    }
    const size_t end = rest.find('^');
    const std::string_view data = rest.substr(0, end);
    const int stride = static_cast<int>(numbers[2]);
    if (stride <= 0 || numbers[0] % stride != 0) return std::unexpected("^GFA byte counts do not make whole rows");
    const int height = static_cast<int>(numbers[0] / stride);
    const int pw = number_after("^PW");
    printer::MonoRaster raster;
    raster.width = pw > 0 ? pw : stride * 8;
    raster.height = height;
    raster.stride = stride;
    raster.bits.assign(static_cast<size_t>(stride) * height, 0);
    const auto hex = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
    std::string row, previous;
    size_t i = 0;
    const size_t row_chars = static_cast<size_t>(stride) * 2;
    for (int y = 0; y < height; ++y) {
        row.clear();
        int count = 0;
        while (row.size() < row_chars) {
            if (i >= data.size()) return std::unexpected("the graphic data ends in row " + std::to_string(y));
            const char c = data[i++];
            if (c == '\n' || c == '\r') continue;
            if (c >= 'G' && c <= 'Y') count += c - 'G' + 1;
            else if (c >= 'g' && c <= 'z') count += (c - 'g' + 1) * 20;
            else if (c == ',') row.resize(row_chars, '0');
            else if (c == '!') row.resize(row_chars, 'F');
            else if (c == ':' && row.empty()) row = previous;
            else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) {
                row.append(static_cast<size_t>(count == 0 ? 1 : count), c);
                count = 0;
            } else return std::unexpected(std::string("unexpected character '") + c + "' in the graphic data");
        }
        if (row.size() != row_chars) return std::unexpected("row " + std::to_string(y) + " overruns its bytes");
        for (int b = 0; b < stride; ++b)
            raster.bits[static_cast<size_t>(y) * stride + b] = static_cast<uint8_t>(hex(row[2 * b]) * 16 + hex(row[2 * b + 1]));
        previous = row;
    }
    if (i != data.size()) return std::unexpected("graphic data left over after the last row");
    return raster;
}

} // namespace kiosk::testing
