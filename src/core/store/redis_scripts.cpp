#include "store/redis_scripts.hpp"

#include <hiredis/hiredis.h>

namespace idem {
namespace {

Error script_error(const RedisConnection& conn, std::string_view name, std::string_view what) {
  return make_error(ErrorCode::Unavailable, "redis " + conn.endpoint() + ": " + std::string(name) +
                                                " script: " + std::string(what));
}

}  // namespace

Result<void> load_script(RedisConnection& conn, RedisScript& script) {
  auto reply = conn.command({"SCRIPT", "LOAD", script.body});
  if (!reply) return reply.error();
  if ((*reply)->type != REDIS_REPLY_STRING) {
    return script_error(conn, script.name, reply_text(**reply));
  }
  script.sha = std::string(reply_text(**reply));
  return {};
}

Result<RedisReplyPtr> run_script(RedisConnection& conn, const RedisScript& script,
                                 std::string_view key, const std::vector<std::string_view>& args) {
  std::vector<std::string_view> argv{"EVALSHA", script.sha, "1", key};
  argv.insert(argv.end(), args.begin(), args.end());
  auto reply = conn.command(argv);
  if (!reply) return reply.error();
  if (is_error_reply(**reply) && reply_text(**reply).starts_with("NOSCRIPT")) {
    argv[0] = "EVAL";
    argv[1] = script.body;
    reply = conn.command(argv);
    if (!reply) return reply.error();
  }
  if (is_error_reply(**reply)) return script_error(conn, script.name, reply_text(**reply));
  return reply;
}

}  // namespace idem
