#include "execution_counter.hpp"

#include <nlohmann/json.hpp>
#include <set>

namespace idem::verify {
namespace {


Result<long long> count_from_url(RunContext& ctx, const std::string& key, int principal) {
  const TargetSpec& t = ctx.target();
  std::string path = t.executions_url;
  const size_t at = path.find("{{key}}");
  path.replace(at, 7, percent_encode(key));
  long long total = 0;
  for (const auto& base : t.base_urls) {
    ClientRequest r;
    r.method = "GET";
    r.url = path.starts_with("http") ? path : base + path;
    r.timeout = ctx.shared.options.timeout;
    r.connect_timeout = ctx.shared.options.connect_timeout;
    for (const auto& h : t.headers) {
      if (!iequals(h.first, "Content-Type")) r.headers.push_back(h);
    }
    if (!t.principals.empty()) {
      std::erase_if(r.headers, [&](const auto& h) { return iequals(h.first, t.scope_header); });
      r.headers.emplace_back(t.scope_header,
                             t.principals[static_cast<size_t>(principal) % t.principals.size()]);
    }
    const ClientResponse res = ctx.shared.client.send(r);
    const std::string where = "executions counter " + r.url;
    if (!res.ok()) {
      return make_error(ErrorCode::Unavailable,
                        where + ": " + std::string(to_string(res.error)) + " " + res.error_message);
    }
    if (res.response.status != 200) {
      return make_error(ErrorCode::Unavailable,
                        where + " answered " + std::to_string(res.response.status));
    }
    const auto json = nlohmann::json::parse(res.response.body, nullptr, false);
    try {
      const auto& n = json.at(nlohmann::json::json_pointer(t.executions_pointer));
      if (!n.is_number_integer()) throw std::runtime_error("not an integer");
      total += n.get<long long>();
    } catch (const std::exception&) {
      return make_error(ErrorCode::Unavailable, where + ": no integer at " + t.executions_pointer);
    }
  }
  return total;
}

}  // namespace

Result<long long> count_executions(RunContext& ctx, const std::string& key, int principal) {
  const TargetSpec& t = ctx.target();
  if (t.count == CountMode::ExecutionsUrl) return count_from_url(ctx, key, principal);
  std::set<std::string> seen;
  for (const Exchange& e : ctx.evidence) {
    const auto& res = e.response;
    if (e.key != key || e.principal != principal || !res.ok()) continue;
    if (res.response.status < 200 || res.response.status > 299) continue;
    if (t.count == CountMode::BodyIdentity) {
      seen.insert(res.response.body);
      continue;
    }
    const auto json = nlohmann::json::parse(res.response.body, nullptr, false);
    try {
      seen.insert(json.at(nlohmann::json::json_pointer(t.resource_id_pointer)).dump());
    } catch (const std::exception&) {
      seen.insert(res.response.body);  // no id: fall back to the body's identity
    }
  }
  return static_cast<long long>(seen.size());
}

}  // namespace idem::verify
