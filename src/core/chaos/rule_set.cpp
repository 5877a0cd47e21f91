// RuleSet::decide: filter, first-attempt memory, every-Nth counter, then the probability draw,
// in that order, each rule under its own mutex. Draws come from splitmix64 over (seed, rule,
// candidate ordinal) rather than a shared generator, so one rule's traffic never shifts another
// rule's choices and a sequential client sees the same faults for the same seed.
#include "idem/chaos/rule_set.hpp"

#include <algorithm>

namespace idem::chaos {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Uniform in [0, 1) from 53 bits of a hash.
double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool matches(const FaultRule& r, const RequestFacts& q) {
  if (!r.method.empty() && !iequals(r.method, q.method)) return false;
  if (!r.path_prefix.empty() && !starts_with(q.path, r.path_prefix)) return false;
  if (r.header_name.empty()) return true;
  if (q.headers == nullptr) return false;
  for (const auto& [name, value] : *q.headers) {
    if (iequals(name, r.header_name) && (r.header_value.empty() || value == r.header_value)) {
      return true;
    }
  }
  return false;
}

}  // namespace

struct RuleSet::State {
  std::mutex mutex;
  uint64_t matched = 0;
  uint64_t candidates = 0;
  uint64_t applied = 0;
  std::unordered_set<std::string> seen_keys;
  std::deque<std::string> seen_order;  // oldest first, for eviction

  /// True the first time `key` is offered (and after it was forgotten).
  bool first_sight(std::string_view key) {
    std::string k(key);
    if (seen_keys.count(k) > 0) return false;
    if (seen_order.size() >= kMaxRememberedKeys) {
      seen_keys.erase(seen_order.front());
      seen_order.pop_front();
    }
    seen_keys.insert(k);
    seen_order.push_back(std::move(k));
    return true;
  }
};

RuleSet::RuleSet(std::vector<FaultRule> rules, uint64_t seed)
    : rules_(std::move(rules)), seed_(seed) {
  for (size_t i = 0; i < rules_.size(); ++i) states_.push_back(std::make_unique<State>());
}

RuleSet::~RuleSet() = default;

Decision RuleSet::decide(const RequestFacts& q) {
  Decision d;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const FaultRule& r = rules_[i];
    if (!matches(r, q)) continue;
    State& s = *states_[i];
    uint64_t draw = 0;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      ++s.matched;
      // A request without a key has no "first attempt": the rule leaves it alone.
      if (r.first_attempt_per_key && (q.key.empty() || !s.first_sight(q.key))) continue;
      const uint64_t ordinal = ++s.candidates;
      if (r.every > 0 && ordinal % r.every != 0) continue;
      draw = splitmix64(seed_ ^ splitmix64(i + 1) ^ splitmix64(ordinal));
      if (r.probability < 1.0 && unit(draw) >= r.probability) continue;
      if (r.terminal() && d.terminal) continue;  // one terminal fault per request
      ++s.applied;
    }
    const Millis jitter{r.jitter.count() > 0
                            ? static_cast<long long>(splitmix64(draw) %
                                                     static_cast<uint64_t>(r.jitter.count() + 1))
                            : 0};
    switch (r.kind) {
      case FaultKind::DelayRequest: d.delay_request += r.delay + jitter; break;
      case FaultKind::DelayResponse: d.delay_response += r.delay + jitter; break;
      case FaultKind::DuplicateForward: d.duplicate_forward = true; break;
      case FaultKind::DropResponse:
      case FaultKind::ReplaceStatus:
      case FaultKind::Abort: d.terminal = r; break;
    }
    d.applied.push_back(fault_name(r));
  }
  // Each rule's delay is bounded; their sum is too, so a stack of rules cannot hold a worker
  // past one delay's limit.
  d.delay_request = std::min(d.delay_request, kMaxFaultDelay);
  d.delay_response = std::min(d.delay_response, kMaxFaultDelay);
  return d;
}

std::vector<RuleCounters> RuleSet::counters() const {
  std::vector<RuleCounters> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    std::lock_guard<std::mutex> lock(states_[i]->mutex);
    out.push_back({to_spec(rules_[i]), states_[i]->matched, states_[i]->applied});
  }
  return out;
}

}  // namespace idem::chaos
