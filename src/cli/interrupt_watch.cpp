#include "interrupt_watch.hpp"

#include <pthread.h>

#include <cstdlib>

#include "exit_codes.hpp"

namespace idem::cli {
namespace {

// Sent by the destructor to the watching thread to end it; blocked like the others, so it is
// never delivered to anyone else.
constexpr int kWakeSignal = SIGUSR2;

}  // namespace

InterruptWatch::InterruptWatch(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, kWakeSignal);
  pthread_sigmask(SIG_BLOCK, &signals_, &old_mask_);
  thread_ = std::thread([this] { watch(); });
}

InterruptWatch::~InterruptWatch() {
  pthread_kill(thread_.native_handle(), kWakeSignal);
  thread_.join();
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, kWakeSignal);
  // A wake-up signal that raced with a real one stays pending: take it before unblocking.
  const timespec now{0, 0};
  while (sigtimedwait(&wake, nullptr, &now) == kWakeSignal) {
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void InterruptWatch::watch() {
  while (true) {
    int sig = 0;
    if (sigwait(&signals_, &sig) != 0) continue;
    if (sig == kWakeSignal) return;
    on_signal_(sig);
    std::_Exit(kExitInterrupted);
  }
}

}  // namespace idem::cli
