#include "run_context.hpp"

#include "idem/key.hpp"

namespace idem::verify {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

Result<std::string> RunShared::proxy_url() {
  if (!proxy) {
    auto p = std::make_unique<FaultProxy>(target.base_urls.front());
    auto port = p->start(0);
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
  std::string out = target().body;
  replace_all(out, "{{n}}", std::to_string(n));
  replace_all(out, "{{uuid}}", new_uuid4());
  return bodies.emplace(variant, out).first->second;
}

}  // namespace idem::verify
