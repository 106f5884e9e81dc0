// Decode benchmark: the synthetic corpus (tests/vision/corpus.h) through our decoder and three
// peers, in one process, on one core. Prints one JSON object; see docs/BENCHMARKS.md, "Decoding".
//
// Decoders, each fed the same bgr24 frame:
//   ours_frame   kiosk::FrameDecoder, a fresh one per frame (no region remembered from a previous
//                frame: every frame is a first sighting), default options
//   ours_image   kiosk::decode_image, default options
//   ours_held    only with --decoders: one FrameDecoder fed the same frame until it reads, at most 5
//                times (a ticket held still for a sixth of a second); its time is all 5 frames
//   zxing        ZXing-cpp 1.4 ReadBarcodes with default DecodeHints (all formats, tryHarder,
//                tryRotate, tryDownscale)
//   wechat       cv::wechat_qrcode::WeChatQRCode without its CNN model files (the OpenCV decoder
//                that works in Debian; cv::QRCodeDetector there is built without quirc)
//   zbar         zbar::ImageScanner, QR only, on a Y800 image (the BGR-to-gray conversion is timed)
//   qrcodedetector  cv::QRCodeDetector::detectAndDecode, only with --with-qrcodedetector; its
//                per-frame stdout warning is sent to /dev/null so the JSON stays clean
//
// Per frame a decoder's outcome is "wrong" when it returns any text other than the expected one
// (on an empty frame: any text at all), else "decoded" when it returned the expected text, else
// "missed". Times are wall-clock per decode call, frame generation excluded.
//
// "still_scene" in the JSON: ours only, a FrameDecoder fed one empty frame 30 times, the cost
// of an idle kiosk before and after it notices the scene is still.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

// zbar.h first: ZXing's Error.h defines FormatError() and UnsupportedError() as macros, which
// would rewrite ZBar's exception classes of the same names.
#include <zbar.h>
#define ZX_USE_UTF8
#include <ZXing/ReadBarcode.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/wechat_qrcode.hpp>

#include "tests/vision/corpus.h"
#include "vision/decoder.h"

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct Options {
    uint32_t seed = 20261124;
    int per_condition = 20;
    std::vector<int> heights = {720, 1080};
    std::vector<std::string> conditions;    // empty: all
    std::vector<std::string> decoders = {"ours_frame", "ours_image", "zxing", "wechat", "zbar"};
    std::string dump_dir;                   // write every frame as PNG here
    std::string raw_file;                   // one JSON line per frame and decoder
    bool dump_only = false;
    int max_wrong_listed = 50;
    double budget_ms = 0;                   // ours: per-frame budget; 0 keeps DecodeOptions' default
};

std::vector<std::string> split(const std::string& csv) {
    std::vector<std::string> out;
    std::stringstream stream(csv);
    for (std::string item; std::getline(stream, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "decode_bench: " << problem << "\n"
              << "usage: decode_bench [--seed N] [--per N] [--heights 720,1080] [--conditions a,b]\n"
              << "                    [--decoders ours_frame,ours_image,ours_held,zxing,wechat,zbar] [--with-qrcodedetector]\n"
              << "                    [--budget-ms N] [--dump DIR] [--dump-only] [--raw FILE]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value for " + arg);
            return argv[++i];
        };
        try {
            if (arg == "--seed") options.seed = static_cast<uint32_t>(std::stoul(value()));
            else if (arg == "--per") options.per_condition = std::stoi(value());
            else if (arg == "--heights") {
                options.heights.clear();
                for (const auto& h : split(value())) options.heights.push_back(std::stoi(h));
            } else if (arg == "--conditions") options.conditions = split(value());
            else if (arg == "--decoders") options.decoders = split(value());
            else if (arg == "--with-qrcodedetector") options.decoders.push_back("qrcodedetector");
            else if (arg == "--dump") options.dump_dir = value();
            else if (arg == "--raw") options.raw_file = value();
            else if (arg == "--dump-only") options.dump_only = true;
            else if (arg == "--budget-ms") options.budget_ms = std::stod(value());
            else usage("unknown argument " + arg);
        } catch (const std::logic_error&) {
            usage("bad value for " + arg);
        }
    }
    if (options.per_condition < 1) usage("--per must be at least 1");
    const auto& known = kiosk::testing::corpus_conditions();
    for (const auto& condition : options.conditions)
        if (std::find(known.begin(), known.end(), condition) == known.end()) usage("unknown condition " + condition);
    if (options.conditions.empty()) options.conditions = known;
    return options;
}

