// Test helper: two ReferenceServers on loopback sharing one Redis (each with its own
// RedisStore and connection pool), as two `serve` instances behind a load balancer would.
#pragma once

#include <memory>
#include <string>

#include "idem/store/redis_store.hpp"
#include "support/test_server.hpp"

namespace idem::test {

/// A RedisStore on `url` with `prefix`; REQUIREs that it opens.
std::unique_ptr<Store> open_redis_store(const std::string& url, const std::string& prefix);

struct TwoInstances {
  /// Both instances use `config` and one fresh key prefix on `redis_url`.
  TwoInstances(const std::string& redis_url, const ServerConfig& config);

  TestServer& pick(int i) { return i % 2 == 0 ? a : b; }
  /// Executions of `key` summed over both instances.
  long long executions(const std::string& key) { return a.executions(key) + b.executions(key); }

  std::string prefix;
  TestServer a;
  TestServer b;
};

}  // namespace idem::test
