// The HTML report of a stress run (`--report html=FILE`, and of a merged run): one
// self-contained page, charts as inline SVG, no script, style sheet, font or image fetched from
// anywhere; every text from the target or the user escaped. Safe from any thread.
#pragma once

#include <ostream>

#include "idem/report/svg_chart.hpp"
#include "idem/stress/stress_report.hpp"

namespace idem {

/// Latency over time: max, p99, p90 and p50 of each second's answers, as overlaid bands.
svg::AreaChart stress_latency_chart(const StressReport& report);
/// Throughput over time: each second's finished requests stacked by StatusClass.
svg::AreaChart stress_throughput_chart(const StressReport& report);

/// Writes the whole page. Renders any report, including one with no second, no answer or an
/// interrupted run.
void write_stress_html(const StressReport& report, std::ostream& out);

}  // namespace idem
