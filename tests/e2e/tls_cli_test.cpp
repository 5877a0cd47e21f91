// HTTPS end to end on the real binary: `serve --tls-cert/--tls-key` (and --tls-client-ca),
// `verify` and `stress` against it with --cacert, --insecure, --cert/--key; an untrusted
// certificate is one line and exit 3; files that cannot be used are exit 2 naming the flag.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/tls_files.hpp"

using namespace idem::test;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// A TLS `idemctl serve` on a free port; url() is its https:// base URL.
class TlsServe {
 public:
  explicit TlsServe(std::vector<std::string> extra = {}) {
    const TlsFiles& f = tls_files();
    std::vector<std::string> args{IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q",
                                  "--tls-cert", f.server_cert, "--tls-key", f.server_key};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<BackgroundProcess>(args);
    port_ = process_->wait_for_port();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  BackgroundProcess& process() { return *process_; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
};

const char* kQuickChecks = "first-executes,replay-identical,concurrent-duplicates";

}  // namespace

TEST_CASE("CLI: serve --tls-cert prints an https:// URL and verify --cacert passes every check",
          "[cli][tls]") {
  TlsServe serve;
  REQUIRE(serve.port() > 0);
  CHECK_THAT(serve.process().out(), Catch::Contains("listening on https://127.0.0.1:"));
  const auto r = run_process(
      {IDEMCTL_BINARY, "verify", "--target", serve.url(), "--cacert", tls_files().ca});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(" 0 failed"));
  // The same checks as over plain HTTP: none skipped for being HTTPS.
  BackgroundProcess plain({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"});
  const int plain_port = plain.wait_for_port();
  REQUIRE(plain_port > 0);
  const auto http = run_process(
      {IDEMCTL_BINARY, "verify", "--target", "http://127.0.0.1:" + std::to_string(plain_port)});
  INFO(http.out);
  // "24 checks: 22 passed, 0 failed, 0 warnings, 2 skipped" without the time it took.
  const auto summary = [](const std::string& out) {
    const size_t at = out.rfind(" checks: ");
    if (at == std::string::npos) return std::string();
    const size_t begin = out.rfind('\n', at) + 1;
    return out.substr(begin, out.find(" in ", at) - begin);
  };
  CHECK_FALSE(summary(r.out).empty());
  CHECK(summary(r.out) == summary(http.out));
}

TEST_CASE("CLI: verify of an untrusted certificate is one line and exit 3; --insecure passes",
          "[cli][tls]") {
  TlsServe serve;
  REQUIRE(serve.port() > 0);
  for (const std::string command : {"verify", "stress"}) {
    INFO(command);
    std::vector<std::string> args{IDEMCTL_BINARY, command, "--target", serve.url()};
    if (command == "stress") args.insert(args.end(), {"-n", "10"});
    const auto r = run_process(args);
    CHECK(r.exit_code == 3);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err == "idemctl " + command + ": TLS: certificate verify failed for " + serve.url() +
                       " (use --cacert FILE or --insecure)\n");
  }
  const auto other = run_process({IDEMCTL_BINARY, "verify", "--target", serve.url(), "--cacert",
                                  tls_files().other_ca});
  CHECK(other.exit_code == 3);
  CHECK_THAT(other.err, Catch::Contains("TLS: certificate verify failed"));
  const auto insecure = run_process(
      {IDEMCTL_BINARY, "verify", "--target", serve.url(), "--insecure", "--only", kQuickChecks});
  INFO(insecure.out << insecure.err);
  CHECK(insecure.exit_code == 0);
  CHECK_THAT(insecure.out, Catch::Contains("3 checks: 3 passed"));
}

TEST_CASE("CLI: --cacert, --cert and --key files that cannot be used are exit 2 naming the flag",
          "[cli][tls]") {
  const TlsFiles& f = tls_files();
  TlsServe serve;
  REQUIRE(serve.port() > 0);
  const std::string missing = f.dir + "/missing.pem";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--cacert", missing}, "--cacert: cannot read '" + missing + "'"},
      {{"--cacert", f.dir}, "--cacert: cannot read '" + f.dir + "'"},
      {{"--cacert", f.garbage}, "--cacert: cannot load CA certificates from '" + f.garbage + "'"},
      {{"--cacert", f.ca, "--cert", missing, "--key", f.client_key}, "--cert: cannot read"},
      {{"--cacert", f.ca, "--cert", f.client_cert, "--key", missing}, "--key: cannot read"},
      {{"--cacert", f.ca, "--key", f.client_key}, "--key: give the client certificate with --cert"},
      {{"--cacert", f.ca, "--cert", f.garbage, "--key", f.client_key}, "--cert: cannot use"},
      {{"--cacert", f.ca, "--cert", f.client_cert, "--key", f.garbage}, "--key: cannot use"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{IDEMCTL_BINARY, "verify", "--target", serve.url()};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_process(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::StartsWith("idemctl verify: " + message));
    // Never key material in a message.
    CHECK_THAT(r.err, !Catch::Contains("PRIVATE KEY"));
  }
}

TEST_CASE("CLI: serve --tls-client-ca wants a client certificate, and --cert/--key give it",
          "[cli][tls]") {
  const TlsFiles& f = tls_files();
  TlsServe serve({"--tls-client-ca", f.ca});
  REQUIRE(serve.port() > 0);
  const auto with_cert = run_process({IDEMCTL_BINARY, "verify", "--target", serve.url(),
                                      "--cacert", f.ca, "--cert", f.client_cert, "--key",
                                      f.client_key, "--only", kQuickChecks});
  INFO(with_cert.out << with_cert.err);
  CHECK(with_cert.exit_code == 0);
  CHECK_THAT(with_cert.out, Catch::Contains("3 checks: 3 passed"));
  const auto without = run_process(
      {IDEMCTL_BINARY, "verify", "--target", serve.url(), "--cacert", f.ca, "--only", kQuickChecks});
  INFO(without.err);
  CHECK(without.exit_code == 3);
  CHECK(count_lines(without.err) == 1);
  CHECK_THAT(without.err, Catch::Contains("TLS: " + serve.url() + " refused the connection"));
}

TEST_CASE("CLI: stress --target https:// runs over TLS and passes", "[cli][tls]") {
  TlsServe serve;
  REQUIRE(serve.port() > 0);
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--target", serve.url(), "--cacert",
                              tls_files().ca, "--keys", "200", "--dups", "2", "-c", "4"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("RESULT: PASS"));
}

