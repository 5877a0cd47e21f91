#include "json_member.hpp"

namespace idem {
namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && space(s[i])) ++i;
  return i;
}

constexpr size_t kMaxPlainDigits = 18;

bool ends_value(char c) { return space(c) || c == ',' || c == '}'; }

/// A string without escapes or control bytes, or an integer, starting at `i`.
std::optional<std::string_view> plain_scalar(std::string_view s, size_t i) {
  if (i >= s.size()) return std::nullopt;
  if (s[i] == '"') {
    for (size_t j = i + 1; j < s.size(); ++j) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c == '"') return s.substr(i, j - i + 1);
      if (c == '\\' || c < 0x20) return std::nullopt;  // dump() would re-escape it
    }
    return std::nullopt;
  }
  size_t j = i;
  if (s[j] == '-') ++j;
  const size_t digits = j;
  while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
  if (j == digits || j >= s.size() || !ends_value(s[j])) return std::nullopt;
  // Up to 18 digits always fit an int64; a longer integer may become a double in the full parse
  // (found by tests/fuzz/json_member_fuzz), so the caller parses it.
  if (j - digits > kMaxPlainDigits) return std::nullopt;
  if (s[digits] == '0' && j - digits > 1) return std::nullopt;  // not JSON
  if (s[i] == '-' && j - digits == 1 && s[digits] == '0') return std::nullopt;  // -0 dumps as 0
  return s.substr(i, j - i);
}

}  // namespace

std::optional<std::string_view> top_level_member(std::string_view s, std::string_view name) {
  size_t i = skip_space(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  int depth = 0;
  // The whole object is scanned: with a repeated member the last one counts (as in nlohmann's
  // parse, found by tests/fuzz/json_member_fuzz), and an escaped name could spell `name`.
  std::optional<std::string_view> found;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      size_t j = i + 1;
      bool escaped = false;
      while (j < s.size() && s[j] != '"') {
        if (s[j] == '\\') {
          escaped = true;
          ++j;
        }
        ++j;
      }
      if (j >= s.size()) return std::nullopt;
      const std::string_view text = s.substr(i + 1, j - i - 1);
      i = j + 1;
      if (depth != 1) continue;
      const size_t colon = skip_space(s, i);
      if (colon >= s.size() || s[colon] != ':') continue;  // a value, not a member name
      if (escaped) return std::nullopt;  // the caller's parse decodes it
      if (text != name) continue;
      found = plain_scalar(s, skip_space(s, colon + 1));
      if (!found) return std::nullopt;  // not a plain value: the caller parses
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return found;  // the object ended
    ++i;
  }
  return std::nullopt;
}

std::optional<std::string_view> single_level_pointer(std::string_view pointer) {
  if (pointer.size() < 2 || pointer[0] != '/') return std::nullopt;
  const std::string_view name = pointer.substr(1);
  if (name.find_first_of("/~") != std::string_view::npos) return std::nullopt;
  return name;
}

}  // namespace idem
