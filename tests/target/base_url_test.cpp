// The one parser of target base URLs: IPv6 in brackets, ports 1-65535, addresses that can exist.
#include <catch2/catch.hpp>

#include "idem/target/base_url.hpp"

using namespace idem;

TEST_CASE("parse_base_url: names, IPv4 and bracketed IPv6 with and without a port", "[target]") {
  const auto v4 = parse_base_url("http://127.0.0.1:8080");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  const auto v6 = parse_base_url("http://[::1]:9090/api");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 9090);
  const auto tls = parse_base_url("https://[2001:db8::1]");
  REQUIRE(tls.ok());
  CHECK(tls->port == 443);
  const auto creds = parse_base_url("http://user:secret@127.0.0.1:81");
  REQUIRE(creds.ok());
  CHECK(creds->host == "127.0.0.1");
  const auto name = parse_base_url("http://payments.internal");
  REQUIRE(name.ok());
  CHECK(name->port == 80);
}

TEST_CASE("parse_base_url: impossible ports and addresses are InvalidArgument naming the URL",
          "[target]") {
  const std::pair<const char*, const char*> bad[] = {
      {"http://127.0.0.1:70000", "is not 1-65535"},
      {"http://127.0.0.1:0", "is not 1-65535"},
      {"http://127.0.0.1:99999999999999999999", "is not 1-65535"},
      {"http://127.0.0.1:80x", "is not 1-65535"},
      {"http://127.0.0.1:", "expected a port"},
      {"http://::1:8080", "an IPv6 address goes in brackets"},
      {"http://[::1", "closing ']'"},
      {"http://[::g]:80", "'::g' is no IPv6 address"},
      {"http://[::1]x", "expected ':PORT'"},
      {"http://256.1.1.1:80", "'256.1.1.1' is no host name or address"},
      {"http://exa mple:80", "is no host name or address"},
      {"http://:8080", "expected a host"},
      {"ftp://127.0.0.1", "expected http://HOST[:PORT]"},
      {"127.0.0.1:8080", "expected http://HOST[:PORT]"},
  };
  for (const auto& [url, why] : bad) {
    INFO(url);
    const auto r = parse_base_url(url);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK_THAT(r.error().message, Catch::StartsWith(std::string("invalid URL '") + url + "'"));
    CHECK_THAT(r.error().message, Catch::Contains(why));
  }
}
