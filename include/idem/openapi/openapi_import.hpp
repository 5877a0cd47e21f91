// Reads an OpenAPI 3.x document (JSON or YAML) and turns the operations that are guarded by an
// idempotency key into endpoints verify can run: method, concrete path, a body template and
// headers. Operations it cannot instantiate are listed with the reason, never dropped silently.
// Pure functions, safe from any thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "idem/result.hpp"
#include "idem/target/target_spec.hpp"

namespace idem {

/// Schemas nested deeper than this (counting $ref hops) are not instantiated: a recursive
/// schema whose recursion is required has no finite instance.
inline constexpr int kMaxSchemaDepth = 32;
/// Schema nodes visited at most to instantiate one body: alternatives (oneOf) that recurse can
/// otherwise cost exponential time before the depth bound cuts each of them.
inline constexpr long long kMaxSchemaSteps = 100'000;
/// Items generated at most for one array (its minItems); a larger minItems is not instantiated.
inline constexpr long long kMaxGeneratedItems = 64;
/// Operations taken from one document at most (verify runs each on its own threads).
inline constexpr size_t kMaxOpenApiEndpoints = 256;

struct OpenApiOptions {
  std::string key_header = "Idempotency-Key";  ///< the header whose parameter marks a guard
  bool all_writes = false;                      ///< --openapi-all: every POST and PATCH
  std::vector<std::pair<std::string, std::string>> params;  ///< --param name=value
};

/// An operation that was selected (or is a write) but cannot be verified, and why.
struct SkippedOperation {
  std::string method;  ///< "POST"
  std::string path;    ///< as in the document: "/orders/{id}"
  std::string reason;
};

struct OpenApiImport {
  /// The first `servers` URL with its variables at their defaults; empty when there is none.
  /// May be relative ("/v1"): then it is a prefix of every path.
  std::string server_url;
  std::vector<Endpoint> endpoints;  ///< in document order; Endpoint::where names the operation
  std::vector<SkippedOperation> skipped;
};

/// Imports `text`, named `file` in messages. YAML when `file` ends in .yaml or .yml or the text
/// does not start with '{'. InvalidArgument (exit 2) "FILE: JSON path or line: what was
/// expected" for a document that is malformed, not OpenAPI 3.x (2.0 is refused), or has a $ref
/// it cannot resolve (only local "#/..." references are).
Result<OpenApiImport> import_openapi(const std::string& text, const std::string& file,
                                     const OpenApiOptions& options);
/// The same from a file.
Result<OpenApiImport> load_openapi(const std::string& file, const OpenApiOptions& options);

}  // namespace idem
