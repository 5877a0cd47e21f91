// Test helper: a loopback TCP client that writes raw bytes and reads what comes back, for edge
// tests (smuggling, oversized heads, slow clients) that a well-behaved HTTP client cannot send.
// One connection per object; not thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace idem::test {

class RawConnection {
 public:
  /// Connects to 127.0.0.1:`port`; connected() is false if that failed.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Writes all of `bytes`; false if the peer closed or the write failed.
  bool send(std::string_view bytes);
  /// Reads until the peer closes or `timeout` passes; returns what arrived.
  std::string read_until_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Reads until `needle` has arrived, the peer closes, or `timeout` passes.
  std::string read_until(std::string_view needle,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True once the peer has closed (reads EOF or reset within `timeout`); data is discarded.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Reads once with `timeout`; returns bytes read, 0 on EOF/reset, -1 on timeout.
  long read_some(std::string& out, std::chrono::milliseconds timeout);
  int fd_ = -1;
};

/// Sends `bytes` on a fresh connection and returns everything answered until the server closes
/// (or 10 s pass).
std::string raw_exchange(int port, std::string_view bytes);

/// The number of HTTP responses ("HTTP/1.1 " status lines) in `wire`.
int count_responses(std::string_view wire);

}  // namespace idem::test
