#include "request_head.hpp"

#include <charconv>

#include "idem/http.hpp"

namespace idem {
namespace {

HeadCheck reject(int status, std::string reason) {
  HeadCheck c;
  c.state = HeadCheck::State::Rejected;
  c.status = status;
  c.reason = std::move(reason);
  return c;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Framing {
  int content_lengths = 0;
  int transfer_encodings = 0;
  unsigned long long content_length = 0;
  std::string_view transfer_encoding;
};

// One header line without its CRLF. Empty on success, else the rejection.
HeadCheck check_header_line(std::string_view line, Framing& framing) {
  if (line.front() == ' ' || line.front() == '\t') {
    return reject(400, "obsolete line folding in the request head");
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return reject(400, "a header line without a field name and ':'");
  }
  const std::string_view name = line.substr(0, colon);
  if (!is_header_name(name)) {
    return reject(400, "a header name with a character that is not a token");
  }
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (iequals(name, "Content-Length")) {
    if (++framing.content_lengths > 1) return reject(400, "more than one Content-Length");
    if (value.empty() || value.size() > 18) {
      return reject(400, "Content-Length is not a length (1 to 18 digits)");
    }
    for (const char ch : value) {
      if (ch < '0' || ch > '9') return reject(400, "Content-Length is not a length (digits only)");
    }
    std::from_chars(value.data(), value.data() + value.size(), framing.content_length);
  } else if (iequals(name, "Transfer-Encoding")) {
    if (++framing.transfer_encodings > 1) return reject(400, "more than one Transfer-Encoding");
    framing.transfer_encoding = value;
  }
  return {};
}

}  // namespace

HeadCheck check_request_head(std::string_view received, unsigned long long max_body) {
  Framing framing;
  std::string_view request_line;
  size_t header_count = 0;
  size_t pos = 0;
  for (;;) {
    const size_t lf = received.find('\n', pos);
    const size_t line_limit = pos == 0 ? kMaxRequestLine : kMaxHeaderLine;
    const size_t line_end = lf == std::string_view::npos ? received.size() : lf + 1;
    if (line_end - pos > line_limit) {
      return pos == 0 ? reject(414, "the request line is longer than 8 KiB")
                      : reject(431, "a header line is longer than 8 KiB");
    }
    if (line_end > kMaxHeadBytes) return reject(431, "the request head is larger than 64 KiB");
    const std::string_view line = received.substr(pos, line_end - pos);
    // Bytes that split lines differently in different parsers are refused wherever they are.
    for (size_t i = 0; i < line.size(); ++i) {
      const char ch = line[i];
      if (ch == '\0') return reject(400, "a NUL byte in the request head");
      if (ch == '\n' && (i == 0 || line[i - 1] != '\r')) {
        return reject(400, "a bare LF in the request head (lines end with CRLF)");
      }
      if (ch == '\r' && i + 1 < line.size() && line[i + 1] != '\n') {
        return reject(400, "a bare CR in the request head");
      }
    }
    if (lf == std::string_view::npos) return {};  // Incomplete
    const std::string_view content = line.substr(0, line.size() - 2);
    pos = line_end;
    if (request_line.empty()) {
      if (content.empty()) return reject(400, "an empty request line");
      request_line = content;
      continue;
    }
    if (content.empty()) break;  // the blank line ends the head
    if (++header_count > kMaxHeaderCount) {
      return reject(431, "more than " + std::to_string(kMaxHeaderCount) + " header lines");
    }
    HeadCheck bad = check_header_line(content, framing);
    if (bad.state == HeadCheck::State::Rejected) return bad;
  }

  if (framing.transfer_encodings > 0 && framing.content_lengths > 0) {
    return reject(400, "both Content-Length and Transfer-Encoding");
  }
  if (framing.transfer_encodings > 0 && !iequals(framing.transfer_encoding, "chunked")) {
    return reject(501, "Transfer-Encoding other than chunked is not supported");
  }
  if (framing.content_length > max_body) {
    return reject(413, "the body is larger than --max-body");
  }
  HeadCheck ok;
  ok.state = HeadCheck::State::Complete;
  ok.head_size = pos;
  ok.content_length = framing.content_length;
  ok.chunked = framing.transfer_encodings > 0;
  const size_t sp1 = request_line.find(' ');
  if (sp1 != std::string_view::npos) {
    std::string_view target = request_line.substr(sp1 + 1);
    target = target.substr(0, target.find(' '));
    ok.path_offset = sp1 + 1;
    ok.path_size = target.substr(0, target.find('?')).size();
  }
  return ok;
}

}  // namespace idem
