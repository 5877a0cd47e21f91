#include "profile_flags.hpp"

#include "flag_parsing.hpp"

namespace idem::cli {

Result<verify::Profile> profile_with_flags(const std::string& profile_name,
                                           std::initializer_list<AxisFlag> flags,
                                           bool key_optional) {
  auto profile = verify::builtin_profile(profile_name);
  if (!profile) return flag_error("--profile", profile.error());
  for (const AxisFlag& f : flags) {
    if (f.value->empty()) continue;
    auto set = verify::set_axis(*profile, f.axis, *f.value);
    if (!set) return flag_error(f.flag, set.error());
  }
  if (key_optional) profile->missing_key = "optional";
  return profile;
}

}  // namespace idem::cli
