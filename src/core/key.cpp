#include "idem/key.hpp"

#include <cctype>

#include "idem/random.hpp"

namespace idem {
namespace {

bool is_printable_ascii(char c) { return c >= 0x20 && c <= 0x7e; }

// RFC 8941 §3.3.3: an sf-string is DQUOTE *(unescaped / "\" ( DQUOTE / "\" )) DQUOTE.
Result<std::string> unquote_sf_string(std::string_view text) {
  if (text.size() < 2 || text.back() != '"') {
    return make_error(ErrorCode::InvalidArgument, "the quoted key has no closing quote");
  }
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 2 >= text.size() || (text[i + 1] != '"' && text[i + 1] != '\\')) {
        return make_error(ErrorCode::InvalidArgument,
                          "the quoted key has an escape other than \\\" or \\\\");
      }
      out += text[++i];
    } else if (c == '"') {
      return make_error(ErrorCode::InvalidArgument, "the quoted key has an unescaped quote");
    } else if (!is_printable_ascii(c)) {
      return make_error(ErrorCode::InvalidArgument, "the key has a non-printable character");
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<KeyFormat> parse_key_format(std::string_view text) {
  if (text == "uuid4") return KeyFormat::Uuid4;
  if (text == "any") return KeyFormat::Any;
  return make_error(ErrorCode::InvalidArgument,
                    "invalid key format '" + std::string(text) + "': expected uuid4 or any");
}

std::string_view to_string(KeyFormat format) {
  return format == KeyFormat::Uuid4 ? "uuid4" : "any";
}

bool is_uuid4(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(s[19])));
  return s[14] == '4' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

std::string new_uuid4() { return random_uuid4(); }

Result<std::optional<std::string>> parse_idempotency_key(const std::vector<std::string>& lines,
                                                         KeyFormat format) {
  if (lines.empty()) return std::optional<std::string>{};
  if (lines.size() > 1) {
    return make_error(ErrorCode::InvalidArgument,
                      "the request has more than one idempotency key header line");
  }
  const std::string_view raw = lines.front();
  std::string key;
  if (!raw.empty() && raw.front() == '"') {
    auto unquoted = unquote_sf_string(raw);
    if (!unquoted) return unquoted.error();
    key = std::move(unquoted).value();
  } else {
    for (char c : raw) {
      if (!is_printable_ascii(c)) {
        return make_error(ErrorCode::InvalidArgument, "the key has a non-printable character");
      }
    }
    key = std::string(raw);
  }
  if (key.empty()) return make_error(ErrorCode::InvalidArgument, "the key is empty");
  if (key.size() > kMaxKeyLength) {
    return make_error(ErrorCode::InvalidArgument,
                      "the key is longer than " + std::to_string(kMaxKeyLength) + " characters");
  }
  if (format == KeyFormat::Uuid4 && !is_uuid4(key)) {
    return make_error(ErrorCode::InvalidArgument, "the key is not a UUID v4");
  }
  return std::optional<std::string>{std::move(key)};
}

}  // namespace idem
