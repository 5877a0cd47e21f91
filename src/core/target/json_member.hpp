// A cheap look-up of one member of a JSON object without parsing it, for hot paths (stress reads
// the resource id of every 2xx answer). Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace idem {

/// The raw text of member `name` of the top-level object in `json` when its value is a string
/// without escapes (quotes included) or an integer: exactly what nlohmann's dump() of that value
/// gives, so callers may mix both. nullopt when `json` is no object, the member is missing, the
/// name is not found unescaped at the top level, or the value is of another kind: the caller
/// then parses. Never reads past `json`.
std::optional<std::string_view> top_level_member(std::string_view json, std::string_view name);

/// The member name a JSON pointer "/name" designates when it is one plain level (no '~', no
/// further '/'); nullopt otherwise.
std::optional<std::string_view> single_level_pointer(std::string_view pointer);

}  // namespace idem
