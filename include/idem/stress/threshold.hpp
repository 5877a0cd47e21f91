// Pass/fail limits on a stress run's figures: 'p99<50ms', 'p99.9<=1s', 'max<2s', 'mean<5ms',
// 'errors<0.1%' (or an absolute count, 'errors<5'), 'rps>1000'. Latency limits judge the
// corrected latency in the open model and the measured one in the closed model. Pure functions.
#pragma once

#include <string>

#include "idem/result.hpp"
#include "idem/stress/stress_report.hpp"

namespace idem {

struct Threshold {
  enum class Metric { Percentile, Max, Mean, Errors, Rps };
  enum class Op { Less, LessEqual, Greater, GreaterEqual };
  std::string expression;
  Metric metric = Metric::Percentile;
  double percentile = 99;
  Op op = Op::Less;
  double limit = 0;       ///< µs for latencies, a ratio or a count for errors, req/s for rps
  bool relative = false;  ///< errors given in %
};

/// InvalidArgument "--threshold: invalid 'TEXT': expected ..." when it cannot be read.
Result<Threshold> parse_threshold(const std::string& text);

/// The verdict of `threshold` on `report`, with the measured value.
ThresholdResult evaluate_threshold(const Threshold& threshold, const StressReport& report);

}  // namespace idem
