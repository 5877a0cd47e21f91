#include "idem/store/redis_store.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "idem/fingerprint.hpp"
#include "store/redis_pool.hpp"
#include "store/redis_record_codec.hpp"
#include "store/redis_scripts.hpp"
#include "store/redis_url.hpp"

namespace idem {
namespace {

// The start of Redis' error reply when maxmemory is reached and the policy is noeviction.
constexpr std::string_view kRedisOutOfMemory = "OOM command not allowed";

// Claims whose answer was lost, kept for a compensating release (RedisStore::Impl). Beyond this
// many the oldest is dropped: its lock then only expires by its TTL, as before.
constexpr size_t kMaxPendingReleases = 4096;

// How often start-up retries while --wait-for-store runs.
constexpr Millis kStartRetryInterval{100};

Error unexpected_reply(std::string_view what) {
  return make_error(ErrorCode::Unavailable, "redis: unexpected reply to " + std::string(what));
}

Result<void> owner_checked(Result<RedisReplyPtr> reply, std::string_view what) {
  if (!reply) return reply.error();
  if ((*reply)->type != REDIS_REPLY_INTEGER) return unexpected_reply(what);
  if ((*reply)->integer != 1) {
    return make_error(ErrorCode::Conflict, "the lock on this key is no longer held");
  }
  return {};
}

}  // namespace

struct RedisStore::Impl {
  Impl(RedisUrl url, const StoreOptions& options)
      : pool(url, options.redis_timeout, options.redis_pool_size),
        prefix(options.redis_prefix),
        description(describe_redis_url(url)) {}

  // Scripts are loaded once here; the pool's later connections share the server's script
  // cache, and run_script() reloads them through EVAL if Redis lost it.
  Result<void> load_scripts() {
    auto conn = pool.acquire();
    if (!conn) return conn.error();
    for (RedisScript* s : {&claim, &complete, &release}) {
      if (auto loaded = load_script(**conn, *s); !loaded) return loaded.error();
    }
    return {};
  }

