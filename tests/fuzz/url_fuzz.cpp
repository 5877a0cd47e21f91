// The two URL parsers users type into flags: --target (parse_base_url) and --store
// (parse_redis_url). Never crash; accepted ports are 1-65535; the description of a Redis URL
// never carries its password.
#include "fuzz_input.hpp"
#include "idem/target/base_url.hpp"
#include "store/redis_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = idem::fuzz::as_text(data, size);
  if (auto url = idem::parse_base_url(text)) {
    idem::fuzz::require(url->port >= 1 && url->port <= 65535, "base URL port 1-65535");
    idem::fuzz::require(!url->host.empty(), "base URL host not empty");
    idem::fuzz::require(idem::is_valid_host(url->host), "base URL host valid");
  }
  if (auto redis = idem::parse_redis_url(text)) {
    idem::fuzz::require(redis->port >= 1 && redis->port <= 65535, "redis port 1-65535");
    const auto shown = idem::describe_redis_url(*redis);
    // Only a password that cannot occur by chance in "redis://host:port/db" is checked: one with
    // a byte no host, port or number has.
    const bool distinctive =
        redis->password.size() >= 3 && redis->password.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789.-:/[]*@?'() ") != std::string::npos;
    if (distinctive)
      idem::fuzz::require(shown.find(redis->password) == std::string::npos, "password hidden");
    auto wrong = idem::parse_redis_url(std::string(text) + "?");
    if (!wrong && distinctive)
      idem::fuzz::require(wrong.error().message.find(redis->password) == std::string::npos,
                          "password not in the error");
  }
  return 0;
}
