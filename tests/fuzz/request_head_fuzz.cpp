// The edge's request head check on arbitrary bytes: never crashes, and what it calls complete is
// consistent (the head fits in the input and in the limits, the path lies inside the head, a
// prefix of a complete head is never complete with another size).
#include "fuzz_input.hpp"
#include "http/request_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using idem::HeadCheck;
  const auto input = idem::fuzz::as_text(data, size);
  const unsigned long long max_body = 1 << 20;
  const auto check = idem::check_request_head(input, max_body);
  if (check.state == HeadCheck::State::Complete) {
    idem::fuzz::require(check.head_size <= input.size(), "head within the input");
    idem::fuzz::require(check.head_size <= idem::kMaxHeadBytes, "head within kMaxHeadBytes");
    idem::fuzz::require(check.path_offset + check.path_size <= check.head_size, "path in head");
    idem::fuzz::require(check.content_length <= max_body, "body within max_body");
    idem::fuzz::require(!(check.chunked && check.content_length != 0), "chunked has no length");
    const auto again = idem::check_request_head(input.substr(0, check.head_size), max_body);
    idem::fuzz::require(
        again.state == HeadCheck::State::Complete && again.head_size == check.head_size,
        "the head alone is the same complete head");
  } else if (check.state == HeadCheck::State::Rejected) {
    idem::fuzz::require(check.status >= 400 && check.status <= 599, "a 4xx/5xx rejection");
    idem::fuzz::require(!check.reason.empty(), "a rejection says why");
  }
  return 0;
}
