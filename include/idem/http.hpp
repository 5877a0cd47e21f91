// Plain HTTP value types shared by the guard, the stores, the server and the client, so that no
// third-party HTTP type crosses the core's interface. Value types; no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idem {

/// Header lines in arrival order; names compare case-insensitively (RFC 9110 §5.1).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// ASCII case-insensitive equality, for header names and methods.
bool iequals(std::string_view a, std::string_view b);

/// True when `name` can be a header name: a non-empty RFC 9110 §5.6.2 token.
bool is_header_name(std::string_view name);

/// The first value of header `name`, if present.
std::optional<std::string> find_header(const HeaderList& headers, std::string_view name);

/// Every value of header `name`, one per header line.
std::vector<std::string> header_values(const HeaderList& headers, std::string_view name);

/// Percent-encodes everything but RFC 3986 unreserved characters, for a query value.
std::string percent_encode(std::string_view text);

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
};

/// An RFC 9457 problem-details response (application/problem+json) with `type`
/// "/problems/<slug>", `title`, `status` and `detail`.
HttpResponse make_problem(int status, std::string_view slug, std::string_view title,
                          std::string_view detail);

}  // namespace idem
