#include "idem/server/reference_server.hpp"

#include <nlohmann/json.hpp>

#include "http/http_listener.hpp"
#include "http/tls_session.hpp"
#include "idem/fingerprint.hpp"
#include "idem/server/exchange_pipeline.hpp"
#include "idem/server/openapi_document.hpp"
#include "idem/server/payments.hpp"
#include "idem/server/refunds.hpp"
#include "json_text.hpp"
#include "idem/server/request_log.hpp"

namespace idem {
namespace {

constexpr size_t kMaxPadBytes = 64u << 20;
// Workers kept for health, metrics and /__idem/*, so that guarded workers all held by slow
// handlers (Idemctl-Fault: delay) do not make /healthz time out.
constexpr size_t kAdminThreads = 2;

bool is_admin_path(std::string_view path) {
  return path == "/healthz" || path == "/metrics" || path == "/openapi.json" ||
         path.substr(0, 8) == "/__idem/";
}

void write_response(HttpResponse&& r, httplib::Response& res) {
  res.status = r.status;
  // set_header refuses values with CR/LF, so no header can be smuggled into the answer.
  for (const auto& [name, value] : r.headers) res.set_header(name.c_str(), value);
  res.body = std::move(r.body);
}

HttpResponse json_response(int status, const nlohmann::json& j) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, dump_json(j) + "\n"};
}

// The pipeline's view of an httplib request; the views point into `req`.
ExchangeRequest exchange_of(const httplib::Request& req, const GuardConfig& guard) {
  ExchangeRequest ex;
  ex.method = req.method;
  ex.path = req.path;
  ex.target = req.target;
  ex.body = req.body;
  // Every value of the key header (httplib's map compares names case-insensitively).
  const auto [begin, end] = req.headers.equal_range(guard.key_header);
  for (auto it = begin; it != end; ++it) ex.key_lines.push_back(it->second);
  if (auto it = req.headers.find(guard.scope_header); it != req.headers.end()) {
    ex.scope_value = it->second;
  }
  if (auto it = req.headers.find(std::string(kFaultHeader)); it != req.headers.end()) {
    ex.fault = it->second;
  }
  ex.drop_connection = [&req] { return drop_connection(req); };
  return ex;
}

void answer(ExchangeResult&& result, httplib::Response& res) {
  if (result.answered) write_response(std::move(result.response), res);
}

}  // namespace

struct ReferenceServer::Impl {
  Impl(ServerConfig c, std::unique_ptr<Store> s, std::ostream* log_out, const Clock& clock)
      : config(std::move(c)),
        store(std::move(s)),
        guard(config.guard, *store),
        payments(config.guard.ttl + config.guard.lock_ttl, kMaxPayments, clock),
        refunds(config.guard.ttl + config.guard.lock_ttl, kMaxRefunds, clock),
        executions(config.guard.ttl + config.guard.lock_ttl, clock),
        log(log_out, config.log_format),
        pipeline(config, guard, executions, metrics, log) {}

  void install_routes();
  std::string scope_of(const httplib::Request& req) const {
    return req.get_header_value(config.guard.scope_header);
  }

  ServerConfig config;
  std::unique_ptr<Store> store;
  Guard guard;
  PaymentsApp payments;
  RefundsApp refunds;
  ExecutionLog executions;
  ServerMetrics metrics;
  RequestLog log;
  ExchangePipeline pipeline;
  HttpListener listener;
  int port = 0;
};

