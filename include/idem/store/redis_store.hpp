// RedisStore: the Store kept in Redis, so several `idemctl serve` instances share one state.
// Safe for concurrent use: each call borrows its own connection from a bounded pool. Every
// Redis failure is ErrorCode::Unavailable, so the Guard fails closed (503, handler not run).
#pragma once

#include <memory>
#include <string_view>

#include "idem/store/store.hpp"
#include "idem/store/store_factory.hpp"

namespace idem {

class RedisConnection;

class RedisStore final : public Store {
 public:
  /// Connects to `url` (redis://[user:password@]host[:port][/db]) and loads the Lua scripts.
  /// InvalidArgument for a malformed URL or refused credentials/database; Unavailable when
  /// Redis does not answer, after retrying for options.wait_for_store if that is set.
  static Result<std::unique_ptr<RedisStore>> open(std::string_view url,
                                                  const StoreOptions& options);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  /// One EVALSHA. took_over is always false: Redis drops an expired lock by itself, so a
  /// takeover looks like a fresh key.
  Result<Claim> claim(const std::string& key, const std::string& fingerprint,
                      Millis lease) override;
  Result<void> complete(const std::string& key, const OwnerToken& owner,
                        const HttpResponse& response, Millis ttl) override;
  Result<void> release(const std::string& key, const OwnerToken& owner) override;
  Result<void> ping() override;
  /// Always {-1, -1}: counting our keys would need a SCAN over the whole keyspace.
  Result<StoreStats> stats() override;
  std::string describe() const override;

  /// The Redis key holding `record_key`: prefix + "{" + sha256_hex(record_key) + "}". The hash
  /// tag keeps a record in one Cluster slot even if the client's key contains braces.
  std::string redis_key(const std::string& record_key) const;

 private:
  struct Impl;
  Result<Claim> claim_when_full(RedisConnection& conn, const std::string& redis_key);
  explicit RedisStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem
