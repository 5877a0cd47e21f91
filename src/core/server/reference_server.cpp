#include "idem/server/reference_server.hpp"

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "http_listener.hpp"
#include "idem/fingerprint.hpp"
#include "idem/server/fault.hpp"
#include "idem/server/payments.hpp"
#include "request_log.hpp"

namespace idem {
namespace {

using AppHandler = std::function<HttpResponse(const httplib::Request&)>;

constexpr size_t kMaxPadBytes = 64u << 20;

// Every value of header `name` (httplib's map compares names case-insensitively).
std::vector<std::string> header_lines(const httplib::Request& req, const std::string& name) {
  std::vector<std::string> out;
  const auto [begin, end] = req.headers.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

void write_response(const HttpResponse& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [name, value] : r.headers) res.set_header(name, value);
  res.body = r.body;
}

std::string json_response_body(const nlohmann::json& j) { return j.dump() + "\n"; }

HttpResponse json_response(int status, const nlohmann::json& j) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, json_response_body(j)};
}

bool roll(double rate) {
  if (rate <= 0.0) return false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < rate;
}

}  // namespace

struct ReferenceServer::Impl {
  Impl(ServerConfig c, std::unique_ptr<Store> s, std::ostream* log_out, const Clock& clock)
      : config(std::move(c)),
        store(std::move(s)),
        guard(config.guard, *store),
        payments(config.guard.ttl + config.guard.lock_ttl, kMaxPayments, clock),
        executions(config.guard.ttl + config.guard.lock_ttl, clock),
        log(log_out, config.log_format) {}

  void install_routes();
  void serve_guarded(const httplib::Request& req, httplib::Response& res, const AppHandler& app);
  HttpResponse run_handler(const httplib::Request& req, const FaultSpec& fault,
                           const std::string& execution_key, const AppHandler& app);
  void finish_log(const httplib::Request& req, std::string_view key, Outcome outcome,
                  std::string_view label, int status,
                  std::chrono::steady_clock::time_point started);
  std::string scope_of(const httplib::Request& req) const {
    return req.get_header_value(config.guard.scope_header);
  }

  ServerConfig config;
  std::unique_ptr<Store> store;
  Guard guard;
  PaymentsApp payments;
  ExecutionLog executions;
  ServerMetrics metrics;
  RequestLog log;
  HttpListener listener;
  int port = 0;
};

void ReferenceServer::Impl::finish_log(const httplib::Request& req, std::string_view key,
                                       Outcome outcome, std::string_view label, int status,
                                       std::chrono::steady_clock::time_point started) {
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  metrics.record(outcome, latency);
  log.write({req.method, req.path, key, label, status, latency});
}

HttpResponse ReferenceServer::Impl::run_handler(const httplib::Request& req,
                                                const FaultSpec& fault,
                                                const std::string& execution_key,
                                                const AppHandler& app) {
  const Millis delay = fault.delay + config.handler_delay;
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  if (fault.throw_error) throw std::runtime_error("handler failure injected by Idemctl-Fault");
  if (fault.status) {
    return make_problem(*fault.status, "injected-fault", "Injected fault",
                        "this failure was asked for with " + std::string(kFaultHeader));
  }
  if (roll(config.fail_rate)) {
    return make_problem(500, "injected-fault", "Injected fault", "--fail-rate chose this request");
  }
  executions.record(execution_key);
  return app(req);
}

void ReferenceServer::Impl::serve_guarded(const httplib::Request& req, httplib::Response& res,
                                          const AppHandler& app) {
  const auto started = std::chrono::steady_clock::now();
  FaultSpec fault;
  if (config.fault_header && req.has_header(std::string(kFaultHeader).c_str())) {
    auto parsed = parse_fault_spec(req.get_header_value(std::string(kFaultHeader)));
    if (!parsed) {
      write_response(make_problem(400, "bad-fault", "Bad fault header", parsed.error().message),
                     res);
      finish_log(req, "", Outcome::Rejected, "rejected", 400, started);
      return;
    }
    fault = *parsed;
  }

  const std::string scope = scope_of(req);
  const GuardRequest greq{req.method, req.target, req.body,
                          header_lines(req, config.guard.key_header), scope};
  const Decision decision = guard.begin(greq);
  if (decision.action == Decision::Action::Respond) {
    write_response(decision.response, res);
    finish_log(req, decision.key, decision.outcome, to_string(decision.outcome),
               decision.response.status, started);
    return;
  }

  // Executions are counted under the caller's true scope, whatever a bug mode does to records.
  const std::string& execution_key = decision.scoped_key;
  if (fault.crash) {
    // The holder "dies": no answer, no release. Only the lock's expiry frees the key.
    drop_connection(req);
    finish_log(req, decision.key, decision.outcome, "crashed", 0, started);
    return;
  }
  HttpResponse response;
  try {
    response = run_handler(req, fault, execution_key, app);
  } catch (const std::exception& e) {
    guard.abandon(decision.ticket);
    write_response(make_problem(500, "handler-error", "Handler error", e.what()), res);
    finish_log(req, decision.key, decision.outcome, "failed", 500, started);
    return;
  }
  const FinishResult finished = guard.finish(decision.ticket, response);
  if (finished.store_error) {
    metrics.record_store_write_failure();
    log.warn("response sent but not stored: " + finished.store_error->message, decision.key);
  }
  if (fault.drop && drop_connection(req)) {
    finish_log(req, decision.key, decision.outcome, "dropped", response.status, started);
    return;
  }
  write_response(response, res);
  finish_log(req, decision.key, decision.outcome, to_string(decision.outcome), response.status,
             started);
}

