// How many times the target ran its handler for one key, observed as the target description
// says (SEMANTICS §3): its executions URL, else distinct resource ids or distinct bodies among
// the 2xx answers this run saw. Private to src/core/verify.
#pragma once

#include <string>

#include "run_context.hpp"

namespace idem::verify {

/// The executions of `key` for `principal`, summed over every base URL in URL mode (each
/// instance counts its own). Unavailable when the counter cannot be read.
Result<long long> count_executions(RunContext& ctx, const std::string& key, int principal);

}  // namespace idem::verify
