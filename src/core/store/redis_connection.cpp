#include "store/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

namespace idem {
namespace {

timeval to_timeval(Millis d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace

void RedisContextDeleter::operator()(redisContext* c) const { redisFree(c); }
void RedisReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

std::string_view reply_text(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ERROR && reply.type != REDIS_REPLY_STATUS &&
      reply.type != REDIS_REPLY_STRING) {
    return {};
  }
  return {reply.str, reply.len};
}

bool is_error_reply(const redisReply& reply) { return reply.type == REDIS_REPLY_ERROR; }

RedisConnection::RedisConnection(ContextPtr context, std::string endpoint)
    : context_(std::move(context)), endpoint_(std::move(endpoint)) {}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisUrl& url,
                                                               Millis timeout) {
  const std::string endpoint = url.host + ":" + std::to_string(url.port);
  ContextPtr context(redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(timeout)));
  if (!context) {
    return make_error(ErrorCode::Unavailable, "redis " + endpoint + ": cannot allocate a context");
  }
  if (context->err != 0) {
    return make_error(ErrorCode::Unavailable,
                      "redis " + endpoint + " unreachable: " + std::string(context->errstr));
  }
  if (redisSetTimeout(context.get(), to_timeval(timeout)) != REDIS_OK) {
    return make_error(ErrorCode::Unavailable, "redis " + endpoint + ": cannot set the timeout");
  }
  std::unique_ptr<RedisConnection> conn(new RedisConnection(std::move(context), endpoint));

  // A refused AUTH or SELECT is a configuration error: retrying will not fix it.
  auto setup = [&](const std::vector<std::string_view>& args,
                   std::string_view what) -> Result<void> {
    auto reply = conn->command(args);
    if (!reply) return reply.error();
    if (is_error_reply(**reply)) {
      return make_error(ErrorCode::InvalidArgument, "redis " + endpoint + " refused " +
                                                        std::string(what) + ": " +
                                                        std::string(reply_text(**reply)));
    }
    return {};
  };
  if (!url.password.empty()) {
    auto auth = url.username.empty() ? setup({"AUTH", url.password}, "AUTH")
                                     : setup({"AUTH", url.username, url.password}, "AUTH");
    if (!auth) return auth.error();
  }
  if (url.db != 0) {
    const std::string db = std::to_string(url.db);
    if (auto select = setup({"SELECT", db}, "SELECT " + db); !select) return select.error();
  }
  return conn;
}

Result<RedisReplyPtr> RedisConnection::command(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  RedisReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!reply) {
    const std::string why = context_->err != 0 ? context_->errstr : "no reply";
    return make_error(ErrorCode::Unavailable,
                      "redis " + endpoint_ + ": " + (why.empty() ? "I/O error" : why));
  }
  return reply;
}

bool RedisConnection::broken() const { return context_->err != 0; }

bool RedisConnection::closed_by_peer() const {
  // An idle connection has nothing to read; readable means EOF, a reset or stray bytes, and
  // in every case the connection cannot be trusted for the next command.
  pollfd pfd{};
  pfd.fd = context_->fd;
  pfd.events = POLLIN;
  return poll(&pfd, 1, 0) != 0;
}

}  // namespace idem