TEST_CASE("CLI: stress's reproduction curl commands carry the run's TLS flags", "[cli][tls]") {
  // A server that does not replay: every duplicate executes again, a violation with examples.
  TlsServe serve({"--bug", "no-replay"});
  REQUIRE(serve.port() > 0);
  const TlsFiles& f = tls_files();
  const std::string report = f.dir + "/stress-repro.json";
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--target", serve.url(), "--cacert",
                              f.ca, "--keys", "50", "--dups", "2", "-c", "2",
                              "--report", "json=" + report});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  std::ifstream in(report);
  REQUIRE(in);
  const auto doc = nlohmann::json::parse(in);
  size_t examples = 0;
  for (const auto& v : doc.at("violations")) {
    for (const auto& e : v.at("examples")) {
      const std::string curl = e.at("curl");
      INFO(curl);
      CHECK_THAT(curl, Catch::Contains("--cacert '" + f.ca + "'"));
      CHECK_THAT(curl, Catch::Contains(serve.url()));
      ++examples;
    }
  }
  CHECK(examples > 0);
  // --insecure and a client certificate are carried the same way.
  TlsServe mutual({"--bug", "no-replay", "--tls-client-ca", f.ca});
  REQUIRE(mutual.port() > 0);
  const auto m = run_process({IDEMCTL_BINARY, "stress", "-q", "--target", mutual.url(),
                              "--insecure", "--cert", f.client_cert, "--key", f.client_key,
                              "--keys", "50", "--dups", "2", "-c", "2", "--report",
                              "json=" + report});
  INFO(m.out << m.err);
  CHECK(m.exit_code == 1);
  std::ifstream in2(report);
  REQUIRE(in2);
  const auto doc2 = nlohmann::json::parse(in2);
  REQUIRE_FALSE(doc2.at("violations").empty());
  const std::string curl = doc2.at("violations")[0].at("examples")[0].at("curl");
  CHECK_THAT(curl, Catch::Contains(" --insecure --cert '" + f.client_cert + "' --key '" +
                                   f.client_key + "'"));
}

