// serve over HTTPS: TLS lives in the epoll edge (handshake and head in the HeadReader, the
// session handed to a worker and back). Real certificates made by the openssl CLI, real clients
// (libcurl through HttpClient, OpenSSL directly, raw sockets for hostile bytes).
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "idem/client/http_client.hpp"
#include "support/raw_client.hpp"
#include "support/test_server.hpp"
#include "support/tls_client.hpp"
#include "support/tls_files.hpp"

using namespace idem;
using namespace idem::test;

namespace {

ServerConfig tls_config(bool client_certificates = false) {
  const TlsFiles& f = tls_files();
  ServerConfig c = quiet_config();
  c.tls.cert_file = f.server_cert;
  c.tls.key_file = f.server_key;
  if (client_certificates) c.tls.client_ca_file = f.ca;
  return c;
}

std::string https(const TestServer& ts, const std::string& path) {
  return "https://127.0.0.1:" + std::to_string(ts.port()) + path;
}

ClientRequest payment(const std::string& url, const std::string& key, TlsClientOptions tls) {
  ClientRequest r;
  r.url = url;
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  r.body = kPaymentBody;
  r.tls = std::move(tls);
  return r;
}

TlsClientOptions trusting_ca() {
  TlsClientOptions t;
  t.ca_file = tls_files().ca;
  return t;
}

std::string request(const std::string& method, const std::string& path,
                    const std::string& extra = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

std::string payment_wire(const std::string& key, const std::string& extra = "") {
  return "POST /payments HTTP/1.1\r\nHost: localhost\r\nIdempotency-Key: " + key +
         "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(kPaymentBody.size()) + "\r\n" + extra + "\r\n" + kPaymentBody;
}

long long executions(const TestServer& ts, const std::string& key) {
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = https(ts, "/__idem/executions?key=" + key);
  r.tls = trusting_ca();
  const auto res = client.send(r);
  if (!res.ok() || res.response.status != 200) return -1;
  const size_t at = res.response.body.find("\"executions\":");
  return at == std::string::npos ? -1 : std::stoll(res.response.body.substr(at + 13));
}

}  // namespace

TEST_CASE("TLS edge: a payment over HTTPS executes once and its retry is replayed", "[tls]") {
  TestServer ts(tls_config());
  CHECK(ts.server().base_url().starts_with("https://127.0.0.1:"));
  HttpClient client;
  const std::string key = "6f1c2a52-1d4e-4f4b-9a47-3c4f3d0f8a11";
  const auto first = client.send(payment(https(ts, "/payments"), key, trusting_ca()));
  INFO(first.error_message);
  REQUIRE(first.ok());
  CHECK(first.response.status == 201);
  const auto retry = client.send(payment(https(ts, "/payments"), key, trusting_ca()));
  REQUIRE(retry.ok());
  CHECK(retry.response.status == 201);
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
  CHECK(retry.response.body == first.response.body);
  CHECK(executions(ts, key) == 1);
}

TEST_CASE("TLS edge: a kept-alive session serves request after request, pipelined ones too",
          "[tls]") {
  TestServer ts(tls_config());
  TlsConnection c(ts.port(), tls_files().ca);
  REQUIRE(c.ok());
  // One at a time: the session goes to a worker and back to the reader between them.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.send(request("GET", "/healthz")));
    const std::string answer = c.read_response();
    INFO(answer);
    CHECK(answer.starts_with("HTTP/1.1 200"));
  }
  // Two requests in two TLS records sent back to back, before reading: the second is read from
  // what the session or the socket still holds after the first was served.
  const std::string key = "0b6d8d7e-4a39-4c1a-8f37-2f7a4f5d9e21";
  REQUIRE(c.send(payment_wire(key)));
  REQUIRE(c.send(payment_wire(key)));
  const std::string first = c.read_response();
  const std::string second = c.read_response();
  CHECK(first.starts_with("HTTP/1.1 201"));
  CHECK(second.starts_with("HTTP/1.1 201"));
  CHECK(second.find("Idempotent-Replayed: true") != std::string::npos);
  CHECK(executions(ts, key) == 1);
}

TEST_CASE("TLS edge: a plain-HTTP request to the HTTPS port is told so and closed", "[tls]") {
  TestServer ts(tls_config());
  const std::string wire = raw_exchange(ts.port(), request("GET", "/healthz", "Connection: close\r\n"));
  CHECK(wire.starts_with("HTTP/1.1 400"));
  CHECK(wire.find("use an https:// URL") != std::string::npos);
  HttpClient client;
  ClientRequest health;
  health.method = "GET";
  health.url = https(ts, "/healthz");
  health.tls = trusting_ca();
  CHECK(client.send(health).response.status == 200);
}

