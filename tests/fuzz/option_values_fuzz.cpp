// The small languages of command-line values: durations, thresholds, the stress mix, stages and
// patterns. Never crash or throw; an accepted duration is not negative and survives its own
// formatting.
#include <string>

#include "fuzz_input.hpp"
#include "idem/duration.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/threshold.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(idem::fuzz::as_text(data, size));
  if (auto d = idem::parse_duration(text)) {
    idem::fuzz::require(d->count() >= 0, "a duration is not negative");
    auto again = idem::parse_duration(idem::format_duration(*d));
    idem::fuzz::require(again && *again == *d, "parse(format(d)) == d");
  }
  (void)idem::parse_threshold(text);
  (void)idem::parse_mix(text);
  (void)idem::parse_stage(text);
  idem::StressOptions options;
  (void)idem::parse_pattern(text, options);
  return 0;
}
