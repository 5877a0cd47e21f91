// Test helper: a loopback HTTP server that records every request it gets and answers with the
// request body, so client tests can see exactly what went over the wire. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "idem/http.hpp"

namespace idem::test {

struct SeenRequest {
  std::string method;
  std::string path;
  HeaderList headers;
  std::string body;
  int remote_port = 0;
};

/// Routes (any method): "/echo" answers 200 with the body and headers X-Order: b, X-Order: a,
/// X-Empty (empty value); "/status/N" answers N; "/hold" answers only after release_held() (or
/// 10 s); "/big?bytes=N" answers N pseudo-random bytes (see big_body()).
class EchoServer {
 public:
  EchoServer();
  ~EchoServer();
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  std::vector<SeenRequest> seen() const;
  void release_held();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

/// `n` deterministic bytes covering every byte value, NUL and CR/LF included.
std::string big_body(size_t n);

}  // namespace idem::test
