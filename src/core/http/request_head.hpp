// The edge's check of a request head before any worker sees it: size limits, line syntax and
// framing (RFC 9112 §6.3: conflicting lengths are errors that close the connection). Pure
// functions over bytes, safe from any thread; fuzzed by tests/fuzz/request_head_fuzz.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace idem {

/// Longest request line, CRLF included (longer gets 414 and a close).
inline constexpr std::size_t kMaxRequestLine = 8 * 1024;
/// Longest header line, CRLF included (longer gets 431 and a close).
inline constexpr std::size_t kMaxHeaderLine = 8 * 1024;
/// Most header lines in one head (more gets 431 and a close).
inline constexpr std::size_t kMaxHeaderCount = 100;
/// Largest whole head, blank line included (larger gets 431 and a close).
inline constexpr std::size_t kMaxHeadBytes = 64 * 1024;

struct HeadCheck {
  enum class State {
    Incomplete,  ///< no blank line yet and no limit broken: read more
    Complete,    ///< a well-framed head of `head_size` bytes
    Rejected,    ///< answer `status` with `reason`, then close
  } state = State::Incomplete;
  std::size_t head_size = 0;      ///< Complete: bytes up to and including the blank line
  unsigned long long content_length = 0;  ///< Complete: declared body length (0 if none)
  bool chunked = false;           ///< Complete: Transfer-Encoding: chunked
  std::size_t path_offset = 0;    ///< Complete: where the target's path starts in the input
  std::size_t path_size = 0;      ///< Complete: its length (up to '?' or the space)
  int status = 0;                 ///< Rejected: 400, 413, 414, 431 or 501
  std::string reason;             ///< Rejected: one line for the problem detail and the log
};

/// Checks the bytes received so far on a connection, from the start of a request. Rejects
/// bare CR or LF, NUL, obsolete line folding, header names that are not tokens, more than one
/// Content-Length, a Content-Length that is not digits or overflows, a Content-Length above
/// `max_body`, Transfer-Encoding with Content-Length, and any Transfer-Encoding but "chunked".
HeadCheck check_request_head(std::string_view received, unsigned long long max_body);

}  // namespace idem
