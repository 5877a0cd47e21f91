// The central claim: concurrent duplicates execute the handler exactly once.
#include <atomic>
#include <catch2/catch.hpp>

#include "idem/key.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

TEST_CASE("Server: 50 rounds of 16 simultaneous duplicates execute exactly once per round",
          "[server][concurrency]") {
  ServerConfig config = quiet_config();
  config.handler_delay = std::chrono::milliseconds(50);  // keep the winner in flight
  TestServer ts(config);
  constexpr int kRounds = 50;
  constexpr int kDuplicates = 16;
  int rounds_ok = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = new_uuid4();
    std::atomic<int> created{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> conflicts_well_formed{0};
    std::atomic<int> other{0};
    run_together(kDuplicates, [&](int) {
      const Exchange r = post_with_key(ts.port(), key);
      if (r.status == 201) {
        ++created;
      } else if (r.status == 409) {
        ++conflicts;
        if (r.header("Content-Type") == "application/problem+json" && r.header("Retry-After")) {
          ++conflicts_well_formed;
        }
      } else {
        ++other;
      }
    });
    const long long executions = ts.executions(key);
    INFO("round " << round << ": created " << created << ", conflicts " << conflicts
                  << ", other " << other << ", executions " << executions);
    CHECK(executions == 1);
    CHECK(other == 0);
    CHECK(conflicts_well_formed == conflicts.load());
    // A duplicate that arrives after the winner finished is a replay (201 too).
    CHECK(created + conflicts == kDuplicates);
    if (executions == 1 && other == 0) ++rounds_ok;
  }
  CHECK(rounds_ok == kRounds);
}
