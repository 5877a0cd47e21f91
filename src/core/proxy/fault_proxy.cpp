// FaultProxy: a cpp-httplib server (HttpListener) whose one route forwards every request to the
// upstream with an HttpClient per worker thread, and can lose the upstream's answer on request.
// What passes unchanged: method, path and query, body, status, header values. What does not:
// header order across different names (httplib keeps headers sorted by name; repeated names keep
// their order), hop-by-hop headers, and '%XX' in request header values, which cpp-httplib 0.11
// percent-decodes while parsing.
#include "idem/proxy/fault_proxy.hpp"

#include <atomic>

#include "idem/client/http_client.hpp"
#include "server/http_listener.hpp"

namespace idem {
namespace {

// Bursts go through the proxy: every request of a burst needs its own worker, or the proxy
// would serialise what the client released together.
constexpr size_t kWorkerThreads = 64;
constexpr Millis kUpstreamTimeout{30'000};

// Hop-by-hop headers (RFC 9110 §7.6.1) and framing that each side of the proxy writes itself,
// plus the pseudo-headers httplib adds to every request it parses.
constexpr std::string_view kNotForwarded[] = {
    "Connection",        "Keep-Alive",  "Proxy-Connection", "TE",        "Trailer",
    "Transfer-Encoding", "Upgrade",     "Content-Length",   "Host",      "Expect",
    "REMOTE_ADDR",       "REMOTE_PORT", "LOCAL_ADDR",       "LOCAL_PORT"};

bool forwarded(std::string_view name) {
  for (const std::string_view skip : kNotForwarded) {
    if (iequals(name, skip)) return false;
  }
  return true;
}

void answer_problem(httplib::Response& res, int status, std::string_view slug,
                    std::string_view title, const std::string& detail) {
  const HttpResponse p = make_problem(status, slug, title, detail);
  res.status = p.status;
  for (const auto& [name, value] : p.headers) res.set_header(name.c_str(), value);
  res.body = p.body;
}

}  // namespace

struct FaultProxy::Impl {
  Impl(std::string up, TlsClientOptions t) : upstream(std::move(up)), tls(std::move(t)) {
    while (!upstream.empty() && upstream.back() == '/') upstream.pop_back();
  }
  void forward(const httplib::Request& req, httplib::Response& res);

  std::string upstream;
  TlsClientOptions tls;
  HttpListener listener;
  bool started = false;
  int port = 0;
  std::atomic<long long> dropped{0};
};

void FaultProxy::Impl::forward(const httplib::Request& req, httplib::Response& res) {
  ClientRequest out;
  out.method = req.method;
  out.url = upstream + req.target;
  out.body = req.body;
  out.timeout = kUpstreamTimeout;
  out.tls = tls;
  bool drop = false;
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, kDropResponseHeader)) {
      drop = drop || value == "1";
      continue;
    }
    if (forwarded(name)) out.headers.emplace_back(name, value);
  }

  // One client per worker thread: HttpClient is single-threaded and keeps its upstream
  // connection alive between the requests this worker forwards.
  thread_local HttpClient client;
  const ClientResponse answer = client.send(out);

  if (drop) {
    // The upstream has acted (or failed); the caller must never learn which. Counted before
    // the close, so a caller that sees its connection closed also sees the count.
    ++dropped;
    if (drop_connection(req)) return;
    --dropped;
    answer_problem(res, 502, "proxy-drop-failed", "Proxy could not drop the response",
                   "the client connection was not found; the upstream answer is withheld");
    return;
  }
  if (answer.error == TransportError::Closed && drop_connection(req)) {
    // The upstream hung up without a whole answer: pass that on as it is, rather than turning a
    // lost response into an answer the client could mistake for the upstream's.
    return;
  }
  if (!answer.ok()) {
    const int status = answer.error == TransportError::Timeout ? 504 : 502;
    answer_problem(res, status, "upstream-failed", "Upstream failed",
                   std::string(to_string(answer.error)) + ": " + answer.error_message);
    return;
  }
  res.status = answer.response.status;
  for (const auto& [name, value] : answer.response.headers) {
    if (forwarded(name)) res.headers.emplace(name, value);
  }
  res.body = answer.response.body;
}

FaultProxy::FaultProxy(std::string upstream, TlsClientOptions tls)
    : impl_(std::make_unique<Impl>(std::move(upstream), std::move(tls))) {}

FaultProxy::~FaultProxy() { stop(); }

Result<int> FaultProxy::start(int port) {
  if (impl_->started) {
    return make_error(ErrorCode::InvalidArgument, "the proxy is already running");
  }
  Impl& s = *impl_;
  const auto handler = [&s](const httplib::Request& req, httplib::Response& res) {
    s.forward(req, res);
  };
  const std::string any = ".*";
  // httplib routes HEAD to the GET handlers, with req.method still "HEAD".
  s.listener.Get(any, handler)
      .Post(any, handler)
      .Put(any, handler)
      .Patch(any, handler)
      .Delete(any, handler)
      .Options(any, handler);
  s.listener.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        answer_problem(res, 502, "proxy-error", "Proxy error", "unexpected proxy failure");
      });
  ListenerOptions options;
  options.port = port;
  options.threads = kWorkerThreads;
  auto bound = s.listener.start(options);
  if (!bound) return bound.error();
  s.started = true;
  s.port = *bound;
  return s.port;
}

void FaultProxy::stop() {
  if (impl_) impl_->listener.shutdown();
}

std::string FaultProxy::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

long long FaultProxy::dropped() const { return impl_->dropped.load(); }

}  // namespace idem
