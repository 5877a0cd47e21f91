// The Lua scripts that make claim, complete and release single atomic Redis operations, and
// the EVALSHA-with-NOSCRIPT-fallback call. Stateless functions; the connection passed in must
// not be shared (see RedisConnection).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/redis_connection.hpp"

namespace idem {

struct RedisScript {
  std::string_view name;
  std::string_view body;
  std::string sha;  ///< filled by load_script()
};

// A record is one hash: f = fingerprint, o = owner token while locked, r = the encoded response
// once completed. Its key TTL is the lock lease while locked and the record TTL once completed,
// so Redis reclaims both by itself.

/// KEYS[1] record; ARGV owner, fingerprint, lease ms. Returns {0} claimed, {1, fingerprint,
/// pttl} in flight, {2, fingerprint, response} completed.
inline constexpr std::string_view kClaimScript = R"lua(
local r = redis.call('HMGET', KEYS[1], 'o', 'f', 'r')
if r[3] then return {2, r[2], r[3]} end
if r[1] then return {1, r[2], redis.call('PTTL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'o', ARGV[1], 'f', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {0}
)lua";

/// KEYS[1] record; ARGV owner, encoded response, ttl ms. Returns 1, or 0 if owner lost the lock.
/// allow-oom (Redis >= 7): a Redis at maxmemory refuses new claims, but a completion must go
/// through, or the key would run again once its lock expired.
inline constexpr std::string_view kCompleteScript = R"lua(#!lua flags=allow-oom
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'o')
redis.call('HSET', KEYS[1], 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

/// KEYS[1] record; ARGV owner. Returns 1, or 0 if owner lost the lock. allow-oom: it frees.
inline constexpr std::string_view kReleaseScript = R"lua(#!lua flags=allow-oom
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua";

/// SCRIPT LOAD: fills script.sha. Unavailable on failure (including a script Redis rejects).
Result<void> load_script(RedisConnection& conn, RedisScript& script);

/// EVALSHA with one key; on NOSCRIPT (Redis restarted or flushed its cache) falls back to EVAL,
/// which also caches the script again. Unavailable on I/O failure or any error reply.
Result<RedisReplyPtr> run_script(RedisConnection& conn, const RedisScript& script,
                                 std::string_view key, const std::vector<std::string_view>& args);

}  // namespace idem
