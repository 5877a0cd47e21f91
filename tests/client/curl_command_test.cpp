#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"

using namespace idem;

TEST_CASE("to_curl_command: a POST becomes one single-quoted curl line", "[client]") {
  ClientRequest r;
  r.url = "http://127.0.0.1:8080/payments";
  r.headers = {{"Idempotency-Key", "abc"}, {"Content-Type", "application/json"}};
  r.body = R"({"amount":1000})";
  CHECK(to_curl_command(r) ==
        "curl -sS -i 'http://127.0.0.1:8080/payments' -H 'Idempotency-Key: abc' "
        "-H 'Content-Type: application/json' --data-binary '{\"amount\":1000}'");
}

TEST_CASE("to_curl_command: quotes, empty headers and methods are spelled for the shell",
          "[client]") {
  ClientRequest r;
  r.method = "PUT";
  r.url = "http://h/x?a=1&b=2";
  r.headers = {{"X-Quote", "it's"}, {"X-Empty", ""}};
  r.body = "O'Brien";
  CHECK(to_curl_command(r) ==
        "curl -sS -i -X 'PUT' 'http://h/x?a=1&b=2' -H 'X-Quote: it'\\''s' -H 'X-Empty;' "
        "-H 'Content-Type:' --data-binary 'O'\\''Brien'");

  ClientRequest get;
  get.method = "GET";
  get.url = "http://h/";
  CHECK(to_curl_command(get) == "curl -sS -i 'http://h/'");
  get.method = "HEAD";
  CHECK(to_curl_command(get) == "curl -sS -i --head 'http://h/'");
}

TEST_CASE("to_curl_command: control bytes stay on one line and bodies are piped byte-exactly",
          "[client]") {
  ClientRequest r;
  r.url = "http://h/";
  r.headers = {{"Idempotency-Key", "a\tb\x01"}};
  r.body = std::string("l1\nl2%\0'", 8);
  const std::string cmd = to_curl_command(r);
  CHECK(cmd.find('\n') == std::string::npos);
  CHECK(cmd ==
        "printf 'l1\\012l2%%\\000\\047' | curl -sS -i 'http://h/' "
        "-H $'Idempotency-Key: a\\x09b\\x01' -H 'Content-Type:' --data-binary @-");

  ClientRequest at;
  at.url = "http://h/";
  at.body = "@/etc/passwd";
  CHECK(to_curl_command(at).starts_with("printf '@/etc/passwd' | curl"));
}

TEST_CASE("to_curl_command: the printed command reproduces the body when run by a shell",
          "[client]") {
  ClientRequest r;
  r.url = "http://h/";
  r.body = std::string("a'b\\c%d\n\0\x7f\xff", 11);
  std::string cmd = to_curl_command(r);
  const auto pipe = cmd.find(" | curl");
  REQUIRE(pipe != std::string::npos);
  // Run just the printf half through sh and compare its bytes with the body.
  const std::string script = cmd.substr(0, pipe) + " | od -An -v -tx1 | tr -d ' \\n'";
  FILE* out = ::popen(script.c_str(), "r");
  REQUIRE(out != nullptr);
  std::string hex;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), out) != nullptr) hex += buf;
  REQUIRE(::pclose(out) == 0);
  std::string expected;
  char byte[3];
  for (const char ch : r.body) {
    std::snprintf(byte, sizeof(byte), "%02x", static_cast<unsigned char>(ch));
    expected += byte;
  }
  CHECK(hex == expected);
}
