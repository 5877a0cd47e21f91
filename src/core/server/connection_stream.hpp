// One accepted connection as an httplib::Stream, owned by the worker thread serving it. Unlike
// httplib's own stream it remembers the raw bytes of each request head, so header values can be
// restored byte for byte (httplib 0.11 percent-decodes them), and it can be dropped unanswered.
// Not thread-safe: used only by its worker thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>

namespace idem {

class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(socket_t sock, std::chrono::microseconds read_timeout,
                   std::chrono::microseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

  /// Waits up to `idle` for the next request's first byte; gives up early once `running`
  /// returns false (the server is stopping).
  bool wait_for_request(std::chrono::milliseconds idle, const std::function<bool()>& running);
  /// Starts recording the head (request line and headers) of the next request.
  void start_request();
  /// The raw head recorded so far, up to and including the blank line.
  const std::string& head() const { return head_; }
  /// Closes the connection without a word; every later write fails.
  void drop();
  bool dropped() const { return dropped_; }

 private:
  bool poll_socket(short events, std::chrono::microseconds timeout) const;

  static constexpr size_t kMaxHead = 64 * 1024;
  socket_t sock_;
  std::chrono::microseconds read_timeout_;
  std::chrono::microseconds write_timeout_;
  char buffer_[4096];
  size_t buffer_begin_ = 0;
  size_t buffer_end_ = 0;
  std::string head_;
  bool head_complete_ = true;
  bool dropped_ = false;
};

/// Replaces the values of every header in `raw_head` that has a '%' in a value with its bytes as
/// sent (trimmed of surrounding spaces), undoing httplib's percent-decoding. Other entries stay.
void restore_raw_header_values(const std::string& raw_head, httplib::Request& req);

}  // namespace idem