void ReferenceServer::Impl::install_routes() {
  const AppHandler create_payment = [this](const httplib::Request& req) {
    size_t pad = 0;
    if (req.has_param("pad")) {
      pad = std::min<size_t>(std::strtoull(req.get_param_value("pad").c_str(), nullptr, 10),
                             kMaxPadBytes);
    }
    return payments.create(req.body, pad);
  };
  listener.Post("/payments", [this, create_payment](const httplib::Request& req,
                                                    httplib::Response& res) {
    serve_guarded(req, res, create_payment);
  });
  // The same handler without the guard, so benchmarks can measure what the guard costs.
  listener.Post("/unguarded/payments", [this, create_payment](const httplib::Request& req,
                                                              httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    executions.record("");
    const HttpResponse r = create_payment(req);
    write_response(r, res);
    finish_log(req, "", Outcome::Passed, "passed", r.status, started);
  });
  listener.Get(R"(/payments/([^/]+))", [this](const httplib::Request& req,
                                             httplib::Response& res) {
    const std::string id = req.matches[1];
    serve_guarded(req, res, [this, id](const httplib::Request&) { return payments.get(id); });
  });
  listener.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    auto ping = store->ping();
    nlohmann::json body = {{"status", ping ? "ok" : "degraded"}, {"store", store->describe()}};
    if (!ping) body["detail"] = ping.error().message;
    write_response(json_response(ping ? 200 : 503, body), res);
  });
  listener.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.render_prometheus(executions.total()),
                    "text/plain; version=0.0.4");
  });
  listener.Get("/__idem/executions", [this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("key")) {
      write_response(make_problem(400, "missing-parameter", "Missing parameter",
                                  "use /__idem/executions?key=KEY"),
                     res);
      return;
    }
    const std::string key = req.get_param_value("key");
    const long long n = executions.count(ReferenceServer::execution_key(scope_of(req), key));
    write_response(json_response(200, {{"key", key}, {"executions", n}}), res);
  });
  listener.Get("/__idem/stats", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json requests = nlohmann::json::object();
    for (Outcome o : {Outcome::Passed, Outcome::Executed, Outcome::Replayed, Outcome::Conflict,
                      Outcome::Mismatch, Outcome::Rejected, Outcome::StoreError}) {
      requests[std::string(to_string(o))] = metrics.requests(o);
    }
    nlohmann::json body = {{"executions_total", executions.total()},
                           {"requests", requests},
                           {"store_write_failures", metrics.store_write_failures()},
                           {"store", store->describe()},
                           {"bug", to_string(config.guard.bug)},
                           {"ttl_ms", config.guard.ttl.count()},
                           {"lock_ttl_ms", config.guard.lock_ttl.count()}};
    if (auto s = store->stats()) body["records"] = s->records;
    write_response(json_response(200, body), res);
  });
  listener.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                    std::exception_ptr) {
    write_response(make_problem(500, "internal", "Internal error", "unexpected server error"),
                   res);
  });
  listener.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      write_response(make_problem(404, "not-found", "Not found", "no route for " + req.path), res);
    } else if (res.status == 413) {
      write_response(make_problem(413, "body-too-large", "Body too large",
                                  "the body is larger than --max-body"),
                     res);
    }
  });
}

std::string ReferenceServer::execution_key(std::string_view scope_value, std::string_view key) {
  return scoped_record_key(scope_value, key);
}

ReferenceServer::ReferenceServer(ServerConfig config, std::unique_ptr<Store> store,
                                 std::ostream* log, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(store), log, clock)) {}

ReferenceServer::~ReferenceServer() { stop(); }

Result<int> ReferenceServer::start() {
  Impl& s = *impl_;
  s.install_routes();
  s.listener.set_keep_alive_timeout(5);
  s.listener.set_payload_max_length(s.config.max_body);
  auto port = s.listener.start(
      {s.config.host, s.config.port, static_cast<size_t>(std::max(1, s.config.threads))});
  if (!port) return port.error();
  s.port = *port;
  return s.port;
}

void ReferenceServer::stop() {
  if (impl_) impl_->listener.shutdown();
}

int ReferenceServer::port() const { return impl_->port; }
std::string ReferenceServer::base_url() const {
  return "http://" + impl_->config.host + ":" + std::to_string(impl_->port);
}
const ServerConfig& ReferenceServer::config() const { return impl_->config; }
Store& ReferenceServer::store() { return *impl_->store; }
ExecutionLog& ReferenceServer::executions() { return impl_->executions; }
ServerMetrics& ReferenceServer::metrics() { return impl_->metrics; }

}  // namespace idem
