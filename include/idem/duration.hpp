// Parsing and printing of human durations ("250ms", "30s", "1h", "1m30s"). Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

/// Parses one or more `<integer><unit>` parts, unit one of ms, s, m, h ("1h30m", "250ms").
/// A bare "0" is accepted. Anything else is InvalidArgument with a message naming the text.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Prints the shortest exact form: 3600000ms -> "1h", 1500ms -> "1500ms", 90s -> "90s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace idem
