// A response record as read back from Redis (which another process, or an attacker with Redis
// access, may have written): never crashes, and what decodes re-encodes to a record that
// decodes to the same response.
#include "fuzz_input.hpp"
#include "store/redis_record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto response = idem::decode_response(idem::fuzz::as_text(data, size));
  if (!response) return 0;
  const auto encoded = idem::encode_response(*response);
  auto again = idem::decode_response(encoded);
  idem::fuzz::require(static_cast<bool>(again), "a re-encoded record decodes");
  idem::fuzz::require(again->status == response->status && again->body == response->body &&
                          again->headers == response->headers,
                      "decode(encode(r)) == r");
  return 0;
}
