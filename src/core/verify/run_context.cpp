#include "run_context.hpp"

#include <algorithm>

#include "idem/duration.hpp"
#include "idem/key.hpp"
#include "idem/target/render.hpp"

namespace idem::verify {
namespace {

ClientResponse not_sent(const std::string& why) {
  ClientResponse r;
  r.error = TransportError::Other;
  r.error_message = "not sent: " + why;
  return r;
}

// "http://host:1/a/b?c" -> {"http://host:1", "/a/b?c"}; no origin for a relative reference.
std::pair<std::string, std::string> split_origin(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {"", url};
  const size_t path = url.find_first_of("/?#", scheme + 3);
  if (path == std::string::npos) return {url, "/"};
  return {url.substr(0, path), url.substr(path)};
}

std::string redirect_hint_for(const ClientRequest& request, const ClientResponse& answer) {
  const int status = answer.response.status;
  const std::string what = "the target answered " + std::to_string(status) + " to " +
                           request.method + " " + request.url;
  const auto location = find_header(answer.response.headers, "Location");
  if (!location || location->empty()) {
    return what + " with no Location; verify does not follow redirects";
  }
  const auto [origin, path] = split_origin(*location);
  const auto [request_origin, request_path] = split_origin(request.url);
  std::string instead = "--path " + path;
  if (!origin.empty() && origin != request_origin) instead = "--target " + origin + " " + instead;
  return what + " pointing to " + *location +
         "; verify does not follow redirects: run it with " + instead;
}

}  // namespace

Millis RunShared::time_left() const {
  const auto left = deadline - std::chrono::steady_clock::now();
  return std::max(Millis{0}, std::chrono::duration_cast<Millis>(left));
}

Millis RunShared::request_timeout(Millis wanted) const {
  return std::min(wanted, std::max(time_left(), Millis{1}));
}

std::string RunShared::timeouts_text(int n) const {
  return std::to_string(n) + " requests in a row got no answer within --timeout " +
         format_duration(options.timeout);
}

std::string RunShared::check_stop_reason() const {
  if (auto why = run_stop_reason(); !why.empty()) return why;
  if (check_timeouts_ >= kTimeoutsToStopCheck) return timeouts_text(check_timeouts_);
  return "";
}

std::string RunShared::run_stop_reason() const {
  if (cut_by_deadline_ || time_left() == Millis{0}) {
    return "the run's --deadline of " + format_duration(options.deadline) + " passed";
  }
  if (!answered_any_ && run_timeouts_ >= kTimeoutsToStopCheck) {
    return timeouts_text(run_timeouts_) + "; the target accepts connections but never answers";
  }
  if (run_timeouts_ >= kTimeoutsToStopRun) {
    return timeouts_text(run_timeouts_) + "; the target stopped answering";
  }
  return "";
}

ClientResponse RunShared::send(ClientRequest request) {
  auto out = send_burst({std::move(request)});
  return std::move(out.front());
}

std::vector<ClientResponse> RunShared::send_burst(std::vector<ClientRequest> requests) {
  if (auto why = check_stop_reason(); !why.empty()) {
    return std::vector<ClientResponse>(requests.size(), not_sent(why));
  }
  std::vector<ClientRequest> sent = requests;
  for (auto& r : sent) r.timeout = request_timeout(r.timeout);
  std::vector<ClientResponse> out;
  if (sent.size() == 1) {
    out.push_back(client.send(sent.front()));
  } else {
    out = loop.burst(sent);
  }
  // Only a request that waited its whole --timeout counts: one cut short on purpose
  // (abort_after) or by the deadline says nothing about the target.
  bool answered = false;
  bool timed_out = false;
  for (size_t i = 0; i < out.size(); ++i) {
    answered = answered || out[i].ok();
    const int status = out[i].ok() ? out[i].response.status : 0;
    if (redirect_hint.empty() && status >= 300 && status <= 399 && status != 304) {
      redirect_hint = redirect_hint_for(sent[i], out[i]);
    }
    if (out[i].error != TransportError::Timeout) continue;
    const bool shortened = sent[i].timeout < requests[i].timeout;
    cut_by_deadline_ = cut_by_deadline_ || shortened;
    timed_out = timed_out || (!shortened && requests[i].timeout >= options.timeout);
  }
  if (answered) {
    answered_any_ = true;
    check_timeouts_ = 0;
    run_timeouts_ = 0;
  } else if (timed_out) {
    ++check_timeouts_;
    ++run_timeouts_;
  }
  return out;
}

Result<std::string> RunShared::proxy_url() {
  if (!proxy) {
    auto p = std::make_unique<chaos::ChaosProxy>(
        chaos::lost_response_proxy(target.base_urls.front(), target.tls));
    auto port = p->start();
    if (!port) return port.error();
    proxy = std::move(p);
  }
  return proxy->base_url();
}

std::string RunContext::key_value(const std::string& name) {
  auto it = keys.find(name);
  if (it == keys.end()) it = keys.emplace(name, new_uuid4()).first;
  return it->second;
}

std::string RunContext::body(const std::string& variant) {
  auto it = bodies.find(variant);
  if (it != bodies.end()) return it->second;
  // Each run renders its bodies once, so a retry sends the same bytes; the alternate variant
  // differs in every placeholder.
  const long long n = 1000 + 2 * run_number + (variant == "alternate" ? 1 : 0);
  return bodies.emplace(variant, render_body(target().body, n)).first->second;
}

}  // namespace idem::verify