void ReferenceServer::Impl::install_routes() {
  // POST /payments?pad=N: the demo app's create, with an optional padded answer.
  const auto create_payment = [this](const httplib::Request& req) {
    size_t pad = 0;
    if (req.has_param("pad")) {
      pad = std::min<size_t>(std::strtoull(req.get_param_value("pad").c_str(), nullptr, 10),
                             kMaxPadBytes);
    }
    return FunctionExecutor([this, &req, pad](const ExchangeRequest&) {
      return payments.create(req.body, pad);
    });
  };
  listener.Post("/payments", [this, create_payment](const httplib::Request& req,
                                                    httplib::Response& res) {
    auto executor = create_payment(req);
    answer(pipeline.run(exchange_of(req, config.guard), executor), res);
  });
  // The same handler without the guard, so benchmarks can measure what the guard costs.
  listener.Post("/unguarded/payments", [this, create_payment](const httplib::Request& req,
                                                              httplib::Response& res) {
    auto executor = create_payment(req);
    answer(pipeline.run_unguarded(exchange_of(req, config.guard), executor), res);
  });
  listener.Get(R"(/payments/([^/]+))", [this](const httplib::Request& req,
                                             httplib::Response& res) {
    FunctionExecutor executor([this, &req](const ExchangeRequest&) { return payments.get(req.matches[1].str()); });
    answer(pipeline.run(exchange_of(req, config.guard), executor), res);
  });
  // POST /refunds: the second guarded resource, so a service has two real endpoints to verify.
  listener.Post("/refunds", [this](const httplib::Request& req, httplib::Response& res) {
    FunctionExecutor executor([this, &req](const ExchangeRequest&) { return refunds.create(req.body); });
    answer(pipeline.run(exchange_of(req, config.guard), executor), res);
  });
  listener.Get(R"(/refunds/([^/]+))", [this](const httplib::Request& req,
                                            httplib::Response& res) {
    FunctionExecutor executor([this, &req](const ExchangeRequest&) { return refunds.get(req.matches[1].str()); });
    answer(pipeline.run(exchange_of(req, config.guard), executor), res);
  });
  // The server's own OpenAPI document: verify --openapi can take it as it is.
  // Its server URL is the one the client used (Host), which a 0.0.0.0 bind address is not.
  listener.Get("/openapi.json", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string scheme = config.tls.enabled() ? "https://" : "http://";
    const std::string host = req.get_header_value("Host");
    const std::string base =
        scheme + (host.empty() ? "127.0.0.1:" + std::to_string(port) : host);
    res.set_content(reference_openapi_document(config.guard, base), "application/json");
  });
  listener.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    auto ping = store->ping();
    nlohmann::json body = {{"status", ping ? "ok" : "degraded"}, {"store", store->describe()}};
    if (!ping) body["detail"] = ping.error().message;
    // A full store still serves replays, so it is not "degraded"; the refusals are reported.
    body["store_full_refusals"] = metrics.requests(Outcome::StoreFull);
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
    const long long n = executions.count(scoped_record_key(scope_of(req), key));
    write_response(json_response(200, {{"key", key}, {"executions", n}}), res);
  });
  listener.Get("/__idem/stats", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json requests = nlohmann::json::object();
    for (Outcome o : {Outcome::Passed, Outcome::Executed, Outcome::Replayed, Outcome::Conflict,
                      Outcome::Mismatch, Outcome::Rejected, Outcome::StoreError,
                      Outcome::StoreFull}) {
      requests[std::string(to_string(o))] = metrics.requests(o);
    }
    nlohmann::json body = {{"executions_total", executions.total()},
                           {"requests", requests},
                           {"store_write_failures", metrics.store_write_failures()},
                           {"store", store->describe()},
                           {"bug", to_string(config.guard.bug)},
                           {"ttl_ms", config.guard.ttl.count()},
                           {"lock_ttl_ms", config.guard.lock_ttl.count()}};
    if (auto s = store->stats()) {
      body["records"] = s->records;
      if (s->max_records >= 0) body["max_records"] = s->max_records;
    }
    write_response(json_response(200, body), res);
  });
  listener.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                    std::exception_ptr) {
    write_response(make_problem(500, "internal", "Internal error", "unexpected server error"),
                   res);
  });
  // httplib's own errors (404, parse failures) become problems in HttpListener; here they are
  // logged.
  listener.set_edge_log([this](int status, std::string_view method, std::string_view path,
                                std::string_view reason) {
    metrics.record_edge_refusal(status);
    log.warn("refused " + std::to_string(status) + " " + std::string(method) + " " +
                 std::string(path) + ": " + std::string(reason),
             "");
  });
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
  ListenerOptions options;
  options.host = s.config.host;
  options.port = s.config.port;
  options.threads = static_cast<size_t>(std::max(1, s.config.threads));
  options.reserved_threads = kAdminThreads;
  options.reserved_for = is_admin_path;
  options.head_timeout = s.config.head_timeout;
  if (s.config.tls.enabled()) {
    auto tls = TlsContext::load(s.config.tls);
    if (!tls) return tls.error();
    options.tls = std::move(tls).value();
  }
  auto port = s.listener.start(options);
  if (!port) return port.error();
  s.port = *port;
  return s.port;
}

void ReferenceServer::stop() {
  if (!impl_) return;
  // A client's fault delay must not hold shutdown (up to --max-fault-delay); an operator's
  // --handler-delay stands for real work and is waited for.
  impl_->pipeline.interrupt_fault_delays();
  impl_->listener.shutdown();
}

int ReferenceServer::port() const { return impl_->port; }
std::string ReferenceServer::base_url() const {
  const std::string& host = impl_->config.host;
  const bool ipv6 = host.find(':') != std::string::npos;  // RFC 3986 §3.2.2: in brackets
  const char* scheme = impl_->config.tls.enabled() ? "https://" : "http://";
  return scheme + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port);
}
const ServerConfig& ReferenceServer::config() const { return impl_->config; }
Store& ReferenceServer::store() { return *impl_->store; }
ExecutionLog& ReferenceServer::executions() { return impl_->executions; }
ServerMetrics& ReferenceServer::metrics() { return impl_->metrics; }

}  // namespace idem
