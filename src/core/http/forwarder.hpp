// The one forwarder: turns a request an HttpListener parsed into the same request to one
// upstream, and the upstream's answer back into the listener's response. The chaos proxy (and
// the lost-response proxy of verify and stress, which is the chaos proxy with one rule) use it;
// a gateway mode would too. Thread-safe: each worker thread forwards with its own kept-alive
// HttpClient.
//
// What passes unchanged: method, path and query, body, status, header values. What does not:
// header order across different names (httplib keeps headers sorted by name; repeated names keep
// their order) and hop-by-hop headers (RFC 9110 §7.6.1), which each side writes itself. Bodies
// are buffered, bounded by the listener's payload limit.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <string_view>

#include "idem/client/http_client.hpp"

namespace idem {

struct ForwardOptions {
  std::string upstream;  ///< base URL, "http://127.0.0.1:8080" (a trailing '/' is dropped)
  TlsClientOptions tls;  ///< for an https:// upstream
  Millis timeout{30'000};
  Millis connect_timeout{2'000};
  size_t max_response_bytes = kDefaultMaxResponseBytes;  ///< a bigger upstream answer is a 502
  /// Request headers that are not forwarded besides the hop-by-hop ones (control headers the
  /// proxy itself reads).
  std::function<bool(std::string_view name)> strip;
};

/// True for hop-by-hop and framing headers, and the pseudo-headers httplib adds to every
/// request it parses: each side of a proxy writes these itself.
bool is_hop_by_hop(std::string_view name);

class Forwarder {
 public:
  explicit Forwarder(ForwardOptions options);

  /// The upstream request for `req`.
  ClientRequest upstream_request(const httplib::Request& req) const;
  /// Sends `request` with this thread's client (its connection stays alive for the next one).
  ClientResponse send(const ClientRequest& request) const;
  /// Sends on a client of its own (a second exchange running beside this thread's).
  ClientResponse send_fresh(const ClientRequest& request) const;

  /// Writes the upstream's answer, or a 502/504 problem naming the transport failure.
  static void write_answer(const ClientResponse& answer, httplib::Response& res);
  const ForwardOptions& options() const { return options_; }

 private:
  ForwardOptions options_;
};

/// Writes `problem` (make_problem's output, with any extra headers) into `res`.
void write_response(const HttpResponse& response, httplib::Response& res);

}  // namespace idem
