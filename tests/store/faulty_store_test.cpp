// FaultyStore: a decorator that must not change what it does not inject. Its await_settled is
// the wrapped store's (a MemoryStore wakes waiters on completion), not the default 20 ms poll.
#include <catch2/catch.hpp>
#include <future>

#include "idem/store/faulty_store.hpp"
#include "idem/store/memory_store.hpp"

using namespace idem;

TEST_CASE("FaultyStore: await_settled waits on the wrapped store until the holder completes",
          "[store]") {
  FaultyStore store(std::make_unique<MemoryStore>());
  auto held = store.claim("k", "fp", Millis{60'000});
  REQUIRE(held.ok());
  REQUIRE(held->state == ClaimState::Claimed);
  auto waiter = std::async(std::launch::async, [&] { store.await_settled("k", Millis{30'000}); });
  // The default (a poll) would have returned after kSettlePollInterval; the MemoryStore's wait
  // holds until the lock settles. Ten poll intervals without returning tell them apart.
  CHECK(waiter.wait_for(10 * kSettlePollInterval) == std::future_status::timeout);
  REQUIRE(store.complete("k", held->owner, HttpResponse{201, {}, "done"}, Millis{60'000}).ok());
  REQUIRE(waiter.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  auto after = store.claim("k", "fp", Millis{60'000});
  REQUIRE(after.ok());
  CHECK(after->state == ClaimState::Completed);
}

TEST_CASE("FaultyStore: during an injected outage await_settled returns at once", "[store]") {
  FaultyStore store(std::make_unique<MemoryStore>());
  auto held = store.claim("k", "fp", Millis{60'000});
  REQUIRE(held.ok());
  store.set_unavailable(true);
  auto waiter = std::async(std::launch::async, [&] { store.await_settled("k", Millis{30'000}); });
  CHECK(waiter.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK_FALSE(store.claim("k", "fp", Millis{60'000}).ok());
}
