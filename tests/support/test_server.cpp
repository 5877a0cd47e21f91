#include "support/test_server.hpp"

#include "idem/key.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace idem::test {

TestServer::TestServer(ServerConfig config, std::unique_ptr<Store> store, const Clock& clock) {
  config.host = "127.0.0.1";
  config.port = 0;
  if (!store) store = std::make_unique<MemoryStore>(clock);
  server_ = std::make_unique<ReferenceServer>(std::move(config), std::move(store), nullptr, clock);
  auto port = server_->start();
  REQUIRE(port.ok());
  port_ = *port;
}

TestServer::~TestServer() { server_->stop(); }

long long TestServer::executions(const std::string& key, const std::string& auth) {
  HeaderList headers;
  if (!auth.empty()) headers.emplace_back("Authorization", auth);
  const Exchange r =
      send(port_, "GET", "/__idem/executions?key=" + percent_encode(key), headers);
  REQUIRE(r.status == 200);
  return nlohmann::json::parse(r.body).at("executions").get<long long>();
}

Exchange send(int port, const std::string& method, const std::string& path,
              const HeaderList& headers, const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  client.set_keep_alive(false);
  httplib::Request req;
  req.method = method;
  req.path = path;
  for (const auto& [k, v] : headers) req.headers.emplace(k, v);
  req.body = body;
  if (!body.empty() && !req.has_header("Content-Type")) {
    req.headers.emplace("Content-Type", "application/json");
  }
  Exchange out;
  auto res = client.send(req);
  if (!res) {
    out.error = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.headers.assign(res->headers.begin(), res->headers.end());
  out.body = res->body;
  return out;
}

Exchange post_with_key(int port, const std::string& key, const std::string& body,
                       const std::string& path, const std::string& auth) {
  HeaderList headers{{"Idempotency-Key", key}};
  if (!auth.empty()) headers.emplace_back("Authorization", auth);
  return send(port, "POST", path, headers, body);
}

void run_together(int n, const std::function<void(int)>& fn) {
  std::latch start(n);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

int run_duplicate_rounds(int rounds, int n, const std::function<int(int)>& port_for,
                         const std::function<long long(const std::string&)>& executions) {
  int rounds_ok = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string key = new_uuid4();
    std::atomic<int> created{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> other{0};
    run_together(n, [&](int i) {
      const Exchange r = post_with_key(port_for(i), key);
      if (r.status == 201) {
        ++created;  // the winner, or a replay of it
      } else if (r.status == 409 && r.header("Content-Type") == "application/problem+json" &&
                 r.header("Retry-After")) {
        ++conflicts;
      } else {
        ++other;
      }
    });
    const long long ran = executions(key);
    INFO("round " << round << ": created " << created << ", conflicts " << conflicts
                  << ", other " << other << ", executions " << ran);
    CHECK(ran == 1);
    CHECK(other == 0);
    if (ran == 1 && other == 0) ++rounds_ok;
  }
  return rounds_ok;
}

ServerConfig quiet_config() {
  ServerConfig c;
  c.log_format = LogFormat::None;
  c.threads = 32;
  return c;
}

}  // namespace idem::test
