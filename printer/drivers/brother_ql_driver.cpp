#include "printer/drivers/brother_ql_driver.h"

#include <algorithm>
#include <array>

#include "printer/drivers/label_raster.h"
#include "printer/drivers/tcp_socket.h"

namespace kiosk::printer {
namespace {

// Compression and the raster-mode switch as each model's raster command reference lists them;
// the 800 series wants 400 invalidate bytes before ESC @.
constexpr std::array models{
    BrotherQlModel{"QL-570", 90, false, false, 200},   BrotherQlModel{"QL-700", 90, false, false, 200},
    BrotherQlModel{"QL-710W", 90, true, true, 200},    BrotherQlModel{"QL-720NW", 90, true, true, 200},
    BrotherQlModel{"QL-800", 90, false, true, 400},    BrotherQlModel{"QL-810W", 90, true, true, 400},
    BrotherQlModel{"QL-820NWB", 90, true, true, 400},
};

// Printable dots at 300 dpi and the offset of the printable area from the first pin of a line.
constexpr std::array labels{
    BrotherQlLabel{"12", 12, 0, 106, 0, 29},       BrotherQlLabel{"29", 29, 0, 306, 0, 6},
    BrotherQlLabel{"38", 38, 0, 413, 0, 12},       BrotherQlLabel{"50", 50, 0, 554, 0, 12},
    BrotherQlLabel{"54", 54, 0, 590, 0, 0},        BrotherQlLabel{"62", 62, 0, 696, 0, 12},
    BrotherQlLabel{"17x54", 17, 54, 165, 566, 0},  BrotherQlLabel{"17x87", 17, 87, 165, 956, 0},
    BrotherQlLabel{"23x23", 23, 23, 202, 202, 42}, BrotherQlLabel{"29x42", 29, 42, 306, 425, 6},
    BrotherQlLabel{"29x90", 29, 90, 306, 991, 6},  BrotherQlLabel{"39x48", 39, 48, 425, 495, 6},
    BrotherQlLabel{"39x90", 38, 90, 413, 991, 12}, BrotherQlLabel{"52x29", 52, 29, 578, 271, 0},
    BrotherQlLabel{"62x29", 62, 29, 696, 271, 12}, BrotherQlLabel{"62x100", 62, 100, 696, 1109, 12},
};

constexpr uint8_t media_continuous = 0x0A, media_die_cut = 0x0B;
constexpr int continuous_min_lines = 150;  // the QL's shortest continuous label (about 12.7 mm)

void append_byte(std::string& out, int value) { out += static_cast<char>(static_cast<uint8_t>(value)); }

std::string model_names() {
    std::string names;
    for (const auto& model : models) names += (names.empty() ? "" : ", ") + std::string(model.name);
    return names;
}

std::string label_names() {
    std::string names;
    for (const auto& label : labels) names += (names.empty() ? "" : ", ") + std::string(label.id);
    return names;
}

std::string loaded_media(const BrotherQlStatus& status) {
    if (status.media_type == media_die_cut && status.media_length_mm > 0)
        return std::to_string(status.media_width_mm) + " x " + std::to_string(status.media_length_mm) + " mm die-cut labels are";
    if (status.media_type == media_die_cut) return std::to_string(status.media_width_mm) + " mm die-cut labels are";
    return "a " + std::to_string(status.media_width_mm) + " mm continuous roll is";
}

std::string capitalised(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

PrinterStatus trouble(PrinterState state, std::string message) { return {state, std::move(message), {}}; }

enum class BlockRead { block, silence, failed };

// One 32-byte status block from the connection (blocks may arrive split or glued together).
BlockRead read_block(TcpSocket& socket, std::string& buffer, TcpSocket::Clock::time_point deadline, BrotherQlStatus& out, std::string& error) {
    while (buffer.size() < 32) {
        const size_t before = buffer.size();
        if (auto got = socket.receive_some(buffer, 64, deadline); !got) {
            error = got.error();
            return BlockRead::failed;
        }
        if (buffer.size() == before) {
            if (before == 0) return BlockRead::silence;
            error = "The printer at " + socket.peer() + " sent half a status block.";
            return BlockRead::failed;
        }
    }
    auto parsed = parse_brother_ql_status(std::string_view(buffer).substr(0, 32));
    buffer.erase(0, 32);
    if (!parsed) {
        error = "The printer at " + socket.peer() + " sent a status block that makes no sense: " + parsed.error();
        return BlockRead::failed;
    }
    out = *parsed;
    return BlockRead::block;
}

} // namespace

std::string BrotherQlLabel::describe() const {
    if (die_cut()) return std::to_string(width_mm) + " x " + std::to_string(length_mm) + " mm die-cut labels";
    return std::to_string(width_mm) + " mm continuous tape";
}

std::span<const BrotherQlModel> brother_ql_models() { return models; }
std::span<const BrotherQlLabel> brother_ql_labels() { return labels; }

const BrotherQlModel* find_brother_ql_model(std::string_view name) {
    const auto found = std::ranges::find_if(models, [&](const BrotherQlModel& model) {
        return std::ranges::equal(model.name, name, [](char a, char b) { return (a | 0x20) == (b | 0x20); });
    });
    return found == models.end() ? nullptr : &*found;
}

const BrotherQlLabel* find_brother_ql_label(std::string_view id) {
    const auto found = std::ranges::find_if(labels, [&](const BrotherQlLabel& label) {
        return std::ranges::equal(label.id, id, [](char a, char b) { return (a | 0x20) == (b | 0x20); });
    });
    return found == labels.end() ? nullptr : &*found;
}

std::string packbits(std::span<const uint8_t> line) {
    std::string out;
    size_t i = 0;
    while (i < line.size()) {
        size_t run = 1;
        while (i + run < line.size() && run < 128 && line[i + run] == line[i]) ++run;
        if (run >= 2) {
            append_byte(out, 257 - static_cast<int>(run));   // -(run - 1) as a signed byte
            append_byte(out, line[i]);
            i += run;
            continue;
        }
        // A literal stretch, up to the next pair of equal bytes.
        size_t length = 1;
        while (i + length < line.size() && length < 128 &&
               !(i + length + 1 < line.size() && line[i + length] == line[i + length + 1]))
            ++length;
        append_byte(out, static_cast<int>(length) - 1);
        out.append(reinterpret_cast<const char*>(line.data() + i), length);
        i += length;
    }
    return out;
}

std::string brother_ql_job(const MonoRaster& raster, const BrotherQlModel& model, const BrotherQlLabel& label, bool auto_cut) {
    const int line_bits = model.line_bytes * 8;
    const int lines = label.die_cut() ? label.printable_along : std::max(raster.height, continuous_min_lines);
    std::string job(static_cast<size_t>(model.invalidate_bytes), '\0');
    job += "\x1b@";
    if (model.raster_mode_command) job += std::string("\x1b\x69\x61\x01", 4);
    job += "\x1biz";
    append_byte(job, 0x02 | 0x04 | 0x40 | 0x80 | (label.die_cut() ? 0x08 : 0));  // type, width, (length), quality, recovery
    append_byte(job, label.die_cut() ? media_die_cut : media_continuous);
    append_byte(job, label.width_mm);
    append_byte(job, label.length_mm);
    for (int shift = 0; shift < 32; shift += 8) append_byte(job, (lines >> shift) & 0xff);
    append_byte(job, 0);                                      // starting page
    append_byte(job, 0);
    job += "\x1biM";
    append_byte(job, auto_cut ? 0x40 : 0x00);                 // various mode: auto cut
    if (auto_cut) job += std::string("\x1biA\x01", 4);        // cut every label
    job += "\x1biK";
    append_byte(job, auto_cut ? 0x08 : 0x00);                 // cut at end
    job += "\x1bid";
    const int margin = label.die_cut() ? 0 : 35;
    append_byte(job, margin & 0xff);
    append_byte(job, margin >> 8);
    if (model.compression) job += std::string("M\x02", 2);

    std::vector<uint8_t> line(static_cast<size_t>(model.line_bytes));
    for (int y = 0; y < lines; ++y) {
        std::ranges::fill(line, 0);
        if (y < raster.height) {
            // Mirrored: the badge's right edge meets the first pin after the offset.
            const int width = std::min(raster.width, label.printable_across);
            for (int x = 0; x < width; ++x) {
                if (!raster.black(x, y)) continue;
                const int pin = label.offset + (label.printable_across - 1 - x);
                if (pin >= 0 && pin < line_bits) line[static_cast<size_t>(pin / 8)] |= static_cast<uint8_t>(0x80 >> (pin % 8));
            }
        }
        job += 'g';
        append_byte(job, 0x00);
        if (model.compression) {
            const std::string packed = packbits(line);
            append_byte(job, static_cast<int>(packed.size()));
            job += packed;
        } else {
            append_byte(job, model.line_bytes);
            job.append(reinterpret_cast<const char*>(line.data()), line.size());
        }
    }
    job += '\x1a';
    return job;
}

std::expected<BrotherQlStatus, std::string> parse_brother_ql_status(std::string_view block) {
    if (block.size() != 32) return std::unexpected("a status block is 32 bytes, got " + std::to_string(block.size()) + ".");
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(block[i]); };
    if (byte(0) != 0x80 || byte(1) != 0x20 || byte(2) != 'B') return std::unexpected("it does not start with 80 20 42 ('B').");
    BrotherQlStatus status;
    status.error1 = byte(8);
    status.error2 = byte(9);
    status.media_width_mm = byte(10);
    status.media_type = byte(11);
    status.media_length_mm = byte(17);
    status.status_type = byte(18);
    status.phase = byte(19);
    return status;
}

PrinterStatus brother_ql_printer_status(const BrotherQlStatus& status, const BrotherQlLabel* wanted) {
    PrinterStatus result;
    static constexpr std::array<std::string_view, 8> error1_words{
        "no media", "end of media", "cutter jam", "", "printer in use", "printer turned off", "", "fan motor error"};
    static constexpr std::array<std::string_view, 8> error2_words{
        "replace media", "expansion buffer full", "communication error", "communication buffer full",
        "cover open", "overheating", "media cannot be fed", "system error"};
    for (int bit = 0; bit < 8; ++bit) {
        if ((status.error1 >> bit & 1) && !error1_words[static_cast<size_t>(bit)].empty()) result.reasons.emplace_back(error1_words[static_cast<size_t>(bit)]);
        if (status.error2 >> bit & 1) result.reasons.emplace_back(error2_words[static_cast<size_t>(bit)]);
    }
    const auto set = [&](PrinterState state, std::string message) {
        result.state = state;
        result.message = std::move(message);
        return result;
    };
    if (status.error2 & 0x10) return set(PrinterState::cover_open, "The printer's cover is open: close it.");
    if (status.error1 & 0x01) return set(PrinterState::out_of_media, "The printer has no labels: load a roll.");
    if (status.error1 & 0x02) return set(PrinterState::out_of_media, "The printer is out of labels: load a new roll.");
    if (status.error2 & 0x40) return set(PrinterState::out_of_media, "The labels cannot be fed: check the roll (it may have run out).");
    if (status.error1 & 0x04) return set(PrinterState::error, "The printer's cutter is jammed: open the cover and clear it.");
    if (status.error1 & 0x20) return set(PrinterState::offline, "The printer is turned off.");
    if (status.error2 & 0x01) {
        std::string message = "The loaded labels do not match the badge";
        if (wanted) message += ": load " + wanted->describe();
        return set(PrinterState::wrong_media, message + ".");
    }
    if (status.error1 & 0x80) return set(PrinterState::error, "The printer's fan has failed: it needs service.");
    if (status.error2 & 0x80) return set(PrinterState::error, "The printer reports a system error: switch it off and on.");
    if (status.error2 & 0x20) return set(PrinterState::busy, "The printer's head is too hot: it is cooling down.");
    if (status.error2 & 0x0E) return set(PrinterState::error, "The printer reports a communication error: print again.");
    if (status.error1 & 0x10 || status.error2 & 0x02) return set(PrinterState::busy, "The printer is busy.");
    if (status.media_type == 0x00) {
        result.reasons.emplace_back("no media");
        return set(PrinterState::out_of_media, "The printer has no labels: load a roll.");
    }
    if (wanted) {
        const bool die_cut = status.media_type == media_die_cut;
        if (status.media_width_mm != wanted->width_mm) {
            result.reasons.push_back("loaded media " + std::to_string(status.media_width_mm) + " mm");
            return set(PrinterState::wrong_media, "A " + std::to_string(status.media_width_mm) + " mm label is loaded, the badge needs " +
                                                      std::to_string(wanted->width_mm) + " mm: load " + wanted->describe() + ".");
        }
        if (die_cut != wanted->die_cut() || (die_cut && status.media_length_mm != 0 && status.media_length_mm != wanted->length_mm)) {
            result.reasons.push_back("loaded media type 0x" + std::string(1, "0123456789ABCDEF"[status.media_type >> 4]) +
                                     std::string(1, "0123456789ABCDEF"[status.media_type & 15]));
            return set(PrinterState::wrong_media, capitalised(loaded_media(status)) + " loaded, the badge needs " + wanted->describe() + ".");
        }
    }
    return set(PrinterState::ready, "The printer is ready.");
}

std::expected<std::unique_ptr<BrotherQlDriver>, std::string> BrotherQlDriver::open(const PrinterUri& uri) {
    static constexpr std::array<std::string_view, 4> known{"model", "label", "cut", "timeout"};
    if (auto checked = check_known_options(uri, known); !checked) return std::unexpected(checked.error());
    BrotherQlOptions options;
    const std::string model = option(uri, "model").value_or("QL-820NWB");
    options.model = find_brother_ql_model(model);
    if (!options.model) return std::unexpected("Printer URI '" + uri.text + "': unknown Brother model '" + model + "' (known: " + model_names() + ").");
    const std::string label = option(uri, "label").value_or("62");
    options.label = find_brother_ql_label(label);
    if (!options.label) return std::unexpected("Printer URI '" + uri.text + "': unknown label '" + label + "' (known: " + label_names() + ").");
    if (options.label->offset + options.label->printable_across > options.model->line_bytes * 8)
        return std::unexpected("Printer URI '" + uri.text + "': the " + std::string(options.model->name) + " cannot print " + options.label->describe() + ".");
    auto cut = option_int(uri, "cut", 1, 0, 1);
    if (!cut) return std::unexpected(cut.error());
    options.auto_cut = *cut == 1;
    auto timeout = option_int(uri, "timeout", 5, 1, 600);
    if (!timeout) return std::unexpected(timeout.error());
    options.timeout = std::chrono::seconds(*timeout);
    return std::unique_ptr<BrotherQlDriver>(new BrotherQlDriver(uri, options));
}

PrinterStatus BrotherQlDriver::status() {
    auto socket = TcpSocket::connect(uri_.host, uri_.port, options_.timeout);
    if (!socket) return trouble(PrinterState::offline, socket.error());
    const auto deadline = TcpSocket::Clock::now() + options_.timeout;
    std::string request(static_cast<size_t>(options_.model->invalidate_bytes), '\0');
    request += "\x1b@";
    request += brother_ql_status_request;
    if (auto sent = socket->send_all(request, deadline); !sent) return trouble(PrinterState::offline, sent.error());
    std::string buffer, error;
    BrotherQlStatus block;
    switch (read_block(*socket, buffer, deadline, block, error)) {
    case BlockRead::block: return brother_ql_printer_status(block, options_.label);
    case BlockRead::silence:
        return trouble(PrinterState::ready, "The printer at " + socket->peer() + " takes connections but gives no status over them.");
    case BlockRead::failed: break;
    }
    return trouble(PrinterState::offline, error);
}

PrintOutcome BrotherQlDriver::print(const BadgeLayout& layout, const BadgeData& data) {
    const LabelArea area{options_.label->printable_across, options_.label->printable_along, 300};
    auto raster = render_for_label(layout, data, area);
    if (!raster) return std::unexpected(trouble(PrinterState::error, "The badge could not be drawn: " + raster.error()));
    return print_raster(*raster);
}

PrintOutcome BrotherQlDriver::print_raster(const MonoRaster& raster) {
    auto socket = TcpSocket::connect(uri_.host, uri_.port, options_.timeout);
    if (!socket) return std::unexpected(trouble(PrinterState::offline, socket.error()));
    auto deadline = TcpSocket::Clock::now() + options_.timeout;
    std::string request(static_cast<size_t>(options_.model->invalidate_bytes), '\0');
    request += "\x1b@";
    request += brother_ql_status_request;
    if (auto sent = socket->send_all(request, deadline); !sent) return std::unexpected(trouble(PrinterState::offline, sent.error()));

    std::string buffer, error;
    BrotherQlStatus block;
    const BlockRead first = read_block(*socket, buffer, deadline, block, error);
    if (first == BlockRead::failed) return std::unexpected(trouble(PrinterState::offline, error));
    const bool talks_back = first == BlockRead::block;
    if (talks_back) {
        PrinterStatus before = brother_ql_printer_status(block, options_.label);
        if (before.state != PrinterState::ready) return std::unexpected(before);
    }

    const std::string job = brother_ql_job(raster, *options_.model, *options_.label, options_.auto_cut);
    if (auto sent = socket->send_all(job, TcpSocket::Clock::now() + options_.timeout); !sent)
        return std::unexpected(trouble(PrinterState::offline, sent.error()));
    if (!talks_back)
        return Printed{1, "job of " + std::to_string(job.size()) + " bytes sent to " + socket->peer() + " (the printer gives no status over this connection)"};

    // The printer reports by itself while it prints: phase changes, then completion or an error.
    deadline = TcpSocket::Clock::now() + options_.timeout + std::chrono::seconds(30);
    for (;;) {
        switch (read_block(*socket, buffer, deadline, block, error)) {
        case BlockRead::failed: return std::unexpected(trouble(PrinterState::error, error + " The badge may not have printed."));
        case BlockRead::silence:
            return std::unexpected(trouble(PrinterState::error, "The printer at " + socket->peer() + " took the badge but never said it printed it."));
        case BlockRead::block: break;
        }
        if (block.status_type == 0x01) return Printed{1, "printed on " + socket->peer() + " (" + options_.label->describe() + ")"};
        if (block.status_type == 0x02 || block.error1 != 0 || block.error2 != 0) {
            PrinterStatus failed = brother_ql_printer_status(block, options_.label);
            if (failed.state == PrinterState::ready) failed = trouble(PrinterState::error, "The printer reported an error while printing.");
            return std::unexpected(failed);
        }
    }
}

} // namespace kiosk::printer
