// The result of one stress run: counts, latency histograms (overall, corrected, per request
// kind), outcomes, transport errors, invariant violations with examples, the invariants that
// could not be observed, per-second series and threshold verdicts. Writers (text, JSON; later
// HTML, HDR, ndjson and a merge) read this model only. Plain values.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "idem/stress/histogram.hpp"

namespace idem {

inline constexpr int kStressReportSchema = 1;

/// Why a request was sent: the histograms and counts are kept per kind.
enum class RequestKind {
  First,         ///< the first send of a key
  Duplicate,     ///< another send of a key with the same body
  Retry,         ///< a resend after 409, 5xx or a timeout (retry pattern)
  Mismatch,      ///< the key reused with another body
  MissingKey,    ///< no key header
  InvalidKey,    ///< a malformed key
  Failure,       ///< carries the target's failure trigger
  LostResponse,  ///< sent through the drop proxy: executed, answer lost
};
inline constexpr int kRequestKinds = 8;
std::string_view to_string(RequestKind kind);

/// Invariants of SEMANTICS §5, in report order.
enum class Invariant {
  ExactlyOnce,
  ReplayIdentical,
  ConflictOnlyInFlight,
  KeyRequired,
  MismatchRefused,
  NoUnexpected5xx,
};
inline constexpr int kInvariants = 6;
std::string_view to_string(Invariant invariant);

/// What the answers were, as the guard sees them.
struct StressOutcomes {
  uint64_t executed = 0;  ///< 2xx without the replay marker
  uint64_t replayed = 0;  ///< 2xx with the replay marker
  uint64_t conflict = 0;  ///< 409
  uint64_t mismatch = 0;  ///< the profile's mismatch status to a mismatch send
  uint64_t rejected = 0;  ///< other 4xx
  uint64_t server_error = 0;    ///< 5xx not asked for
  uint64_t failed_injected = 0; ///< 5xx to a failure-trigger send
  uint64_t lost_injected = 0;   ///< lost-response sends (their answer dropped by design)

  /// Adds `other`'s counts: the outcomes of both samples (threads after join, merged reports).
  void add(const StressOutcomes& other);
};

struct ViolationExample {
  std::string key;
  std::string kind;       ///< request kind
  std::string detail;     ///< what was expected and what came
  std::string request;    ///< method, URL, headers, body
  std::string response;   ///< status line, headers, body prefix
  std::string curl;       ///< a command reproducing the request
  double at_seconds = 0;  ///< since the run started
};

struct Violation {
  uint64_t count = 0;
  std::vector<ViolationExample> examples;  ///< at most kMaxViolationExamples
};

/// Whether an invariant was judged, and why not when it was not.
struct InvariantStatus {
  bool checked = false;
  std::string reason;  ///< when not checked: the missing premise
  uint64_t observations = 0;  ///< answers it judged
};

/// What became of a request, by the class of its answer's status: the per-second throughput is
/// stacked by these. Other is a status below 200 (a hostile or broken target).
enum class StatusClass { Success, Redirect, ClientError, ServerError, TransportError, Other };
inline constexpr int kStatusClasses = 6;
std::string_view to_string(StatusClass c);  ///< "2xx", "3xx", "4xx", "5xx", "transport", "other"
StatusClass status_class(int status);       ///< of an HTTP status (never TransportError)

struct SecondSample {
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t errors = 0;      ///< transport errors
  uint64_t violations = 0;
  int64_t latency_max_us = 0;
  double latency_sum_us = 0;
  /// Percentiles of the second's answers over all threads (0 when none was answered).
  int64_t latency_p50_us = 0;
  int64_t latency_p90_us = 0;
  int64_t latency_p99_us = 0;
  /// Requests that ended in this second, by StatusClass (answers and transport errors).
  std::array<uint64_t, kStatusClasses> status_classes{};

