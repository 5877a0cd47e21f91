// State of one scenario run (one round): the keys and bodies chosen for it, the exchanges of
// every step so far, and the means to send (client, drop proxy). Private to src/core/verify;
// used by one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "idem/client/http_client.hpp"
#include "idem/proxy/fault_proxy.hpp"
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

/// What the whole run shares across scenarios: the client and a lazily started drop proxy.
struct RunShared {
  const TargetSpec& target;
  const VerifyOptions& options;
  HttpClient client;
  std::unique_ptr<FaultProxy> proxy;
  long long run_counter = 0;

  RunShared(const TargetSpec& t, const VerifyOptions& o) : target(t), options(o) {}
  /// The proxy's base URL, starting it on first use. Unavailable if it cannot listen.
  Result<std::string> proxy_url();
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
