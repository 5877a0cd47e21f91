// Time source for everything that expires (records, locks). Injected so tests control time;
// both implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <chrono>

namespace idem {

using Millis = std::chrono::milliseconds;

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// The real monotonic clock.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

/// A clock that moves only when told to. Starts at an arbitrary fixed point.
class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint{Millis{now_ms_.load()}}; }
  void advance(Millis d) { now_ms_ += d.count(); }

 private:
  std::atomic<long long> now_ms_{1'000'000'000};
};

/// A process-wide real clock, for callers that do not inject one.
const Clock& system_clock();

}  // namespace idem
