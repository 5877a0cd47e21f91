#include "support/test_server.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace idem::test {
namespace {

std::string percent_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

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

ServerConfig quiet_config() {
  ServerConfig c;
  c.log_format = LogFormat::None;
  c.threads = 32;
  return c;
}

}  // namespace idem::test