TEST_CASE("CLI: verify and stress --config take the TLS settings in \"tls\"", "[cli][tls]") {
  TlsServe serve({"--tls-client-ca", tls_files().ca});
  REQUIRE(serve.port() > 0);
  const TlsFiles& f = tls_files();
  const char* kPayment = R"("path": "/payments", "headers": {"Content-Type": "application/json"},)"
                         R"( "body": {"amount": 1000, "currency": "EUR"})";
  // File names relative to the config file's directory (the certificates' own).
  const std::string config = f.dir + "/tls-config.json";
  {
    std::ofstream out(config);
    out << R"({"targets": [")" << serve.url()
        << R"("], )" << kPayment << R"(, "tls": {"cacert": "ca.pem", "cert": "client.pem",)"
        << R"( "key": ")" << f.client_key << R"("}})";
  }
  const auto v = run_process(
      {IDEMCTL_BINARY, "verify", "--config", config, "--only", kQuickChecks});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains(" 0 failed"));
  const auto s = run_process({IDEMCTL_BINARY, "stress", "-q", "--config", config, "--keys", "100",
                              "--dups", "2", "-c", "2"});
  INFO(s.out << s.err);
  CHECK(s.exit_code == 0);
  CHECK_THAT(s.out, Catch::Contains("RESULT: PASS"));
  // Without the client certificate the server refuses: the config's settings were what was used.
  const std::string no_cert = f.dir + "/tls-config-no-cert.json";
  {
    std::ofstream out(no_cert);
    out << R"({"targets": [")" << serve.url() << R"("], )" << kPayment
        << R"(, "tls": {"cacert": "ca.pem"}})";
  }
  const auto refused = run_process({IDEMCTL_BINARY, "verify", "--config", no_cert});
  INFO(refused.err);
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("refused the connection"));
  // A flag given too wins over the config: --cert/--key supply what the file lacks.
  const auto flags = run_process({IDEMCTL_BINARY, "verify", "--config", no_cert, "--cert",
                                  f.client_cert, "--key", f.client_key, "--only", kQuickChecks});
  INFO(flags.out << flags.err);
  CHECK(flags.exit_code == 0);
  // A file that cannot be read, or a key without its certificate, is exit 2 naming the field.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"cacert": "missing.pem"})", "$.tls.cacert: cannot read '" + f.dir + "/missing.pem'"},
      {R"({"key": "client.key"})", "$.tls.key: give the client certificate in 'cert' too"},
      {R"({"insecure": "yes"})", "$.tls.insecure: expected true or false"},
      {R"({"ca": "ca.pem"})", "$.tls"},
      // Readable but no certificate: found by the handshake check, still named by its field.
      {R"({"cacert": "tls-config.json"})",
       "$.tls.cacert: cannot load CA certificates from '" + f.dir + "/tls-config.json'"},
  };
  for (const auto& [tls, message] : bad) {
    const std::string file = f.dir + "/tls-config-bad.json";
    {
      std::ofstream out(file);
      out << R"({"targets": [")" << serve.url() << R"("], "tls": )" << tls << "}";
    }
    for (const std::string command : {"verify", "stress"}) {
      std::vector<std::string> args{IDEMCTL_BINARY, command, "--config", file};
      if (command == "stress") args.insert(args.end(), {"-n", "1"});
      const auto r = run_process(args);
      INFO(command << " " << tls << ": " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(count_lines(r.err) == 1);
      CHECK_THAT(r.err, Catch::Contains(file + ": " + message));
    }
  }
}

TEST_CASE("CLI: serve's TLS files that cannot be used are exit 2 naming the flag", "[cli][tls]") {
  const TlsFiles& f = tls_files();
  const std::string missing = f.dir + "/missing.pem";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--tls-cert", f.server_cert}, "--tls-cert: give its private key with --tls-key"},
      {{"--tls-key", f.server_key}, "--tls-key: give the certificate with --tls-cert"},
      {{"--tls-cert", missing, "--tls-key", f.server_key}, "--tls-cert: cannot read '" + missing},
      {{"--tls-cert", f.garbage, "--tls-key", f.server_key}, "--tls-cert: cannot use '" + f.garbage},
      {{"--tls-cert", f.server_cert, "--tls-key", f.garbage}, "--tls-key: cannot use '" + f.garbage},
      {{"--tls-cert", f.server_cert, "--tls-key", f.client_key}, "--tls-key: cannot use"},
      {{"--tls-cert", f.server_cert, "--tls-key", f.server_key, "--tls-client-ca", f.garbage},
       "--tls-client-ca: cannot use"},
      {{"--tls-client-ca", f.ca}, "--tls-client-ca: needs HTTPS"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_process(args, std::chrono::seconds(10));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::StartsWith("idemctl serve: " + message));
    CHECK_THAT(r.err, !Catch::Contains("PRIVATE KEY"));
  }
}
