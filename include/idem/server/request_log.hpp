// One log line per request (text or JSON), written whole under a mutex so lines never
// interleave. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "idem/server/server_config.hpp"

namespace idem {

struct RequestLogEntry {
  std::string_view method;
  std::string_view path;
  std::string_view key;
  std::string_view outcome;
  int status = 0;
  std::chrono::microseconds latency{0};
};

class RequestLog {
 public:
  RequestLog(std::ostream* out, LogFormat format) : out_(out), format_(format) {}
  void write(const RequestLogEntry& entry);
  /// A warning line (store write failures and the like).
  void warn(std::string_view message, std::string_view key);
  bool enabled() const { return out_ != nullptr && format_ != LogFormat::None; }

 private:
  std::ostream* out_;
  LogFormat format_;
  std::mutex mu_;  // guards writes to *out_
};

}  // namespace idem
