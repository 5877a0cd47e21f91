// parse_redis_url: the accepted forms and a named error for each malformed part.
#include <catch2/catch.hpp>

#include "store/redis_url.hpp"

using namespace idem;

namespace {

RedisUrl parse_ok(std::string_view text) {
  auto url = parse_redis_url(text);
  INFO(text << ": " << (url.ok() ? std::string() : url.error().message));
  REQUIRE(url.ok());
  return *url;
}

std::string parse_error(std::string_view text) {
  auto url = parse_redis_url(text);
  INFO(text);
  REQUIRE(!url.ok());
  CHECK(url.error().code == ErrorCode::InvalidArgument);
  return url.error().message;
}

}  // namespace

TEST_CASE("Redis URL: a bare host gets port 6379, db 0 and no credentials", "[store][url]") {
  const RedisUrl u = parse_ok("redis://localhost");
  CHECK(u.host == "localhost");
  CHECK(u.port == 6379);
  CHECK(u.db == 0);
  CHECK(u.username.empty());
  CHECK(u.password.empty());
  CHECK(parse_ok("redis://127.0.0.1:7000/").port == 7000);
}

TEST_CASE("Redis URL: port and db are read", "[store][url]") {
  const RedisUrl u = parse_ok("redis://127.0.0.1:6380/3");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 6380);
  CHECK(u.db == 3);
}

TEST_CASE("Redis URL: a password alone is written :password@", "[store][url]") {
  const RedisUrl u = parse_ok("redis://:s3cret@127.0.0.1");
  CHECK(u.username.empty());
  CHECK(u.password == "s3cret");
}

TEST_CASE("Redis URL: user and password, percent-decoded, may contain @ and :", "[store][url]") {
  const RedisUrl u = parse_ok("redis://alice:p%40ss:w@rd@10.0.0.1:6390/1");
  CHECK(u.username == "alice");
  CHECK(u.password == "p@ss:w@rd");
  CHECK(u.host == "10.0.0.1");
  CHECK(u.port == 6390);
  CHECK(u.db == 1);
}

TEST_CASE("Redis URL: a bracketed IPv6 host is accepted", "[store][url]") {
  const RedisUrl u = parse_ok("redis://[::1]:6379/0");
  CHECK(u.host == "::1");
  CHECK(describe_redis_url(u) == "redis://[::1]:6379/0");
}

TEST_CASE("Redis URL: describe never shows the credentials", "[store][url]") {
  const RedisUrl u = parse_ok("redis://alice:s3cret@127.0.0.1:6380/2");
  CHECK(describe_redis_url(u) == "redis://127.0.0.1:6380/2");
}

TEST_CASE("Redis URL: each malformed part is named", "[store][url]") {
  CHECK_THAT(parse_error("http://127.0.0.1"), Catch::Contains("scheme must be redis://"));
  CHECK_THAT(parse_error("rediss://127.0.0.1"), Catch::Contains("TLS"));
  CHECK_THAT(parse_error("redis://"), Catch::Contains("host is missing"));
  CHECK_THAT(parse_error("redis://:6379"), Catch::Contains("host is missing"));
  CHECK_THAT(parse_error("redis://bad:url:x"), Catch::Contains("port 'url:x'"));
  CHECK_THAT(parse_error("redis://host:"), Catch::Contains("port is empty"));
  CHECK_THAT(parse_error("redis://host:0"), Catch::Contains("port '0'"));
  CHECK_THAT(parse_error("redis://host:65536"), Catch::Contains("port '65536'"));
  CHECK_THAT(parse_error("redis://host:-1"), Catch::Contains("port '-1'"));
  CHECK_THAT(parse_error("redis://host/abc"), Catch::Contains("database 'abc'"));
  CHECK_THAT(parse_error("redis://host/1/2"), Catch::Contains("database '1/2'"));
  CHECK_THAT(parse_error("redis://host/-1"), Catch::Contains("database '-1'"));
  CHECK_THAT(parse_error("redis://user@host"), Catch::Contains("credentials"));
  CHECK_THAT(parse_error("redis://user:@host"), Catch::Contains("password is empty"));
  CHECK_THAT(parse_error("redis://:p%zz@host"), Catch::Contains("percent-encoding"));
  CHECK_THAT(parse_error("redis://:p%4@host"), Catch::Contains("percent-encoding"));
  CHECK_THAT(parse_error("redis://host?db=1"), Catch::Contains("unexpected '?db=1'"));
  CHECK_THAT(parse_error("redis://[::1"), Catch::Contains("unclosed"));
  // Found by tests/fuzz/url_fuzz: control bytes were taken as a host name.
  CHECK_THAT(parse_error(std::string("redis://ho\0st:6379", 19)), Catch::Contains("no host name"));
  CHECK_THAT(parse_error("redis://bad host"), Catch::Contains("no host name"));
}

TEST_CASE("Redis URL: an error never shows the password", "[store][url]") {
  const auto message = parse_error("redis://alice:s3cret-Pw@127.0.0.1:6379/zz");
  CHECK_THAT(message, Catch::Contains("database 'zz'"));
  CHECK_THAT(message, Catch::Contains("redis://***@127.0.0.1:6379/zz"));
  CHECK(message.find("s3cret-Pw") == std::string::npos);
  CHECK(message.find("alice") == std::string::npos);
  CHECK(parse_error("redis://:p%zz@host").find("p%zz") == std::string::npos);
}