  // A claim or release whose reply never came (Redis stalled past --redis-timeout) may still
  // run when Redis resumes: the claim then holds a lock nobody owns, and every retry would get
  // 409 for the whole lock TTL though nothing runs. So each is remembered and released, owner
  // checked (a no-op if it never landed, expired or was taken over), before the next claim.
  void remember_unanswered(std::string redis_key, OwnerToken owner) {
    std::lock_guard lock(pending_mutex);
    if (pending_releases.size() >= kMaxPendingReleases) pending_releases.pop_front();
    pending_releases.emplace_back(std::move(redis_key), std::move(owner));
    has_pending = true;
  }
  // Sends the remembered releases on `conn` until one fails again; one thread at a time, and a
  // thread that finds another draining does not wait for it.
  void release_unanswered(RedisConnection& conn) {
    if (!has_pending.load(std::memory_order_acquire)) return;
    std::unique_lock lock(pending_mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;
    while (!pending_releases.empty()) {
      const auto& [redis_key, owner] = pending_releases.front();
      auto reply = run_script(conn, release, redis_key, {owner});
      if (!reply) return;  // Redis still unreachable: keep them for the next claim
      pending_releases.pop_front();
    }
    has_pending = false;
  }

  RedisPool pool;
  const std::string prefix;
  const std::string description;
  // Written only by open() before the store is shared; read-only afterwards.
  RedisScript claim{"claim", kClaimScript, {}};
  RedisScript complete{"complete", kCompleteScript, {}};
  RedisScript release{"release", kReleaseScript, {}};
  std::mutex pending_mutex;
  std::deque<std::pair<std::string, OwnerToken>> pending_releases;
  std::atomic<bool> has_pending{false};
};

RedisStore::RedisStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::open(std::string_view url,
                                                     const StoreOptions& options) {
  auto parsed = parse_redis_url(url);
  if (!parsed) return parsed.error();
  auto impl = std::make_unique<Impl>(*parsed, options);
  const auto deadline = std::chrono::steady_clock::now() + options.wait_for_store;
  for (;;) {
    auto loaded = impl->load_scripts();
    if (loaded) break;
    if (loaded.error().code != ErrorCode::Unavailable ||
        std::chrono::steady_clock::now() + kStartRetryInterval > deadline) {
      return loaded.error();
    }
    std::this_thread::sleep_for(kStartRetryInterval);  // bounded by the deadline above
  }
  return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

std::string RedisStore::redis_key(const std::string& record_key) const {
  return impl_->prefix + "{" + sha256_hex(record_key) + "}";
}

Result<Claim> RedisStore::claim(const std::string& key, const std::string& fingerprint,
                                Millis lease) {
  auto conn = impl_->pool.acquire();
  if (!conn) return make_error(ErrorCode::Unavailable, conn.error().message);
  impl_->release_unanswered(**conn);
  Claim out;
  out.owner = new_owner_token();
  const std::string lease_ms = std::to_string(std::max<long long>(1, lease.count()));
  auto reply = run_script(**conn, impl_->claim, redis_key(key), {out.owner, fingerprint, lease_ms});
  if (!reply) {
    // Redis at maxmemory with noeviction refuses the script before it runs: nothing was
    // claimed and nothing evicted, so this is the store-full answer, not an outage.
    if (reply.error().message.find(kRedisOutOfMemory) != std::string::npos) {
      return claim_when_full(**conn, redis_key(key));
    }
    impl_->remember_unanswered(redis_key(key), out.owner);
    return reply.error();
  }
  const redisReply& r = **reply;
  if (r.type != REDIS_REPLY_ARRAY || r.elements < 1 || r.element[0]->type != REDIS_REPLY_INTEGER) {
    return unexpected_reply("claim");
  }
  const long long state = r.element[0]->integer;
  if (state == 0) return out;  // Claimed
  out.owner.clear();
  if (r.elements != 3 || r.element[1]->type != REDIS_REPLY_STRING) return unexpected_reply("claim");
  out.fingerprint = std::string(reply_text(*r.element[1]));
  if (state == 1 && r.element[2]->type == REDIS_REPLY_INTEGER) {
    out.state = ClaimState::InFlight;
    out.lock_remaining = Millis{std::max<long long>(0, r.element[2]->integer)};
    return out;
  }
  if (state == 2 && r.element[2]->type == REDIS_REPLY_STRING) {
    auto response = decode_response(reply_text(*r.element[2]));
    if (!response) return response.error();
    out.state = ClaimState::Completed;
    out.response = StoredResponse::make(*response);
    return out;
  }
  return unexpected_reply("claim");
}

// Redis at maxmemory (noeviction) refuses the claim script, since it may write, before it
// runs: nothing was claimed or evicted. Reads still work, so a key that exists is answered as
// usual (a replay, or in flight); only a new key is Full.
Result<Claim> RedisStore::claim_when_full(RedisConnection& conn, const std::string& redis_key) {
  auto reply = conn.command({"HMGET", redis_key, "o", "f", "r"});
  if (!reply) return reply.error();
  const redisReply& r = **reply;
  if (r.type != REDIS_REPLY_ARRAY || r.elements != 3) return unexpected_reply("HMGET");
  Claim out;
  out.state = ClaimState::Full;
  if (r.element[1]->type != REDIS_REPLY_STRING) return out;  // no record: a new key
  out.fingerprint = std::string(reply_text(*r.element[1]));
  if (r.element[2]->type == REDIS_REPLY_STRING) {
    auto response = decode_response(reply_text(*r.element[2]));
    if (!response) return response.error();
    out.state = ClaimState::Completed;
    out.response = StoredResponse::make(*response);
    return out;
  }
  auto pttl = conn.command({"PTTL", redis_key});
  if (!pttl) return pttl.error();
  out.state = ClaimState::InFlight;
  out.lock_remaining =
      Millis{(*pttl)->type == REDIS_REPLY_INTEGER ? std::max<long long>(0, (*pttl)->integer) : 0};
  return out;
}

Result<void> RedisStore::complete(const std::string& key, const OwnerToken& owner,
                                  const HttpResponse& response, Millis ttl) {
  auto conn = impl_->pool.acquire();
  if (!conn) return make_error(ErrorCode::Unavailable, conn.error().message);
  const std::string encoded = encode_response(response);
  const std::string ttl_ms = std::to_string(std::max<long long>(1, ttl.count()));
  return owner_checked(
      run_script(**conn, impl_->complete, redis_key(key), {owner, encoded, ttl_ms}), "complete");
}

Result<void> RedisStore::release(const std::string& key, const OwnerToken& owner) {
  auto conn = impl_->pool.acquire();
  if (!conn) return make_error(ErrorCode::Unavailable, conn.error().message);
  auto released = owner_checked(run_script(**conn, impl_->release, redis_key(key), {owner}),
                                "release");
  if (!released && released.error().code == ErrorCode::Unavailable) {
    impl_->remember_unanswered(redis_key(key), owner);
  }
  return released;
}

Result<void> RedisStore::ping() {
  auto conn = impl_->pool.acquire();
  if (!conn) return make_error(ErrorCode::Unavailable, conn.error().message);
  auto reply = (*conn)->command({"PING"});
  if (!reply) return reply.error();
  if (reply_text(**reply) != "PONG") return unexpected_reply("PING");
  return {};
}

Result<StoreStats> RedisStore::stats() { return StoreStats{-1, -1}; }

std::string RedisStore::describe() const { return impl_->description; }

}  // namespace idem
