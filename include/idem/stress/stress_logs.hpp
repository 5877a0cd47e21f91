// Writers of a run's raw material: the per-request log (`--report ndjson`, one JSON object per
// line, docs/stress-report.md) and the latency histograms as an HdrHistogram interval log
// (`--report hdr`, format version 1.3, one line per second and per request kind). Safe from any
// thread; they read the report only.
#pragma once

#include <ostream>

#include "idem/stress/stress_report.hpp"

namespace idem {

/// Values in the HDR log are µs; Interval_Max is written divided by this (so in milliseconds,
/// what HistogramLogProcessor prints with -outputValueUnitRatio 1000).
inline constexpr double kHdrMaxValueUnitRatio = 1000.0;

/// One line per logged request, in send order. Writes nothing when the log was not kept.
void write_stress_ndjson(const StressReport& report, std::ostream& out);

/// `#[Histogram log format version 1.3]`, `#[StartTime: ...]`, `#[BaseTime: ...]`, the legend,
/// then per second with answers: an untagged line (every kind) and a `Tag=<kind>,` line per kind.
void write_stress_hdr_log(const StressReport& report, std::ostream& out);

}  // namespace idem
