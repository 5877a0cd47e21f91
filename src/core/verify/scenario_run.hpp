// Runs one data-driven scenario (all its rounds) and judges it. Private to src/core/verify.
#pragma once

#include "idem/verify/scenario.hpp"
#include "run_context.hpp"

namespace idem::verify {

/// Runs `scenario`'s steps for each round with fresh keys; stops at the first failing round.
CheckResult run_scenario(RunShared& shared, const Scenario& scenario);

/// The report's evidence for a run: every exchange, at most `limit` (first and last ones kept).
std::vector<ExchangeRecord> to_records(const std::vector<Exchange>& exchanges, size_t limit = 16);

/// Why the check stops after `step`: a request of the step got no answer and the check or the
/// run must stop (RunShared::check_stop_reason); "" otherwise.
std::string stop_reason(const RunShared& shared, const StepResult& step);

/// How long "lock_ttl" / "record_ttl" / a duration means for a wait (TTL plus a margin) or a
/// poll's deadline.
Millis wait_length(const TargetSpec& target, const Step& step);

}  // namespace idem::verify
