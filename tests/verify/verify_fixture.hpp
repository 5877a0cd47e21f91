// Helpers for the verify tests: the catalogue from the source tree, fast run options, and a run
// of the whole catalogue against in-process reference servers. Not thread-safe.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "idem/report/report.hpp"
#include "idem/server/server_config.hpp"
#include "idem/store/store.hpp"
#include "idem/verify/runner.hpp"
#include "idem/verify/scenario.hpp"

namespace idem::test {

/// The lock TTL the test servers get and declare: short, so crash-releases-key is quick, yet
/// well above a 3 MiB answer under ASan on a loaded 2-core CI machine (500 ms was not: the
/// lease expired before the answer was stored and large-response saw a second execution).
inline constexpr Millis kTestLockTtl{2000};
inline constexpr Millis kTestSlowDelay{200};
/// Rounds for burst checks in tests: with the slow trigger holding the winner in flight for
/// 200 ms, a server without a lock double-executes in every round, so 3 is plenty.
inline constexpr int kTestRounds = 3;

/// Every scenario in the source tree's scenarios/ (REQUIREs that it loads).
const std::vector<verify::Scenario>& source_catalogue();

/// Options for `profile_name` with kTestRounds.
verify::VerifyOptions test_options(const std::string& profile_name = "default");

/// A quiet ServerConfig for verify tests: fault header on, kTestLockTtl.
ServerConfig verify_server_config(BugMode bug = BugMode::None);

/// Starts one server per entry of `configs` (sharing `shared_store` when given), verifies them
/// as instances of one service with `options`, and stops them.
Report verify_servers(const std::vector<ServerConfig>& configs,
                      const verify::VerifyOptions& options, Store* shared_store = nullptr);
Report verify_server(const ServerConfig& config, const verify::VerifyOptions& options);

std::set<std::string> ids_with(const Report& report, Verdict verdict);
/// One line per check that did not pass, with its reason, for failure messages.
std::string summary(const Report& report);

}  // namespace idem::test
