#include "request_builder.hpp"

#include "idem/http.hpp"
#include "idem/chaos/chaos_proxy.hpp"

namespace idem::verify {
namespace {

void set_header(HeaderList& headers, const std::string& name, const std::string& value) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  headers.emplace_back(name, value);
}

Result<std::string> resolve_path(RunContext& ctx, const std::string& path) {
  const TargetSpec& t = ctx.target();
  if (path == "default") return t.path;
  if (path == "large") return t.large_path;
  if (path == "alternate") return t.alternate_path;
  const std::string step = path.substr(std::string_view("location:").size());
  auto it = ctx.steps.find(step);
  if (it != ctx.steps.end()) {
    for (const Exchange& e : it->second.exchanges) {
      if (auto loc = find_header(e.response.response.headers, "Location")) return *loc;
    }
  }
  return t.path;  // no Location to follow: the guarded path itself is a normal target too
}

}  // namespace

std::string alternate_key_header(const std::string& header) {
  return iequals(header, "Idempotency-Key") ? "X-Idempotency-Key" : "Idempotency-Key";
}

Result<Exchange> build_exchange(RunContext& ctx, const RequestSpec& spec,
                                const std::optional<std::string>& key_name, int target_index) {
  const TargetSpec& t = ctx.target();
  const VerifyOptions& o = ctx.shared.options;
  Exchange ex;
  ClientRequest& r = ex.request;
  r.method = spec.method.empty() ? t.method : spec.method;
  r.timeout = spec.abort_after.value_or(o.timeout);
  r.connect_timeout = o.connect_timeout;
  r.tls = t.tls;
  r.headers = t.headers;

  auto path = resolve_path(ctx, spec.path);
  if (!path) return path.error();
  std::string base = t.base_urls[static_cast<size_t>(target_index) % t.base_urls.size()];
  if (spec.via_drop_proxy) {
    auto proxy = ctx.shared.proxy_url();
    if (!proxy) return proxy.error();
    base = *proxy;
    r.headers.emplace_back(std::string(chaos::kDropResponseHeader), "1");
  }
  r.url = path->starts_with("http://") || path->starts_with("https://") ? *path : base + *path;

  const std::string header = spec.key_header == "alternate"
                                 ? alternate_key_header(ctx.profile().key_header)
                                 : ctx.profile().key_header;
  if (spec.raw_key_lines) {
    for (const auto& line : *spec.raw_key_lines) r.headers.emplace_back(header, line);
    ex.key = spec.raw_key_lines->empty() ? "" : spec.raw_key_lines->front();
  } else if (const auto name = key_name ? key_name : spec.key) {
    ex.key = ctx.key_value(*name);
    r.headers.emplace_back(header, ex.key);
  }
  ex.principal = spec.principal;
  if (!t.principals.empty()) {
    set_header(r.headers, t.scope_header,
               t.principals[static_cast<size_t>(spec.principal) % t.principals.size()]);
  }

  const bool bodyless = r.method == "GET" || r.method == "HEAD" || r.method == "DELETE";
  if (!bodyless) r.body = ctx.body(spec.body);
  const Trigger* trigger = nullptr;
  if (spec.trigger == "failure" && t.failure) trigger = &*t.failure;
  if (spec.trigger == "slow" && t.slow) trigger = &*t.slow;
  if (spec.trigger == "crash" && t.crash) trigger = &*t.crash;
  if (trigger) {
    for (const auto& [name, value] : trigger->headers) set_header(r.headers, name, value);
  }
  if (bodyless) return ex;
  if (trigger && trigger->body) r.body = *trigger->body;
  if (ex.key.empty() || spec.body != "default" || spec.raw_key_lines) return ex;
  auto [first, is_new] = ctx.sent.try_emplace(
      ex.key, SentBody{r.body, trigger && trigger->body ? spec.trigger : std::string()});
  if (is_new) return ex;
  // A retry resends what a real client resends: the bytes first sent with this key. A failure
  // or crash trigger carried in those bytes then fires again, so what the check asks about the
  // retry cannot be observed.
  r.body = first->second.body;
  const std::string& carried = first->second.body_trigger;
  if (spec.trigger.empty() && (carried == "failure" || carried == "crash")) {
    ctx.unanswerable = "the " + carried +
                       " trigger is carried in the body, and a retry resends that body (as a "
                       "real client does), so it " +
                       (carried == "failure" ? "fails again and cannot show whether the 5xx "
                                               "was stored"
                                             : "crashes again and cannot show whether the key "
                                               "was released") +
                       "; give this trigger as a header to judge it";
  } else if (trigger && trigger->body && r.body != *trigger->body) {
    ctx.unanswerable = "the " + spec.trigger +
                       " trigger is carried in the body, but its key was first sent with "
                       "another body; sending it would change the request";
  }
  if (!ctx.unanswerable.empty()) return make_error(ErrorCode::InvalidArgument, ctx.unanswerable);
  return ex;
}

}  // namespace idem::verify
