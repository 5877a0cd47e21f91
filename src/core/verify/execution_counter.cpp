#include "execution_counter.hpp"

#include <set>

#include "idem/target/execution_count.hpp"

namespace idem::verify {

Result<long long> count_executions(RunContext& ctx, const std::string& key, int principal) {
  const TargetSpec& t = ctx.target();
  if (t.count == CountMode::ExecutionsUrl) {
    return read_executions(ctx.shared.client, t, key, principal,
                           ctx.shared.request_timeout(ctx.shared.options.timeout),
                           ctx.shared.options.connect_timeout);
  }
  std::set<std::string> seen;
  for (const Exchange& e : ctx.evidence) {
    const auto& res = e.response;
    if (e.key != key || e.principal != principal || !res.ok()) continue;
    if (res.response.status < 200 || res.response.status > 299) continue;
    seen.insert(execution_identity(t, res.response.body));
  }
  return static_cast<long long>(seen.size());
}

}  // namespace idem::verify
