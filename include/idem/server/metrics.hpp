// Request counters and a latency histogram for `GET /metrics` (Prometheus text format 0.0.4).
// Lock-free: every member is atomic, so any thread may record.
#pragma once

#include <array>
#include <atomic>
#include <string>

#include "idem/clock.hpp"
#include "idem/guard.hpp"

namespace idem {

class ServerMetrics {
 public:
  void record(Outcome outcome, std::chrono::microseconds latency);
  void record_store_write_failure() { ++store_write_failures_; }
  /// Guarded and unguarded exchanges between their start and their answer (a gauge).
  void request_started() { ++in_flight_; }
  void request_ended() { --in_flight_; }
  long long in_flight() const { return in_flight_.load(); }
  long long requests(Outcome outcome) const;
  long long store_write_failures() const { return store_write_failures_.load(); }
  /// A request or connection the HTTP edge answered itself, before the guard (bad framing, an
  /// over-long head, a slow client, too many connections, an error of the HTTP library).
  void record_edge_refusal(int status);

  /// Renders every counter; `executions_total` comes from the ExecutionLog.
  std::string render_prometheus(long long executions_total) const;

 private:
  static constexpr size_t kOutcomes = 8;
  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

  std::array<std::atomic<long long>, kOutcomes> by_outcome_{};
  std::array<std::atomic<long long>, kBucketsSeconds.size() + 1> buckets_{};  // last is +Inf
  std::atomic<long long> latency_sum_us_{0};
  std::atomic<long long> store_write_failures_{0};
  std::atomic<long long> in_flight_{0};
  // The statuses the edge answers with; any other is counted as "other" (the last slot).
  static constexpr std::array<int, 9> kEdgeStatuses = {400, 405, 408, 413, 414, 431, 500, 501, 503};
  std::array<std::atomic<long long>, kEdgeStatuses.size() + 1> edge_refusals_{};
};

}  // namespace idem
