#include "idem/client/http_client.hpp"

#include "curl_transfer.hpp"

namespace idem {

std::string_view to_string(TransportError error) {
  switch (error) {
    case TransportError::None:
      return "none";
    case TransportError::Connect:
      return "connect";
    case TransportError::Timeout:
      return "timeout";
    case TransportError::Closed:
      return "closed";
    case TransportError::Read:
      return "read";
    case TransportError::Write:
      return "write";
    case TransportError::Other:
      return "other";
  }
  return "other";
}

struct HttpClient::Impl {
  // One easy handle for the client's lifetime: it owns the connection cache, so a kept-alive
  // connection is reused by the next send().
  curl::EasyHandle handle{curl_easy_init()};
  curl::Transfer transfer;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

ClientResponse HttpClient::send(const ClientRequest& request) {
  if (!impl_->handle) {
    return ClientResponse{{}, TransportError::Other, "curl_easy_init failed", {}};
  }
  const std::string refused =
      impl_->transfer.prepare(impl_->handle.get(), request, curl::BodyMode::Whole);
  if (!refused.empty()) return ClientResponse{{}, TransportError::Other, refused, {}};
  const auto started = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(impl_->handle.get());
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  return impl_->transfer.finish(code, latency);
}

CurlGlobal::CurlGlobal() {
  // Reference-counted by libcurl, so nested guards are fine; failure here means no memory, and
  // every handle would then fail to initialise and report it.
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

}  // namespace idem
