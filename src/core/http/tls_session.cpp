#include "tls_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>

namespace idem {
namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// A passphrase-protected key must fail to load, not prompt on the server's terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

Error file_error(const char* flag, const std::string& what, const std::string& file) {
  Error e{ErrorCode::InvalidArgument,
          std::string(flag) + ": cannot use '" + file + "' as " + what + " (" + openssl_reason() + ")"};
  ERR_clear_error();
  return e;
}

}  // namespace

TlsSession::~TlsSession() { SSL_free(ssl_); }

TlsIo TlsSession::outcome(int rc) {
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      return TlsIo::WantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsIo::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return TlsIo::Closed;
    case SSL_ERROR_SYSCALL:
      // An empty error queue and no errno: the peer closed the socket.
      if (ERR_peek_error() == 0 && (errno == 0 || errno == ECONNRESET || errno == EPIPE)) {
        return TlsIo::Closed;
      }
      [[fallthrough]];
    default:
      failure_ = openssl_reason();
      plain_http_ = ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_HTTP_REQUEST;
      ERR_clear_error();
      return TlsIo::Failed;
  }
}

TlsIo TlsSession::handshake() {
  // OpenSSL's error queue is per thread and sticky: clear it, or an old error misreports this one.
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_accept(ssl_);
  return rc == 1 ? TlsIo::Ok : outcome(rc);
}

TlsIo TlsSession::read(char* buffer, std::size_t size, std::size_t& n) {
  ERR_clear_error();
  errno = 0;
  n = 0;
  const int rc = SSL_read_ex(ssl_, buffer, size, &n);
  return rc == 1 ? TlsIo::Ok : outcome(rc);
}

TlsIo TlsSession::write(const char* buffer, std::size_t size, std::size_t& n) {
  ERR_clear_error();
  errno = 0;
  n = 0;
  if (size == 0) return TlsIo::Ok;
  const int rc = SSL_write_ex(ssl_, buffer, size, &n);
  return rc == 1 ? TlsIo::Ok : outcome(rc);
}

bool TlsSession::has_pending() const { return SSL_has_pending(ssl_) == 1; }

void TlsSession::close_notify() {
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_) == 1) (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

Result<std::shared_ptr<TlsContext>> TlsContext::load(const TlsServerFiles& files) {
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return make_error(ErrorCode::Internal, "TLS: " + openssl_reason());
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw));
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  // A client that closes without close_notify has closed; it is not an attack on truncation
  // here (HTTP/1.1 framing says where a message ends).
  SSL_CTX_set_options(raw, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Idle kept-alive connections (up to --max-connections) keep no read/write buffers; a write
  // retried after WantWrite may come from a moved buffer (httplib's).
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_default_passwd_cb(raw, &no_passphrase);
  if (SSL_CTX_use_certificate_chain_file(raw, files.cert_file.c_str()) != 1) {
    return file_error("--tls-cert", "a PEM certificate chain", files.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(raw, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return file_error("--tls-key", "an unencrypted PEM private key", files.key_file);
  }
  if (SSL_CTX_check_private_key(raw) != 1) {
    return file_error("--tls-key", "the private key of --tls-cert '" + files.cert_file + "'",
                      files.key_file);
  }
  if (!files.client_ca_file.empty()) {
    const char* ca = files.client_ca_file.c_str();
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca);
    if (names == nullptr || SSL_CTX_load_verify_locations(raw, ca, nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      return file_error("--tls-client-ca", "PEM CA certificates", files.client_ca_file);
    }
    SSL_CTX_set_client_CA_list(raw, names);  // takes ownership
    // Without a session id context OpenSSL refuses to resume a session when it verifies
    // clients ("internal error" alert): curl resumes sessions across its connections.
    static constexpr unsigned char kSessionContext[] = "idemctl serve";
    SSL_CTX_set_session_id_context(raw, kSessionContext, sizeof(kSessionContext) - 1);
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::unique_ptr<TlsSession> TlsContext::accept(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {  // a socket BIO that does not close fd
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsSession>(new TlsSession(ssl));
}

}  // namespace idem
