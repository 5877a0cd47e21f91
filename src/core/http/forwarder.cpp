#include "http/forwarder.hpp"

namespace idem {
namespace {

constexpr std::string_view kHopByHop[] = {
    "Connection",        "Keep-Alive",  "Proxy-Connection", "TE",        "Trailer",
    "Transfer-Encoding", "Upgrade",     "Content-Length",   "Host",      "Expect",
    "REMOTE_ADDR",       "REMOTE_PORT", "LOCAL_ADDR",       "LOCAL_PORT"};

}  // namespace

bool is_hop_by_hop(std::string_view name) {
  for (const std::string_view skip : kHopByHop) {
    if (iequals(name, skip)) return true;
  }
  return false;
}

Forwarder::Forwarder(ForwardOptions options) : options_(std::move(options)) {
  while (!options_.upstream.empty() && options_.upstream.back() == '/') {
    options_.upstream.pop_back();
  }
}

ClientRequest Forwarder::upstream_request(const httplib::Request& req) const {
  ClientRequest out;
  out.method = req.method;
  out.url = options_.upstream + req.target;
  out.body = req.body;
  out.timeout = options_.timeout;
  out.connect_timeout = options_.connect_timeout;
  out.tls = options_.tls;
  out.max_response_bytes = options_.max_response_bytes;
  for (const auto& [name, value] : req.headers) {
    if (is_hop_by_hop(name) || (options_.strip && options_.strip(name))) continue;
    out.headers.emplace_back(name, value);
  }
  return out;
}

ClientResponse Forwarder::send(const ClientRequest& request) const {
  // One client per worker thread: HttpClient is single-threaded and keeps its upstream
  // connection alive between the requests this worker forwards.
  thread_local HttpClient client;
  return client.send(request);
}

ClientResponse Forwarder::send_fresh(const ClientRequest& request) const {
  HttpClient client;
  return client.send(request);
}

void write_response(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) {
    if (!is_hop_by_hop(name)) res.headers.emplace(name, value);
  }
  res.body = response.body;
}

void Forwarder::write_answer(const ClientResponse& answer, httplib::Response& res) {
  if (answer.ok()) {
    write_response(answer.response, res);
    return;
  }
  const int status = answer.error == TransportError::Timeout ? 504 : 502;
  write_response(make_problem(status, "upstream-failed", "Upstream failed",
                              std::string(to_string(answer.error)) + ": " +
                                  answer.error_message),
                 res);
}

}  // namespace idem
