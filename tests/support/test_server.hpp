// Test helpers: a reference server on 127.0.0.1:0 and a small blocking HTTP client for it
// (cpp-httplib's, since tests may use third-party types). Each helper is thread-safe unless said.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "idem/http.hpp"
#include "idem/server/reference_server.hpp"
#include "idem/store/memory_store.hpp"

namespace idem::test {

inline const std::string kPaymentBody = R"({"amount":1000,"currency":"EUR"})";

/// A ReferenceServer started on a free loopback port, stopped on destruction.
class TestServer {
 public:
  explicit TestServer(ServerConfig config = {}, std::unique_ptr<Store> store = nullptr,
                      const Clock& clock = system_clock());
  ~TestServer();

  ReferenceServer& server() { return *server_; }
  int port() const { return port_; }
  /// Executions of `key` counted by the server for the caller with `auth` (the scope value).
  long long executions(const std::string& key, const std::string& auth = "");

 private:
  std::unique_ptr<ReferenceServer> server_;
  int port_ = 0;
};

/// One exchange. status 0 and an empty body when the connection failed or closed unanswered.
struct Exchange {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string error;  ///< transport error, empty on success
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Sends one request on a fresh connection. Headers are sent as given (repeat a name for two
/// lines). Times out after 10 s.
Exchange send(int port, const std::string& method, const std::string& path,
              const HeaderList& headers = {}, const std::string& body = "");

/// POST `body` to `path` with `Idempotency-Key: key` (and Authorization when `auth` is set).
Exchange post_with_key(int port, const std::string& key, const std::string& body = kPaymentBody,
                       const std::string& path = "/payments", const std::string& auth = "");

/// Runs `fn(i)` on `n` threads released together by a latch, and joins them.
void run_together(int n, const std::function<void(int)>& fn);

/// Runs `rounds` rounds of `n` simultaneous POSTs, each round with one fresh key; request i
/// goes to `port_for(i)`. Checks per round (Catch CHECKs, with the tally as INFO) that the
/// handler ran exactly once (`executions(key)`) and that every other answer is a replay (201)
/// or a 409 problem+json with Retry-After. Returns the number of rounds that held.
int run_duplicate_rounds(int rounds, int n, const std::function<int(int)>& port_for,
                         const std::function<long long(const std::string&)>& executions);

/// A GuardConfig/ServerConfig for tests: no request log, 16 threads.
ServerConfig quiet_config();

}  // namespace idem::test
