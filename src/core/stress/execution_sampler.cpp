#include "execution_sampler.hpp"

#include <algorithm>
#include <thread>

#include "idem/target/execution_count.hpp"

namespace idem::stress {

ExecutionSampler::ExecutionSampler(const TargetSpec& target, const StressOptions& options,
                                   std::vector<SampleSource> sources)
    : target_(target),
      options_(options),
      sources_(std::move(sources)),
      cursor_(sources_.size(), 0) {}

bool ExecutionSampler::sample_once(double at_seconds) {
  for (size_t tried = 0; tried < sources_.size(); ++tried) {
    const size_t s = next_source_;
    next_source_ = (next_source_ + 1) % sources_.size();
    const SampleSource& src = sources_[s];
    const uint64_t started = src.started->load(std::memory_order_acquire);
    size_t& at = cursor_[s];
    if (at >= src.keys.size() || src.keys[at].index >= started) at = 0;
    if (src.keys.empty() || src.keys[at].index >= started) continue;
    const std::string& key = *src.keys[at].key;
    ++at;
    const Millis timeout = std::min(options_.timeout, kSampleTimeout);
    auto n = read_executions(client_, target_, key, 0, timeout,
                             std::min(options_.connect_timeout, timeout));
    ++result_.samples;
    if (!n) {
      ++result_.unreadable;
      return true;
    }
    if (*n > 1 && flagged_.insert(&key).second) {
      ++result_.keys_over_once;
      over_once_.store(result_.keys_over_once, std::memory_order_relaxed);
      if (result_.first_over_once_s < 0) result_.first_over_once_s = at_seconds;
    }
    return true;
  }
  return false;
}

void ExecutionSampler::run(const std::atomic<bool>& all_done,
                           std::chrono::steady_clock::time_point start) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kInterval = std::chrono::microseconds(1'000'000 / kExecutionSamplesPerSecond);
  auto next = Clock::now();
  while (!all_done.load(std::memory_order_acquire)) {
    const double at = std::chrono::duration<double>(Clock::now() - start).count();
    sample_once(at);
    // Pacing, not synchronisation: the sampler must not become load of its own.
    next += kInterval;
    const auto now = Clock::now();
    if (next < now) next = now;
    std::this_thread::sleep_until(next);
  }
}

}  // namespace idem::stress
