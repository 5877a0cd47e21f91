// Which endpoints one verify run covers: the target alone, a --config's "endpoints", or the
// operations of an --openapi document, with what could not be instantiated. Private to src/cli.
#pragma once

#include <string>
#include <vector>

#include "idem/openapi/openapi_import.hpp"
#include "idem/result.hpp"
#include "verify_flags.hpp"

namespace idem::cli {

struct EndpointSource {
  std::vector<Endpoint> endpoints;        ///< empty: the target's own endpoint
  std::vector<SkippedOperation> skipped;  ///< --openapi operations not verified, with why
  std::string path_prefix;                ///< a relative `servers` URL ("/v1")
  std::string server_url;                 ///< an absolute `servers` URL, used without --target
};

/// Reads --openapi (with --openapi-all and --param) when given; `key_header` is the profile's.
/// InvalidArgument (exit 2) for a bad flag or document, or a document in which no operation
/// can be verified (the message says why for each).
Result<EndpointSource> load_endpoint_source(const VerifyFlags& flags,
                                            const std::string& key_header);

/// The complete description of every endpoint to verify: `source`'s (or the target's config
/// "endpoints") laid over `target`. InvalidArgument when --method, --path or --body are given
/// with several endpoints, or a config's endpoints meet --openapi.
Result<std::vector<TargetSpec>> plan_endpoints(const VerifyFlags& flags, const TargetSpec& target,
                                               const EndpointSource& source);

/// "not verified: POST /orders/{id}: path parameter 'id' has no example; ..." per operation.
std::vector<std::string> skipped_lines(const EndpointSource& source);

}  // namespace idem::cli
