#include "printer/drivers/zpl_driver.h"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

#include "printer/drivers/label_raster.h"
#include "printer/drivers/tcp_socket.h"

namespace kiosk::printer {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

// A repeat count in ZPL's letters: g..z for multiples of 20 up to 400, G..Y for 1..19.
void append_count(std::string& out, int count) {
    while (count >= 400) {
        out += 'z';
        count -= 400;
    }
    if (count >= 20) {
        out += static_cast<char>('g' + count / 20 - 1);
        count %= 20;
    }
    if (count > 0) out += static_cast<char>('G' + count - 1);
}

std::expected<std::pair<double, double>, std::string> parse_label_size(const PrinterUri& uri, const std::string& text) {
    const size_t x = text.find_first_of("xX");
    double width = 0, length = 0;
    bool ok = x != std::string::npos;
    if (ok) {
        const auto [end_w, error_w] = std::from_chars(text.data(), text.data() + x, width);
        const auto [end_l, error_l] = std::from_chars(text.data() + x + 1, text.data() + text.size(), length);
        ok = error_w == std::errc() && error_l == std::errc() && end_w == text.data() + x && end_l == text.data() + text.size();
    }
    if (!ok || width < 10 || width > 300 || length < 10 || length > 1000)
        return std::unexpected("Printer URI '" + uri.text + "': label must be WIDTHxLENGTH in millimetres (e.g. 102x76), got '" + text + "'.");
    return std::pair{width, length};
}

// Reads ~HS's three lines (each <STX>...<ETX>) from the connection, until the deadline.
std::expected<ZplHostStatus, PrinterStatus> query_host_status(TcpSocket& socket, std::chrono::milliseconds timeout) {
    const auto deadline = TcpSocket::Clock::now() + timeout;
    const auto trouble = [&](PrinterState state, std::string message) {
        return std::unexpected(PrinterStatus{state, std::move(message), {}});
    };
    if (auto sent = socket.send_all("~HS", deadline); !sent) return trouble(PrinterState::offline, sent.error());
    std::string answer;
    while (std::ranges::count(answer, '\x03') < 3) {
        const size_t before = answer.size();
        if (auto got = socket.receive_some(answer, 512, deadline); !got) return trouble(PrinterState::offline, got.error());
        if (answer.size() == before)
            return trouble(PrinterState::error, "The printer at " + socket.peer() + " did not answer its status query (~HS): is it a ZPL printer?");
    }
    auto parsed = parse_zpl_host_status(answer);
    if (!parsed) return trouble(PrinterState::error, "The printer at " + socket.peer() + " gave a status that makes no sense: " + parsed.error());
    return *parsed;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    for (;;) {
        const size_t comma = line.find(',');
        fields.push_back(line.substr(0, comma));
        if (comma == std::string_view::npos) return fields;
        line.remove_prefix(comma + 1);
    }
}

bool flag(std::string_view field) { return !field.empty() && field.front() == '1'; }

} // namespace

std::string zpl_compress_rows(const MonoRaster& raster) {
    std::string out;
    std::string hex, previous;
    for (int y = 0; y < raster.height; ++y) {
        hex.clear();
        const uint8_t* row = raster.bits.data() + static_cast<size_t>(y) * raster.stride;
        for (int i = 0; i < raster.stride; ++i) {
            hex += hex_digits[row[i] >> 4];
            hex += hex_digits[row[i] & 15];
        }
        if (y > 0 && hex == previous) {
            out += ':';
            continue;
        }
        const size_t last_zero_run = hex.find_last_not_of('0');
        const size_t last_one_run = hex.find_last_not_of('F');
        for (size_t i = 0; i < hex.size();) {
            if (last_zero_run == std::string::npos || i > last_zero_run) {
                out += ',';
                break;
            }
            if (last_one_run == std::string::npos || i > last_one_run) {
                out += '!';
                break;
            }
            size_t run = 1;
            while (i + run < hex.size() && hex[i + run] == hex[i]) ++run;
            if (run > 1) append_count(out, static_cast<int>(run));
            out += hex[i];
            i += run;
        }
        previous.swap(hex);
    }
    return out;
}

