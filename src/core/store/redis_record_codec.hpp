// The byte encoding of a stored response inside a Redis record. Pure functions, safe from any
// thread.
#pragma once

#include <string>
#include <string_view>

#include "idem/http.hpp"
#include "idem/result.hpp"

namespace idem {

/// Encodes status, headers and body into one binary-safe string:
///   "<status> <header count>\n" then per header "<name length> <value length>\n<name><value>",
///   then the body bytes to the end. Lengths make any byte (NUL, CR, LF) safe; the body is
///   copied once and never scanned, so multi-MiB bodies cost one copy.
std::string encode_response(const HttpResponse& response);

/// Inverse of encode_response. Internal if `data` is not such an encoding (a corrupt record or
/// a foreign key under our prefix).
Result<HttpResponse> decode_response(std::string_view data);

}  // namespace idem
