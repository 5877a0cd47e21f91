// The guarded exchange: one request in, one response out. It owns the order of things (fault
// injection, Guard::begin, the executor, Guard::finish/abandon, the execution count, the
// request log and the metrics), so an HTTP adapter only translates. Knows no HTTP library.
// Safe for concurrent use: every collaborator it holds is itself thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idem/guard.hpp"
#include "idem/http.hpp"
#include "idem/server/execution_log.hpp"
#include "idem/server/fault.hpp"
#include "idem/server/metrics.hpp"
#include "idem/server/request_log.hpp"
#include "idem/server/server_config.hpp"

namespace idem {

/// A request as the pipeline reads it. The views point into the adapter's request and must
/// outlive run().
struct ExchangeRequest {
  std::string_view method;
  std::string_view path;    ///< for the request log
  std::string_view target;  ///< path with query, for the fingerprint
  std::string_view body;
  std::vector<std::string> key_lines;      ///< every value of the key header
  std::string_view scope_value;            ///< the scope header, empty if absent
  std::optional<std::string_view> fault;   ///< the Idemctl-Fault header, if sent
  /// Closes the client connection without an answer; returns false if it cannot (then the
  /// response is sent after all). Null: the exchange has no connection to drop.
  std::function<bool()> drop_connection;
};

/// What runs a request once the guard lets it: the demo app today, an upstream later.
class Executor {
 public:
  virtual ~Executor() = default;
  /// The response to send. May throw: the exchange is then answered 500 and the claim released.
  virtual HttpResponse execute(const ExchangeRequest& exchange) = 0;
};

/// An Executor from a callable, for routes whose executor is a one-liner.
template <class F>
class FunctionExecutor final : public Executor {
 public:
  explicit FunctionExecutor(F f) : f_(std::move(f)) {}
  HttpResponse execute(const ExchangeRequest& exchange) override { return f_(exchange); }

 private:
  F f_;
};

/// How an exchange ended for the adapter: send `response`, or nothing (the connection was
/// dropped on purpose).
struct ExchangeResult {
  bool answered = true;
  HttpResponse response;
};

class ExchangePipeline {
 public:
  /// Borrows every collaborator; they must outlive the pipeline.
  ExchangePipeline(const ServerConfig& config, const Guard& guard, ExecutionLog& executions,
                   ServerMetrics& metrics, RequestLog& log);

  /// The guarded exchange. Never throws: executor exceptions are answered 500.
  ExchangeResult run(const ExchangeRequest& exchange, Executor& executor);
  /// The same executor without guard or faults (the benchmark's baseline route).
  ExchangeResult run_unguarded(const ExchangeRequest& exchange, Executor& executor);
  /// Ends every Idemctl-Fault delay now and refuses later ones: those exchanges release their
  /// claim (nothing ran) and are answered 503. For shutdown; from any thread; irreversible.
  void interrupt_fault_delays();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  HttpResponse execute_with_faults(const ExchangeRequest& exchange, const FaultSpec& fault,
                                   const std::string& scoped_key, Executor& executor);
  void report_store_error(std::string_view phase, const Error& error, std::string_view key);
  /// Sleeps `delay` unless interrupt_fault_delays() comes first; false if it did.
  bool fault_delay(Millis delay);
  void finish_log(const ExchangeRequest& exchange, std::string_view key, Outcome outcome,
                  std::string_view label, int status, SteadyTime started);

  const ServerConfig& config_;
  const Guard& guard_;
  ExecutionLog& executions_;
  ServerMetrics& metrics_;
  RequestLog& log_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace idem
