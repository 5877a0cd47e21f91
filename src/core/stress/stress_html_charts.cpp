// The two time series of the HTML report, as chart data: which figures, in which colours and
// which order. The drawing is svg_chart's.
#include <cstdint>
#include <string>

#include "idem/stress/stress_html.hpp"

namespace idem {
namespace {

// Colours of the class of an answer: green is fine, amber the client's fault, red the server's,
// violet no answer at all. Opaque fills so the bands do not mix into colours of their own.
constexpr const char* kClassColors[kStatusClasses] = {"#16a34a", "#0ea5e9", "#f59e0b",
                                                      "#dc2626", "#7c3aed", "#6b7280"};

}  // namespace

svg::AreaChart stress_latency_chart(const StressReport& r) {
  svg::AreaChart c;
  c.title = "Latency per second (percentiles of the answers that arrived in that second)";
  c.unit = svg::Unit::Microseconds;
  c.layering = svg::Layering::Overlay;
  // The tallest band first: each narrower percentile is drawn over it.
  c.series = {{"max", "#c7d7f5", {}}, {"p99", "#7ea6e8", {}}, {"p90", "#3b6fd1", {}},
              {"p50", "#1b3a80", {}}};
  for (const SecondSample& s : r.seconds) {
    c.series[0].values.push_back(static_cast<double>(s.latency_max_us));
    c.series[1].values.push_back(static_cast<double>(s.latency_p99_us));
    c.series[2].values.push_back(static_cast<double>(s.latency_p90_us));
    c.series[3].values.push_back(static_cast<double>(s.latency_p50_us));
  }
  return c;
}

svg::AreaChart stress_throughput_chart(const StressReport& r) {
  svg::AreaChart c;
  c.title = "Throughput per second by status class (requests that ended in that second)";
  c.unit = svg::Unit::Count;
  c.layering = svg::Layering::Stack;
  for (int k = 0; k < kStatusClasses; ++k) {
    const auto cls = static_cast<StatusClass>(k);
    std::string name(to_string(cls));
    if (cls == StatusClass::TransportError) name = "transport errors";
    c.series.push_back({name, kClassColors[k], {}});
  }
  uint64_t other = 0;
  for (const SecondSample& s : r.seconds) {
    for (size_t k = 0; k < s.status_classes.size(); ++k) {
      c.series[k].values.push_back(static_cast<double>(s.status_classes[k]));
    }
    other += s.status_classes[static_cast<size_t>(StatusClass::Other)];
  }
  static_assert(static_cast<int>(StatusClass::Other) == kStatusClasses - 1, "Other is last");
  // A status below 200 only comes from a broken target: no legend entry unless one came.
  if (other == 0) c.series.pop_back();
  return c;
}

}  // namespace idem
