// The one parser of a target's base URL (`http://HOST[:PORT][/prefix]`, IPv6 in brackets):
// used by verify's and stress's --target and by the connection probe. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

struct BaseUrl {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< a name, an IPv4 address, or an IPv6 address without its brackets
  int port = 0;        ///< 1-65535; the scheme's default when the URL names none
};

/// Parses `url`. InvalidArgument "invalid URL '<url>': <what is wrong>" for another scheme, an
/// empty host, a port that is not 1-65535, an IPv6 address without brackets, or an address
/// that cannot exist (256.0.0.1, [::g]).
Result<BaseUrl> parse_base_url(std::string_view url);

/// True when `host` is a name (letters, digits, '-', '.') or a valid IPv4 or IPv6 address;
/// a dotted number that is no IPv4 address (999.1.1.1) is not a host.
bool is_valid_host(std::string_view host);

}  // namespace idem
