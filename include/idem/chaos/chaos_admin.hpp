// The chaos proxy's admin API, toxiproxy-style, on a port of its own (loopback by default):
//   GET  /rules     {"rules": [SPEC, ...], "seed": N}
//   PUT  /rules     {"rules": [SPEC, ...]}: replaces every rule at once, or none (400 naming
//                   the bad rule)
//   GET  /counters  the proxy's counters as JSON
//   POST /reset     zeroes counters, forgets seen keys, empties the in-memory journal (204)
//   GET  /metrics   Prometheus text
#pragma once

#include <memory>
#include <string>

#include "idem/chaos/chaos_proxy.hpp"
#include "idem/chaos/rules_document.hpp"
#include "idem/result.hpp"

namespace idem::chaos {


class ChaosAdmin {
 public:
  ChaosAdmin(ChaosProxy& proxy, std::string host, int port);
  ~ChaosAdmin();
  ChaosAdmin(const ChaosAdmin&) = delete;
  ChaosAdmin& operator=(const ChaosAdmin&) = delete;

  Result<int> start();
  void stop();
  std::string base_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem::chaos
