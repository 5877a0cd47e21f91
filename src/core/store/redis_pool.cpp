#include "store/redis_pool.hpp"

#include <algorithm>

namespace idem {

RedisPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
}

RedisPool::RedisPool(RedisUrl url, Millis timeout, size_t max_size)
    : url_(std::move(url)), timeout_(timeout), max_size_(std::max<size_t>(1, max_size)) {}

Result<RedisPool::Lease> RedisPool::acquire() {
  // A lent connection is held for one command (two after a NOSCRIPT), each bounded by the
  // timeout, so waiting a few timeouts for one is enough unless Redis itself is stuck.
  const auto deadline = std::chrono::steady_clock::now() + 4 * timeout_;
  std::unique_lock lock(mu_);
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<RedisConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      // The check is a syscall: make it outside the lock, which every request takes.
      lock.unlock();
      if (!conn->closed_by_peer()) return Lease(*this, std::move(conn));
      conn.reset();  // the server went away while it sat idle: drop it, try the next
      lock.lock();
      --open_;
    }
    if (open_ < max_size_) break;
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_size_) {
      return make_error(ErrorCode::Unavailable,
                        "redis " + url_.host + ":" + std::to_string(url_.port) + ": all " +
                            std::to_string(max_size_) + " connections busy");
    }
  }
  ++open_;
  lock.unlock();
  // Connect outside the lock: it may take up to the timeout.
  auto conn = RedisConnection::open(url_, timeout_);
  if (!conn) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return conn.error();
  }
  return Lease(*this, std::move(conn).value());
}

void RedisPool::give_back(std::unique_ptr<RedisConnection> conn) {
  std::lock_guard lock(mu_);
  if (conn->broken()) {
    --open_;  // dropped: the next acquire connects afresh
  } else {
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

}  // namespace idem
