// SIGINT/SIGTERM for a long-running command: the signals are taken by a thread of their own
// (sigtimedwait), so the handler may lock, write files and print, with no async-signal-safety
// limits. Construct it before any other thread starts; one per process.
#pragma once

#include <signal.h>

#include <functional>
#include <thread>

namespace idem::cli {

class InterruptWatch {
 public:
  /// Blocks SIGINT and SIGTERM in the calling thread, so in every thread started after it, and
  /// watches for them. On the first one, runs `on_signal(signal)` on the watching thread and ends
  /// the process with kExitInterrupted; nothing else the process does runs after it.
  explicit InterruptWatch(std::function<void(int signal)> on_signal);
  /// Stops watching and restores the signal mask: a signal still pending is then delivered.
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

 private:
  void watch();

  std::function<void(int)> on_signal_;
  sigset_t signals_{};   // SIGINT, SIGTERM and the private wake-up signal
  sigset_t old_mask_{};  // the calling thread's mask before
  std::thread thread_;
};

}  // namespace idem::cli
