// The one HTTP client of idemctl (libcurl behind it), used by verify, stress and the proxy.
// An HttpClient is NOT thread-safe: use one per thread; it keeps its connection alive between
// calls. send_burst() and to_curl_command() are free functions, safe from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "idem/clock.hpp"
#include "idem/http.hpp"
#include "idem/result.hpp"

namespace idem {

/// How an https:// exchange trusts the server and proves who the client is (verify's and
/// stress's --cacert, --insecure, --cert, --key). Empty files: the system's CA store, no client
/// certificate. Ignored for http:// URLs.
struct TlsClientOptions {
  std::string ca_file;    ///< PEM CA certificates to trust instead of the system's
  bool insecure = false;  ///< accept any server certificate and host name
  std::string cert_file;  ///< PEM client certificate
  std::string key_file;   ///< PEM private key of cert_file (cert_file itself when empty)
};

/// The largest answer an HttpClient keeps: a bigger one is a Read error, not a process that
/// grows without bound because a target (or a chaos proxy's upstream) keeps sending.
inline constexpr size_t kDefaultMaxResponseBytes = 256u << 20;
/// Header lines of one answer at most (curl bounds each line's length, not their number).
inline constexpr size_t kMaxResponseHeaders = 1000;

struct ClientRequest {
  std::string method = "POST";
  std::string url;  ///< absolute, "http://127.0.0.1:8080/payments"
  HeaderList headers;
  std::string body;
  Millis timeout{10'000};  ///< whole exchange
  Millis connect_timeout{2'000};
  TlsClientOptions tls;
  size_t max_response_bytes = kDefaultMaxResponseBytes;  ///< body; past it: TransportError::Read
};

/// wrk's error taxonomy: what went wrong on the wire, if anything.
enum class TransportError {
  None,
  Connect,  ///< refused or unreachable
  Timeout,  ///< connect or exchange took longer than allowed
  Closed,   ///< the server closed the connection without (a whole) answer
  Read,     ///< the answer could not be read or parsed
  Write,    ///< the request could not be sent
  Other,
};
std::string_view to_string(TransportError error);

/// An exchange's outcome. Transport failures are values here, not Errors: verify reports them
/// and stress counts them, and neither should unwind.
struct ClientResponse {
  HttpResponse response;  ///< valid when error == None
  TransportError error = TransportError::None;
  std::string error_message;
  std::chrono::microseconds latency{0};
  bool ok() const { return error == TransportError::None; }
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  ClientResponse send(const ClientRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// LoadLoop::burst() on a fresh loop (load_loop.hpp), so on fresh connections: every request is
/// sent at once, each on its own connection, and they are released together (all but the last
/// body byte first; bodiless ones when all are connected). Results come back in the order of
/// `requests`. Callers that send many bursts keep a LoadLoop, whose connections stay alive.
std::vector<ClientResponse> send_burst(const std::vector<ClientRequest>& requests);

/// Sends one HEAD of `base_url`/ with `tls` (its status does not matter: no guarded endpoint is
/// touched), so that TLS problems show before a run. Unavailable "TLS: certificate verify
/// failed for URL (use --cacert FILE or --insecure)" when the server's certificate is not
/// trusted, "TLS: ..." for other handshake failures (a plain-HTTP server, a refused client
/// certificate); InvalidArgument naming the file's flag or field (`names`) when curl cannot use
/// it. A slow answer after a finished handshake is no error.
/// How check_tls names the TLS files in its errors: by their flags, or by a config file's
/// fields ("FILE: $.tls.cacert") for the files that came from there.
struct TlsFileNames {
  std::string cacert = "--cacert";
  std::string cert = "--cert";
  std::string key = "--key";
};
Result<void> check_tls(const std::string& base_url, const TlsClientOptions& tls,
                       Millis connect_timeout, const TlsFileNames& names = {});

/// A shell command that reproduces `request` with curl (single-quoted, safe to paste).
std::string to_curl_command(const ClientRequest& request);

/// Process-wide libcurl initialisation. Construct one in main() (and in the test runner) before
/// any thread sends; cheap to construct more than once.
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace idem
