// The store contract: a durable map from a scoped idempotency key to its record, with an atomic
// claim. Every implementation is safe for concurrent use from any number of threads.
#pragma once

#include <memory>
#include <string>

#include "idem/clock.hpp"
#include "idem/http.hpp"
#include "idem/record.hpp"
#include "idem/result.hpp"

namespace idem {

/// Proves ownership of a claim; only its holder may complete or release the record.
using OwnerToken = std::string;

/// How often Store::await_settled's default polls: a waiting duplicate sees a completion at
/// most this late on a store that cannot wake it (Redis).
inline constexpr Millis kSettlePollInterval{20};

/// Random bytes in an owner token: 128 bits, not guessable by another client.
inline constexpr size_t kOwnerTokenBytes = 16;

/// A fresh owner token from the OS CSPRNG (2 * kOwnerTokenBytes lowercase hex characters).
OwnerToken new_owner_token();

enum class ClaimState {
  Claimed,    ///< the caller now holds the lock and must complete or release it
  InFlight,   ///< another holder's lock is live
  Completed,  ///< a stored response exists
  Full,       ///< the key is new but the store is at its bound: nothing claimed, nothing evicted
};

struct Claim {
  ClaimState state = ClaimState::Claimed;
  OwnerToken owner;         ///< Claimed: the token for complete() / release()
  bool took_over = false;   ///< Claimed: an expired lock of a crashed holder was replaced
  std::string fingerprint;  ///< InFlight / Completed: the fingerprint the record was made with
  Millis lock_remaining{0}; ///< InFlight: time until the holder's lock expires
  std::shared_ptr<const StoredResponse> response;  ///< Completed: the stored response, shared
};

/// What a store reports about itself for /healthz, /__idem/stats and tests.
struct StoreStats {
  long long records = 0;  ///< entries held, locked or completed (memory: including not yet reclaimed)
  long long locked = 0;   ///< of which locks (memory only; -1 when the backend cannot tell)
  long long max_records = -1;  ///< the bound on records; -1 when there is none in the store
};

class Store {
 public:
  virtual ~Store() = default;

  /// Atomically claims `key` for `lease` with `fingerprint`. If the key holds a live lock or a
  /// completed record, claims nothing and returns that state. An expired lock is taken over.
  /// Full when the key is new and the store is at its bound (no live record is ever evicted).
  /// Unavailable when the backend cannot be reached; the caller must then fail closed.
  virtual Result<Claim> claim(const std::string& key, const std::string& fingerprint,
                              Millis lease) = 0;

  /// Replaces the lock with `response`, kept for `ttl`. Conflict if `owner` no longer holds the
  /// lock (it expired and was taken over, or was never held).
  virtual Result<void> complete(const std::string& key, const OwnerToken& owner,
                                const HttpResponse& response, Millis ttl) = 0;

  /// Drops the lock after a failed execution so a retry may run again. Conflict if `owner` no
  /// longer holds it.
  virtual Result<void> release(const std::string& key, const OwnerToken& owner) = 0;

  /// Blocks until the lock on `key` is completed or released, its lease ends, or `timeout`
  /// passes, whichever is first; it may return early. The caller claims again to see the new
  /// state. The default is a bounded poll (one short sleep); stores that can be woken by the
  /// completion override it.
  virtual void await_settled(const std::string& key, Millis timeout);

  /// Checks that the backend answers (for /healthz and start-up).
  virtual Result<void> ping() = 0;

  virtual Result<StoreStats> stats() = 0;

  /// One line for banners and logs, without secrets ("memory", "redis://127.0.0.1:6379/0").
  virtual std::string describe() const = 0;
};

}  // namespace idem
