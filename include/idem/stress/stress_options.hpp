// What one `idemctl stress` run does: the load model (closed or open with stages), its bounds,
// the traffic shape (keys, duplicates per key, pattern, mix) and the profile the answers are
// judged by. Plain values; validated by validate_options().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "idem/chaos/fault_rule.hpp"
#include "idem/clock.hpp"
#include "idem/result.hpp"
#include "idem/verify/profile.hpp"

namespace idem {

inline constexpr int kMaxStressThreads = 64;
inline constexpr int kMaxStressConnections = 10'000;
inline constexpr int kMaxDupsPerKey = 1000;
inline constexpr long long kMaxStressKeys = 10'000'000;
/// Keys per thread when --keys is not given (prepared lazily in batches): the run then ends at
/// -d or -n.
inline constexpr long long kDefaultStressKeys = kMaxStressKeys;
/// Keys a thread renders before the clock starts (key, header line, bodies) when the run's bounds
/// say how many it can use (--keys, -n, the open model over -d). About 0.3 KiB each.
inline constexpr long long kMaxPreparedKeysPerThread = 100'000;
/// An open-ended run (the closed model until -d) cannot know: a thread renders this many ahead
/// and tops them up while its loop would wait for answers anyway, so that keys are not rendered
/// on the send path and a short run does not pay for keys it never sends.
inline constexpr long long kPreparedAheadKeys = 8192;
/// Keys rendered per idle moment of the loop (about 5 µs each): small, so an answer arriving
/// meanwhile is timestamped late by a fraction of a millisecond at most.
inline constexpr int kTopUpBatch = 16;
/// Sends per request chain in the retry pattern (the first one included).
inline constexpr int kMaxRetryAttempts = 6;
inline constexpr Millis kRetryBaseDelay{10};
inline constexpr Millis kRetryMaxDelay{1000};  ///< cap of the backoff and of a Retry-After
/// Examples kept per violated invariant.
inline constexpr size_t kMaxViolationExamples = 20;

/// Lines of `--report ndjson` when --ndjson-limit is not given: 40 B of memory each
/// while the run lasts; the requests past it are counted, not logged.
inline constexpr long long kDefaultRequestLogLimit = 1'000'000;
inline constexpr long long kMaxRequestLogLimit = 100'000'000;
/// Generators a run may be split over (--segment I/N).
inline constexpr int kMaxSegments = 10'000;

enum class StressPattern { Burst, Stagger, Retry };

/// One ramp of the open model: reach `rate` requests/s linearly over `duration`.
struct RateStage {
  Millis duration{0};
  double rate = 0;
};

/// Shares of operations (keys) that are sent differently, each in [0, 1], summing to <= 1.
struct StressMix {
  double missing_key = 0;
  double invalid_key = 0;
  double mismatch = 0;
  double failure = 0;
  double lost_response = 0;
};

struct StressOptions {
  int threads = 2;
  int connections = 16;
  double rate = 0;                ///< open model when > 0 or when stages are given
  std::vector<RateStage> stages;  ///< after the last one the last rate holds until -d
  Millis duration{0};             ///< 0: not bounded by time (-n or --keys bound it)
  long long requests = 0;         ///< 0: not bounded by count
  long long keys = 0;             ///< 0: fresh keys until -d/-n
  int dups = 1;                   ///< sends per key
  StressPattern pattern = StressPattern::Burst;
  Millis stagger{0};
  StressMix mix;
  Millis timeout{10'000};
  Millis connect_timeout{2'000};
  verify::Profile profile;
  long long max_prepared_keys = kMaxPreparedKeysPerThread;  ///< per thread
  long long prepared_ahead = kPreparedAheadKeys;  ///< per thread, open-ended runs
  long long request_log_limit = 0;  ///< > 0: keep a per-request log of at most this many
  int segment_index = 0;            ///< --segment I/N: this generator's part of the run
  int segment_count = 1;
  /// --chaos: every send goes through an in-process chaos proxy (one per target) with these
  /// rules; their injected answers and lost responses are retried, not judged.
  std::vector<chaos::FaultRule> chaos;
  uint64_t chaos_seed = 0;
  bool open_model() const { return rate > 0 || !stages.empty(); }
};

/// "I/N" -> index and count; InvalidArgument naming `flag` unless 0 <= I < N <= kMaxSegments.
Result<std::pair<int, int>> parse_segment(const std::string& text, const std::string& flag);
/// Gives segment `index` of `count` its part of the run: 1/N of the rate and stages (open model)
/// or of the connections (closed model), of -n and of --keys. InvalidArgument naming the flag when
/// a part would be empty (fewer connections, requests or keys than segments).
Result<void> apply_segment(StressOptions& options, int index, int count);

/// InvalidArgument naming the flag when the options contradict each other or leave the run
/// unbounded.
Result<void> validate_options(const StressOptions& options);

/// "missing-key=1%,mismatch=2%,failure=0.05" -> mix; InvalidArgument naming the item.
Result<StressMix> parse_mix(const std::string& text);
/// "10s:500" -> a stage; InvalidArgument otherwise.
Result<RateStage> parse_stage(const std::string& text);
/// "burst", "stagger=50ms", "retry".
Result<void> parse_pattern(const std::string& text, StressOptions& options);

}  // namespace idem
