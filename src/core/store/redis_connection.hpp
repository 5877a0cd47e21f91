// One blocking hiredis connection: connect with timeouts, AUTH, SELECT, and commands whose
// replies are owned by unique_ptr. A RedisConnection is NOT thread-safe (neither is a
// redisContext); RedisPool hands each one to a single thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "idem/clock.hpp"
#include "idem/result.hpp"
#include "store/redis_url.hpp"

struct redisContext;
struct redisReply;

namespace idem {

struct RedisContextDeleter {
  void operator()(redisContext* c) const;
};
struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

class RedisConnection {
 public:
  /// Connects within `timeout`, sets `timeout` as the command timeout, then AUTH and SELECT as
  /// the URL says. Unavailable when the server cannot be reached; InvalidArgument when it
  /// refuses the credentials or the database (a configuration error, not an outage).
  static Result<std::unique_ptr<RedisConnection>> open(const RedisUrl& url, Millis timeout);

  /// Sends one command (binary-safe arguments) and reads its reply. Unavailable on an I/O
  /// error or timeout, after which the connection is broken() and must be dropped. An error
  /// reply from Redis is returned as a reply (type REDIS_REPLY_ERROR), not as an Error.
  Result<RedisReplyPtr> command(const std::vector<std::string_view>& args);

  /// True after an I/O or protocol failure: the stream position is unknown, so the
  /// connection must not be reused.
  bool broken() const;

  /// True if the server closed the connection while it sat idle (Redis restarted or killed),
  /// seen without a round trip by polling the socket. Only meaningful between commands.
  bool closed_by_peer() const;

  const std::string& endpoint() const { return endpoint_; }

 private:
  using ContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;
  RedisConnection(ContextPtr context, std::string endpoint);

  ContextPtr context_;
  std::string endpoint_;  // "host:port", for error messages
};

/// The text of an error or status reply, or "" for other reply types.
std::string_view reply_text(const redisReply& reply);
bool is_error_reply(const redisReply& reply);

}  // namespace idem
