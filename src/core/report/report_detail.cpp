#include "report_detail.hpp"

#include <cstdio>

namespace idem::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto byte = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned min = 0;
  unsigned cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1Fu;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0Fu;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629 §3).
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void write_headers(std::ostream& out, std::string_view prefix, const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    out << prefix << one_line(name) << ": " << one_line(value) << '\n';
  }
}

}  // namespace

size_t utf8_prefix(std::string_view s, size_t limit) {
  if (limit >= s.size()) return s.size();
  size_t cut = limit;
  // Back up over continuation bytes (at most 3) to the start of the sequence that straddles.
  while (cut > 0 && limit - cut < 3 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return cut;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string one_line(std::string_view s) {
  const std::string text = valid_utf8(s);
  std::string out;
  out.reserve(text.size());
  char hex[8];
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string abbreviated_body(std::string_view body, size_t limit) {
  if (body.empty()) return "(empty)";
  const size_t cut = utf8_prefix(body, limit);
  std::string out = one_line(body.substr(0, cut));
  if (cut < body.size()) out += " ... (" + std::to_string(body.size()) + " bytes)";
  return out;
}

std::string seconds(std::chrono::milliseconds d, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, static_cast<double>(d.count()) / 1000.0);
  return buf;
}

void write_evidence(std::ostream& out, const CheckResult& check, std::string_view indent) {
  const std::string in(indent);
  if (!check.expected.empty()) out << in << "expected: " << one_line(check.expected) << '\n';
  for (const ExchangeRecord& ex : check.exchanges) {
    out << in << "-- " << one_line(ex.label) << " --\n";
    out << in << "> " << one_line(ex.method) << ' ' << one_line(ex.url) << '\n';
    write_headers(out, in + "> ", ex.request_headers);
    if (!ex.request_body.empty()) out << in << "> " << abbreviated_body(ex.request_body) << '\n';
    if (!ex.transport_error.empty()) {
      out << in << "< (no answer: " << one_line(ex.transport_error) << ")\n";
    } else {
      out << in << "< " << ex.status << '\n';
      write_headers(out, in + "< ", ex.response_headers);
      out << in << "< " << abbreviated_body(ex.response_body) << '\n';
    }
    if (ex.curl.size() > kShownCurlBytes) {
      out << in << "$ (curl command of " << ex.curl.size()
          << " bytes not shown; it is in the JSON report)\n";
    } else if (!ex.curl.empty()) {
      out << in << "$ " << one_line(ex.curl) << '\n';
    }
  }
}

}  // namespace idem::report