// Sends stdout to /dev/null while alive (cv::QRCodeDetector prints a warning per frame there).
class QuietStdout {
public:
    QuietStdout() {
        std::fflush(stdout);
        saved_ = ::dup(STDOUT_FILENO);
        const int null_fd = ::open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            ::dup2(null_fd, STDOUT_FILENO);
            ::close(null_fd);
        }
    }
    ~QuietStdout() {
        std::fflush(stdout);
        if (saved_ >= 0) {
            ::dup2(saved_, STDOUT_FILENO);
            ::close(saved_);
        }
    }
    QuietStdout(const QuietStdout&) = delete;
    QuietStdout& operator=(const QuietStdout&) = delete;

private:
    int saved_ = -1;
};

struct Outcome {
    std::vector<std::string> texts;
    Json detail;                            // ours only: attempts, budget, winning attempt (for --raw)
};
using DecodeFn = std::function<Outcome(const kiosk::ImageView&, const cv::Mat&)>;

Outcome outcome_of(const kiosk::FrameDecode& result) {
    Outcome out;
    for (const auto& code : result.codes) out.texts.push_back(code.text);
    out.detail = {{"attempts", result.attempts}, {"budget_exhausted", result.budget_exhausted}, {"winning_attempt", result.winning_attempt}};
    return out;
}

DecodeFn make_decoder(const std::string& name, const kiosk::DecodeOptions& ours) {
    if (name == "ours_frame")
        return [ours](const kiosk::ImageView& view, const cv::Mat&) {
            kiosk::FrameDecoder decoder(ours);
            return outcome_of(decoder.decode(view));
        };
    if (name == "ours_held")
        return [ours](const kiosk::ImageView& view, const cv::Mat&) {
            // A ticket held still: one decoder, the same frame again until it reads, at most 5
            // frames (a sixth of a second at 30 fps). Its attempt cursors carry on between frames.
            constexpr int kMaxFrames = 5;
            kiosk::FrameDecoder decoder(ours);
            Outcome out;
            int frames = 0;
            while (frames < kMaxFrames && out.texts.empty()) {
                out = outcome_of(decoder.decode(view));
                ++frames;
            }
            out.detail["frames"] = frames;
            return out;
        };
    if (name == "ours_image")
        return [ours](const kiosk::ImageView& view, const cv::Mat&) { return outcome_of(kiosk::decode_image(view, ours)); };
    if (name == "zxing")
        return [](const kiosk::ImageView& view, const cv::Mat&) {
            Outcome out;
            const ZXing::ImageView image(view.data, view.width, view.height, ZXing::ImageFormat::BGR, view.stride);
            for (const auto& result : ZXing::ReadBarcodes(image))
                if (result.isValid()) out.texts.push_back(result.text());
            return out;
        };
    if (name == "wechat") {
        auto detector = std::make_shared<cv::wechat_qrcode::WeChatQRCode>();
        return [detector](const kiosk::ImageView&, const cv::Mat& mat) {
            std::vector<cv::Mat> points;
            return Outcome{detector->detectAndDecode(mat, points), {}};
        };
    }
    if (name == "zbar") {
        auto scanner = std::make_shared<zbar::ImageScanner>();
        scanner->set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
        scanner->set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
        return [scanner](const kiosk::ImageView&, const cv::Mat& mat) {
            cv::Mat gray;
            cv::cvtColor(mat, gray, cv::COLOR_BGR2GRAY);
            zbar::Image image(static_cast<unsigned>(gray.cols), static_cast<unsigned>(gray.rows), "Y800", gray.data,
                              static_cast<unsigned long>(gray.total()));
            Outcome out;
            if (scanner->scan(image) > 0)
                for (auto symbol = image.symbol_begin(); symbol != image.symbol_end(); ++symbol) out.texts.push_back(symbol->get_data());
            image.set_data(nullptr, 0);
            return out;
        };
    }
    if (name == "qrcodedetector") {
        auto detector = std::make_shared<cv::QRCodeDetector>();
        return [detector](const kiosk::ImageView&, const cv::Mat& mat) {
            Outcome out;
            std::string text;
            {
                QuietStdout quiet;
                text = detector->detectAndDecode(mat);
            }
            if (!text.empty()) out.texts.push_back(text);
            return out;
        };
    }
    usage("unknown decoder " + name);
}

