// Test helper: a blocking TLS client on loopback (OpenSSL directly) that writes raw bytes, one
// TLS record per send(), and reads whole HTTP/1.1 responses, for edge tests that curl cannot
// express (pipelining over TLS, a kept-alive session handed between threads). Not thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

struct ssl_st;
struct ssl_ctx_st;

namespace idem::test {

class TlsConnection {
 public:
  /// Connects to 127.0.0.1:`port` and shakes hands trusting `ca_file`; with `cert`/`key`,
  /// presents that client certificate. ok() tells whether all of it worked.
  TlsConnection(int port, const std::string& ca_file, const std::string& cert = "",
                const std::string& key = "");
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  bool ok() const { return ok_; }
  /// Writes `bytes` as one TLS record (when under 16 KiB); false if that failed.
  bool send(std::string_view bytes);
  /// One whole response (head and Content-Length body), or what arrived before the peer
  /// closed or `timeout` passed.
  std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True once the peer closed (close_notify, EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Reads once into buffer_; false on close, error or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  bool ok_ = false;
  std::string buffer_;
};

}  // namespace idem::test
