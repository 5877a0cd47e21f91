#include "stress/ring_queue.hpp"

#include <catch2/catch.hpp>
#include <deque>

using idem::stress::RingQueue;

TEST_CASE("RingQueue: values come out in order across wrap-arounds and growth", "[stress]") {
  RingQueue<int> q(4);
  std::deque<int> model;
  int next = 0;
  // Pushes and pops in uneven runs so the ring wraps and grows several times.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < round % 7 + 1; ++i) {
      q.push_back(next);
      model.push_back(next++);
    }
    for (int i = 0; i < round % 5 && !model.empty(); ++i) {
      REQUIRE_FALSE(q.empty());
      CHECK(q.front() == model.front());
      q.pop_front();
      model.pop_front();
    }
    REQUIRE(q.size() == model.size());
  }
  while (!model.empty()) {
    CHECK(q.front() == model.front());
    q.pop_front();
    model.pop_front();
  }
  CHECK(q.empty());
  CHECK(q.capacity() >= 4);
}

TEST_CASE("RingQueue: it stops growing once it holds its largest size", "[stress]") {
  RingQueue<int> q(2);
  for (int i = 0; i < 10; ++i) q.push_back(i);
  const size_t grown = q.capacity();
  for (int round = 0; round < 1000; ++round) {
    q.pop_front();
    q.push_back(round);
  }
  CHECK(q.capacity() == grown);
  CHECK(q.size() == 10);
}
