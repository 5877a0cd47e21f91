#include "tls_files.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "process.hpp"

namespace idem::test {
namespace {

// EC keys: generated in milliseconds, unlike RSA.
constexpr const char* kScript = R"(set -e
cd "$1"
key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 -subj '/CN=idemctl test CA' \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 $key -keyout other_ca.key -out other_ca.pem -days 2 -subj '/CN=other CA' \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl req $key -keyout server.key -out server.csr -subj '/CN=localhost'
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 \
  -extfile server.ext -out server.pem
openssl req $key -keyout client.key -out client.csr -subj '/CN=idemctl test client'
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 3 -days 2 \
  -extfile client.ext -out client.pem
printf 'not a certificate\n' > garbage.pem
)";

TlsFiles make_files() {
  char pattern[] = "/tmp/idem-tls-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  REQUIRE(dir != nullptr);
  TlsFiles f;
  f.dir = dir;
  const auto r = run_process({"/bin/sh", "-c", kScript, "sh", f.dir}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  f.ca = f.dir + "/ca.pem";
  f.server_cert = f.dir + "/server.pem";
  f.server_key = f.dir + "/server.key";
  f.client_cert = f.dir + "/client.pem";
  f.client_key = f.dir + "/client.key";
  f.other_ca = f.dir + "/other_ca.pem";
  f.garbage = f.dir + "/garbage.pem";
  return f;
}

}  // namespace

const TlsFiles& tls_files() {
  static std::once_flag once;
  static TlsFiles files;
  std::call_once(once, [] { files = make_files(); });
  return files;
}

}  // namespace idem::test
