#include "idem/target/execution_count.hpp"

#include <nlohmann/json.hpp>

#include "idem/target/render.hpp"
#include "json_text.hpp"

namespace idem {

ClientRequest executions_request(const TargetSpec& t, const std::string& base_url,
                                 const std::string& key, int principal, Millis timeout,
                                 Millis connect_timeout) {
  ClientRequest r;
  r.method = "GET";
  r.url = render_executions_url(t.executions_url, base_url, key);
  r.timeout = timeout;
  r.connect_timeout = connect_timeout;
  r.tls = t.tls;
  for (const auto& h : t.headers) {
    if (!iequals(h.first, "Content-Type")) r.headers.push_back(h);
  }
  if (!t.principals.empty()) {
    std::erase_if(r.headers, [&](const auto& h) { return iequals(h.first, t.scope_header); });
    r.headers.emplace_back(t.scope_header,
                           t.principals[static_cast<size_t>(principal) % t.principals.size()]);
  }
  return r;
}

Result<long long> parse_execution_count(const TargetSpec& t, const ClientResponse& res,
                                        const std::string& url) {
  const std::string where = "executions counter " + url;
  if (!res.ok()) {
    return make_error(ErrorCode::Unavailable,
                      where + ": " + std::string(to_string(res.error)) + " " + res.error_message);
  }
  if (res.response.status != 200) {
    return make_error(ErrorCode::Unavailable,
                      where + " answered " + std::to_string(res.response.status));
  }
  const auto json = parse_bounded_json(res.response.body);
  try {
    const auto& n = json.at(nlohmann::json::json_pointer(t.executions_pointer));
    if (!n.is_number_integer()) throw std::runtime_error("not an integer");
    return n.get<long long>();
  } catch (const std::exception&) {
    return make_error(ErrorCode::Unavailable, where + ": no integer at " + t.executions_pointer);
  }
}

Result<long long> read_executions(HttpClient& client, const TargetSpec& t, const std::string& key,
                                  int principal, Millis timeout, Millis connect_timeout) {
  long long total = 0;
  for (const auto& base : t.base_urls) {
    const ClientRequest r = executions_request(t, base, key, principal, timeout, connect_timeout);
    auto n = parse_execution_count(t, client.send(r), r.url);
    if (!n) return n.error();
    total += *n;
  }
  return total;
}

std::string execution_identity(const TargetSpec& t, std::string_view body) {
  if (t.count != CountMode::ResourceId) return std::string(body);
  // Bounded: dump() recurses, so an id nested 70 000 deep would overflow the stack.
  const auto json = parse_bounded_json(body);
  try {
    return json.at(nlohmann::json::json_pointer(t.resource_id_pointer)).dump();
  } catch (const std::exception&) {
    return std::string(body);  // no id: fall back to the body's identity
  }
}

}  // namespace idem
