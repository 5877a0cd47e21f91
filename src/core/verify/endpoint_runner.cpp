#include "idem/verify/endpoint_runner.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <thread>

#include "idem/version.hpp"

namespace idem::verify {

std::vector<std::string> endpoint_labels(const std::vector<TargetSpec>& endpoints) {
  std::vector<std::string> out;
  for (const TargetSpec& t : endpoints) {
    const std::string label = endpoint_label(t);
    std::string unique = label;
    for (int n = 2; std::find(out.begin(), out.end(), unique) != out.end(); ++n) {
      unique = label + " #" + std::to_string(n);
    }
    out.push_back(unique);
  }
  return out;
}

Report run_verify_endpoints(const std::vector<Scenario>& catalogue,
                            const std::vector<TargetSpec>& endpoints, const VerifyOptions& options,
                            int jobs) {
  assert(jobs >= 1 && !endpoints.empty());
  const auto started = std::chrono::steady_clock::now();
  std::vector<Report> runs(endpoints.size());
  const std::vector<std::string> labels = endpoint_labels(endpoints);
  // Workers take the next endpoint until none is left: a slow endpoint does not hold a slot
  // that a fast one could have used.
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < endpoints.size(); i = next++) {
      VerifyOptions o = options;
      const auto spent =
          std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
      o.deadline = std::max(Millis{1}, options.deadline - spent);
      const std::string& label = labels[i];
      o.on_check = [&options, &label](const CheckResult& c) {
        if (!options.on_check) return;
        CheckResult named = c;
        named.endpoint = label;
        options.on_check(named);
      };
      runs[i] = run_verify(catalogue, endpoints[i], o);
      for (CheckResult& c : runs[i].checks) c.endpoint = label;
    }
  };
  const size_t threads = std::min(endpoints.size(), static_cast<size_t>(jobs));
  std::vector<std::jthread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joins

  Report report;
  const VersionInfo version = version_info();
  report.tool_version = version.version;
  report.tool_revision = version.git_revision;
  report.targets = endpoints.front().base_urls;
  report.profile = options.profile.name;
  report.endpoints = labels;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (CheckResult& c : runs[i].checks) report.checks.push_back(std::move(c));
    for (std::string& h : runs[i].hints) {
      // The same hint from several endpoints is said once; one about one endpoint names it.
      std::string line = endpoints.size() > 1 ? labels[i] + ": " + h : h;
      if (std::find(report.hints.begin(), report.hints.end(), line) == report.hints.end()) {
        report.hints.push_back(std::move(line));
      }
    }
  }
  report.duration =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace idem::verify