TEST_CASE("TLS edge: garbage instead of a ClientHello closes that connection only", "[tls]") {
  TestServer ts(tls_config());
  std::vector<std::string> garbage = {std::string(4096, '\0'), std::string(300, '\x16'),
                                      "\x16\x03\x01\xff\xff" + std::string(2000, 'A'),
                                      "\x80\x2e\x01\x03\x01" + std::string(64, '\xff')};
  for (const std::string& bytes : garbage) {
    RawConnection raw(ts.port());
    REQUIRE(raw.connected());
    raw.send(bytes);
    CHECK(raw.closed_by_peer(std::chrono::seconds(10)));
  }
  TlsConnection good(ts.port(), tls_files().ca);
  REQUIRE(good.ok());
  REQUIRE(good.send(request("GET", "/healthz")));
  CHECK(good.read_response().starts_with("HTTP/1.1 200"));
}

TEST_CASE("TLS edge: stalled handshakes hold no worker and are closed at the head timeout",
          "[tls]") {
  ServerConfig c = tls_config();
  c.threads = 1;
  c.head_timeout = std::chrono::milliseconds(3000);
  TestServer ts(c);
  // More stalled clients than workers: silent ones, and ones stuck inside a ClientHello.
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 8; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(ts.port()));
    REQUIRE(stalled.back()->connected());
    if (i % 2 == 1) REQUIRE(stalled.back()->send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc"));
  }
  // A real client is served meanwhile, with a timeout shorter than the head timeout: it could
  // not be if a stalled handshake held the one worker or the reader.
  HttpClient client;
  ClientRequest health;
  health.method = "GET";
  health.url = https(ts, "/healthz");
  health.tls = trusting_ca();
  health.timeout = std::chrono::milliseconds(2000);
  const auto r = client.send(health);
  INFO(r.error_message);
  CHECK(r.response.status == 200);
  int closed = 0;
  for (auto& s : stalled) closed += s->closed_by_peer(std::chrono::seconds(10)) ? 1 : 0;
  CHECK(closed == 8);
}

TEST_CASE("TLS edge: with a client CA, a client without a certificate is refused", "[tls]") {
  TestServer ts(tls_config(/*client_certificates=*/true));
  const TlsFiles& f = tls_files();
  HttpClient client;
  const std::string key = "5a0c9f0e-8a8b-4f0f-9d5e-0e6b1c2d3f41";
  const auto anonymous = client.send(payment(https(ts, "/payments"), key, trusting_ca()));
  CHECK_FALSE(anonymous.ok());
  TlsClientOptions with_cert = trusting_ca();
  with_cert.cert_file = f.client_cert;
  with_cert.key_file = f.client_key;
  HttpClient authenticated;
  const auto paid = authenticated.send(payment(https(ts, "/payments"), key, with_cert));
  INFO(paid.error_message);
  CHECK(paid.response.status == 201);
  CHECK(check_tls(https(ts, ""), with_cert, std::chrono::seconds(2)).ok());
  const auto refused = check_tls(https(ts, ""), trusting_ca(), std::chrono::seconds(2));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unavailable);
}

TEST_CASE("TLS edge: check_tls names an untrusted certificate in one line", "[tls]") {
  TestServer ts(tls_config());
  TlsClientOptions other;
  other.ca_file = tls_files().other_ca;
  const auto untrusted = check_tls(https(ts, ""), other, std::chrono::seconds(2));
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.error().code == ErrorCode::Unavailable);
  CHECK(untrusted.error().message == "TLS: certificate verify failed for " + https(ts, "") +
                                         " (use --cacert FILE or --insecure)");
  TlsClientOptions insecure;
  insecure.insecure = true;
  CHECK(check_tls(https(ts, ""), insecure, std::chrono::seconds(2)).ok());
  CHECK(check_tls(https(ts, ""), trusting_ca(), std::chrono::seconds(2)).ok());
  TlsClientOptions garbage;
  garbage.ca_file = tls_files().garbage;
  const auto bad = check_tls(https(ts, ""), garbage, std::chrono::seconds(2));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::InvalidArgument);
  CHECK_THAT(bad.error().message, Catch::StartsWith("--cacert: "));
}

TEST_CASE("TLS edge: unusable certificate or key files fail start naming the flag", "[tls]") {
  const TlsFiles& f = tls_files();
  const std::pair<ServerConfig, std::string> cases[] = {
      {[&] { auto c = tls_config(); c.tls.cert_file = f.garbage; return c; }(), "--tls-cert: "},
      {[&] { auto c = tls_config(); c.tls.key_file = f.garbage; return c; }(), "--tls-key: "},
      {[&] { auto c = tls_config(); c.tls.key_file = f.client_key; return c; }(), "--tls-key: "},
      {[&] { auto c = tls_config(); c.tls.client_ca_file = f.garbage; return c; }(),
       "--tls-client-ca: "},
  };
  for (const auto& [config, flag] : cases) {
    ServerConfig c = config;
    c.port = 0;
    ReferenceServer server(c, std::make_unique<MemoryStore>());
    const auto started = server.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().code == ErrorCode::InvalidArgument);
    CHECK_THAT(started.error().message, Catch::StartsWith(flag));
  }
}
