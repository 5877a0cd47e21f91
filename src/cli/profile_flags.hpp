// A built-in profile with the per-axis flags a command offers applied on top: one place for
// serve and verify, so a flag names itself the same way in both when its value is bad.
#pragma once

#include <initializer_list>
#include <string>

#include "idem/result.hpp"
#include "idem/verify/profile.hpp"

namespace idem::cli {

struct AxisFlag {
  const char* flag;          ///< e.g. "--in-flight", named in the error
  const char* axis;          ///< the profile axis it sets, e.g. "in_flight"
  const std::string* value;  ///< empty: the profile's own value stays
};

/// `profile_name` with each non-empty flag's axis set, and key_optional applied; the first bad
/// value is an error naming its flag.
Result<verify::Profile> profile_with_flags(const std::string& profile_name,
                                           std::initializer_list<AxisFlag> flags,
                                           bool key_optional);

}  // namespace idem::cli
