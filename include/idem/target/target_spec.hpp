// The description of a server under test: where it is, which endpoint is guarded, how to make
// its handler fail, slow down or crash, and how to count its executions. Built from flags, from
// a `--config target.json`, or the built-in description of the reference server. Shared by
// verify and stress (one request layer: render.hpp, execution_count.hpp). Plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "idem/client/http_client.hpp"
#include "idem/clock.hpp"
#include "idem/http.hpp"
#include "idem/result.hpp"

namespace idem {

/// Extra headers and/or a body that make the target behave a certain way for one request.
struct Trigger {
  HeaderList headers;
  std::optional<std::string> body;  ///< replaces the rendered body when set
};

/// How executions are observed (SEMANTICS §3, in order of preference).
enum class CountMode {
  ExecutionsUrl,  ///< GET a URL per key that answers a count
  ResourceId,     ///< distinct resource ids (a JSON pointer into 2xx bodies)
  BodyIdentity,   ///< distinct 2xx bodies
};

/// How one endpoint's executions are counted: TargetSpec's count fields, as a config's
/// "executions" member gives them.
struct ExecutionCounting {
  CountMode count = CountMode::BodyIdentity;
  std::string url;                       ///< with {{key}}
  std::string pointer = "/executions";  ///< into the URL's JSON answer
  std::string resource_id_pointer;
};

/// One endpoint of a service laid over the service's description: what differs from the
/// top-level fields (unset members keep them). From a config's "endpoints" or an OpenAPI
/// operation.
struct Endpoint {
  std::string method;                  ///< empty: the top-level method
  std::string path;                    ///< empty: the top-level path
  std::optional<std::string> body;     ///< template; {{uuid}} and {{n}} expand
  HeaderList headers;                  ///< added to (and replacing by name) the top-level ones
  std::optional<Trigger> failure, slow, crash;
  std::optional<Millis> slow_delay;
  std::optional<std::string> alternate_path, large_path;
  std::optional<ExecutionCounting> executions;  ///< unset: counted as the top level says
  std::string where;  ///< where it was declared, for messages ("cfg.json: $.endpoints[1]")
};

/// A config's "endpoints" at most: verify runs them on threads of their own, so a config must
/// not ask for thousands.
inline constexpr size_t kMaxConfigEndpoints = 256;

struct TargetSpec {
  std::vector<std::string> base_urls;  ///< one service; several = several instances
  std::string method = "POST";
  std::string path = "/payments";
  std::string body = R"({"amount":{{n}},"currency":"EUR"})";  ///< {{uuid}} and {{n}} expand
  std::string alternate_path;  ///< another guarded endpoint; empty: endpoint-mismatch is skipped
  std::string large_path;      ///< a path answering a multi-MiB body; empty: skip large-response
  HeaderList headers;          ///< sent with every request (Content-Type, auth, ...)
  std::string scope_header = "Authorization";
  /// Scope header values of two callers; empty: principal-scope is skipped (a service that does
  /// not scope by this header has no callers to tell apart).
  std::vector<std::string> principals;
  std::optional<Trigger> failure;  ///< makes the handler answer 5xx without effect
  std::optional<Trigger> slow;     ///< makes the handler take `slow_delay`
  Millis slow_delay{0};
  std::optional<Trigger> crash;  ///< makes the holder die without answering or releasing
  std::optional<Millis> lock_ttl;
  std::optional<Millis> record_ttl;
  CountMode count = CountMode::BodyIdentity;
  std::string executions_url;  ///< "/__idem/executions?key={{key}}", relative to a base URL
  std::string executions_pointer = "/executions";
  std::string resource_id_pointer;  ///< "/id"
  TlsClientOptions tls;             ///< for https:// base URLs: trust and client certificate
  /// A config's "endpoints": several endpoints verified in one run, each over these fields.
  /// Empty: this description is the one endpoint.
  std::vector<Endpoint> endpoints;
};

/// "POST /payments" (the query kept: it may be what tells two endpoints apart): how reports
/// name the endpoint of `t`.
std::string endpoint_label(const TargetSpec& t);

/// One complete description per endpoint: `endpoints` laid over `base` (or `base` alone when
/// there are none). The large path is kept only for the endpoint it was declared for. An
/// endpoint without its own alternate path gets another real endpoint of the service with the
/// same method, so endpoint-mismatch sends the key where the service really guards it.
std::vector<TargetSpec> expand_endpoints(const TargetSpec& base,
                                         const std::vector<Endpoint>& endpoints);

/// The reference server (`idemctl serve`) at `base_urls`: its executions counter, its
/// Idemctl-Fault triggers and the declared lock TTL.
TargetSpec reference_target(std::vector<std::string> base_urls, Millis lock_ttl,
                            Millis slow_delay = Millis{200});

/// Reads a target description. Fields left out keep the values of `base`. Errors are
/// InvalidArgument "FILE: JSON path: what was expected".
Result<TargetSpec> load_target_config(const std::string& file, const TargetSpec& base);
/// The same from text; `file` names it in errors.
Result<TargetSpec> parse_target_config(const std::string& text, const std::string& file,
                                       const TargetSpec& base);

}  // namespace idem
