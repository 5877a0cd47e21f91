// The per-key ledger's verdicts: one answer judged against what its key has seen so far and
// what the profile declares (SEMANTICS §5). Pure functions over a thread's own KeyEntry; no
// allocation unless an invariant is violated. Private to src/core/stress.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "idem/client/load_loop.hpp"
#include "idem/stress/stress_report.hpp"
#include "idem/verify/profile.hpp"
#include "request_plan.hpp"

namespace idem::stress {

/// The profile's answers, resolved once before the run.
struct JudgeRules {
  bool missing_key_judged = true;
  bool malformed_exact_400 = true;  ///< else any 4xx
  int mismatch_status = 422;        ///< 0: not judged
  bool failure_replayed = false;    ///< 5xx cached or not judged: a follow-up may get it again
  bool count_by_identity = false;   ///< no executions URL: distinct 2xx identities count
};
JudgeRules make_rules(const verify::Profile& profile, CountMode count);

struct Verdict {
  uint32_t violated = 0;  ///< bit i: Invariant i
  std::string detail;     ///< for the first violated invariant
};

/// Counters of answers each invariant judged (its premise was observed).
using Observations = std::array<uint64_t, kInvariants>;

/// Judges `answer` (no transport error) to a `kind` send of `key` sent at `sent_us` and received
/// at `done_us` (both since the run started). `identity` identifies the execution of a 2xx
/// (body hash or resource id hash). Updates the ledger, the outcomes and the observations.
Verdict judge(KeyEntry& key, RequestKind kind, const LoadAnswer& answer, uint64_t identity,
              int64_t sent_us, int64_t done_us, const JudgeRules& rules, StressOutcomes& outcomes,
              Observations& observed);

}  // namespace idem::stress
