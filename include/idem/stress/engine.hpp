// The stress engine: T threads, each with its own curl multi loop over its share of the
// connections, sending a prepared traffic shape (closed or open model) and judging every answer
// against a per-key ledger of the invariants (SEMANTICS §5). Threads share nothing while they
// run; their counters, histograms and ledgers merge after join (the wrk shape). run_stress() is
// called from one thread; `stop` may be set from any thread (SIGINT) to end the run early.
#pragma once

#include <atomic>
#include <functional>

#include "idem/result.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/stress_report.hpp"
#include "idem/target/target_spec.hpp"

namespace idem {

/// A snapshot of the running totals, for live progress.
struct StressProgress {
  double elapsed_seconds = 0;
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t errors = 0;
  uint64_t violations = 0;
  int64_t p99_us = 0;  ///< the worst thread's p99 of its last completed second
};

/// How often run_stress() calls its progress callback.
inline constexpr Millis kProgressTick{250};

/// Runs the load. Unavailable when the drop proxy (lost-response mix) cannot start or a
/// connection slot cannot be created; everything the target does is counted, never an error.
/// `on_progress` (may be empty) is called on the calling thread every kProgressTick.
Result<StressReport> run_stress(const TargetSpec& target, const StressOptions& options,
                                const std::atomic<bool>& stop,
                                const std::function<void(const StressProgress&)>& on_progress);

}  // namespace idem
