// YAML (1.2 core schema, through yaml-cpp) read into the same JSON tree a JSON document gives,
// remembering the line of every value so errors found later can name it. Private to
// src/core/openapi; pure, safe from any thread.
#pragma once

#include <map>
#include <string>

#include "idem/result.hpp"
#include "openapi/schema_instance.hpp"

namespace idem::openapi {

/// Values converted at most: an alias expands in place, so a few lines of anchors could
/// otherwise stand for billions of values.
inline constexpr size_t kMaxYamlValues = 1'000'000;

/// JSON path ("$.paths[\"/a\"].post") -> 1-based line of the value in the YAML text.
using LineMap = std::map<std::string, int>;

/// Parses `text` into JSON: plain scalars as null, booleans, integers and numbers by the core
/// schema, quoted ones as strings; map keys must be scalars and unique. InvalidArgument
/// "FILE: line L: what was expected" for YAML it cannot read, nesting deeper than
/// kMaxJsonDepth, or more than kMaxYamlValues values. Fills `lines`.
Result<Json> parse_yaml_document(const std::string& text, const std::string& file,
                                 LineMap& lines);

/// " (line L)" for the deepest prefix of `path` found in `lines`; "" when none (JSON input).
std::string line_of(const LineMap& lines, const std::string& path);

}  // namespace idem::openapi
