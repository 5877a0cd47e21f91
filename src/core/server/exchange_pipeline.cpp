#include "idem/server/exchange_pipeline.hpp"

#include <random>
#include <thread>

#include "idem/duration.hpp"

namespace idem {
namespace {

// Thrown out of a fault delay cut short by shutdown: the claim is released, nothing ran.
struct FaultDelayInterrupted {};

// Counts an exchange as in flight for its whole run, whichever way it leaves.
class InFlight {
 public:
  explicit InFlight(ServerMetrics& metrics) : metrics_(metrics) { metrics_.request_started(); }
  ~InFlight() { metrics_.request_ended(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ServerMetrics& metrics_;
};

bool roll(double rate) {
  if (rate <= 0.0) return false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < rate;
}

}  // namespace

ExchangePipeline::ExchangePipeline(const ServerConfig& config, const Guard& guard,
                                   ExecutionLog& executions, ServerMetrics& metrics,
                                   RequestLog& log)
    : config_(config), guard_(guard), executions_(executions), metrics_(metrics), log_(log) {}

void ExchangePipeline::finish_log(const ExchangeRequest& exchange, std::string_view key,
                                  Outcome outcome, std::string_view label, int status,
                                  SteadyTime started) {
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  metrics_.record(outcome, latency);
  log_.write({exchange.method, exchange.path, key, label, status, latency});
}

void ExchangePipeline::report_store_error(std::string_view phase, const Error& error,
                                          std::string_view key) {
  metrics_.record_store_write_failure();
  log_.warn(std::string(phase) + ": " + error.message, key);
}

HttpResponse ExchangePipeline::execute_with_faults(const ExchangeRequest& exchange,
                                                   const FaultSpec& fault,
                                                   const std::string& scoped_key,
                                                   Executor& executor) {
  if (fault.delay.count() > 0 && !fault_delay(fault.delay)) throw FaultDelayInterrupted{};
  if (config_.handler_delay.count() > 0) std::this_thread::sleep_for(config_.handler_delay);
  if (fault.throw_error) throw std::runtime_error("handler failure injected by Idemctl-Fault");
  if (fault.status) {
    return make_problem(*fault.status, "injected-fault", "Injected fault",
                        "this failure was asked for with " + std::string(kFaultHeader));
  }
  if (roll(config_.fail_rate)) {
    return make_problem(500, "injected-fault", "Injected fault", "--fail-rate chose this request");
  }
  executions_.record(scoped_key);
  return executor.execute(exchange);
}

bool ExchangePipeline::fault_delay(Millis delay) {
  std::unique_lock lock(stop_mutex_);
  return !stop_cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void ExchangePipeline::interrupt_fault_delays() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

ExchangeResult ExchangePipeline::run(const ExchangeRequest& exchange, Executor& executor) {
  const auto started = std::chrono::steady_clock::now();
  const InFlight in_flight(metrics_);
  FaultSpec fault;
  if (config_.fault_header && exchange.fault) {
    auto parsed = parse_fault_spec(*exchange.fault);
    if (parsed && parsed->delay > config_.max_fault_delay) {
      parsed = make_error(ErrorCode::InvalidArgument,
                          "delay=" + format_duration(parsed->delay) + " is above the server's " +
                              "--max-fault-delay " + format_duration(config_.max_fault_delay));
    }
    if (!parsed) {
      finish_log(exchange, "", Outcome::Rejected, "rejected", 400, started);
      return {true, make_problem(400, "bad-fault", "Bad fault header", parsed.error().message)};
    }
    fault = *parsed;
  }

  const GuardRequest greq{exchange.method, exchange.target, exchange.body, exchange.key_lines,
                          exchange.scope_value};
  Decision decision = guard_.begin(greq);
  if (decision.action == Decision::Action::Respond) {
    if (decision.outcome == Outcome::StoreError) {
      // Nothing ran (fail closed); the warning says why the caller got 503.
      log_.warn("claim failed, answered 503: " + decision.store_error->message, decision.key);
    }
    finish_log(exchange, decision.key, decision.outcome, to_string(decision.outcome),
               decision.response.status, started);
    return {true, std::move(decision.response)};
  }

  if (fault.crash) {
    // The holder "dies": no answer, no release. Only the lock's expiry frees the key.
    if (exchange.drop_connection) exchange.drop_connection();
    finish_log(exchange, decision.key, decision.outcome, "crashed", 0, started);
    return {false, {}};
  }
  HttpResponse response;
  try {
    // Executions are counted under the caller's true scope, whatever a bug mode does to records.
    response = execute_with_faults(exchange, fault, decision.scoped_key, executor);
  } catch (const FaultDelayInterrupted&) {
    const FinishResult released = guard_.abandon(decision.ticket);
    if (released.store_error) {
      report_store_error("claim not released", *released.store_error, decision.key);
    }
    finish_log(exchange, decision.key, decision.outcome, "interrupted", 503, started);
    HttpResponse stopping = make_problem(503, "shutting-down", "Shutting down",
                                         "the server stopped during the Idemctl-Fault delay; "
                                         "nothing ran, retry");
    stopping.headers.emplace_back("Retry-After", "1");
    return {true, std::move(stopping)};
  } catch (const std::exception& e) {
    const FinishResult released = guard_.abandon(decision.ticket);
    if (released.store_error) {
      report_store_error("claim not released", *released.store_error, decision.key);
    }
    finish_log(exchange, decision.key, decision.outcome, "failed", 500, started);
    return {true, make_problem(500, "handler-error", "Handler error", e.what())};
  }
  const FinishResult finished = guard_.finish(decision.ticket, response);
  if (finished.store_error) {
    report_store_error("response sent but not stored", *finished.store_error, decision.key);
  }
  if (fault.drop && exchange.drop_connection && exchange.drop_connection()) {
    finish_log(exchange, decision.key, decision.outcome, "dropped", response.status, started);
    return {false, {}};
  }
  finish_log(exchange, decision.key, decision.outcome, to_string(decision.outcome),
             response.status, started);
  return {true, std::move(response)};
}

ExchangeResult ExchangePipeline::run_unguarded(const ExchangeRequest& exchange, Executor& executor) {
  const auto started = std::chrono::steady_clock::now();
  const InFlight in_flight(metrics_);
  executions_.record("");
  HttpResponse response = executor.execute(exchange);
  finish_log(exchange, "", Outcome::Passed, "passed", response.status, started);
  return {true, std::move(response)};
}

}  // namespace idem
