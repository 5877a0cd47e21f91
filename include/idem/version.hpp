// What this build of idemctl is: its version, the git revision it was built from, and the
// versions of the libraries it runs with (read at run time, so a distribution's library upgrade
// shows). Pure functions; safe from any thread.
#pragma once

#include <string>

namespace idem {

struct VersionInfo {
  std::string version;       ///< the project version, "0.1.0"
  std::string git_revision;  ///< "abc1234", "abc1234-dirty", or "unknown" outside a checkout
  std::string libcurl;       ///< the loaded libcurl's version
  std::string hiredis;       ///< the hiredis version compiled against (it has no run-time query)
  std::string openssl;       ///< the loaded OpenSSL's version text
};

VersionInfo version_info();

/// Two lines for `--version` (no final newline): "idemctl VERSION (git REV)" and the libraries.
std::string version_text();

}  // namespace idem
