#include "run_context.hpp"

#include "idem/key.hpp"
#include "idem/target/render.hpp"

namespace idem::verify {

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
  return bodies.emplace(variant, render_body(target().body, n)).first->second;
}

}  // namespace idem::verify
