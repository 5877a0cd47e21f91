// Several --target instances of one service: bursts are spread over them.
#include <catch2/catch.hpp>

#include "idem/store/memory_store.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;
using Ids = std::set<std::string>;

TEST_CASE("verify: two instances sharing one store execute a spread burst once", "[verify]") {
  MemoryStore store;
  verify::VerifyOptions options = test_options("default");
  options.only = {"multi-instance", "concurrent-duplicates", "replay-identical"};
  const Report report =
      verify_servers({verify_server_config(), verify_server_config()}, options, &store);
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Pass) == Ids(options.only.begin(), options.only.end()));
}

TEST_CASE("verify: two instances with a store each fail multi-instance", "[verify]") {
  verify::VerifyOptions options = test_options("default");
  options.only = {"multi-instance"};
  const Report report = verify_servers({verify_server_config(), verify_server_config()}, options);
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail) == Ids{"multi-instance"});
}
