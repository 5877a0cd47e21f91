// A bounded pool of RedisConnections. Thread-safe; each connection is lent to one thread at a
// time, so no redisContext is ever shared. Broken connections are dropped and replaced on the
// next acquire, which is how the store recovers from a Redis restart without a restart of ours.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/redis_connection.hpp"

namespace idem {

class RedisPool {
 public:
  /// A connection on loan; given back (or dropped if broken) when destroyed.
  class Lease {
   public:
    Lease(RedisPool& pool, std::unique_ptr<RedisConnection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    RedisConnection& operator*() { return *conn_; }
    RedisConnection* operator->() { return conn_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> conn_;
  };

  RedisPool(RedisUrl url, Millis timeout, size_t max_size);

  /// An idle connection, or a new one while fewer than max_size exist; otherwise waits for one
  /// to come back. Unavailable if connecting fails or no connection is free within the wait
  /// bound; InvalidArgument if Redis refuses AUTH or SELECT.
  Result<Lease> acquire();

  const RedisUrl& url() const { return url_; }

 private:
  void give_back(std::unique_ptr<RedisConnection> conn);

  const RedisUrl url_;
  const Millis timeout_;
  const size_t max_size_;
  std::mutex mu_;  // guards idle_ and open_
  std::condition_variable returned_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  size_t open_ = 0;  // connections in existence (idle, lent, or being connected)
};

}  // namespace idem
