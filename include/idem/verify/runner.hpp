// The conformance runner: runs the selected scenarios one after another against a target and
// judges them by a profile, producing a Report. Not thread-safe; one run at a time per Runner
// call. Sends traffic only to the target's base URLs (and its own loopback FaultProxy).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "idem/report/report.hpp"
#include "idem/result.hpp"
#include "idem/verify/profile.hpp"
#include "idem/verify/scenario.hpp"
#include "idem/verify/target.hpp"

namespace idem::verify {

/// 1 - 0.7^20 = 0.9992: a race that double-executes in 30% of rounds is caught with p > 0.999.
inline constexpr int kDefaultRounds = 20;
inline constexpr int kDefaultBurst = 8;
/// The whole run's bound. The default catalogue against a healthy target takes seconds; a
/// declared lock TTL near verify's 5 min limit takes up to 7.5 min of waiting, so 10 min.
inline constexpr Millis kDefaultDeadline = std::chrono::minutes(10);
/// Requests in a row that time out (a full --timeout, no answer) before a check stops.
inline constexpr int kTimeoutsToStopCheck = 2;
/// Requests in a row, across checks, that time out before the run stops: the remaining checks
/// are not run. A target that has answered nothing at all this run stops it at
/// kTimeoutsToStopCheck (it accepts connections and never answers).
inline constexpr int kTimeoutsToStopRun = 3;

struct VerifyOptions {
  Profile profile;
  int rounds = kDefaultRounds;  ///< for scenarios with "rounds": "option"
  int burst = kDefaultBurst;    ///< for bursts without "n"
  Millis timeout{10'000};       ///< per request
  Millis connect_timeout{2'000};
  std::vector<std::string> only;  ///< run only these ids (opt-in checks need to be named here)
  std::vector<std::string> skip;  ///< do not run these ids
  bool key_expiry = false;        ///< run the opt-in key-expiry check
  Millis deadline = kDefaultDeadline;  ///< the whole run; checks not finished by then FAIL
  /// Called after each check with its result, on the running thread (partial reports).
  std::function<void(const CheckResult&)> on_check;
};

/// Checks --only/--skip against the catalogue: InvalidArgument naming an unknown id.
Result<void> validate_selection(const std::vector<Scenario>& catalogue,
                                const VerifyOptions& options);

/// Opens a TCP connection to every base URL within the connect timeout. Unavailable naming the
/// first URL that cannot be reached; InvalidArgument for a URL that cannot be parsed.
Result<void> probe_targets(const TargetSpec& target, Millis connect_timeout);

/// Runs every selected scenario in order. A check whose prerequisite the target lacks, or that
/// the profile does not judge, is a SKIP with the reason. Transport failures fail the affected
/// check. The run is bounded: a check stops after kTimeoutsToStopCheck timeouts in a row, and
/// once the deadline passes or the target stopped answering (kTimeoutsToStopRun), every check
/// left FAILs as "not run: <why>" without sending anything.
Report run_verify(const std::vector<Scenario>& catalogue, const TargetSpec& target,
                  const VerifyOptions& options);

}  // namespace idem::verify
