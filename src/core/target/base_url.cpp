#include "idem/target/base_url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace idem {
namespace {

bool inet(int family, std::string_view host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(family, std::string(host).c_str(), buf) == 1;
}

}  // namespace

bool is_valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.find(':') != std::string_view::npos) return inet(AF_INET6, host);
  const bool name_chars = std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '.';
  });
  if (!name_chars) return false;
  // All digits and dots: it means an IPv4 address, so it must be one.
  const bool dotted_number = std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isdigit(c) != 0 || c == '.';
  });
  return !dotted_number || inet(AF_INET, host);
}

Result<BaseUrl> parse_base_url(std::string_view url) {
  const auto invalid = [&](const std::string& what) {
    return make_error(ErrorCode::InvalidArgument, "invalid URL '" + std::string(url) + "': " + what);
  };
  BaseUrl out;
  const size_t scheme_end = url.find("://");
  out.scheme = std::string(url.substr(0, scheme_end));
  if (scheme_end == std::string_view::npos || (out.scheme != "http" && out.scheme != "https")) {
    return invalid("expected http://HOST[:PORT] or https://HOST[:PORT]");
  }
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user:password@ is curl's to use
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("an IPv6 address needs its closing ']'");
    out.host = std::string(authority.substr(1, close - 1));
    if (!inet(AF_INET6, out.host)) return invalid("'" + out.host + "' is no IPv6 address");
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return invalid("expected ':PORT' after ']'");
    if (!rest.empty()) port_text = rest.substr(1);
    if (!rest.empty() && port_text.empty()) return invalid("expected a port after ':'");
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.find(':') != std::string_view::npos) {
        return invalid("an IPv6 address goes in brackets: http://[::1]:8080");
      }
      if (port_text.empty()) return invalid("expected a port after ':'");
    }
    if (out.host.empty()) return invalid("expected a host");
    if (!is_valid_host(out.host)) return invalid("'" + out.host + "' is no host name or address");
  }
  out.port = out.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return invalid("port '" + std::string(port_text) + "' is not 1-65535");
    }
    out.port = port;
  }
  return out;
}

}  // namespace idem
