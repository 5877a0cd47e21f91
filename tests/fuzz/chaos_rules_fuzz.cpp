// The chaos proxy's rules, from --fault, stress --chaos and the admin API's PUT /rules (which any
// client of the admin port may send): never crash; an accepted rule prints as a SPEC that parses
// back to itself, with a probability in [0, 1] and a bounded delay.
#include "fuzz_input.hpp"
#include "idem/chaos/fault_rule.hpp"
#include "idem/chaos/rules_document.hpp"

namespace {

void check_rule(const idem::chaos::FaultRule& r) {
  using namespace idem::chaos;
  idem::fuzz::require(r.probability >= 0 && r.probability <= 1, "probability in [0, 1]");
  idem::fuzz::require(r.delay + r.jitter <= kMaxFaultDelay, "delay bounded");
  const std::string spec = to_spec(r);
  auto again = parse_fault_rule(spec);
  idem::fuzz::require(again.ok(), "to_spec parses");
  idem::fuzz::require(to_spec(*again) == spec, "to_spec round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = idem::fuzz::as_text(data, size);
  for (const std::string_view line : idem::fuzz::split(text, '\n')) {
    auto rule = idem::chaos::parse_fault_rule(line);
    if (rule) {
      check_rule(*rule);
    } else {
      idem::fuzz::require(!rule.error().message.empty(), "a refusal says why");
    }
  }
  auto rules = idem::chaos::parse_rules_document(text);
  if (rules) {
    for (const auto& r : *rules) check_rule(r);
  } else {
    idem::fuzz::require(rules.error().message.rfind("$", 0) == 0, "a refusal names its path");
  }
  return 0;
}
