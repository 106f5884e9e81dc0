#include "kiosk/cli/decode_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "kiosk/cli/json_output.h"
#include "kiosk/core/text.h"
#include "vision/frame_source.h"
#include "vision/still_image.h"

namespace kiosk::cli {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Tally {
    int codes = 0;
    bool unreadable = false;
};

double milliseconds(std::chrono::microseconds elapsed) { return static_cast<double>(elapsed.count()) / 1000.0; }

// Binary payloads in pretix's "binary:<base64>" form, as every kioskctl output shows scanned bytes.
std::string printable(const DecodedCode& code) { return code.binary ? printable_scan(code.bytes) : code.text; }

json line_for(const std::string& file, const json& frame, const FrameDecode& decode) {
    json line{{"file", file}, {"frame", frame}, {"ms", milliseconds(decode.elapsed)}};
    if (decode.codes.empty()) {
        line["error"] = "no code found";
        return line;
    }
    const DecodedCode& first = decode.codes.front();
    line["text"] = printable(first);
    line["format"] = symbology_name(first.symbology);
    line["binary"] = first.binary;
    line["attempt"] = decode.winning_attempt;
    json corners = json::array();
    for (const PointF& corner : first.corners) corners.push_back({corner.x, corner.y});
    line["corners"] = corners;
    if (decode.codes.size() > 1) {
        json others = json::array();
        for (size_t i = 1; i < decode.codes.size(); ++i) others.push_back(printable(decode.codes[i]));
        line["more"] = others;
    }
    return line;
}

void emit(const json& line) { std::cout << dump_line(line) << '\n'; }

void decode_still(const fs::path& path, const DecodeOptions& options, Tally& tally) {
    const auto image = read_still_image(path);
    if (!image) {
        emit({{"file", path.string()}, {"frame", nullptr}, {"error", image.error()}, {"ms", 0}});
        tally.unreadable = true;
        return;
    }
    const FrameDecode decode = decode_image(image->view(), options);
    tally.codes += decode.codes.empty() ? 0 : 1;
    emit(line_for(path.string(), nullptr, decode));
}

void decode_video(const fs::path& path, const DecodeCommand& command, Tally& tally) {
    SourceOptions source_options;
    source_options.realtime = false;
    source_options.loop = false;
    auto opened = open_frame_source("file:" + path.string(), source_options);
    if (!opened) {
        emit({{"file", path.string()}, {"frame", nullptr}, {"error", opened.error()}, {"ms", 0}});
        tally.unreadable = true;
        return;
    }
    const std::unique_ptr<FrameSource>& source = *opened;
    // Frames of one video are consecutive: the region memory helps exactly as on the kiosk. Every
    // frame gets the full search, though: a file is read once, with no next frame to save time for.
    DecodeOptions options = command.options;
    options.idle_when_still = false;
    FrameDecoder decoder(options);
    int64_t frames = 0;
    while (auto frame = source->next()) {
        const FrameDecode decode = decoder.decode(frame->image.view());
        ++frames;
        if (!decode.codes.empty()) ++tally.codes;
        if (command.every_frame || !decode.codes.empty()) emit(line_for(path.string(), frame->index, decode));
    }
    if (frames == 0) {
        const std::string why = source->last_error().empty() ? "no frames could be read" : source->last_error();
        emit({{"file", path.string()}, {"frame", nullptr}, {"error", why}, {"ms", 0}});
        tally.unreadable = true;
    }
}

} // namespace

int run_decode(const DecodeCommand& command) {
    Tally tally;
    for (const std::string& argument : command.paths) {
        const fs::path path(argument);
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(path, ec))
                if (entry.is_regular_file() && looks_like_still_image(entry.path())) files.push_back(entry.path());
            std::sort(files.begin(), files.end());
            for (const fs::path& file : files) decode_still(file, command.options, tally);
        } else if (!fs::exists(path, ec)) {
            emit({{"file", argument}, {"frame", nullptr}, {"error", "no such file or directory"}, {"ms", 0}});
            tally.unreadable = true;
        } else if (looks_like_still_image(path)) {
            decode_still(path, command.options, tally);
        } else {
            decode_video(path, command, tally);
        }
        std::cout.flush();
    }
    if (tally.unreadable) return 2;
    return tally.codes > 0 ? 0 : 1;
}

} // namespace kiosk::cli
