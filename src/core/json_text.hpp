// JSON that comes from outside (request and response bodies) and JSON that carries outside
// bytes (paths, keys, messages): a nesting limit checked before any tree is built, and dumping
// that replaces invalid UTF-8 instead of throwing. Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

/// Deepest array/object nesting accepted in a body. Deeper bodies are malformed to us: parsing,
/// canonicalising and dumping them costs stack and memory in proportion to the depth.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// True if `text` nests arrays and objects at most `max_depth` deep (brackets inside strings do
/// not count). One pass, no recursion; says nothing about whether `text` is valid JSON.
bool json_depth_within(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

/// Parses `text`; the result is discarded (is_discarded()) if it is not JSON or nests deeper than
/// kMaxJsonDepth. Never throws.
nlohmann::json parse_bounded_json(std::string_view text);

/// Parses a whole file's JSON (a --config, a scenario). InvalidArgument "FILE: line L, column C:
/// not JSON: <what the parser saw>" when it is not JSON, L and C 1-based, C counted in bytes.
Result<nlohmann::json> parse_json_file_text(std::string_view text, const std::string& file);

/// j.dump() with invalid UTF-8 replaced by U+FFFD, so outside bytes never make it throw.
std::string dump_json(const nlohmann::json& j, int indent = -1);

}  // namespace idem
