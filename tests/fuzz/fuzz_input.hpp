// Helpers shared by the libFuzzer harnesses: the input as text, split into parts, and a check
// that aborts (libFuzzer then saves the input) when a property the parser promises is broken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace idem::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits at every `separator`, keeping empty parts: "a\n\nb" gives {"a", "", "b"}.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

/// Aborts with `what` when `condition` is false, in every build type (assert may be off).
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz property broken: %s\n", what);
    std::abort();
  }
}

}  // namespace idem::fuzz