struct Tally {
    int frames = 0, decoded = 0, wrong = 0, missed = 0;
    std::vector<double> ms;
};

// Nearest-rank percentile.
double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

double round3(double value) { return std::round(value * 1000) / 1000; }

Json tally_json(const Tally& tally) {
    return {{"frames", tally.frames}, {"decoded", tally.decoded}, {"wrong", tally.wrong}, {"missed", tally.missed},
            {"median_ms", round3(percentile(tally.ms, 50))}, {"p95_ms", round3(percentile(tally.ms, 95))}};
}

std::string first_line_of(const char* path, const std::string& prefix) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) return line.substr(line.find(':') + 1 + (line.find(": ") != std::string::npos ? 1 : 0));
    return {};
}

Json load_average() {
    std::ifstream in("/proc/loadavg");
    double one = 0, five = 0, fifteen = 0;
    in >> one >> five >> fifteen;
    return Json::array({one, five, fifteen});
}

int cpus_allowed() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

// An idle kiosk: one FrameDecoder fed the same empty frame 30 times (a camera looking at an empty
// room), for up to 10 empty frames per height. The first frames get the full search; once the
// scene has been still long enough the decoder idles (DecodeOptions::idle_when_still).
Json still_scene(const Options& options, const kiosk::DecodeOptions& ours) {
    constexpr int kRepeats = 30;
    Json out = Json::array();
    for (int height : options.heights) {
        std::vector<double> searching_ms, idle_ms;
        int idle_frames = 0, texts = 0;
        for (int i = 0; i < std::min(options.per_condition, 10); ++i) {
            const auto sample = kiosk::testing::make_sample("empty", height, options.seed + static_cast<uint32_t>(i));
            kiosk::FrameDecoder decoder(ours);
            for (int repeat = 0; repeat < kRepeats; ++repeat) {
                const auto t0 = Clock::now();
                const kiosk::FrameDecode decode = decoder.decode(sample.frame.view());
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                (decode.idle ? idle_ms : searching_ms).push_back(ms);
                idle_frames += decode.idle;
                texts += static_cast<int>(decode.codes.size());
            }
        }
        out.push_back({{"height", height}, {"frames", searching_ms.size() + idle_ms.size()}, {"idle_frames", idle_frames},
                       {"texts", texts}, {"searching_median_ms", round3(percentile(searching_ms, 50))},
                       {"idle_median_ms", round3(percentile(idle_ms, 50))}, {"idle_p95_ms", round3(percentile(idle_ms, 95))}});
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    cv::setNumThreads(1);

    std::vector<std::pair<std::string, DecodeFn>> decoders;
    kiosk::DecodeOptions ours;
    if (options.budget_ms > 0) ours.budget = std::chrono::microseconds(static_cast<int64_t>(options.budget_ms * 1000));
    if (!options.dump_only)
        for (const auto& name : options.decoders) decoders.emplace_back(name, make_decoder(name, ours));

    Json out;
    out["benchmark"] = "decode";
    out["seed"] = options.seed;
    out["per_condition"] = options.per_condition;
    out["budget_ms"] = std::chrono::duration<double, std::milli>(ours.budget).count();
    out["heights"] = options.heights;
    out["decoders"] = options.decoders;
    out["opencv_threads"] = cv::getNumThreads();
    out["cpus_allowed"] = cpus_allowed();
    out["cpu"] = first_line_of("/proc/cpuinfo", "model name");
    out["load_start"] = load_average();

    // tallies[condition][height][decoder]
    std::map<std::string, std::map<int, std::map<std::string, Tally>>> tallies;
    std::map<int, std::map<std::string, Tally>> overall;
    Json wrong_list = Json::array();
    std::ofstream raw;
    if (!options.raw_file.empty()) raw.open(options.raw_file);
    const auto started = Clock::now();
    for (int i = 0; i < options.per_condition; ++i) {
        for (const auto& condition : options.conditions) {
            for (int height : options.heights) {
                const uint32_t sample_seed = options.seed + static_cast<uint32_t>(i);
                const auto sample = kiosk::testing::make_sample(condition, height, sample_seed);
                const kiosk::ImageView view = sample.frame.view();
                const cv::Mat mat(view.height, view.width, CV_8UC3, const_cast<uint8_t*>(view.data), static_cast<size_t>(view.stride));
                if (!options.dump_dir.empty())
                    cv::imwrite(options.dump_dir + "/" + condition + "_" + std::to_string(height) + "_" + std::to_string(i) + ".png", mat);
                for (const auto& [name, decode] : decoders) {
                    const auto t0 = Clock::now();
                    const Outcome outcome = decode(view, mat);
                    const std::vector<std::string>& texts = outcome.texts;
                    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                    bool found = false, wrong = false;
                    for (const auto& text : texts) {
                        if (!sample.expected.empty() && text == sample.expected) found = true;
                        else wrong = true;
                    }
                    for (Tally* tally : {&tallies[condition][height][name], &overall[height][name]}) {
                        ++tally->frames;
                        tally->ms.push_back(ms);
                        if (wrong) ++tally->wrong;
                        else if (found) ++tally->decoded;
                        else ++tally->missed;
                    }
                    if (raw.is_open()) {
                        Json line{{"condition", condition}, {"height", height}, {"seed", sample_seed}, {"decoder", name},
                                  {"outcome", wrong ? "wrong" : found ? "decoded" : "missed"}, {"ms", round3(ms)},
                                  {"expected_length", sample.expected.size()}};
                        if (!outcome.detail.is_null()) line.update(outcome.detail);
                        raw << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
                    }
                    if (wrong && static_cast<int>(wrong_list.size()) < options.max_wrong_listed)
                        wrong_list.push_back({{"condition", condition}, {"height", height}, {"seed", sample_seed}, {"decoder", name},
                                              {"expected", sample.expected}, {"got", texts}});
                }
            }
        }
        std::cerr << "decode_bench: " << (i + 1) << "/" << options.per_condition << " rounds, "
                  << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count() << " s\n";
    }

    Json results = Json::array();
    for (const auto& condition : options.conditions)
        for (int height : options.heights)
            for (const auto& [name, decode] : decoders) {
                Json row = tally_json(tallies[condition][height][name]);
                row["condition"] = condition;
                row["height"] = height;
                row["decoder"] = name;
                results.push_back(row);
            }
    Json totals = Json::array();
    for (int height : options.heights)
        for (const auto& [name, decode] : decoders) {
            Json row = tally_json(overall[height][name]);
            row["height"] = height;
            row["decoder"] = name;
            totals.push_back(row);
        }
    out["results"] = results;
    out["overall"] = totals;
    const bool ours_listed = std::find(options.decoders.begin(), options.decoders.end(), "ours_frame") != options.decoders.end();
    const bool empty_listed = std::find(options.conditions.begin(), options.conditions.end(), "empty") != options.conditions.end();
    if (!options.dump_only && ours_listed && empty_listed) out["still_scene"] = still_scene(options, ours);
    out["wrong_texts"] = wrong_list;
    out["load_end"] = load_average();
    out["seconds"] = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    std::cout << out.dump(1, ' ', false, Json::error_handler_t::replace) << "\n";
    return 0;
}
