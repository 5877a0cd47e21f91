#include "support/toy_target.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/http_listener.hpp"
#include "idem/store/memory_store.hpp"

namespace idem::test {
namespace {

constexpr size_t kMaxPad = 8u << 20;

void write(const HttpResponse& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [name, value] : r.headers) res.set_header(name, value);
  res.body = r.body;
}

}  // namespace

struct ToyTarget::Impl {
  explicit Impl(ToyTargetOptions o)
      : options(std::move(o)),
        guard(options.guard.value_or(GuardConfig{}), store),
        orders_guard(options.orders_guard.value_or(options.guard.value_or(GuardConfig{})),
                     orders_store) {}

  std::string fault_of(const httplib::Request& req) const {
    if (!options.triggers_in_body) return req.get_header_value("X-Fault");
    const auto json = nlohmann::json::parse(req.body, nullptr, false);
    if (!json.is_object() || !json.contains("fault") || !json["fault"].is_string()) return "";
    return json["fault"].get<std::string>();
  }

  HttpResponse create(const httplib::Request& req, const std::string& key) {
    std::string id;
    {
      const std::lock_guard lock(mu);
      ++executions[key];
      id = "pay_" + std::to_string(++next_id);
    }
    size_t pad = 0;
    if (req.has_param("pad")) {
      pad = std::min<size_t>(std::stoull(req.get_param_value("pad")), kMaxPad);
    }
    nlohmann::json body = {{"id", id}, {"path", req.path}, {"pad", std::string(pad, 'x')}};
    return {201,
            {{"Content-Type", "application/json"}, {"Location", "/payments/" + id}},
            body.dump()};
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    const std::string fault = fault_of(req);
    // Executions are counted per caller and key, as the executions URL is asked.
    const std::string key =
        req.get_header_value("Authorization") + "\n" +
        req.get_header_value(options.guard ? options.guard->key_header : "Idempotency-Key");
    Decision d;
    Guard* active = &guard;
    if (options.guard) {
      std::vector<std::string> lines;
      const auto [b, e] = req.headers.equal_range(options.guard->key_header);
      for (auto it = b; it != e; ++it) lines.push_back(it->second);
      const std::string scope = req.get_header_value(options.guard->scope_header);
      // The one route with its own guard, when asked for; the others share theirs.
      active = options.orders_guard && req.path == "/orders" ? &orders_guard : &guard;
      d = active->begin({req.method, req.target, req.body, lines, scope});
      if (d.action == Decision::Action::Respond) return write(d.response, res);
    }
    if (fault == "crash") {
      drop_connection(req);  // the holder dies: no answer, no release
      return;
    }
    if (fault == "slow") std::this_thread::sleep_for(kToySlowDelay);
    HttpResponse r = fault == "fail"
                         ? make_problem(503, "injected", "Injected failure", "asked for")
                         : create(req, key);
    if (options.guard) active->finish(d.ticket, r);
    write(r, res);
  }

  ToyTargetOptions options;
  MemoryStore store;
  Guard guard;
  MemoryStore orders_store;
  Guard orders_guard;
  HttpListener listener;
  int port = 0;
  std::mutex mu;  // guards executions and next_id
  std::map<std::string, long long> executions;
  long long next_id = 0;
};

ToyTarget::ToyTarget(ToyTargetOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl& s = *impl_;
  const auto post = [&s](const httplib::Request& req, httplib::Response& res) { s.post(req, res); };
  s.listener.Post("/payments", post).Post("/orders", post).Post("/refunds", post);
  s.listener.Get(R"(/payments/([^/]+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(nlohmann::json{{"id", req.matches[1]}}.dump(), "application/json");
  });
  s.listener.Get("/executions", [&s](const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(s.mu);
    const long long n =
        s.executions[req.get_header_value("Authorization") + "\n" + req.get_param_value("key")];
    res.set_content(nlohmann::json{{"executions", n}}.dump(), "application/json");
  });
  ListenerOptions listen;
  listen.threads = 32;
  auto port = s.listener.start(listen);
  REQUIRE(port.ok());
  s.port = *port;
}

ToyTarget::~ToyTarget() { impl_->listener.shutdown(); }

std::string ToyTarget::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

verify::TargetSpec ToyTarget::describe(bool executions_url) const {
  verify::TargetSpec t;
  t.base_urls = {base_url()};
  t.headers = {{"Content-Type", "application/json"}};
  t.alternate_path = "/orders";
  t.large_path = "/payments?pad=3145728";
  t.principals = {"Bearer a", "Bearer b"};
  const auto trigger = [&](const std::string& fault) {
    verify::Trigger tr;
    if (impl_->options.triggers_in_body) {
      tr.body = nlohmann::json{{"amount", 1}, {"currency", "EUR"}, {"fault", fault}}.dump();
    } else {
      tr.headers = {{"X-Fault", fault}};
    }
    return tr;
  };
  t.failure = trigger("fail");
  t.slow = trigger("slow");
  t.slow_delay = kToySlowDelay;
  t.crash = trigger("crash");
  t.lock_ttl = impl_->options.guard ? impl_->options.guard->lock_ttl : Millis{500};
  if (executions_url) {
    t.count = verify::CountMode::ExecutionsUrl;
    t.executions_url = "/executions?key={{key}}";
  }
  return t;
}

}  // namespace idem::test
