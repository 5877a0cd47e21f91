// Idempotency-Key header values (one line per input line) under both key formats: never crashes,
// an accepted key is 1-255 printable characters, and a UUID accepted under uuid4 passes
// is_uuid4.
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "idem/key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines;
  for (auto part : idem::fuzz::split(idem::fuzz::as_text(data, size), '\n'))
    lines.emplace_back(part);
  if (size == 0) lines.clear();
  for (auto format : {idem::KeyFormat::Any, idem::KeyFormat::Uuid4}) {
    auto key = idem::parse_idempotency_key(lines, format);
    if (!key || !key->has_value()) continue;
    const std::string& k = **key;
    idem::fuzz::require(!k.empty() && k.size() <= idem::kMaxKeyLength, "key length 1-255");
    for (char c : k) idem::fuzz::require(c >= 0x20 && c < 0x7f, "printable key");
    if (format == idem::KeyFormat::Uuid4) idem::fuzz::require(idem::is_uuid4(k), "uuid4 key");
  }
  return 0;
}
