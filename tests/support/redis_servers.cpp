#include "support/redis_servers.hpp"

#include <catch2/catch.hpp>

#include "support/redis_process.hpp"

namespace idem::test {

std::unique_ptr<Store> open_redis_store(const std::string& url, const std::string& prefix) {
  StoreOptions options;
  options.redis_prefix = prefix;
  options.redis_timeout = kTestRedisTimeout;
  auto store = RedisStore::open(url, options);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store).value();
}

TwoInstances::TwoInstances(const std::string& redis_url, const ServerConfig& config)
    : prefix("idem-test:" + new_owner_token() + ":"),
      a(config, open_redis_store(redis_url, prefix)),
      b(config, open_redis_store(redis_url, prefix)) {}

}  // namespace idem::test
