// A fixed set of worker threads taking jobs from one queue. Idle workers sleep on a condition
// variable (no polling). Safe for concurrent use; stop() from one thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace idem {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false once stop() has begun (the job is not run).
  bool submit(std::function<void()> job);
  /// Runs what is queued, then joins every worker. Idempotent.
  void stop();
  /// Jobs running right now.
  std::size_t busy() const;

 private:
  void run();

  mutable std::mutex mu_;  // guards jobs_, stopping_, busy_
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::size_t busy_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace idem
