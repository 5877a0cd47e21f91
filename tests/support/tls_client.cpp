#include "tls_client.hpp"

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace idem::test {

TlsConnection::TlsConnection(int port, const std::string& ca_file, const std::string& cert,
                             const std::string& key) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
  // A handshake the server never finishes must not hang the test.
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr || SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) return;
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (!cert.empty() && (SSL_CTX_use_certificate_file(ctx_, cert.c_str(), SSL_FILETYPE_PEM) != 1 ||
                        SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1)) {
    return;
  }
  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr) return;
  SSL_set_fd(ssl_, fd_);
  SSL_set1_host(ssl_, "localhost");  // a DNS name of the certificate
  ok_ = SSL_connect(ssl_) == 1;
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsConnection::send(std::string_view bytes) {
  size_t written = 0;
  return ok_ && SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written) == 1 &&
         written == bytes.size();
}

bool TlsConnection::fill(std::chrono::steady_clock::time_point deadline) {
  if (!ok_) return false;
  while (SSL_pending(ssl_) == 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc < 0) return false;
    if (rc > 0) break;
  }
  char buf[16 * 1024];
  size_t n = 0;
  ERR_clear_error();
  if (SSL_read_ex(ssl_, buf, sizeof(buf), &n) != 1) return false;
  buffer_.append(buf, n);
  return true;
}

std::string TlsConnection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::exchange(buffer_, {});
  }
  size_t length = 0;
  const std::string head = buffer_.substr(0, head_end);
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    if (const size_t at = head.find(name); at != std::string::npos) {
      length = std::strtoul(head.c_str() + at + std::string_view(name).size(), nullptr, 10);
    }
  }
  const size_t total = head_end + 4 + length;
  while (buffer_.size() < total) {
    if (!fill(deadline)) return std::exchange(buffer_, {});
  }
  std::string response = buffer_.substr(0, total);
  buffer_.erase(0, total);
  return response;
}

bool TlsConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!fill(deadline)) {
      // fill() fails on close and on timeout alike: tell them apart by the clock.
      return std::chrono::steady_clock::now() < deadline;
    }
  }
  return false;
}

}  // namespace idem::test
