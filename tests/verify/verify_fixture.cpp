#include "verify/verify_fixture.hpp"

#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "idem/store/memory_store.hpp"
#include "idem/verify/scenario_loader.hpp"
#include "idem/verify/target.hpp"
#include "support/test_server.hpp"

namespace idem::test {
namespace {

// Forwards to a store owned elsewhere, so several servers can share one (instances of one
// service behind one database).
class SharedStore final : public Store {
 public:
  explicit SharedStore(Store& inner) : inner_(inner) {}
  Result<Claim> claim(const std::string& key, const std::string& fp, Millis lease) override {
    return inner_.claim(key, fp, lease);
  }
  Result<void> complete(const std::string& key, const OwnerToken& owner,
                        const HttpResponse& response, Millis ttl) override {
    return inner_.complete(key, owner, response, ttl);
  }
  Result<void> release(const std::string& key, const OwnerToken& owner) override {
    return inner_.release(key, owner);
  }
  void await_settled(const std::string& key, Millis timeout) override {
    inner_.await_settled(key, timeout);
  }
  Result<void> ping() override { return inner_.ping(); }
  Result<StoreStats> stats() override { return inner_.stats(); }
  std::string describe() const override { return "shared " + inner_.describe(); }

 private:
  Store& inner_;
};

}  // namespace

const std::vector<verify::Scenario>& source_catalogue() {
  static const std::vector<verify::Scenario> catalogue = [] {
    auto loaded = verify::load_scenario_dir(std::string(IDEM_SOURCE_DIR) + "/scenarios");
    INFO((loaded ? "" : loaded.error().message));
    REQUIRE(loaded.ok());
    return *loaded;
  }();
  return catalogue;
}

verify::VerifyOptions test_options(const std::string& profile_name) {
  verify::VerifyOptions o;
  auto profile = verify::builtin_profile(profile_name);
  REQUIRE(profile.ok());
  o.profile = *profile;
  o.rounds = kTestRounds;
  o.timeout = Millis{5000};
  return o;
}

ServerConfig verify_server_config(BugMode bug) {
  ServerConfig c = quiet_config();
  c.threads = 64;
  c.guard.lock_ttl = kTestLockTtl;
  c.guard.bug = bug;
  return c;
}

Report verify_servers(const std::vector<ServerConfig>& configs,
                      const verify::VerifyOptions& options, Store* shared_store) {
  CurlGlobal curl;
  std::vector<std::unique_ptr<TestServer>> servers;
  std::vector<std::string> urls;
  for (const ServerConfig& c : configs) {
    std::unique_ptr<Store> store;
    if (shared_store) store = std::make_unique<SharedStore>(*shared_store);
    servers.push_back(std::make_unique<TestServer>(c, std::move(store)));
    urls.push_back(servers.back()->server().base_url());
  }
  verify::TargetSpec target =
      verify::reference_target(urls, configs.front().guard.lock_ttl, kTestSlowDelay);
  if (configs.front().guard.ttl < std::chrono::minutes(1))
    target.record_ttl = configs.front().guard.ttl;
  return verify::run_verify(source_catalogue(), target, options);
}

Report verify_server(const ServerConfig& config, const verify::VerifyOptions& options) {
  return verify_servers({config}, options);
}

std::set<std::string> ids_with(const Report& report, Verdict verdict) {
  std::set<std::string> out;
  for (const auto& c : report.checks) {
    if (c.verdict == verdict) out.insert(c.id);
  }
  return out;
}

std::string summary(const Report& report) {
  std::string out;
  for (const auto& c : report.checks) {
    if (c.verdict == Verdict::Pass) continue;
    out += std::string(to_string(c.verdict)) + " " + c.id + ": " + c.reason + "\n";
  }
  return out;
}

}  // namespace idem::test
