#include "store/redis_url.hpp"

#include <charconv>

#include "idem/target/base_url.hpp"

namespace idem {
namespace {

constexpr std::string_view kScheme = "redis://";
// Redis' default `databases 16` allows 0-15; a server configured with more may allow more, so
// only absurd values are refused here and the server's SELECT has the final word.
constexpr int kMaxDb = 1'000'000;

// The URL as an error may show it: credentials (up to the last '@') replaced by "***", so a
// password never reaches a terminal or a CI log.
std::string redacted(std::string_view url) {
  const auto at = url.rfind('@');
  const auto scheme_end = url.find("://");
  if (at == std::string_view::npos || scheme_end == std::string_view::npos || at < scheme_end)
    return std::string(url);
  return std::string(url.substr(0, scheme_end + 3)) + "***" + std::string(url.substr(at));
}

Error url_error(std::string_view url, const std::string& what) {
  return make_error(ErrorCode::InvalidArgument,
                    "invalid Redis URL '" + redacted(url) + "': " + what +
                        " (expected redis://[user:password@]host[:port][/db])");
}

// Strictly a decimal number in [lo, hi]; no sign, no spaces.
bool parse_int(std::string_view text, int lo, int hi, int& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && text.front() != '-' && out >= lo && out <= hi;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view url) {
  if (url.starts_with("rediss://")) return url_error(url, "TLS (rediss://) is not supported");
  if (!url.starts_with(kScheme)) return url_error(url, "the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;

  // Credentials end at the last '@', so an unencoded '@' in a password still parses.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return url_error(url, "credentials must be user:password or :password");
    }
    if (!percent_decode(userinfo.substr(0, colon), out.username) ||
        !percent_decode(userinfo.substr(colon + 1), out.password)) {
      return url_error(url, "bad percent-encoding in the credentials");
    }
    if (out.password.empty()) return url_error(url, "the password is empty");
  }
  if (const auto q = rest.find_first_of("?#"); q != std::string_view::npos) {
    return url_error(url, "unexpected '" + std::string(rest.substr(q)) + "'");
  }

  std::string_view authority = rest;
  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }

  std::string_view port_text;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error(url, "unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error(url, "unexpected text after the host");
      port_text = after.substr(1);
      if (port_text.empty()) return url_error(url, "the port is empty");
    }
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
    if (port_text.empty()) return url_error(url, "the port is empty");
  } else {
    out.host = std::string(authority);
  }
  if (out.host.empty()) return url_error(url, "the host is missing");
  if (!is_valid_host(out.host)) return url_error(url, "the host is no host name or address");
  if (!port_text.empty() && !parse_int(port_text, 1, 65535, out.port)) {
    return url_error(url, "the port '" + std::string(port_text) + "' is not a number in 1-65535");
  }
  if (!path.empty() && !parse_int(path, 0, kMaxDb, out.db)) {
    return url_error(url, "the database '" + std::string(path) + "' is not a number >= 0");
  }
  return out;
}

std::string describe_redis_url(const RedisUrl& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  return std::string(kScheme) + (ipv6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port) + "/" + std::to_string(url.db);
}

}  // namespace idem
