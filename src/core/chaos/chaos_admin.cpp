#include "idem/chaos/chaos_admin.hpp"

#include <nlohmann/json.hpp>

#include "http/forwarder.hpp"
#include "http/http_listener.hpp"

namespace idem::chaos {
namespace {

void answer_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

nlohmann::json rules_json(const ChaosProxy& proxy) {
  nlohmann::json specs = nlohmann::json::array();
  for (const FaultRule& r : proxy.rules()) specs.push_back(to_spec(r));
  return specs;
}

nlohmann::json counters_json(const ChaosCounters& c) {
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleCounters& r : c.rules) {
    rules.push_back({{"rule", r.spec}, {"matched", r.matched}, {"applied", r.applied}});
  }
  return {{"requests", c.requests}, {"forwarded", c.forwarded}, {"faulted", c.faulted},
          {"lost", c.lost},         {"upstream_errors", c.upstream_errors}, {"rules", rules}};
}

}  // namespace

struct ChaosAdmin::Impl {
  Impl(ChaosProxy& p, std::string h, int pt) : proxy(p), host(std::move(h)), port(pt) {}
  ChaosProxy& proxy;
  std::string host;
  int port;
  HttpListener listener;
};

ChaosAdmin::ChaosAdmin(ChaosProxy& proxy, std::string host, int port)
    : impl_(std::make_unique<Impl>(proxy, std::move(host), port)) {}

ChaosAdmin::~ChaosAdmin() { stop(); }

Result<int> ChaosAdmin::start() {
  Impl& s = *impl_;
  ChaosProxy& proxy = s.proxy;
  s.listener.Get("/rules", [&proxy](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 200, {{"rules", rules_json(proxy)}});
  });
  s.listener.Put("/rules", [&proxy](const httplib::Request& req, httplib::Response& res) {
    auto rules = parse_rules_document(req.body);
    if (!rules) {
      write_response(make_problem(400, "bad-rules", "Bad rules", rules.error().message), res);
      return;
    }
    proxy.replace_rules(std::move(*rules));
    answer_json(res, 200, {{"rules", rules_json(proxy)}});
  });
  s.listener.Get("/counters", [&proxy](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 200, counters_json(proxy.counters()));
  });
  s.listener.Post("/reset", [&proxy](const httplib::Request&, httplib::Response& res) {
    proxy.reset();
    res.status = 204;
  });
  s.listener.Get("/metrics", [&proxy](const httplib::Request&, httplib::Response& res) {
    res.set_content(proxy.metrics_text(), "text/plain; version=0.0.4");
  });
  s.listener.set_payload_max_length(kMaxAdminBody);
  ListenerOptions lo;
  lo.host = s.host;
  lo.port = s.port;
  lo.threads = 2;
  auto bound = s.listener.start(lo);
  if (!bound) return bound.error();
  s.port = *bound;
  return s.port;
}

void ChaosAdmin::stop() {
  if (impl_) impl_->listener.shutdown();
}

std::string ChaosAdmin::base_url() const {
  return http_url(impl_->host, impl_->port);
}

}  // namespace idem::chaos
