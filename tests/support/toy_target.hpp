// Test helper: a loopback service that is not `idemctl serve`, for verify's premise tests. By
// default a plain REST API with no idempotency at all (every POST creates a new payment; no 409,
// no replay, keys ignored); optionally the same API behind idem::Guard, with its fault triggers
// in a request header or carried in the body. Thread-safe; serves on 127.0.0.1:0.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "idem/guard.hpp"
#include "idem/verify/target.hpp"

namespace idem::test {

struct ToyTargetOptions {
  /// None: no idempotency. Set: POST /payments and /orders go through a Guard on a MemoryStore.
  std::optional<GuardConfig> guard;
  /// Triggers as `{"fault": "fail|slow|crash", ...}` in the body instead of an `X-Fault` header.
  bool triggers_in_body = false;
  /// Set (with `guard`): POST /orders has a Guard of its own with this config, on its own store,
  /// so one endpoint of the service can be broken (a --bug mode) while the others are not.
  std::optional<GuardConfig> orders_guard;
};

/// Routes: POST /payments, /refunds and /orders (201, a fresh id, Location; `?pad=N` pads the body),
/// GET /payments/{id} (200), GET /executions?key=K (handler runs that carried key K). Faults:
/// fail = 503 without effect, slow = 200 ms, crash = the connection is closed unanswered.
class ToyTarget {
 public:
  explicit ToyTarget(ToyTargetOptions options = {});
  ~ToyTarget();
  std::string base_url() const;
  /// Its description for verify: triggers, alternate and large paths, two principals, the lock
  /// TTL when guarded; executions counted by URL when `executions_url`, else inferred.
  verify::TargetSpec describe(bool executions_url) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr Millis kToySlowDelay{200};

}  // namespace idem::test
