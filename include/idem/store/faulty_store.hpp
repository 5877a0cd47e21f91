// FaultyStore: a Store decorator that fails on demand (leveldb's ErrorEnv idea), for the faults
// a real backend cannot produce at will. Thread-safe: the switch is atomic.
#pragma once

#include <atomic>
#include <memory>

#include "idem/store/store.hpp"

namespace idem {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  /// While set, every call fails with Unavailable ("injected store outage").
  void set_unavailable(bool on) { unavailable_ = on; }
  /// While set, complete() alone fails (the handler ran but its answer cannot be stored).
  void set_complete_fails(bool on) { complete_fails_ = on; }

  Result<Claim> claim(const std::string& key, const std::string& fingerprint,
                      Millis lease) override {
    if (unavailable_) return outage();
    return inner_->claim(key, fingerprint, lease);
  }
  Result<void> complete(const std::string& key, const OwnerToken& owner,
                        const HttpResponse& response, Millis ttl) override {
    if (unavailable_ || complete_fails_) return outage();
    return inner_->complete(key, owner, response, ttl);
  }
  Result<void> release(const std::string& key, const OwnerToken& owner) override {
    if (unavailable_) return outage();
    return inner_->release(key, owner);
  }
  /// The wrapped store's wait, so a waiting duplicate is woken by its completion as it would be
  /// without the decorator. During an outage it returns at once: the claim after it fails.
  void await_settled(const std::string& key, Millis timeout) override {
    if (unavailable_) return;
    inner_->await_settled(key, timeout);
  }
  Result<void> ping() override {
    if (unavailable_) return outage();
    return inner_->ping();
  }
  Result<StoreStats> stats() override { return inner_->stats(); }
  std::string describe() const override { return "faulty(" + inner_->describe() + ")"; }

 private:
  static Error outage() { return make_error(ErrorCode::Unavailable, "injected store outage"); }

  std::unique_ptr<Store> inner_;
  std::atomic<bool> unavailable_{false};
  std::atomic<bool> complete_fails_{false};
};

}  // namespace idem
