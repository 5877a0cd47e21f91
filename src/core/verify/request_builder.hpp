// Turns a scenario's RequestSpec into the concrete request for one run: URL, key header(s),
// principal, trigger, body. Private to src/core/verify.
#pragma once

#include <string>

#include "run_context.hpp"

namespace idem::verify {

/// The other common spelling of the key header ("X-Idempotency-Key" <-> "Idempotency-Key").
std::string alternate_key_header(const std::string& header);

/// Builds the exchange (request, key, principal) for `spec`. `key_name` overrides spec.key
/// (bursts with distinct keys); `target_index` overrides spec.target (spread bursts).
/// Unavailable when the drop proxy cannot start. "location:STEP" without a Location header
/// falls back to the target's path.
Result<Exchange> build_exchange(RunContext& ctx, const RequestSpec& spec,
                                const std::optional<std::string>& key_name, int target_index);

}  // namespace idem::verify
