// MemoryStore's bound: at max_records (or max_bytes) a new key is Full; nothing live is evicted,
// replays and held locks keep working, and room freed by expiry is used again.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "idem/store/memory_store.hpp"

using namespace idem;

namespace {

constexpr Millis kLease{30'000};
constexpr Millis kTtl{60'000};
const HttpResponse kAnswer{201, {{"Content-Type", "application/json"}}, R"({"id":"p"})"};

void fill(MemoryStore& store, const std::string& tag, int n) {
  for (int i = 0; i < n; ++i) {
    const std::string key = tag + std::to_string(i);
    auto c = store.claim(key, "fp", kLease);
    REQUIRE(c.ok());
    REQUIRE(c->state == ClaimState::Claimed);
    REQUIRE(store.complete(key, c->owner, kAnswer, kTtl).ok());
  }
}

}  // namespace

TEST_CASE("MemoryStore: at max_records a new key is Full and every live record stays",
          "[store][bound]") {
  FakeClock clock;
  constexpr int kMax = 50;
  MemoryStore store(clock, {.max_records = kMax});
  fill(store, "a", kMax - 1);
  auto held = store.claim("held", "fp", kLease);  // the last slot: a lock in flight
  REQUIRE(held.ok());
  REQUIRE(held->state == ClaimState::Claimed);

  auto refused = store.claim("new", "fp", kLease);
  REQUIRE(refused.ok());
  CHECK(refused->state == ClaimState::Full);
  CHECK(refused->owner.empty());
  CHECK(store.stats()->records == kMax);
  CHECK(store.stats()->max_records == kMax);

  for (int i = 0; i < kMax - 1; ++i) {  // nothing was evicted to make room
    auto replay = store.claim("a" + std::to_string(i), "fp", kLease);
    REQUIRE(replay.ok());
    REQUIRE(replay->state == ClaimState::Completed);
    CHECK(replay->response->body() == kAnswer.body);
  }
  auto duplicate = store.claim("held", "fp", kLease);
  REQUIRE(duplicate.ok());
  CHECK(duplicate->state == ClaimState::InFlight);
  CHECK(store.complete("held", held->owner, kAnswer, kTtl).ok());  // a full store still completes
  CHECK(store.claim("new", "fp", kLease)->state == ClaimState::Full);
}

TEST_CASE("MemoryStore: a slot freed by expiry or release is usable again", "[store][bound]") {
  FakeClock clock;
  constexpr int kMax = 10;
  MemoryStore store(clock, {.max_records = kMax});
  fill(store, "a", kMax);
  REQUIRE(store.claim("new", "fp", kLease)->state == ClaimState::Full);
  clock.advance(kTtl);  // every record of "a" expires; "new" lands on another shard's room
  auto admitted = store.claim("new", "fp", kLease);
  REQUIRE(admitted.ok());
  CHECK(admitted->state == ClaimState::Claimed);
  fill(store, "b", kMax - 1);
  REQUIRE(store.claim("other", "fp", kLease)->state == ClaimState::Full);
  REQUIRE(store.release("new", admitted->owner).ok());
  CHECK(store.claim("other", "fp", kLease)->state == ClaimState::Claimed);
}

TEST_CASE("MemoryStore: the byte bound refuses new keys once records fill it", "[store][bound]") {
  FakeClock clock;
  const HttpResponse big{201, {}, std::string(10'000, 'x')};
  MemoryStore store(clock, {.max_bytes = 50'000});
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k" + std::to_string(i);
    auto c = store.claim(key, "fp", kLease);
    REQUIRE(c.ok());
    if (c->state == ClaimState::Full) break;
    REQUIRE(store.complete(key, c->owner, big, kTtl).ok());
    ++admitted;
  }
  CHECK(admitted >= 4);  // 4 bodies of 10 kB fit in 50 kB, with their overhead
  CHECK(admitted <= 5);
  CHECK(store.claim("k0", "fp", kLease)->state == ClaimState::Completed);
}

TEST_CASE("MemoryStore: threads racing for the last slots never claim more than the bound",
          "[store][bound]") {
  constexpr int kMax = 200;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  for (int round = 0; round < 20; ++round) {
    MemoryStore store(system_clock(), {.max_records = kMax});
    std::atomic<int> claimed{0};
    std::atomic<int> full{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto c = store.claim(std::to_string(t) + ":" + std::to_string(i), "fp", kLease);
          if (c.ok() && c->state == ClaimState::Claimed) ++claimed;
          if (c.ok() && c->state == ClaimState::Full) ++full;
        }
      });
    }
    for (auto& th : threads) th.join();
    REQUIRE(claimed.load() == kMax);
    REQUIRE(full.load() == kThreads * kPerThread - kMax);
    REQUIRE(store.stats()->records == kMax);
  }
}

TEST_CASE("MemoryStore: under a flood, expiry reclaims as fast as records are created",
          "[store][bound]") {
  FakeClock clock;
  MemoryStore store(clock);
  constexpr int kPerSecond = 500;
  constexpr int kSeconds = 120;
  const Millis ttl{10'000};
  long long peak = 0;
  for (int s = 0; s < kSeconds; ++s) {
    for (int i = 0; i < kPerSecond; ++i) {
      const std::string key = std::to_string(s) + ":" + std::to_string(i);
      auto c = store.claim(key, "fp", kLease);
      REQUIRE(c.ok());
      REQUIRE(store.complete(key, c->owner, kAnswer, ttl).ok());
    }
    clock.advance(std::chrono::seconds(1));
    peak = std::max(peak, store.stats()->records);
  }
  // Live records are at most one TTL's worth (plus the second being written), however long the
  // flood runs; nothing expired is kept.
  CHECK(peak <= (10 + 1) * kPerSecond);
  CHECK(store.stats()->records <= (10 + 1) * kPerSecond);
  CHECK(store.stats()->locked == 0);
}
