// The flags of `idemctl verify` and their translation into a target description, a profile and
// run options. Private to src/cli.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "idem/result.hpp"
#include "idem/verify/runner.hpp"
#include "idem/verify/target.hpp"

namespace idem::cli {

struct VerifyFlags {
  std::vector<std::string> targets;
  std::string config;
  std::string kind = "auto";  ///< auto | reference | generic
  std::string profile = "default";
  // Per-axis overrides of the profile (empty = keep).
  std::string key_header, in_flight, server_error, mismatch_status, key_format, replay_marker;
  bool key_optional = false;
  // The target description.
  std::string method, path, body, alternate_path, large_path;
  std::vector<std::string> headers, principals;
  std::string failure_header, slow_header, slow_delay, crash_header, lock_ttl, record_ttl;
  std::string executions_url, executions_pointer, resource_id;
  // HTTPS targets.
  std::string cacert, cert, key;
  bool insecure = false;
  // The run.
  std::vector<std::string> scenarios, only, skip, reports;
  std::string scenario_dir;
  bool list = false;
  bool key_expiry = false;
  int rounds = verify::kDefaultRounds;
  int burst = verify::kDefaultBurst;
  std::string timeout = "10s";
  std::string connect_timeout = "2s";
  std::string deadline = "10m";
  // Several endpoints (#13).
  std::string openapi;               ///< --openapi FILE
  bool openapi_all = false;          ///< --openapi-all: every POST and PATCH
  std::vector<std::string> params;   ///< --param name=value
  int jobs = 0;                      ///< --jobs; 0: min(endpoints, kDefaultEndpointJobs)
};

/// The profile with the overrides applied; InvalidArgument names the flag.
Result<verify::Profile> build_profile(const VerifyFlags& flags);

/// The run options (profile, rounds, burst, timeouts, selection).
Result<verify::VerifyOptions> build_options(const VerifyFlags& flags, verify::Profile profile);

/// Applies the target flags over `base` (the reference description, the generic default, or
/// what --config gave). InvalidArgument names the flag.
Result<verify::TargetSpec> apply_target_flags(const VerifyFlags& flags, verify::TargetSpec base);

/// --cacert, --insecure, --cert, --key; InvalidArgument naming the flag of a file that cannot be
/// read, or of --key without --cert.
Result<TlsClientOptions> tls_options(const VerifyFlags& flags);

/// "Name: value" -> {"Name", "value"}; InvalidArgument naming `flag` otherwise.
Result<std::pair<std::string, std::string>> parse_header_flag(std::string_view flag,
                                                              const std::string& text);

}  // namespace idem::cli
