#include "idem/bug_mode.hpp"

#include <array>
#include <string>
#include <utility>

namespace idem {
namespace {

constexpr std::array<std::pair<BugMode, std::string_view>, 10> kNames{{
    {BugMode::None, "none"},
    {BugMode::NoLock, "no-lock"},
    {BugMode::Cache5xx, "cache-5xx"},
    {BugMode::NoReplay, "no-replay"},
    {BugMode::FingerprintIgnored, "fingerprint-ignored"},
    {BugMode::ReplayAs200, "replay-as-200"},
    {BugMode::KeyOptional, "key-optional"},
    {BugMode::LockNeverExpires, "lock-never-expires"},
    {BugMode::UnscopedKeys, "unscoped-keys"},
    {BugMode::ReplayDropsHeaders, "replay-drops-headers"},
}};

}  // namespace

Result<BugMode> parse_bug_mode(std::string_view text) {
  std::string names;
  for (const auto& [mode, name] : kNames) {
    if (name == text) return mode;
    if (mode != BugMode::None) names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return make_error(ErrorCode::InvalidArgument,
                    "unknown bug mode '" + std::string(text) + "': expected one of " + names);
}

std::string_view to_string(BugMode mode) {
  for (const auto& [m, name] : kNames) {
    if (m == mode) return name;
  }
  return "none";
}

const std::vector<BugMode>& all_bug_modes() {
  static const std::vector<BugMode> modes = [] {
    std::vector<BugMode> out;
    for (const auto& [mode, name] : kNames) {
      if (mode != BugMode::None) out.push_back(mode);
    }
    return out;
  }();
  return modes;
}

}  // namespace idem
