// A minimal valid instance of a JSON Schema (OpenAPI 3.0/3.1 flavour) as a body template: the
// required properties only, the first enum value, a value of the declared format, {{uuid}} for
// uuid strings and {{n}} for unbounded integers (so each key's body differs). Local $refs are
// followed. Private to src/core/openapi; pure, safe from any thread.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace idem::openapi {

using Json = nlohmann::ordered_json;

/// The JSON string that stands for {{n}} inside a generated value until it is written out.
inline constexpr const char* kNumberMarker = "{{n}}";
inline constexpr const char* kUuidMarker = "{{uuid}}";

/// "a keyword has the wrong type: type must be number, but is string" for nlohmann's
/// type errors, which say what but not where (the caller names the path).
std::string keyword_type_error(const std::exception& e);

/// Follows `ref` ("#/components/schemas/X") in `root`. DocumentError at `path` for an
/// external reference or one that points to nothing.
const Json& resolve_ref(const Json& root, const std::string& ref, const std::string& path);

/// A minimal instance of `schema` (found at JSON path `path` of `root`). Throws DocumentError
/// for a malformed schema or unresolvable $ref, Uninstantiable when no instance can be made
/// (a pattern without an example, recursion, minItems above kMaxGeneratedItems, ...).
Json schema_instance(const Json& root, const Json& schema, const std::string& path);

/// `value` written as a body template: the number marker unquoted, so {{n}} stands where a
/// JSON number goes.
std::string body_template(const Json& value);

/// When `value` has no marker: the first top-level property that `schema` types as an integer
/// accepting every {{n}} verify renders becomes {{n}}, so the body can vary per key. Returns
/// whether it changed something.
bool vary_example(const Json& root, const Json& schema, Json& value);

}  // namespace idem::openapi
