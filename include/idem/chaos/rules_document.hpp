// The rule document of the chaos admin API's PUT /rules: {"rules": [SPEC, ...]}.
#pragma once

#include <string_view>
#include <vector>

#include "idem/chaos/fault_rule.hpp"
#include "idem/result.hpp"

namespace idem::chaos {

/// Largest rule document accepted (the admin API answers 413 beyond).
inline constexpr size_t kMaxAdminBody = 64 * 1024;

/// Parses a rule document: every rule or none. InvalidArgument naming the JSON path
/// ("$.rules[2]: 'replace-status=418': expected ...").
Result<std::vector<FaultRule>> parse_rules_document(std::string_view body);

}  // namespace idem::chaos
