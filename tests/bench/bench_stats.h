// Timing and percentile helpers shared by the benchmarks (store_bench, sync_bench).
// Percentiles are nearest-rank over the sorted samples: the smallest sample with at least p of
// them at or below it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}
inline double micros_since(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}
inline double round1(double v) { return std::round(v * 10.0) / 10.0; }
inline double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

// Nearest rank of p (0..1] in sorted, non-empty samples.
inline double nearest_rank(const std::vector<double>& sorted, double p) {
    const auto index = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(index, 1, sorted.size()) - 1];
}

// n, p50, p90, p99, max (brief); full adds min, p95 and mean, in the order
// n, min, p50, p90, p95, p99, max, mean. Values rounded to one decimal.
enum class Summary { brief, full };

inline nlohmann::ordered_json summarize(std::vector<double> samples, Summary detail = Summary::full) {
    nlohmann::ordered_json out;
    out["n"] = samples.size();
    if (samples.empty()) return out;
    std::sort(samples.begin(), samples.end());
    const bool full = detail == Summary::full;
    if (full) out["min"] = round1(samples.front());
    out["p50"] = round1(nearest_rank(samples, 0.50));
    out["p90"] = round1(nearest_rank(samples, 0.90));
    if (full) out["p95"] = round1(nearest_rank(samples, 0.95));
    out["p99"] = round1(nearest_rank(samples, 0.99));
    out["max"] = round1(samples.back());
    if (full) {
        double sum = 0;
        for (double s : samples) sum += s;
        out["mean"] = round1(sum / static_cast<double>(samples.size()));
    }
    return out;
}

} // namespace kiosk::bench
