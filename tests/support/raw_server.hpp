// Test helper: a loopback TCP server that reads whole HTTP/1.1 requests as raw bytes and answers
// each with a canned response, so tests can check what went over the wire byte by byte.
// Serves one connection at a time on its own thread; seen() is thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace idem::test {

class RawServer {
 public:
  /// `response` is written verbatim after each request (it should carry Content-Length).
  explicit RawServer(std::string response);
  ~RawServer();
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  /// Raw bytes of every request received so far (head and body).
  std::vector<std::string> seen() const;

 private:
  void serve();
  int listen_fd_ = -1;
  int port_ = 0;
  std::string response_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;  // guards seen_
  std::vector<std::string> seen_;
  std::thread thread_;
};

}  // namespace idem::test
