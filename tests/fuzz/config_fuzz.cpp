// The JSON files users hand verify and stress: a target --config and a --scenario file. Never
// crash, throw or recurse without bound; errors name the file.
#include <string>

#include "fuzz_input.hpp"
#include "idem/target/target_spec.hpp"
#include "idem/verify/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(idem::fuzz::as_text(data, size));
  auto target = idem::parse_target_config(text, "fuzz.json", idem::TargetSpec{});
  if (!target)
    idem::fuzz::require(target.error().message.find("fuzz.json") != std::string::npos,
                        "a config error names the file");
  auto scenarios = idem::verify::parse_scenarios(text, "fuzz.json");
  if (!scenarios)
    idem::fuzz::require(scenarios.error().message.find("fuzz.json") != std::string::npos,
                        "a scenario error names the file");
  return 0;
}
