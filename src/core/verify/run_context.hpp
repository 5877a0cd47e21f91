// State of one scenario run (one round): the keys and bodies chosen for it, the exchanges of
// every step so far, and the means to send (client, drop proxy). Private to src/core/verify;
// used by one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "idem/client/http_client.hpp"
#include "idem/client/load_loop.hpp"
#include "idem/chaos/chaos_proxy.hpp"
#include "idem/verify/runner.hpp"

namespace idem::verify {

/// One request and what came back.
struct Exchange {
  std::string label;
  ClientRequest request;
  ClientResponse response;
  std::string key;    ///< the key value sent, empty when none
  int principal = 0;  ///< index into the target's principals
};

struct StepResult {
  std::vector<Exchange> exchanges;
  Millis elapsed{0};
  int polls = 0;  ///< Poll: how many requests were sent
};

/// What the whole run shares across scenarios: the client, a lazily started drop proxy, and the
/// run's bounds (its deadline, the timeouts in a row that stop a check or the run).
struct RunShared {
  const TargetSpec& target;
  const VerifyOptions& options;
  HttpClient client;
  LoadLoop loop;  ///< bursts: its connections stay alive from one burst to the next
  std::unique_ptr<chaos::ChaosProxy> proxy;
  long long run_counter = 0;
  std::chrono::steady_clock::time_point deadline;
  /// Set at the first 3xx answer: where it points and what to run instead (verify does not
  /// follow redirects: a redirected POST is not the request the checks judge).
  std::string redirect_hint;

  RunShared(const TargetSpec& t, const VerifyOptions& o)
      : target(t), options(o), deadline(std::chrono::steady_clock::now() + o.deadline) {}
  /// The proxy's base URL, starting it on first use. Unavailable if it cannot listen.
  Result<std::string> proxy_url();

  /// Sends `request` (all of them at once for send_burst), each timeout capped by what is left
  /// of the run. Sends nothing once the check or the run must stop: the answers are then
  /// TransportError::Other "not sent: <why>".
  ClientResponse send(ClientRequest request);
  std::vector<ClientResponse> send_burst(std::vector<ClientRequest> requests);
  /// `wanted`, capped by what is left of the run (but at least 1 ms while the run goes on).
  Millis request_timeout(Millis wanted) const;
  /// What is left of the run, zero once the deadline passed.
  Millis time_left() const;

  /// A new check starts: its own count of timeouts in a row starts at zero.
  void begin_check() { check_timeouts_ = 0; }
  /// Why the current check must stop (timeouts in a row, or run_stop_reason()); "" otherwise.
  std::string check_stop_reason() const;
  /// Why no further check may run (deadline passed, the target stopped answering); "" otherwise.
  std::string run_stop_reason() const;

 private:
  std::string timeouts_text(int n) const;

  int check_timeouts_ = 0;  ///< requests in a row of this check that timed out
  int run_timeouts_ = 0;    ///< requests in a row, across checks, that timed out
  bool answered_any_ = false;
  bool cut_by_deadline_ = false;  ///< a request timed out because the deadline shortened it
};

/// The request body a key was first sent with, and the trigger that body carried.
struct SentBody {
  std::string body;
  std::string body_trigger;  ///< failure | slow | crash when the body is a trigger's; else empty
};

struct RunContext {
  RunContext(RunShared& s, long long number) : shared(s), run_number(number) {}

  RunShared& shared;
  long long run_number = 0;
  std::map<std::string, std::string> keys;    // symbolic name -> key value
  std::map<std::string, std::string> bodies;  // variant -> rendered body
  std::map<std::string, StepResult> steps;    // step id -> result
  std::vector<Exchange> evidence;             // every exchange of this run, in order
  std::map<std::string, SentBody> sent;       // key value -> its first default-variant body
  /// Set by build_exchange when the check cannot be answered (a retry would resend a body
  /// trigger); the check is then a SKIP with this reason.
  std::string unanswerable;

  const TargetSpec& target() const { return shared.target; }
  const Profile& profile() const { return shared.options.profile; }
  std::string key_value(const std::string& name);
  std::string body(const std::string& variant);
};

}  // namespace idem::verify
