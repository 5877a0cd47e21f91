R='/work/wt-verify/'
def edit(p, old, new, count=1):
    s=open(R+p).read()
    assert old in s, (p, old[:70])
    s=s.replace(old,new,count)
    open(R+p,'w').write(s)

p='include/idem/verify/runner.hpp'
edit(p,'''#include <string>
#include <vector>''','''#include <atomic>
#include <functional>
#include <string>
#include <vector>''')
edit(p,'''inline constexpr int kDefaultBurst = 8;''','''inline constexpr int kDefaultBurst = 8;
/// The whole run's bound: a target that never answers fails in bounded time.
inline constexpr Millis kDefaultDeadline{60'000};
/// Requests in a row that time out before a check stops; when the target has answered nothing
/// at all by then, the run stops too (a target that accepts and never answers).
inline constexpr int kTimeoutsToStop = 2;''')
edit(p,'''  bool key_expiry = false;        ///< run the opt-in key-expiry check
};''','''  bool key_expiry = false;        ///< run the opt-in key-expiry check
  Millis deadline = kDefaultDeadline;  ///< checks not finished by then FAIL, naming it
  /// Set from another thread to stop: no request is sent after it, the current check ends.
  const std::atomic<bool>* cancel = nullptr;
  /// Called after each check with its result (for partial reports on interrupt).
  std::function<void(const CheckResult&)> on_check;
};''')

p='src/core/verify/run_context.hpp'
edit(p,'''struct RunShared {
  const TargetSpec& target;
  const VerifyOptions& options;
  HttpClient client;
  std::unique_ptr<FaultProxy> proxy;
  long long run_counter = 0;

  RunShared(const TargetSpec& t, const VerifyOptions& o) : target(t), options(o) {}''','''struct RunShared {
  const TargetSpec& target;
  const VerifyOptions& options;
  HttpClient client;
  std::unique_ptr<FaultProxy> proxy;
  long long run_counter = 0;
  std::chrono::steady_clock::time_point deadline;
  int timeouts_in_a_row = 0;  ///< requests in a row that timed out without an answer
  bool answered_any = false;  ///< the target answered at least one request this run

  RunShared(const TargetSpec& t, const VerifyOptions& o)
      : target(t), options(o), deadline(std::chrono::steady_clock::now() + o.deadline) {}
  /// Sends `request` with its timeout capped by the run's deadline, counting timeouts. Once the
  /// run must stop (stop_reason()), sends nothing and returns a Timeout naming why.
  ClientResponse send(ClientRequest request);
  std::vector<ClientResponse> send_burst(std::vector<ClientRequest> requests);
  /// Why no further request may be sent (deadline, interrupt); empty otherwise.
  std::string stop_reason() const;
  /// Why the current check stops early (repeated timeouts), or stop_reason(); empty otherwise.
  std::string check_stop_reason() const;''')

p='src/core/verify/run_context.cpp'
edit(p,'''Result<std::string> RunShared::proxy_url() {''','''std::string RunShared::stop_reason() const {
  if (options.cancel && options.cancel->load()) return "interrupted";
  if (std::chrono::steady_clock::now() >= deadline) {
    return "the run's --deadline of " + format_duration(options.deadline) + " passed";
  }
  return "";
}

std::string RunShared::check_stop_reason() const {
  if (timeouts_in_a_row >= kTimeoutsToStop) {
    return std::to_string(timeouts_in_a_row) + " requests in a row got no answer within " +
           "--timeout " + format_duration(options.timeout) +
           (answered_any ? "" : ": the target accepts connections but answers nothing");
  }
  return stop_reason();
}

namespace {

ClientResponse not_sent(const std::string& why) {
  ClientResponse r;
  r.error = TransportError::Timeout;
  r.error_message = "not sent: " + why;
  return r;
}

}  // namespace

ClientResponse RunShared::send(ClientRequest request) {
  if (auto why = stop_reason(); !why.empty()) return not_sent(why);
  auto out = send_burst({std::move(request)});
  return std::move(out.front());
}

std::vector<ClientResponse> RunShared::send_burst(std::vector<ClientRequest> requests) {
  if (auto why = stop_reason(); !why.empty()) {
    return std::vector<ClientResponse>(requests.size(), not_sent(why));
  }
  const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
  for (auto& r : requests) r.timeout = std::max(Millis{1}, std::min(r.timeout, left));
  std::vector<ClientResponse> out;
  if (requests.size() == 1) {
    out.push_back(client.send(requests.front()));
  } else {
    out = idem::send_burst(requests);
  }
  bool answered = false;
  bool timed_out = false;
  for (const auto& r : out) {
    answered = answered || r.ok();
    timed_out = timed_out || r.error == TransportError::Timeout;
  }
  answered_any = answered_any || answered;
  // An aborted request (abort_after) times out on purpose; only a full --timeout counts.
  const bool full_timeout = timed_out && requests.front().timeout >= options.timeout;
  timeouts_in_a_row = answered ? 0 : timeouts_in_a_row + (full_timeout ? 1 : 0);
  return out;
}

Result<std::string> RunShared::proxy_url() {''')
edit(p,'''#include "idem/key.hpp"''','''#include "idem/duration.hpp"
#include "idem/key.hpp"''')
print("ok")
