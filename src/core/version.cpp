#include "idem/version.hpp"

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <openssl/crypto.h>

namespace idem {

// Written at build time by cmake/GitRevision.cmake (build/generated/git_revision.cpp).
extern const char* const kGitRevision;

VersionInfo version_info() {
  VersionInfo info;
  info.version = IDEM_VERSION;
  info.git_revision = kGitRevision;
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  info.libcurl = curl != nullptr && curl->version != nullptr ? curl->version : "unknown";
  info.hiredis = std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) + "." +
                 std::to_string(HIREDIS_PATCH);
  info.openssl = OpenSSL_version(OPENSSL_VERSION);
  return info;
}

std::string version_text() {
  const VersionInfo info = version_info();
  return "idemctl " + info.version + " (git " + info.git_revision + ")\nlibcurl " + info.libcurl +
         ", hiredis " + info.hiredis + ", " + info.openssl;
}

}  // namespace idem