std::string zpl_label(const MonoRaster& raster, const ZplOptions& options) {
    const size_t bytes = static_cast<size_t>(raster.stride) * raster.height;
    std::string label = "^XA\n^PW" + std::to_string(raster.width) + "\n^LL" + std::to_string(raster.height) + "\n";
    if (options.darkness) label += "^MD" + std::to_string(*options.darkness) + "\n";
    label += "^LH0,0\n^FO0,0^GFA," + std::to_string(bytes) + "," + std::to_string(bytes) + "," + std::to_string(raster.stride) + ",";
    label += zpl_compress_rows(raster);
    label += "^FS\n^PQ1\n^XZ\n";
    return label;
}

std::expected<ZplHostStatus, std::string> parse_zpl_host_status(std::string_view answer) {
    std::array<std::string_view, 3> lines;
    for (std::string_view& line : lines) {
        const size_t stx = answer.find('\x02');
        const size_t etx = answer.find('\x03', stx == std::string_view::npos ? 0 : stx);
        if (stx == std::string_view::npos || etx == std::string_view::npos) return std::unexpected("expected three <STX>...<ETX> lines.");
        line = answer.substr(stx + 1, etx - stx - 1);
        answer.remove_prefix(etx + 1);
    }
    const auto first = split_fields(lines[0]);
    const auto second = split_fields(lines[1]);
    if (first.size() < 12 || second.size() < 11) return std::unexpected("the status lines have too few fields.");
    ZplHostStatus status;
    status.paper_out = flag(first[1]);
    status.paused = flag(first[2]);
    std::from_chars(first[4].data(), first[4].data() + first[4].size(), status.formats_in_buffer);
    status.buffer_full = flag(first[5]);
    status.corrupt_ram = flag(first[9]);
    status.under_temperature = flag(first[10]);
    status.over_temperature = flag(first[11]);
    status.head_up = flag(second[2]);
    status.ribbon_out = flag(second[3]);
    return status;
}

PrinterStatus zpl_printer_status(const ZplHostStatus& host) {
    PrinterStatus status;
    if (host.paper_out) status.reasons.push_back("paper out");
    if (host.head_up) status.reasons.push_back("head open");
    if (host.ribbon_out) status.reasons.push_back("ribbon out");
    if (host.paused) status.reasons.push_back("paused");
    if (host.buffer_full) status.reasons.push_back("receive buffer full");
    if (host.corrupt_ram) status.reasons.push_back("corrupt RAM");
    if (host.under_temperature) status.reasons.push_back("under temperature");
    if (host.over_temperature) status.reasons.push_back("over temperature");
    // The fault staff must fix first comes first: a closed head is needed to see the labels.
    if (host.head_up) status = {PrinterState::cover_open, "The printer's head is open: close it.", status.reasons};
    else if (host.paper_out) status = {PrinterState::out_of_media, "The printer is out of labels.", status.reasons};
    else if (host.ribbon_out) status = {PrinterState::out_of_media, "The printer's ribbon has run out.", status.reasons};
    else if (host.corrupt_ram) status = {PrinterState::error, "The printer reports corrupt memory: restart it.", status.reasons};
    else if (host.over_temperature || host.under_temperature)
        status = {PrinterState::error, "The printer's head is too hot or too cold to print.", status.reasons};
    else if (host.paused) status = {PrinterState::busy, "The printer is paused: press its pause button to resume.", status.reasons};
    else if (host.buffer_full) status = {PrinterState::busy, "The printer is busy: its receive buffer is full.", status.reasons};
    else status.message = "The printer is ready.";
    return status;
}

