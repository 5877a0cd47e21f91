#include "idem/server/execution_log.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

using idem::ExecutionLog;
using idem::FakeClock;
using std::chrono::seconds;

namespace {

std::string key(int i) { return "POST /payments|anon|key-" + std::to_string(i); }

}  // namespace

TEST_CASE("ExecutionLog: counts every execution of a key and nothing for others",
          "[server][executions]") {
  FakeClock clock;
  ExecutionLog log(seconds(60), clock);
  long long executions = 0;
  for (int i = 0; i < 5'000; ++i) {
    for (int n = 0; n <= i % 3; ++n, ++executions) log.record(key(i));
  }
  for (int i = 0; i < 5'000; ++i) REQUIRE(log.count(key(i)) == i % 3 + 1);
  CHECK(log.count(key(5'000)) == 0);
  CHECK(log.count("") == 0);
  log.record("");  // counted in the total only
  CHECK(log.total() == executions + 1);
  CHECK(log.entries() == 5'000);
}

TEST_CASE("ExecutionLog: a count lasts its retention, then the key counts from zero again",
          "[server][executions]") {
  FakeClock clock;
  ExecutionLog log(seconds(10), clock);
  log.record(key(1));
  log.record(key(1));
  clock.advance(seconds(10));
  CHECK(log.count(key(1)) == 2);  // never expires before its retention
  clock.advance(seconds(2));
  CHECK(log.count(key(1)) == 0);
  log.record(key(1));
  CHECK(log.count(key(1)) == 1);
}

TEST_CASE("ExecutionLog: under a flood of fresh keys expired entries are reclaimed as fast as "
          "new ones arrive",
          "[server][executions]") {
  FakeClock clock;
  ExecutionLog log(seconds(10), clock);
  constexpr int kPerSecond = 2'000;
  size_t peak_after_warmup = 0;
  for (int s = 0; s < 120; ++s) {
    for (int i = 0; i < kPerSecond; ++i) log.record(key(s * kPerSecond + i));
    clock.advance(seconds(1));
    if (s >= 30) peak_after_warmup = std::max(peak_after_warmup, log.entries());
  }
  // Live keys are ~12 s worth (retention plus rounding); the sweep may lag a little behind.
  CHECK(peak_after_warmup <= 16 * kPerSecond);
  // The newest keys are all still counted, whatever moved during reclaiming.
  for (int i = 0; i < kPerSecond; ++i) REQUIRE(log.count(key(119 * kPerSecond + i)) == 1);
}

TEST_CASE("ExecutionLog: threads recording the same and different keys at once lose no count",
          "[server][executions]") {
  for (int round = 0; round < 10; ++round) {
    ExecutionLog log(seconds(60));
    constexpr int kThreads = 8, kKeys = 2'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kKeys; ++i) log.record(key(i));
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kKeys; ++i) REQUIRE(log.count(key(i)) == kThreads);
    REQUIRE(log.total() == kThreads * kKeys);
  }
}
