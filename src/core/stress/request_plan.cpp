#include "request_plan.hpp"

#include <cstdio>

#include "idem/key.hpp"
#include "idem/chaos/chaos_proxy.hpp"
#include "idem/target/render.hpp"

namespace idem::stress {
namespace {

std::string line(const std::string& name, const std::string& value) {
  // "Name;" is curl's spelling of a header with an empty value.
  return value.empty() ? name + ";" : name + ": " + value;
}

}  // namespace

RequestPlan make_plan(const TargetSpec& t, const StressOptions& o) {
  RequestPlan p;
  for (const auto& base : t.base_urls) p.urls.push_back(base + t.path);
  p.method = t.method;
  p.tls = t.tls;
  p.sends_body = !(t.method == "GET" || t.method == "HEAD" || t.method == "DELETE");
  for (const auto& [name, value] : t.headers) {
    if (!t.principals.empty() && iequals(name, t.scope_header)) continue;
    p.common_lines.push_back(line(name, value));
  }
  // One caller: the first principal, so counting by executions URL sees the same scope.
  if (!t.principals.empty()) p.common_lines.push_back(line(t.scope_header, t.principals.front()));
  if (t.failure) {
    for (const auto& [name, value] : t.failure->headers) p.failure_lines.push_back(line(name, value));
    p.failure_has_body = t.failure->body.has_value();
    if (t.failure->body) p.failure_body = *t.failure->body;
  }
  p.drop_line = line(std::string(chaos::kDropResponseHeader), "1");
  p.key_header = o.profile.key_header;
  p.invalid_key_line = line(p.key_header, std::string(kInvalidKeyLength, 'k'));
  p.body_template = t.body;
  if (o.segment_count > 1) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%08x", static_cast<unsigned>(o.segment_index));
    p.key_prefix = prefix;
  }
  return p;
}

void prepare_key(KeyEntry& e, const RequestPlan& plan, long long n, Operation op) {
  e.key = new_uuid4();
  if (!plan.key_prefix.empty()) e.key.replace(0, plan.key_prefix.size(), plan.key_prefix);
  e.key_line = line(plan.key_header, e.key);
  e.op = op;
  if (plan.sends_body) {
    e.body = render_body(plan.body_template, 1000 + 2 * n);
    // The alternate body differs in every placeholder, as verify's mismatch variant does.
    if (op == Operation::Mismatch) e.alt_body = render_body(plan.body_template, 1001 + 2 * n);
    if (op == Operation::Mismatch && e.alt_body == e.body) e.alt_body += " ";
  }
  e.url_index = static_cast<uint32_t>(static_cast<size_t>(n) % plan.urls.size());
}

ClientRequest RequestPlan::example_request(const KeyEntry& k, RequestKind kind,
                                           const std::string& url) const {
  ClientRequest r;
  r.method = method;
  r.url = url;
  r.tls = tls;
  std::vector<std::string> lines = common_lines;
  if (kind == RequestKind::InvalidKey) {
    lines.push_back(invalid_key_line);
  } else if (kind != RequestKind::MissingKey) {
    lines.push_back(k.key_line);
  }
  if (kind == RequestKind::Failure) lines.insert(lines.end(), failure_lines.begin(), failure_lines.end());
  if (kind == RequestKind::LostResponse) lines.push_back(drop_line);
  for (const auto& l : lines) {
    const size_t colon = l.find_first_of(":;");
    std::string value = colon + 1 < l.size() ? l.substr(colon + 1) : "";
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(l.substr(0, colon), value);
  }
  r.body = kind == RequestKind::Mismatch ? k.alt_body
           : kind == RequestKind::Failure && failure_has_body ? failure_body
                                                               : k.body;
  return r;
}

}  // namespace idem::stress
