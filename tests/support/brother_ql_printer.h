// A Brother QL printer on loopback for driver tests. It reads the raster protocol command by
// command (so a malformed job is caught, not just recorded), answers ESC i S with a 32-byte
// status block describing the roll a test loaded and the errors it set, reports "printing
// completed" (or an error) after each page as a real QL does, and keeps each page's raster lines.
// brother_ql_page_image() turns a page back into the badge (un-mirrored, cut to the printable area).
//
// Thread rule: the setters and accessors may be called from the test's thread at any time.
#pragma once

#include <cstdint>
#include <expected>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "printer/badge_render.h"
#include "printer/drivers/brother_ql_driver.h"
#include "tests/support/loopback_listener.h"

namespace kiosk::testing {

struct BrotherQlState {
    int media_width_mm = 62;
    int media_length_mm = 0;                // 0: continuous
    uint8_t media_type = 0x0A;              // 0x0A continuous, 0x0B die-cut, 0x00 none
    uint8_t error1 = 0, error2 = 0;         // reported in every status block
    uint8_t print_error1 = 0, print_error2 = 0;  // reported instead of "printing completed"
    bool silent = false;                    // never answers (a one-way print server)
};

struct BrotherQlPage {
    uint8_t info_flags = 0, media_type = 0;
    int media_width_mm = 0, media_length_mm = 0;
    uint32_t raster_count = 0;              // ESC i z's line count
    bool raster_mode = false;               // ESC i a 01 seen
    int various_mode = -1, cut_every = -1, expanded = -1, margin = -1;
    bool compressed = false;
    std::vector<std::string> lines;         // each uncompressed
    bool feed = false;                      // ended with 0x1A (print with feeding)
};

class BrotherQlPrinter {
public:
    BrotherQlPrinter() : listener_([this](LoopbackConnection& connection) { serve(connection); }) {}

    uint16_t port() const { return listener_.port(); }
    std::string uri(std::string_view options) const {
        return "brother-ql://127.0.0.1:" + std::to_string(port()) + "?" + std::string(options);
    }
    void set_state(const BrotherQlState& state) {
        std::lock_guard lock(mutex_);
        state_ = state;
    }
    std::vector<BrotherQlPage> pages() const {
        std::lock_guard lock(mutex_);
        return pages_;
    }
    int status_requests() const {
        std::lock_guard lock(mutex_);
        return status_requests_;
    }
    std::string protocol_error() const {   // empty while every command made sense
        std::lock_guard lock(mutex_);
        return protocol_error_;
    }

    static std::string status_block(const BrotherQlState& state, uint8_t status_type, uint8_t phase, uint8_t error1, uint8_t error2) {
        std::string block(32, '\0');
        block[0] = static_cast<char>(0x80);
        block[1] = 0x20;
        block[2] = 'B';
        block[3] = '4';
        block[4] = 'A';                     // QL-820NWB's model code
        block[5] = '0';
        block[8] = static_cast<char>(error1);
        block[9] = static_cast<char>(error2);
        block[10] = static_cast<char>(state.media_width_mm);
        block[11] = static_cast<char>(state.media_type);
        block[17] = static_cast<char>(state.media_length_mm);
        block[18] = static_cast<char>(status_type);
        block[19] = static_cast<char>(phase);
        return block;
    }

private:
    enum class Parsed { command, incomplete, bad };

