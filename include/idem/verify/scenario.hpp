// The check catalogue as data: a Scenario is one check of SEMANTICS §3, a list of steps
// (send, burst, poll, wait) with expectations on what came back. The schema is documented in
// scenarios/README.md. Plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "idem/clock.hpp"
#include "idem/http.hpp"
#include "idem/report/report.hpp"

namespace idem::verify {

/// True when the profile's `axis` has one of `values` ("in_flight": ["wait"]).
struct Condition {
  std::string axis;
  std::vector<std::string> values;
};

struct RequestSpec {
  std::optional<std::string> key;  ///< symbolic name, a fresh UUID v4 per run; none = no key
  std::optional<std::vector<std::string>> raw_key_lines;  ///< literal key header lines
  std::string key_header = "profile";  ///< "profile" or "alternate" (the other spelling)
  std::string body = "default";        ///< default | alternate
  std::string path = "default";        ///< default | alternate | large | location:STEP
  std::string method;                  ///< empty: the target's method
  int principal = 0;                   ///< index into the target's principals
  std::string trigger;                 ///< empty | failure | slow | crash
  bool via_drop_proxy = false;         ///< through the FaultProxy, which loses the answer
  std::optional<Millis> abort_after;   ///< the client gives up after this long
  int target = 0;                      ///< index into the base URLs (modulo their count)
};

struct Expectation {
  std::vector<Condition> when;      ///< judged only when every condition holds
  bool warn = false;                ///< a miss is a WARN, not a FAIL
  /// The premise of the check: the answer is a replay of this earlier step (the replay marker,
  /// or one execution for both). Not observed: the check stops as a SKIP naming that.
  std::string replay_of;
  /// What this expectation establishes for the rest of the check ("the failure trigger makes
  /// the handler answer 5xx"); a miss is a FAIL whose reason names the premise.
  std::string premise;
  std::vector<std::string> status;  ///< "201", "2xx", "$in_flight", "$mismatch", ...
  std::vector<std::string> not_status;
  std::optional<bool> answered;         ///< false: the exchange must end without an answer
  std::string status_equals;            ///< step id
  std::string body_equals;              ///< step id
  std::string identical_to;             ///< step id: status and body
  std::string identical_to_any_2xx_of;  ///< burst step id
  std::string not_replay_of;            ///< step id: not its status+body, no replay marker
  std::string body_differs;             ///< step id
  std::optional<long long> executions;  ///< count for the step's key after the step
  std::vector<std::string> headers_present;
  std::vector<std::string> headers_absent;
  HeaderList header_values;        ///< header must be present with this value
  std::string headers_equal_step;  ///< names present there must be equal here
  std::vector<std::string> headers_equal_names;
  bool problem_json = false;
  std::vector<std::string> where_status;  ///< bursts: judge only responses with these statuses
  bool skip_if_none = false;              ///< ... and skip the check when there are none
  std::optional<double> max_elapsed_slow_factor;  ///< burst wall time <= factor * slow delay
};

enum class StepKind { Send, Burst, Poll, Wait };

struct Step {
  std::string id;
  StepKind kind = StepKind::Send;
  std::vector<Condition> when;
  RequestSpec request;
  int burst_size = 0;          ///< 0: the --burst option
  bool distinct_keys = false;  ///< burst: each request its own key ("KEY-<i>")
  bool spread = false;         ///< burst: request i goes to target i modulo the target count
  std::string wait;            ///< Wait / Poll: "lock_ttl", "record_ttl" or a duration
  Millis wait_duration{0};     ///< when `wait` is a duration
  std::vector<std::string> poll_while_status;  ///< Poll: resend while the status is one of these
  std::vector<Expectation> expect;
};

struct SkipRule {
  std::vector<Condition> when;
  std::string reason;
};

struct Scenario {
  std::string id;
  std::string title;
  CheckLevel level = CheckLevel::Must;
  std::string file;  ///< where it was loaded from
  int rounds = 1;
  bool rounds_from_option = false;  ///< "rounds": "option": the --rounds value
  bool opt_in = false;              ///< runs only when named with --only
  /// Prerequisites: failure-trigger, slow-trigger, crash-trigger, lock-ttl, record-ttl,
  /// two-targets, large-path, alternate-path, alternate-body, two-principals, executions-url.
  std::vector<std::string> prerequisites;
  std::vector<SkipRule> skip_when;
  std::string builtin;  ///< logic that does not fit data ("header-name")
  std::vector<Step> steps;
};

}  // namespace idem::verify
