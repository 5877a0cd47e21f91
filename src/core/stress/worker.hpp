// One stress thread: its connections on one LoadLoop (a persistent curl multi loop), its keys and their ledgers, its
// counters and histograms. Everything here is owned by the thread that runs it; the engine
// reads the results after join and the live counters (relaxed atomics, written by this thread
// only) while it runs. Private to src/core/stress.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <memory>
#include <random>
#include <vector>

#include "idem/client/load_loop.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/stress_report.hpp"
#include "execution_sampler.hpp"
#include "ledger.hpp"
#include "request_plan.hpp"
#include "ring_queue.hpp"

namespace idem::stress {

using SteadyTime = std::chrono::steady_clock::time_point;

/// What one thread is asked to do.
struct WorkerShare {
  int connections = 1;
  long long requests = 0;  ///< 0: unbounded
  long long keys = 0;      ///< keys this thread owns
  long long first_key = 0; ///< global number of its first key (bodies render {{n}} from it)
  int index = 0;           ///< takes arrivals index+1, index+1+threads, ... of the schedule
  int threads = 1;
};

struct LiveCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> violations{0};
  std::atomic<uint64_t> keys_started{0};  ///< release: keys below this index were started
  std::atomic<int64_t> p99_us{0};
  std::atomic<bool> done{false};
};

/// The per-thread result, merged by the engine.
struct WorkerResult {
  uint64_t sent = 0, answered = 0, unfinished = 0, keys_started = 0;
  uint64_t keys_prepared = 0, keys_prepared_idle = 0, keys_prepared_in_run = 0;
  std::array<uint64_t, 600> statuses{};
  StressOutcomes outcomes;
  std::array<uint64_t, 7> transport_errors{};
  Histogram latency, corrected, lag;
  std::array<Histogram, kRequestKinds> by_kind;
  std::array<Violation, kInvariants> violations;
  Observations observed{};
  std::vector<SecondSample> seconds;
  /// Per second (same index as `seconds`): the latency histogram's non-zero counts, merged over
  /// the threads after join into the series' percentiles.
  std::vector<std::vector<std::pair<int, uint64_t>>> second_latency;
  /// Per second (same index): the same counts per request kind, for the HDR interval log.
  std::vector<std::array<SparseCounts, kRequestKinds>> second_kind_latency;
  /// The per-request log (when asked for), keys as this thread's key indexes; at most this
  /// thread's part of the limit, the rest counted in requests_dropped.
  std::vector<RequestRecord> requests;
  uint64_t requests_dropped = 0;
  uint64_t waited_for_connection = 0;  ///< open model: due sends that found no idle connection
  double busy_ratio = 0;               ///< thread CPU time / wall time
  std::string setup_error;
  int64_t load_us = 0;  ///< from the start until the thread stopped sending
};

class Worker {
 public:
  Worker(const RequestPlan& plan, const StressOptions& options, const TargetSpec& target,
         WorkerShare share, const std::atomic<bool>& stop, LiveCounters& live);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Renders the keys the run will need (at most options.max_prepared_keys), before the clock
  /// starts: the loop thread then only picks them up.
  void prepare();
  /// Runs the load from `start` until a bound, `stop`, or every key had its sends.
  void run(SteadyTime start);
  /// After run(): counts executions of answered keys by the executions URL, within `budget`.
  /// Returns how many keys were counted and how many could not be.
  std::pair<uint64_t, uint64_t> count_executions(Millis budget);

  WorkerResult& result() { return result_; }
  /// After prepare(), before run(): the prepared keys for the executions sampler.
  SampleSource sample_source() const;
  /// Keys whose first 2xx identity is known (for the cross-key identity check).
  std::vector<uint64_t> first_identities() const;
  /// Keys this worker already reported as executed more than once.
  std::vector<std::string> keys_counted_twice() const;
  /// After run(): moves out the keys this thread started (index = RequestRecord::key).
  std::vector<std::string> take_started_keys();

 private:
  struct Pending {
    uint32_t key = 0;
    RequestKind kind = RequestKind::First;
    uint8_t attempt = 1;
    int64_t eligible_us = 0;
    int64_t intended_us = -1;  ///< open model: the scheduled send time
  };
  struct Slot;

  int64_t now_us() const;
  bool start_key(int64_t now);
  /// How many keys prepare() renders: the thread's keys, bounded by what -n or the open model's
  /// schedule over -d can use, and by options.max_prepared_keys.
  long long keys_to_prepare() const;
  /// The open model's scheduled arrivals (all threads) within the first `seconds`.
  double schedule_arrivals(double seconds) const;
  void prepare_next_key();
  /// Renders up to kTopUpBatch keys while the loop is idle, keeping prepared_ahead in stock.
  void top_up();
  void release_phase(uint32_t key, int64_t now);
  void send(Slot& slot, const Pending& p, int64_t now);
  void on_done(Slot& slot, const LoadAnswer& answer, int64_t now);
  void record_violation(const Verdict& v, const Slot& slot, const LoadAnswer& a,
                        int64_t now);
  void finish_send(uint32_t key, int64_t now);
  void schedule_retry(const Pending& p, const LoadAnswer& a, int64_t now);
  /// When the schedule's `n`-th arrival (1-based, over all threads) is due, in µs since the
  /// start; INT64_MAX when the rate stays 0 from there on.
  int64_t arrival_time_us(double n) const;
  double next_arrival_n() const {
    return static_cast<double>(arrivals_ * share_.threads + share_.index + 1);
  }
  /// Appends to the per-request log unless it is off or this thread's part is full.
  void log_request(const Pending& p, int64_t sent_us, int64_t now, const LoadAnswer* answer,
                   RequestOutcome outcome);
  SecondSample& second(int64_t now);
  /// Keeps the finished second's latency counts and publishes its p99 for the progress line.
  void close_second();

  const RequestPlan& plan_;
  const StressOptions& options_;
  const TargetSpec& target_;
  WorkerShare share_;
  JudgeRules rules_;
  const std::atomic<bool>& stop_;
  LiveCounters& live_;
  SteadyTime start_{};
  int64_t stopped_us_ = 0;
  std::deque<KeyEntry> keys_;
  LoadLoop loop_;
  std::vector<LoadCompletion> done_;  ///< reused by every loop step
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  RingQueue<Pending> ready_;
  RingQueue<Pending> due_;  ///< open model: arrivals waiting for an idle connection
  std::vector<Pending> delayed_;  ///< min-heap by eligible_us
  std::mt19937_64 rng_;
  /// Resource-id mode with a one-level pointer: the member read without parsing the body.
  std::optional<std::string_view> id_member_;
  long long next_key_ = 0;
  uint64_t active_ = 0;
  int64_t next_arrival_us_ = 0;
  long long arrivals_ = 0;  ///< this thread's arrivals so far
  int64_t last_second_ = -1;
  Histogram second_latency_;
  std::array<Histogram, kRequestKinds> second_by_kind_;
  long long request_log_cap_ = 0;  ///< this thread's part of options.request_log_limit
  WorkerResult result_;
};

}  // namespace idem::stress
