// Profiles of SEMANTICS §4: what a target declares about the CONFIG axes (key header, missing
// key, in-flight duplicates, 5xx policy, mismatch status, replay marker). MUST checks ignore
// them. Plain values; pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "idem/guard.hpp"
#include "idem/result.hpp"

namespace idem::verify {

struct Profile {
  std::string name = "default";
  std::string key_header = "Idempotency-Key";
  std::string missing_key = "reject";       ///< reject (400) | optional (not judged)
  std::string key_format = "uuid4";         ///< uuid4 | any
  std::string in_flight = "conflict";       ///< conflict (409) | wait (duplicates get the replay)
  std::string server_error = "not-cached";  ///< not-cached | cached | any (not judged)
  std::string mismatch = "422";             ///< the status of a reused key; "none" = not judged
  std::string replay_marker = "required";   ///< required | any
  std::string malformed = "400";            ///< 400 | 4xx

  /// The value of axis `name` ("in_flight", ...); empty for an unknown axis.
  std::string axis(std::string_view name) const;
};

/// "default", "ietf", "stripe" or "fiber"; InvalidArgument naming the choices otherwise.
Result<Profile> builtin_profile(std::string_view name);

/// The names of the axes that set_axis() accepts, for help texts.
const std::vector<std::string>& profile_axes();

/// The guard configuration that behaves as `profile` declares, over `base` (TTLs, methods, bug
/// mode ... stay): key header, key optional, key format, in-flight policy, 5xx caching
/// ("any" keeps base's), mismatch status ("none" keeps base's). The one profile->guard mapping:
/// `serve --profile` and verify's embedded server both use it.
GuardConfig guard_config_for(const Profile& profile, GuardConfig base = {});

/// Overrides one axis ("in_flight", "409"|"wait" ...), validating the value. InvalidArgument
/// names the axis and the accepted values.
Result<void> set_axis(Profile& profile, std::string_view axis, std::string_view value);

}  // namespace idem::verify
