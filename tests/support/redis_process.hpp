// Test helpers for Redis: a throwaway redis-server on a free loopback port (for tests that kill
// and restart it), and the URL of the shared one started by the CTest fixture. A RedisProcess
// is driven by one thread; redis_command() and shared_redis_url() are thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace idem::test {

/// Command timeout for stores in tests: they check semantics, and a loaded CI machine can
/// stall Redis for longer than the production default of 250 ms.
inline constexpr std::chrono::milliseconds kTestRedisTimeout{2000};

class RedisProcess {
 public:
  /// Starts redis-server on a free 127.0.0.1 port without persistence and waits (bounded) until
  /// it answers (checked by process id). Fails the test (REQUIRE) if it cannot.
  RedisProcess();
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  /// SIGKILLs the server and reaps it (connections die as in a crash).
  void kill();
  /// Starts it again on the same port; REQUIREs that it answers.
  void restart();
  /// SIGSTOP / SIGCONT: the server stalls with its connections open (a stuck Redis).
  void pause();
  void resume();

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  bool launch();  // true once our server answers; false if it exited (port taken)

  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
};

/// The shared redis-server's URL: $IDEM_TEST_REDIS_URL, else the file the CTest fixture wrote
/// (scripts/redis_fixture.sh). When the test binary runs outside CTest, one RedisProcess is
/// started for the whole binary instead.
std::string shared_redis_url();

/// Runs one command on the server at 127.0.0.1:`port` and returns the reply as text (arrays
/// joined by newlines). REQUIREs success.
std::string redis_command(int port, const std::vector<std::string>& args);

/// The port in a redis://127.0.0.1:PORT URL.
int redis_port(const std::string& url);

}  // namespace idem::test
