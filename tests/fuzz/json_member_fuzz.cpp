// stress's hot-path look-up of a top-level member against nlohmann's full parse (the slow path it
// stands in for): whenever the fast path answers, the full parse gives the same text.
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "target/json_member.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto json = idem::fuzz::as_text(data, size);
  const auto fast = idem::top_level_member(json, "id");
  if (!fast) return 0;
  idem::fuzz::require(
      fast->data() >= json.data() && fast->data() + fast->size() <= json.data() + json.size(),
      "the member's text lies inside the input");
  auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;  // the fast path does not validate
  auto it = doc.find("id");
  idem::fuzz::require(it != doc.end(), "the full parse finds the member too");
  idem::fuzz::require(it->dump() == *fast, "fast and full parse agree");
  return 0;
}
