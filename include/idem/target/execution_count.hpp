// Counting a target's executions for one key, as its description says (SEMANTICS §3): by its
// executions URL, else by distinct resource ids or distinct bodies among the 2xx answers seen.
// Shared by verify and stress. The HttpClient passed in is used from the caller's thread only.
#pragma once

#include <string>
#include <string_view>

#include "idem/client/http_client.hpp"
#include "idem/result.hpp"
#include "idem/target/target_spec.hpp"

namespace idem {

/// The GET of `target`'s executions URL for `key` at `base_url`, with the target's headers
/// (Content-Type dropped) and, when the target has principals, principal `principal`'s scope.
ClientRequest executions_request(const TargetSpec& target, const std::string& base_url,
                                 const std::string& key, int principal, Millis timeout,
                                 Millis connect_timeout);

/// The count read from one executions answer. Unavailable, naming `url`, for a transport
/// error, a status other than 200 or no integer at the target's executions pointer.
Result<long long> parse_execution_count(const TargetSpec& target, const ClientResponse& res,
                                        const std::string& url);

/// The executions of `key` for `principal` by the executions URL, summed over every base URL
/// (each instance counts its own). Unavailable when a counter cannot be read.
Result<long long> read_executions(HttpClient& client, const TargetSpec& target,
                                  const std::string& key, int principal, Millis timeout,
                                  Millis connect_timeout);

/// What identifies one execution in a 2xx body: the JSON at the target's resource id pointer
/// (CountMode::ResourceId), else the body itself. Distinct identities = distinct executions.
std::string execution_identity(const TargetSpec& target, std::string_view body);

}  // namespace idem
