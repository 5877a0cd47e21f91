#include "support/redis_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "store/redis_connection.hpp"

namespace idem::test {
namespace {

constexpr auto kStartBound = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr int kPortAttempts = 5;

// A port the kernel just handed out for 127.0.0.1; free unless someone grabs it in between,
// in which case launch() sees redis-server exit and the caller tries another.
int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

// True once the redis-server with process id `pid` answers on `port`. The pid check matters:
// when two test processes race for one port, the loser's PING could otherwise be answered by
// the winner's server.
bool answers_as(int port, pid_t pid) {
  RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port;
  auto conn = RedisConnection::open(url, std::chrono::milliseconds(200));
  if (!conn) return false;
  auto reply = (*conn)->command({"INFO", "server"});
  if (!reply) return false;
  const std::string_view info = reply_text(**reply);
  return info.find("\nprocess_id:" + std::to_string(pid) + "\r") != std::string_view::npos;
}

std::string reply_to_text(const redisReply& r) {
  if (r.type == REDIS_REPLY_INTEGER) return std::to_string(r.integer);
  if (r.type == REDIS_REPLY_ARRAY) {
    std::string out;
    for (size_t i = 0; i < r.elements; ++i) out += reply_to_text(*r.element[i]) + "\n";
    return out;
  }
  return std::string(reply_text(r));
}

}  // namespace

RedisProcess::RedisProcess() {
  char tmpl[] = "/tmp/idem-redis-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    port_ = free_loopback_port();
    if (launch()) return;
  }
  FAIL("redis-server did not start (is it installed? apt-get install redis-server); see "
       << dir_ << "/redis.log");
}

RedisProcess::~RedisProcess() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisProcess::launch() {
  const std::string port = std::to_string(port_);
  const std::string log = dir_ + "/redis.log";
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe
  // calls are allowed in a multi-threaded process.
  std::vector<std::string> args = {"redis-server", "--port", port, "--bind",
                                   "127.0.0.1",    "--save", "",   "--appendonly",
                                   "no",           "--dir",  dir_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + kStartBound;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (answers_as(port_, pid_)) return true;
    std::this_thread::sleep_for(kPollInterval);  // polling a condition, bounded by deadline
  }
  kill();
  return false;
}

void RedisProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisProcess::restart() {
  kill();
  REQUIRE(launch());
}

std::string shared_redis_url() {
  if (const char* url = std::getenv("IDEM_TEST_REDIS_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  if (const char* file = std::getenv("IDEM_TEST_REDIS_URL_FILE"); file != nullptr) {
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    INFO("the CTest fixture should have written the Redis URL to " << file);
    REQUIRE(!url.empty());
    return url;
  }
  static std::mutex mu;  // guards own
  static std::unique_ptr<RedisProcess> own;
  std::lock_guard lock(mu);
  if (!own) own = std::make_unique<RedisProcess>();
  return own->url();
}

std::string redis_command(int port, const std::vector<std::string>& args) {
  RedisUrl url;
  url.host = "127.0.0.1";
  url.port = port;
  auto conn = RedisConnection::open(url, std::chrono::seconds(2));
  REQUIRE(conn.ok());
  std::vector<std::string_view> views(args.begin(), args.end());
  auto reply = (*conn)->command(views);
  REQUIRE(reply.ok());
  return reply_to_text(**reply);
}

int redis_port(const std::string& url) {
  const auto colon = url.rfind(':');
  REQUIRE(colon != std::string::npos);
  return std::stoi(url.substr(colon + 1));
}

}  // namespace idem::test
