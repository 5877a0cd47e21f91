#include "idem/report/report.hpp"

#include <algorithm>

namespace idem {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass:
      return "PASS";
    case Verdict::Fail:
      return "FAIL";
    case Verdict::Warn:
      return "WARN";
    case Verdict::Skip:
      return "SKIP";
    case Verdict::Error:
      return "ERROR";
  }
  return "FAIL";
}

std::string_view to_string(CheckLevel level) {
  switch (level) {
    case CheckLevel::Must:
      return "MUST";
    case CheckLevel::Should:
      return "SHOULD";
    case CheckLevel::Config:
      return "CONFIG";
    case CheckLevel::Info:
      return "INFO";
  }
  return "MUST";
}

int Report::count(Verdict verdict) const {
  return static_cast<int>(
      std::count_if(checks.begin(), checks.end(),
                    [verdict](const CheckResult& c) { return c.verdict == verdict; }));
}

std::vector<const CheckResult*> Report::checks_of(const std::string& endpoint) const {
  std::vector<const CheckResult*> out;
  for (const CheckResult& c : checks) {
    if (c.endpoint == endpoint) out.push_back(&c);
  }
  return out;
}

}  // namespace idem
