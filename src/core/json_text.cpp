#include "json_text.hpp"

#include <algorithm>

namespace idem {

bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return true;
}

nlohmann::json parse_bounded_json(std::string_view text) {
  if (!json_depth_within(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

Result<nlohmann::json> parse_json_file_text(std::string_view text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte the parser stopped at.
    const size_t at = std::min(text.size(), e.byte > 0 ? e.byte - 1 : 0);
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    // "[json.exception.parse_error.101] parse error at line 3, column 3: syntax error ...":
    // the part after the position is what the parser saw.
    std::string what = e.what();
    if (const size_t colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
    return make_error(ErrorCode::InvalidArgument, file + ": line " + std::to_string(line) +
                                                      ", column " + std::to_string(column) +
                                                      ": not JSON: " + what);
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (111e1111, found by tests/fuzz/config_fuzz) fails the
    // parse with out_of_range and no position; it used to escape and end the process.
    std::string what = e.what();
    if (const size_t bracket = what.find("] "); bracket != std::string::npos) what.erase(0, bracket + 2);
    return make_error(ErrorCode::InvalidArgument, file + ": not JSON: " + what);
  }
}

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace idem
