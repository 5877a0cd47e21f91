// Loading scenario files (scenarios/*.json) and finding the built-in catalogue. Errors are
// InvalidArgument "FILE: JSON path: what was expected". Pure functions but for file reads.
#pragma once

#include <string>
#include <vector>

#include "idem/result.hpp"
#include "idem/verify/scenario.hpp"

namespace idem::verify {

/// Parses one scenario file's text: `{"checks": [ ... ]}`.
Result<std::vector<Scenario>> parse_scenarios(const std::string& text, const std::string& file);
Result<std::vector<Scenario>> load_scenario_file(const std::string& file);

/// Every `*.json` in `dir`, in file-name order. Duplicate check ids are an error.
Result<std::vector<Scenario>> load_scenario_dir(const std::string& dir);

/// The built-in catalogue's directory: $IDEMCTL_SCENARIOS (InvalidArgument if it is not a
/// directory), then `../share/idemctl/scenarios` next to the running binary (an install), then
/// the source tree (a build tree), then the install prefix. Unavailable when none exists.
Result<std::string> find_scenario_dir();

}  // namespace idem::verify
