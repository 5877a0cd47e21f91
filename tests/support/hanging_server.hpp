// Test helper: a loopback TCP server that accepts every connection and never answers (a target
// that hangs). Connections are held open until destruction. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace idem::test {

class HangingServer {
 public:
  HangingServer();
  ~HangingServer();
  HangingServer(const HangingServer&) = delete;
  HangingServer& operator=(const HangingServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Waits (bounded by `timeout`) until `n` connections were accepted; false on timeout.
  bool wait_for_connections(size_t n, std::chrono::milliseconds timeout);

 private:
  void accept_loop();

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;  // guards held_
  std::condition_variable accepted_;
  std::vector<int> held_;
  std::thread thread_;
};

}  // namespace idem::test
