// Test helper: throwaway TLS material made with the openssl CLI in a fresh temp dir, once per
// test process: a CA, a server certificate for 127.0.0.1 and localhost signed by it, a client
// certificate signed by it, and a second CA that signed none of them. Thread-safe (made once).
#pragma once

#include <string>

namespace idem::test {

struct TlsFiles {
  std::string dir;
  std::string ca;           ///< CA certificate (PEM)
  std::string server_cert;  ///< SAN IP:127.0.0.1, DNS:localhost; serverAuth
  std::string server_key;
  std::string client_cert;  ///< clientAuth
  std::string client_key;
  std::string other_ca;     ///< a CA that signed nothing here
  std::string garbage;      ///< a file that is no PEM at all
};

/// The files, generated on first use (a failing openssl command fails the calling test).
const TlsFiles& tls_files();

}  // namespace idem::test
