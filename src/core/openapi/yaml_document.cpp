#include "openapi/yaml_document.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "json_text.hpp"

namespace idem::openapi {
namespace {

class YamlError : public std::runtime_error {
 public:
  YamlError(int line, const std::string& what) : std::runtime_error(what), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// [-+]?[0-9]+ (is_int) or [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? (a float), by
// hand: std::regex recurses per character and a long scalar would overflow the stack.
bool core_number(const std::string& s, bool& is_int) {
  size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  const size_t whole = digits();
  size_t fraction = 0;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    fraction = digits();
  }
  if (whole == 0 && fraction == 0) return false;
  bool exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    exponent = true;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  is_int = !dot && !exponent;
  return i == s.size();
}

// A plain scalar by the YAML 1.2 core schema (§10.3.2): null, bool, int, float, else string.
Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  bool is_int = false;
  if (!core_number(s, is_int)) return s;
  if (is_int) {
    long long v = 0;
    const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc{} && end == s.data() + s.size()) return v;
  }
  const double v = std::strtod(s.c_str(), nullptr);
  if (std::isfinite(v)) return v;
  return s;  // too large for a double: kept as text, as .inf and .nan are (JSON has neither)
}

struct Converter {
  LineMap& lines;
  size_t values = 0;

  Json convert(const YAML::Node& node, const std::string& path, size_t depth) {
    const int line = node.Mark().line + 1;
    if (++values > kMaxYamlValues) {
      throw YamlError(line, "more than " + std::to_string(kMaxYamlValues) +
                                " values (aliases expanded); expected a smaller document");
    }
    if (depth > kMaxJsonDepth) {
      throw YamlError(line, "nested deeper than " + std::to_string(kMaxJsonDepth));
    }
    lines.emplace(path, line);
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        // "!" marks a quoted scalar: always a string; !!str too.
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
        return plain_scalar(node.Scalar());
      }
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        size_t i = 0;
        for (const YAML::Node& item : node) {
          out.push_back(convert(item, path + "[" + std::to_string(i++) + "]", depth + 1));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            throw YamlError(kv.first.Mark().line + 1, "expected a scalar mapping key");
          }
          const std::string key = kv.first.Scalar();
          if (out.contains(key)) {
            throw YamlError(kv.first.Mark().line + 1, "duplicate key '" + key + "'");
          }
          // Kept in one spelling, ["key"]; line_of() brings a query to it.
          out[key] = convert(kv.second, path + "[\"" + key + "\"]", depth + 1);
        }
        return out;
      }
    }
    return nullptr;
  }
};

// `$.a["b"].c[0]` -> `$["a"]["b"]["c"][0]`: the one spelling the line map keeps.
std::string canonical(const std::string& path) {
  std::string out = "$";
  size_t i = path.starts_with("$") ? 1 : 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      const size_t end = path.find_first_of(".[", i + 1);
      out += "[\"" + path.substr(i + 1, end - i - 1) + "\"]";
      i = end == std::string::npos ? path.size() : end;
    } else if (path[i] == '[') {
      // ["..."] up to its closing quote and bracket, or [N].
      const size_t end = path[i + 1] == '"' ? path.find("\"]", i + 2) : path.find(']', i);
      if (end == std::string::npos) break;
      const size_t stop = path[i + 1] == '"' ? end + 2 : end + 1;
      out += path.substr(i, stop - i);
      i = stop;
    } else {
      break;
    }
  }
  return out;
}

}  // namespace

Result<Json> parse_yaml_document(const std::string& text, const std::string& file,
                                 LineMap& lines) {
  // yaml-cpp parses flow collections recursively: "[[[[..." must not reach it unbounded. Every
  // bracket counts, quoted or not, so this never underestimates the nesting.
  size_t depth = 0;
  int line = 1;
  for (const char c : text) {
    line += c == '\n' ? 1 : 0;
    if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return make_error(ErrorCode::InvalidArgument,
                          file + ": line " + std::to_string(line) + ": nested deeper than " +
                              std::to_string(kMaxJsonDepth) + " ('[' and '{' counted)");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  try {
    const YAML::Node root = YAML::Load(text);
    Converter c{lines};
    return c.convert(root, "$", 0);
  } catch (const YamlError& e) {
    return make_error(ErrorCode::InvalidArgument,
                      file + ": line " + std::to_string(e.line()) + ": " + e.what());
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::InvalidArgument, file + ": line " +
                                                      std::to_string(e.mark.line + 1) +
                                                      ": not YAML: " + e.msg);
  }
}

std::string line_of(const LineMap& lines, const std::string& path) {
  if (lines.empty()) return "";
  for (std::string p = canonical(path); !p.empty();) {
    if (auto it = lines.find(p); it != lines.end()) {
      return " (line " + std::to_string(it->second) + ")";
    }
    // Up one level: drop the last [..] (a key may itself hold '[', so search from its quote).
    const size_t cut = p.ends_with("\"]") ? p.rfind("[\"") : p.rfind('[');
    if (cut == std::string::npos || cut == 0) break;
    p.resize(cut);
  }
  return "";
}

}  // namespace idem::openapi
