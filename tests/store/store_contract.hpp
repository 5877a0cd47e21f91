// The one Store contract, run against every backend (MemoryStore with a FakeClock, RedisStore
// against a real redis-server). Call check_store_contract() from a TEST_CASE; it uses SECTIONs,
// so Catch re-runs the TEST_CASE (and its set-up) once per clause.
#pragma once

#include <functional>
#include <string>

#include "idem/store/store.hpp"

namespace idem::test {

struct StoreUnderTest {
  Store& store;
  /// Lease and TTL used by the expiry clauses: long enough that two back-to-back calls fall
  /// inside it, short enough for a real clock.
  Millis short_ttl{500};
  /// Whether claim() reports took_over when it replaces an expired lock.
  bool reports_takeover = true;
  /// Lets time pass until `condition` holds: advances a FakeClock step by step, or polls with
  /// a real clock. Bounded; returns false if the condition never held.
  std::function<bool(const std::function<bool()>&)> eventually;
};

void check_store_contract(StoreUnderTest& t);

}  // namespace idem::test
