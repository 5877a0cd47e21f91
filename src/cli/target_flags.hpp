// The target and profile flags shared by `verify` and `stress` (one definition of each flag),
// and the resolution of a target from them: --config, --target (an `idemctl serve` is
// recognised), or the embedded reference server on a free port. Private to src/cli.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "idem/server/reference_server.hpp"
#include "verify_flags.hpp"

namespace idem::cli {

/// Adds --target, --config, --target-kind, --profile and its overrides, and the target
/// description flags (--method, --path, --body, --header, triggers, executions) to `cmd`.
void add_target_flags(CLI::App* cmd, VerifyFlags& flags);

/// How the embedded reference server is set up when no target is given.
struct EmbeddedSetup {
  Millis lock_ttl{1000};
  Millis slow_delay{200};
  std::optional<Millis> record_ttl;
};

struct ResolvedTarget {
  TargetSpec target;
  std::unique_ptr<ReferenceServer> embedded;  ///< set when no target was given
};

/// The target the flags describe, reachable within `connect_timeout`. InvalidArgument (exit 2)
/// for bad flags or files, Unavailable (exit 3) when the target or the embedded server cannot
/// be reached or started; the message is the one line to print.
Result<ResolvedTarget> resolve_target(const VerifyFlags& flags, const verify::Profile& profile,
                                      Millis timeout, Millis connect_timeout,
                                      const EmbeddedSetup& embedded);

}  // namespace idem::cli
