// Exactly-once by the executions URL while the load runs: one thread reads the executions
// counter of keys the workers have started, a bounded number per second, and notes every key
// already counted more than once (a count above 1 is final, whatever is still in flight). The
// count after the run stays the verdict; the sampling says that and when a double execution was
// seen during the load, and feeds the live progress. Private to src/core/stress; run() on one
// thread, the live counter readable from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/stress_report.hpp"
#include "idem/target/target_spec.hpp"

namespace idem::stress {

/// Executions counter reads per second during a run: enough to see a double execution within
/// the first second of a buggy target, few enough not to load the target measurably.
inline constexpr int kExecutionSamplesPerSecond = 200;
/// A counter read during the load waits at most this long (or --timeout, if shorter), so a
/// counter that hangs delays the end of the run by no more than that.
inline constexpr Millis kSampleTimeout{2000};

/// One worker's keys as the sampler sees them: prepared before the run and not changed during
/// it, sampled only once the worker has started them.
struct SampleSource {
  struct Entry {
    uint64_t index = 0;           ///< the key's number within its worker
    const std::string* key = nullptr;
  };
  std::vector<Entry> keys;  ///< keys whose sends execute (not missing-key / invalid-key)
  const std::atomic<uint64_t>* started = nullptr;  ///< the worker's keys started so far
};

class ExecutionSampler {
 public:
  ExecutionSampler(const TargetSpec& target, const StressOptions& options,
                   std::vector<SampleSource> sources);

  /// Samples at kExecutionSamplesPerSecond until `all_done` holds; `start` is the run's start.
  void run(const std::atomic<bool>& all_done, std::chrono::steady_clock::time_point start);
  /// Reads the counter of the next started key in turn (sources round robin, each from its
  /// first key again after its last started one); false when no started key is there.
  bool sample_once(double at_seconds);

  const ExecutionSampling& result() const { return result_; }
  /// Keys seen counted more than once so far (for the progress line).
  uint64_t live_over_once() const { return over_once_.load(std::memory_order_relaxed); }

 private:
  const TargetSpec& target_;
  const StressOptions& options_;
  std::vector<SampleSource> sources_;
  std::vector<size_t> cursor_;  ///< per source: position in its keys
  size_t next_source_ = 0;
  HttpClient client_;
  std::unordered_set<const std::string*> flagged_;
  ExecutionSampling result_;
  std::atomic<uint64_t> over_once_{0};
};

}  // namespace idem::stress
