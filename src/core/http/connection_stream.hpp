// One connection as an httplib::Stream while a worker serves one request on it. It starts with
// the bytes the HeadReader already read, remembers the raw bytes of the request head, so header
// values can be restored byte for byte (httplib 0.11 percent-decodes them), can be dropped
// unanswered, and gives back what it read past the request. On an HTTPS connection every byte
// goes through the connection's TlsSession (its buffered bytes count as readable). Not
// thread-safe: one worker uses it.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string_view>
#include <string>

namespace idem {

class TlsSession;

class ConnectionStream final : public httplib::Stream {
 public:
  /// `prefetched`: bytes already read from `sock`, served before the socket. `tls` (not owned,
  /// may be null): the connection's TLS session, through which everything is read and written.
  ConnectionStream(socket_t sock, std::chrono::microseconds read_timeout,
                   std::chrono::microseconds write_timeout, std::string prefetched = {},
                   TlsSession* tls = nullptr);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

  /// Starts recording the head (request line and headers) of the next request.
  void start_request();
  /// The raw head recorded so far, up to and including the blank line.
  const std::string& head() const { return head_; }
  /// Closes the connection without a word; every later write fails.
  void drop();
  bool dropped() const { return dropped_; }
  bool was_reset() const { return reset_; }
  /// Aborts the connection with a TCP reset instead of a close; every later write fails.
  void reset();
  /// Writes nothing until the peer hangs up, `limit` passes or `stop` is set, then drops:
  /// a server that took the request and never answered.
  void hold(std::chrono::milliseconds limit, const std::atomic<bool>& stop);
  /// Writes all of `bytes` (a partial answer), then drops. False if the peer went away first.
  bool write_all_then_drop(std::string_view bytes);
  /// The exchange broke the framing (an error httplib raised): close after answering.
  void request_close() { close_requested_ = true; }
  bool close_requested() const { return close_requested_; }
  /// Bytes read from the socket but not consumed (the start of a pipelined request).
  std::string take_unread();
  /// Bytes written so far.
  std::size_t written() const { return written_; }

 private:
  bool poll_socket(short events, std::chrono::microseconds timeout) const;
  ssize_t receive(char* ptr, size_t size);
  ssize_t send_all(const char* ptr, size_t size);

  static constexpr size_t kMaxHead = 64 * 1024;
  socket_t sock_;
  TlsSession* tls_;
  std::chrono::microseconds read_timeout_;
  std::chrono::microseconds write_timeout_;
  std::string buffer_;
  size_t buffer_begin_ = 0;
  std::string head_;
  bool head_complete_ = true;
  bool dropped_ = false;
  bool reset_ = false;
  bool close_requested_ = false;
  std::size_t written_ = 0;
};

/// Replaces the values of every header in `raw_head` that has a '%' in a value with its bytes as
/// sent (trimmed of surrounding spaces), undoing httplib's percent-decoding. Other entries stay.
void restore_raw_header_values(const std::string& raw_head, httplib::Request& req);

}  // namespace idem