    // One command from the front of `buffer`; `used` is its length.
    Parsed parse_one(const std::string& buffer, size_t& used, LoopbackConnection& connection) {
        const auto at = [&](size_t i) { return static_cast<uint8_t>(buffer[i]); };
        const auto need = [&](size_t n) { return buffer.size() >= n; };
        const uint8_t c = at(0);
        if (c == 0x00) return used = 1, Parsed::command;
        if (c == 0x1b) {
            if (!need(2)) return Parsed::incomplete;
            if (at(1) == '@') {
                page_ = {};
                return used = 2, Parsed::command;
            }
            if (at(1) != 'i') return Parsed::bad;
            if (!need(3)) return Parsed::incomplete;
            switch (at(2)) {
            case 'S':
                ++status_requests_;
                if (!state_.silent) connection.write(status_block(state_, 0x00, 0x00, state_.error1, state_.error2));
                return used = 3, Parsed::command;
            case 'a':
                if (!need(4)) return Parsed::incomplete;
                page_.raster_mode = at(3) == 1;
                return used = 4, Parsed::command;
            case 'z':
                if (!need(13)) return Parsed::incomplete;
                page_.info_flags = at(3);
                page_.media_type = at(4);
                page_.media_width_mm = at(5);
                page_.media_length_mm = at(6);
                page_.raster_count = at(7) | at(8) << 8 | at(9) << 16 | static_cast<uint32_t>(at(10)) << 24;
                return used = 13, Parsed::command;
            case 'M': case 'A': case 'K':
                if (!need(4)) return Parsed::incomplete;
                (at(2) == 'M' ? page_.various_mode : at(2) == 'A' ? page_.cut_every : page_.expanded) = at(3);
                return used = 4, Parsed::command;
            case 'd':
                if (!need(5)) return Parsed::incomplete;
                page_.margin = at(3) | at(4) << 8;
                return used = 5, Parsed::command;
            default: return Parsed::bad;
            }
        }
        if (c == 'M') {
            if (!need(2)) return Parsed::incomplete;
            page_.compressed = at(1) == 0x02;
            return used = 2, Parsed::command;
        }
        if (c == 'Z') {
            page_.lines.emplace_back(90, '\0');
            return used = 1, Parsed::command;
        }
        if (c == 'g') {
            if (!need(3)) return Parsed::incomplete;
            const size_t n = at(2);
            if (at(1) != 0x00 || n == 0) return Parsed::bad;
            if (!need(3 + n)) return Parsed::incomplete;
            const std::string data = buffer.substr(3, n);
            if (!page_.compressed) {
                page_.lines.push_back(data);
            } else {
                std::string line;
                for (size_t i = 0; i < data.size();) {
                    const int header = static_cast<int8_t>(data[i]);
                    if (header >= 0) {
                        if (i + 1 + static_cast<size_t>(header) + 1 > data.size()) return Parsed::bad;
                        line.append(data, i + 1, static_cast<size_t>(header) + 1);
                        i += static_cast<size_t>(header) + 2;
                    } else if (header != -128) {
                        if (i + 1 >= data.size()) return Parsed::bad;
                        line.append(static_cast<size_t>(1 - header), data[i + 1]);
                        i += 2;
                    } else {
                        ++i;
                    }
                }
                page_.lines.push_back(line);
            }
            return used = 3 + n, Parsed::command;
        }
        if (c == 0x0c || c == 0x1a) {
            page_.feed = c == 0x1a;
            pages_.push_back(page_);
            page_.lines.clear();
            if (!state_.silent) {
                if (state_.print_error1 != 0 || state_.print_error2 != 0) {
                    connection.write(status_block(state_, 0x02, 0x00, state_.print_error1, state_.print_error2));
                } else {
                    connection.write(status_block(state_, 0x06, 0x01, 0, 0));   // phase: printing
                    connection.write(status_block(state_, 0x01, 0x01, 0, 0));   // printing completed
                    connection.write(status_block(state_, 0x06, 0x00, 0, 0));   // phase: waiting to receive
                }
            }
            return used = 1, Parsed::command;
        }
        return Parsed::bad;
    }

    void serve(LoopbackConnection& connection) {
        std::string buffer;
        while (auto chunk = connection.read_some(std::chrono::milliseconds(100))) {
            buffer += *chunk;
            std::lock_guard lock(mutex_);
            size_t offset = 0;
            while (offset < buffer.size()) {
                size_t used = 0;
                const std::string rest = buffer.substr(offset, std::min<size_t>(buffer.size() - offset, 4096));
                const Parsed parsed = parse_one(rest, used, connection);
                if (parsed == Parsed::incomplete) break;
                if (parsed == Parsed::bad) {
                    char text[8];
                    std::snprintf(text, sizeof text, "%02X", static_cast<uint8_t>(buffer[offset]));
                    protocol_error_ = "unknown or malformed command starting with byte " + std::string(text) + " at offset " + std::to_string(offset);
                    return;
                }
                offset += used;
            }
            buffer.erase(0, offset);
        }
    }

    mutable std::mutex mutex_;
    BrotherQlState state_;
    BrotherQlPage page_;
    std::vector<BrotherQlPage> pages_;
    int status_requests_ = 0;
    std::string protocol_error_;
    LoopbackListener listener_;             // last: its thread stops before the state goes
};

// The badge on a page: each line's printable stretch read from the label's offset, mirrored back
// (the first pin prints the badge's right edge).
inline std::expected<printer::MonoRaster, std::string> brother_ql_page_image(const BrotherQlPage& page, const printer::BrotherQlLabel& label) {
    printer::MonoRaster raster;
    raster.width = label.printable_across;
    raster.height = static_cast<int>(page.lines.size());
    raster.stride = (raster.width + 7) / 8;
    raster.bits.assign(static_cast<size_t>(raster.stride) * raster.height, 0);
    for (int y = 0; y < raster.height; ++y) {
        const std::string& line = page.lines[static_cast<size_t>(y)];
        if (line.size() != 90) return std::unexpected("line " + std::to_string(y) + " has " + std::to_string(line.size()) + " bytes, not 90");
        for (int x = 0; x < raster.width; ++x) {
            const int pin = label.offset + (label.printable_across - 1 - x);
            if ((static_cast<uint8_t>(line[static_cast<size_t>(pin / 8)]) >> (7 - pin % 8)) & 1)
                raster.bits[static_cast<size_t>(y) * raster.stride + x / 8] |= static_cast<uint8_t>(0x80 >> (x % 8));
        }
    }
    return raster;
}

} // namespace kiosk::testing
