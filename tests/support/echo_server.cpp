#include "support/echo_server.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <thread>

namespace idem::test {

struct EchoServer::Impl {
  httplib::Server server;
  std::thread thread;
  mutable std::mutex mu;  // guards seen and held_released
  std::condition_variable released_cv;
  std::vector<SeenRequest> seen;
  bool held_released = false;

  void record(const httplib::Request& req) {
    SeenRequest r{req.method, req.path, HeaderList(req.headers.begin(), req.headers.end()),
                  req.body, req.remote_port};
    const std::lock_guard lock(mu);
    seen.push_back(std::move(r));
  }
};

EchoServer::EchoServer() : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  const auto echo = [&s](const httplib::Request& req, httplib::Response& res) {
    s.record(req);
    // httplib writes headers sorted by name, duplicates in insertion order.
    res.headers.emplace("X-Order", "b");
    res.headers.emplace("X-Order", "a");
    res.headers.emplace("X-Empty", "");
    res.set_content(req.body, "application/octet-stream");
  };
  const auto status = [&s](const httplib::Request& req, httplib::Response& res) {
    s.record(req);
    res.status = std::stoi(req.matches[1]);
    res.set_content("status " + std::string(req.matches[1]), "text/plain");
  };
  const auto hold = [&s](const httplib::Request& req, httplib::Response& res) {
    s.record(req);
    std::unique_lock lock(s.mu);
    s.released_cv.wait_for(lock, std::chrono::seconds(10), [&s] { return s.held_released; });
    res.set_content("released", "text/plain");
  };
  const auto big = [&s](const httplib::Request& req, httplib::Response& res) {
    s.record(req);
    res.set_content(big_body(std::stoull(req.get_param_value("bytes"))),
                    "application/octet-stream");
  };
  s.server.Get("/echo", echo).Post("/echo", echo).Put("/echo", echo).Patch("/echo", echo);
  s.server.Delete("/echo", echo).Options("/echo", echo);
  s.server.Get(R"(/status/(\d+))", status).Post(R"(/status/(\d+))", status);
  s.server.Get("/hold", hold).Post("/hold", hold);
  s.server.Get("/big", big).Post("/big", big);
  port_ = s.server.bind_to_any_port("127.0.0.1");
  REQUIRE(port_ > 0);
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!s.server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  REQUIRE(s.server.is_running());
}

EchoServer::~EchoServer() {
  release_held();
  impl_->server.stop();
  impl_->thread.join();
}

std::string EchoServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<SeenRequest> EchoServer::seen() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

void EchoServer::release_held() {
  {
    const std::lock_guard lock(impl_->mu);
    impl_->held_released = true;
  }
  impl_->released_cv.notify_all();
}

std::string big_body(size_t n) {
  std::string out(n, '\0');
  unsigned x = 2463534242u;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x & 0xff);
  }
  return out;
}

}  // namespace idem::test
