// The header-name check (SEMANTICS §3, INFO): logic that does not fit data. If the target does
// not replay with the profile's key header but does with the other common spelling, the check
// WARNs with a hint naming the flag to use. Private to src/core/verify.
#pragma once

#include "idem/verify/scenario.hpp"
#include "run_context.hpp"

namespace idem::verify {

/// Fills `result` (id, title, level already set); returns the hint line, empty if none.
std::string run_header_name_check(RunShared& shared, CheckResult& result);

}  // namespace idem::verify
