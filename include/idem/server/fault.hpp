// Per-request fault injection for the reference server (`Idemctl-Fault` header), in the shape of
// Envoy's fault filter: abort with a status, delay, or lose the exchange. Pure parsing.
#pragma once

#include <optional>
#include <string_view>

#include "idem/clock.hpp"
#include "idem/result.hpp"

namespace idem {

inline constexpr std::string_view kFaultHeader = "Idemctl-Fault";

struct FaultSpec {
  std::optional<int> status;  ///< "status=503": the handler fails with this status, no effect
  Millis delay{0};            ///< "delay=300ms": the handler sleeps first
  bool crash = false;         ///< "crash": the holder dies mid-request: no answer, lock kept
  bool throw_error = false;   ///< "throw": the handler throws (answered 500, lock released)
  bool drop = false;          ///< "drop": run, store, then close without answering
};

/// Parses "status=503", "delay=300ms", "crash", "throw", "drop", or several joined by ';'.
/// InvalidArgument names the part that is wrong.
Result<FaultSpec> parse_fault_spec(std::string_view text);

}  // namespace idem
