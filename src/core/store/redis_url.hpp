// Parsing of `--store redis://[user:password@]host[:port][/db]` URLs. Pure functions, safe from
// any thread.
#pragma once

#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string username;  ///< empty: AUTH with the password only (Redis < 6 style)
  std::string password;  ///< empty: no AUTH
};

/// Parses a redis:// URL. User and password are percent-decoded (RFC 3986 §2.1), so a password
/// may carry '@', ':' or '/' as %40, %3A, %2F. InvalidArgument naming the faulty part otherwise.
Result<RedisUrl> parse_redis_url(std::string_view url);

/// "redis://host:port/db", never the credentials (for banners, logs and /healthz).
std::string describe_redis_url(const RedisUrl& url);

}  // namespace idem
