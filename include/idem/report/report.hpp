// The report model shared by verify (and later stress): checks with verdicts and the exchanges
// that prove them, written as text, JSON or JUnit XML by the writers. Plain values.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "idem/http.hpp"

namespace idem {

/// Error: the check could not be judged because the target (or the run's bounds) cut it before
/// its premise was observed (timeouts in a row, --deadline, the target stopped answering). It
/// fails the run like Fail, but does not claim the target broke the rule.
enum class Verdict { Pass, Fail, Warn, Skip, Error };
enum class CheckLevel { Must, Should, Config, Info };
std::string_view to_string(Verdict verdict);     ///< "PASS", "FAIL", "WARN", "SKIP", "ERROR"
std::string_view to_string(CheckLevel level);    ///< "MUST", "SHOULD", "CONFIG", "INFO"

/// One request and what came back, as shown under a failure.
struct ExchangeRecord {
  std::string label;  ///< "first", "duplicate 3/16", "retry after drop"
  std::string method;
  std::string url;
  HeaderList request_headers;
  std::string request_body;
  int status = 0;  ///< 0 when the transport failed
  HeaderList response_headers;
  std::string response_body;  ///< as received; writers abbreviate long bodies
  std::string transport_error;  ///< empty on success
  std::string curl;             ///< to_curl_command() of the request
};

struct CheckResult {
  std::string id;     ///< "replay-identical"
  std::string title;  ///< one line
  CheckLevel level = CheckLevel::Must;
  Verdict verdict = Verdict::Pass;
  std::string reason;    ///< why it failed, warned or was skipped; empty on a plain pass
  std::string expected;  ///< what was expected, for failures
  std::vector<ExchangeRecord> exchanges;  ///< the evidence (failures and warnings)
  std::chrono::milliseconds duration{0};
  /// The endpoint the check ran against ("POST /payments"); set on every check of a run.
  std::string endpoint;
};

struct Report {
  std::string tool_version;
  std::string tool_revision;  ///< the git revision the tool was built from
  std::vector<std::string> targets;
  std::string profile;
  std::vector<CheckResult> checks;
  std::chrono::milliseconds duration{0};
  std::vector<std::string> hints;  ///< INFO lines such as the header-name hint
  /// The endpoints verified, in the order given ("POST /payments"); checks name theirs. With
  /// more than one, the writers group the checks per endpoint.
  std::vector<std::string> endpoints;

  int count(Verdict verdict) const;
  /// True when no check failed or errored (warnings and skips do not fail a run).
  bool passed() const { return count(Verdict::Fail) == 0 && count(Verdict::Error) == 0; }
  /// The checks of one endpoint, in run order.
  std::vector<const CheckResult*> checks_of(const std::string& endpoint) const;
};

/// One aligned line per check, failures expanded with their exchanges and curl commands, and a
/// summary line. `color` adds ANSI colours (the caller decides: TTY and NO_COLOR).
void write_text_report(const Report& report, std::ostream& out, bool color);
/// The documented, stable JSON format (docs/report-format.md).
void write_json_report(const Report& report, std::ostream& out);
/// JUnit XML: one testsuite per endpoint (the root <testsuite> for one, <testsuites> around
/// them for several), one testcase per check; FAIL -> <failure>, ERROR -> <error>,
/// SKIP -> <skipped>.
void write_junit_report(const Report& report, std::ostream& out);

}  // namespace idem
