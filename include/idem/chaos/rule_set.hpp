// The chaos proxy's rules with their selection state: which requests each rule has seen, which
// keys it has faulted, how many it applied. decide() is called once per request, from any
// worker thread; a RuleSet is replaced whole (the admin API's atomic replace), never edited.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "idem/chaos/fault_rule.hpp"
#include "idem/http.hpp"

namespace idem::chaos {

/// Keys a first-attempt-per-key rule remembers; past it the oldest are forgotten (a forgotten
/// key's next request counts as a first attempt again), so memory stays bounded on long runs.
inline constexpr size_t kMaxRememberedKeys = 1'000'000;

/// What decide() needs to know of a request.
struct RequestFacts {
  std::string_view method;
  std::string_view path;  ///< without the query
  const HeaderList* headers = nullptr;
  std::string_view key;  ///< the idempotency key's value, empty when absent
};

/// The faults that apply to one request, combined: delays add up, at most one terminal fault
/// (the first selected terminal rule, in rule order) decides the client's answer.
struct Decision {
  Millis delay_request{0};
  Millis delay_response{0};
  bool duplicate_forward = false;
  std::optional<FaultRule> terminal;
  std::vector<std::string> applied;  ///< fault_name() of each applied rule, in rule order
  bool any() const { return !applied.empty(); }
};

struct RuleCounters {
  std::string spec;
  uint64_t matched = 0;  ///< requests the rule's method/path/header filter accepted
  uint64_t applied = 0;  ///< requests it faulted
};

class RuleSet {
 public:
  /// `seed` drives every probability and jitter: the same seed and the same request sequence
  /// give the same faults.
  RuleSet(std::vector<FaultRule> rules, uint64_t seed);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  Decision decide(const RequestFacts& request);
  const std::vector<FaultRule>& rules() const { return rules_; }
  std::vector<RuleCounters> counters() const;

 private:
  struct State;
  std::vector<FaultRule> rules_;
  uint64_t seed_;
  std::vector<std::unique_ptr<State>> states_;
};

}  // namespace idem::chaos
