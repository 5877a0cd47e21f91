#include "idem/duration.hpp"

#include <cctype>
#include <cstdint>
#include <limits>

namespace idem {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto invalid = [&] {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid duration '" + std::string(text) +
                          "': expected a number with a unit, like 250ms, 30s, 5m or 1h");
  };
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return invalid();
  std::int64_t total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return invalid();
    std::int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      // Bounded by what any unit could still represent: format_duration prints large values in
      // ms, which must parse back.
      const int digit = text[i] - '0';
      if (n > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return invalid();
      n = n * 10 + digit;
      ++i;
    }
    std::int64_t unit_ms = 0;
    if (text.substr(i, 2) == "ms") {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit_ms = 1000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit_ms = 60'000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit_ms = 3'600'000;
      ++i;
    } else {
      return invalid();
    }
    // Each part fits (bounded above); their sum must too: "256204778801h" eleven times wraps.
    if (n > (std::numeric_limits<std::int64_t>::max() - total_ms) / unit_ms) return invalid();
    total_ms += n * unit_ms;
  }
  return std::chrono::milliseconds{total_ms};
}

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace idem
