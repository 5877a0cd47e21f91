// The central claim: concurrent duplicates execute the handler exactly once.
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
  const int rounds_ok = run_duplicate_rounds(
      kRounds, 16, [&](int) { return ts.port(); },
      [&](const std::string& key) { return ts.executions(key); });
  CHECK(rounds_ok == kRounds);
}