std::expected<std::unique_ptr<ZplDriver>, std::string> ZplDriver::open(const PrinterUri& uri) {
    static constexpr std::array<std::string_view, 4> known{"dpi", "darkness", "label", "timeout"};
    if (auto checked = check_known_options(uri, known); !checked) return std::unexpected(checked.error());
    ZplOptions options;
    auto dpi = option_int(uri, "dpi", 203, 100, 600);
    if (!dpi) return std::unexpected(dpi.error());
    if (*dpi != 203 && *dpi != 300 && *dpi != 600)
        return std::unexpected("Printer URI '" + uri.text + "': dpi must be 203, 300 or 600 (the Zebra print heads), got " + std::to_string(*dpi) + ".");
    options.dpi = *dpi;
    if (option(uri, "darkness")) {
        auto darkness = option_int(uri, "darkness", 0, -30, 30);
        if (!darkness) return std::unexpected(darkness.error());
        options.darkness = *darkness;
    }
    if (const auto label = option(uri, "label")) {
        auto size = parse_label_size(uri, *label);
        if (!size) return std::unexpected(size.error());
        options.label_width_mm = size->first;
        options.label_length_mm = size->second;
    }
    auto timeout = option_int(uri, "timeout", 5, 1, 600);
    if (!timeout) return std::unexpected(timeout.error());
    options.timeout = std::chrono::seconds(*timeout);
    return std::unique_ptr<ZplDriver>(new ZplDriver(uri, options));
}

PrinterStatus ZplDriver::status() {
    auto socket = TcpSocket::connect(uri_.host, uri_.port, options_.timeout);
    if (!socket) return {PrinterState::offline, socket.error(), {}};
    auto host = query_host_status(*socket, options_.timeout);
    if (!host) return host.error();
    return zpl_printer_status(*host);
}

PrintOutcome ZplDriver::print(const BadgeLayout& layout, const BadgeData& data) {
    MonoRaster raster;
    if (options_.label_width_mm) {
        const LabelArea area{static_cast<int>(std::floor(*options_.label_width_mm / 25.4 * options_.dpi)),
                             static_cast<int>(std::floor(*options_.label_length_mm / 25.4 * options_.dpi)), static_cast<double>(options_.dpi)};
        auto rendered = render_for_label(layout, data, area);
        if (!rendered) return std::unexpected(PrinterStatus{PrinterState::error, "The badge could not be drawn: " + rendered.error(), {}});
        raster = std::move(*rendered);
    } else {
        auto rendered = render_mono(layout, data, options_.dpi);
        if (!rendered) return std::unexpected(PrinterStatus{PrinterState::error, "The badge could not be drawn: " + rendered.error(), {}});
        raster = std::move(*rendered);
    }
    return print_raster(raster);
}

PrintOutcome ZplDriver::print_raster(const MonoRaster& raster) {
    auto socket = TcpSocket::connect(uri_.host, uri_.port, options_.timeout);
    if (!socket) return std::unexpected(PrinterStatus{PrinterState::offline, socket.error(), {}});
    auto before = query_host_status(*socket, options_.timeout);
    if (!before) return std::unexpected(before.error());
    if (PrinterStatus status = zpl_printer_status(*before); status.state != PrinterState::ready) return std::unexpected(status);

    const std::string label = zpl_label(raster, options_);
    if (auto sent = socket->send_all(label, TcpSocket::Clock::now() + options_.timeout + std::chrono::milliseconds(label.size() / 100)); !sent)
        return std::unexpected(PrinterStatus{PrinterState::offline, sent.error(), {}});
    // ~HS is answered at once, ahead of formats still waiting in the printer's buffer: this shows
    // the printer after it received the label (paper out or head opened meanwhile), not after it
    // printed it; a label still waiting is counted in formats_in_buffer.
    auto after = query_host_status(*socket, options_.timeout);
    if (!after) return std::unexpected(after.error());
    PrinterStatus status = zpl_printer_status(*after);
    // A full receive buffer only means labels are waiting; anything else stopped this one.
    if (status.state != PrinterState::ready && !(status.state == PrinterState::busy && !after->paused)) return std::unexpected(status);
    return Printed{1, "label of " + std::to_string(label.size()) + " bytes sent to " + socket->peer()};
}

} // namespace kiosk::printer
