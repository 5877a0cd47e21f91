// The Idemctl-Fault request header, which any client of `serve` may send: never crashes, an
// accepted status is 200-599 and an accepted delay is not negative.
#include "fuzz_input.hpp"
#include "idem/server/fault.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto spec = idem::parse_fault_spec(idem::fuzz::as_text(data, size));
  if (!spec) {
    idem::fuzz::require(!spec.error().message.empty(), "a refusal says why");
    return 0;
  }
  if (spec->status) idem::fuzz::require(*spec->status >= 200 && *spec->status <= 599, "status");
  idem::fuzz::require(spec->delay.count() >= 0, "delay not negative");
  return 0;
}
