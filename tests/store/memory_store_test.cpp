// MemoryStore: the store contract with a FakeClock, plus reclaiming and exact expiry.
#include <catch2/catch.hpp>

#include "idem/store/memory_store.hpp"
#include "store/store_contract.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr Millis kStep{10};
constexpr int kMaxSteps = 10'000;

}  // namespace

TEST_CASE("MemoryStore: meets the store contract", "[store]") {
  FakeClock clock;
  MemoryStore store(clock);
  StoreUnderTest t{store, Millis{500}, true, [&](const std::function<bool()>& condition) {
                     for (int i = 0; i < kMaxSteps; ++i) {
                       if (condition()) return true;
                       clock.advance(kStep);
                     }
                     return false;
                   }};
  check_store_contract(t);
}

TEST_CASE("MemoryStore: a flood of unique keys is reclaimed once its TTL has passed", "[store]") {
  FakeClock clock;
  MemoryStore store(clock);
  constexpr int kFlood = 10'000;
  const Millis ttl{1000};
  auto flood = [&](const std::string& tag) {
    for (int i = 0; i < kFlood; ++i) {
      const std::string key = tag + std::to_string(i);
      auto c = store.claim(key, "fp", Millis{30'000});
      REQUIRE(c.ok());
      REQUIRE(store.complete(key, c->owner, HttpResponse{201, {}, "x"}, ttl).ok());
    }
  };
  flood("a");
  auto first = store.stats();
  REQUIRE(first.ok());
  CHECK(first->records == kFlood);
  clock.advance(ttl);
  flood("b");
  auto second = store.stats();
  REQUIRE(second.ok());
  // Each of the 64 shards saw claims of the second flood, which reclaimed the first one.
  CHECK(second->records == kFlood);
  CHECK(second->locked == 0);
}

TEST_CASE("MemoryStore: a record is alive at ttl minus 1 ms and gone at ttl", "[store]") {
  FakeClock clock;
  MemoryStore store(clock);
  const Millis ttl = std::chrono::seconds(60);
  auto c = store.claim("k", "fp", Millis{30'000});
  REQUIRE(c.ok());
  REQUIRE(store.complete("k", c->owner, HttpResponse{201, {}, "x"}, ttl).ok());
  clock.advance(ttl - Millis{1});
  auto alive = store.claim("k", "fp", Millis{30'000});
  REQUIRE(alive.ok());
  CHECK(alive->state == ClaimState::Completed);
  clock.advance(Millis{1});
  auto gone = store.claim("k", "fp", Millis{30'000});
  REQUIRE(gone.ok());
  CHECK(gone->state == ClaimState::Claimed);
}