  /// Adds `other`'s counts, sums and max (the percentiles are left to the caller: they need
  /// the second's histograms, never an average).
  void add(const SecondSample& other);
};

/// Exactly-once by the executions URL while the load ran (the verdict is the count after it).
struct ExecutionSampling {
  bool sampled = false;          ///< executions-url mode: a sampler ran during the load
  uint64_t samples = 0;          ///< counter reads during the load
  uint64_t unreadable = 0;       ///< of which could not be read
  uint64_t keys_over_once = 0;   ///< distinct keys already counted more than once
  double first_over_once_s = -1; ///< when the first of them was seen; -1: never
};

struct ThresholdResult {
  std::string expression;  ///< as given, "p99<50ms"
  bool passed = true;
  std::string actual;      ///< the measured value, "p99 = 12.3ms"
};

/// How one request ended, as the per-request log (--report ndjson) says it.
enum class RequestOutcome : uint8_t {
  Executed,
  Replayed,
  Conflict,
  Mismatch,
  Rejected,
  ServerError,
  FailedInjected,
  LostInjected,
  TransportError,  ///< no answer: RequestRecord::error says why
  Unfinished,      ///< still in flight when the drain time ended
};
std::string_view to_string(RequestOutcome outcome);

/// One request of the per-request log. Times in µs since the run started.
struct RequestRecord {
  int64_t sent_us = 0;
  int64_t intended_us = -1;  ///< open model: the scheduled send time; -1: none
  int64_t latency_us = -1;   ///< -1: no answer
  uint32_t key = 0;          ///< index into RequestLog::keys
  uint16_t status = 0;       ///< 0: no answer
  RequestKind kind = RequestKind::First;
  RequestOutcome outcome = RequestOutcome::Executed;
  uint8_t error = 0;  ///< TransportError value, 0 when answered
};

/// The per-request log, kept only when asked for (StressOptions::request_log_limit > 0).
struct RequestLog {
  bool enabled = false;
  long long limit = 0;                 ///< records kept at most, over all threads
  std::vector<RequestRecord> records;  ///< in send order
  std::vector<std::string> keys;       ///< the run's keys, indexed by RequestRecord::key
  uint64_t dropped = 0;                ///< requests past the limit, not logged
};

/// What the chaos proxy (stress --chaos) did and what its journal tells of each key.
struct ChaosStory {
  bool enabled = false;
  std::vector<std::string> rules;  ///< the --chaos specs as the proxy runs them
  uint64_t seed = 0;
  uint64_t requests = 0;          ///< through the proxies
  uint64_t faulted = 0;           ///< requests a rule applied to
  uint64_t lost = 0;              ///< upstream answers kept from the client
  uint64_t injected_answers = 0;  ///< answers the proxy made up (replace-status, abort)
  uint64_t keys_lost = 0;         ///< keys that lost at least one answer
  uint64_t keys_recovered = 0;    ///< ... and later got the upstream's answer
  uint64_t keys_executed_twice = 0;  ///< keys with two different 2xx bodies upstream
  bool complete = true;           ///< every key was followed (kMaxStoryKeys)
};

/// Which part of a run split over N generators this report is (--segment I/N); 0/1 alone.
struct SegmentInfo {
  int index = 0;
  int count = 1;
};

/// Non-zero histogram counts as (counts index, count), in index order.
using SparseCounts = std::vector<std::pair<int, uint64_t>>;

/// Sorts `counts` by index and adds up the counts of equal indexes (a sparse merge).
void add_up_sparse(SparseCounts& counts);

/// One second's answer latencies per request kind (the HDR interval log and exact merges).
struct SecondCounts {
  std::array<SparseCounts, kRequestKinds> by_kind;
};

struct StressReport {
  // The run as configured.
  std::vector<std::string> targets;
  std::string model;  ///< "closed" | "open"
  int threads = 0;
  int connections = 0;
  double rate = 0;                  ///< -R: the open model's starting rate
  std::vector<std::string> stages;  ///< --stage ramps, "10s:500"
  std::string pattern;
  int dups = 1;
  long long keys = 0;
  std::string profile;
  std::string count_mode;  ///< how executions were observed

  // What happened.
  bool interrupted = false;
  double elapsed_seconds = 0;
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t unfinished = 0;  ///< in flight when the run stopped
  uint64_t keys_started = 0;
  uint64_t keys_prepared = 0;          ///< rendered before the clock started
  uint64_t keys_prepared_idle = 0;     ///< rendered while a load loop waited for answers
  uint64_t keys_prepared_in_run = 0;   ///< rendered on the send path: none were left in stock
  std::map<int, uint64_t> statuses;
  StressOutcomes outcomes;
  std::array<uint64_t, 7> transport_errors{};  ///< by TransportError value
  Histogram latency;            ///< from the actual send time
  Histogram corrected_latency;  ///< from the intended send time (open model)
  std::array<Histogram, kRequestKinds> latency_by_kind;
  Histogram generator_lag;      ///< actual - intended send time (open model)
  bool valid = true;
  std::vector<std::string> warnings;
  std::array<Violation, kInvariants> violations;
  std::array<InvariantStatus, kInvariants> invariants;
  std::vector<SecondSample> seconds;
  ExecutionSampling executions_sampled;
  std::vector<ThresholdResult> thresholds;

  // For interval logs, the request log and merging segments (kept apart from SecondSample).
  int64_t start_unix_us = 0;  ///< wall clock when the load started
  SegmentInfo segment;
  ChaosStory chaos;
  std::vector<SecondCounts> second_counts;  ///< same index as `seconds`
  RequestLog request_log;
  std::vector<std::string> merged_from;  ///< `report merge`: the files, in order

  double rps() const {
    return elapsed_seconds > 0 ? static_cast<double>(answered) / elapsed_seconds : 0;
  }
  uint64_t transport_error_total() const;
  uint64_t violation_total() const;
  /// Transport errors (injected drops excluded) and unexpected 5xx over sends.
  double error_ratio() const;
  bool passed() const;  ///< no violation, no breached threshold
};

}  // namespace idem
