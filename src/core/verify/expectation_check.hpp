// Judges one step's exchanges against one Expectation of the scenario, resolving the profile's
// symbolic statuses ($in_flight, $mismatch, ...). Private to src/core/verify.
#pragma once

#include <string>

#include "idem/verify/scenario.hpp"
#include "run_context.hpp"

namespace idem::verify {

struct Judgement {
  Verdict verdict = Verdict::Pass;
  std::string reason;    ///< what was wrong (FAIL/WARN) or why not judged (SKIP)
  std::string expected;  ///< the expectation in words
  bool stop = false;     ///< the check's premise was not observed: judge nothing further
};

/// True when every condition holds for `profile`.
bool conditions_hold(const std::vector<Condition>& when, const Profile& profile);

/// Does `status` match the token ("201", "2xx", "$in_flight", ...)?
bool status_matches(int status, const std::string& token, const Profile& profile);

/// Judges the step; for a burst the reason ends with a tally of its answers.
Judgement judge(RunContext& ctx, const Step& step, const StepResult& result,
                const Expectation& expectation);
/// judge() without the tally.
Judgement judge_exchanges(RunContext& ctx, const Step& step, const StepResult& result,
                          const Expectation& expectation);

}  // namespace idem::verify
