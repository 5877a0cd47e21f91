// check_tls(): one TLS handshake and a HEAD before a run, so that an untrusted certificate is
// one clear line (and exit 3) instead of every check failing with curl's message.
#include <string_view>

#include "curl_transfer.hpp"
#include "idem/client/http_client.hpp"

namespace idem {

Result<void> check_tls(const std::string& base_url, const TlsClientOptions& tls,
                       Millis connect_timeout, const TlsFileNames& names) {
  curl::EasyHandle handle(curl_easy_init());
  if (!handle) return make_error(ErrorCode::Internal, "curl_easy_init failed");
  ClientRequest probe;
  probe.method = "HEAD";
  probe.url = base_url + "/";
  probe.timeout = connect_timeout;
  probe.connect_timeout = connect_timeout;
  probe.tls = tls;
  char error[CURL_ERROR_SIZE] = {};
  // One HEAD of the base path, not only the handshake: under TLS 1.3 a server refuses a client
  // certificate (or its absence) only after the client finished its side of the handshake, so
  // the refusal shows on the first exchange. Its status does not matter.
  CURLcode code = curl::set_common_options(handle.get(), probe, error);
  if (code == CURLE_OK) code = curl_easy_setopt(handle.get(), CURLOPT_NOBODY, 1L);
  if (code == CURLE_OK) code = curl_easy_perform(handle.get());
  double handshake_done_at = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_APPCONNECT_TIME, &handshake_done_at);
  // A slow answer after a finished handshake is no TLS problem (the run judges the target).
  if (code == CURLE_OPERATION_TIMEDOUT && (handshake_done_at > 0 || !base_url.starts_with("https://"))) {
    code = CURLE_OK;
  }
  const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OK:
      return {};
    case CURLE_PEER_FAILED_VERIFICATION:
      return make_error(ErrorCode::Unavailable,
                        "TLS: certificate verify failed for " + base_url +
                            " (use --cacert FILE or --insecure)");
    case CURLE_SSL_CACERT_BADFILE:
      return make_error(ErrorCode::InvalidArgument,
                        names.cacert + ": cannot load CA certificates from '" + tls.ca_file + "'");
    case CURLE_SSL_CERTPROBLEM: {
      // curl names the file it could not use; its messages never carry key material.
      const bool key = std::string_view(detail).find("private key") != std::string_view::npos;
      return make_error(ErrorCode::InvalidArgument,
                        key ? names.key + ": cannot use private key '" +
                                  (tls.key_file.empty() ? tls.cert_file : tls.key_file) +
                                  "' with " + names.cert + " '" + tls.cert_file + "'"
                            : names.cert + ": cannot use client certificate '" + tls.cert_file + "'");
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
      return make_error(ErrorCode::Unavailable,
                        "TLS: handshake with " + base_url + " failed: " + detail);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      // After the handshake, typically the server's alert refusing the client certificate.
      return make_error(ErrorCode::Unavailable,
                        "TLS: " + base_url + " refused the connection: " + detail +
                            (tls.cert_file.empty() ? " (does it want --cert FILE --key FILE?)" : ""));
    default:
      return make_error(ErrorCode::Unavailable, base_url + ": " + detail);
  }
}

}  // namespace idem
