// The human report: one aligned line per check, failures expanded, a summary line.
#include <algorithm>
#include <ostream>
#include <vector>

#include "idem/report/report.hpp"
#include "report_detail.hpp"

namespace idem {
namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kEvidenceIndent = "      ";

std::string_view color_of(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "\x1b[32m";  // green
    case Verdict::Fail:
      return "\x1b[1;31m";  // bold red
    case Verdict::Warn:
      return "\x1b[33m";  // yellow
    case Verdict::Skip:
      return "\x1b[2m";  // dim
    case Verdict::Error:
      return "\x1b[1;35m";  // bold magenta: not the target's fault proven, not a pass either
  }
  return "";
}

std::string padded(std::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

void write_text_report(const Report& report, std::ostream& out, bool color) {
  size_t id_width = 0;
  for (const CheckResult& c : report.checks) id_width = std::max(id_width, c.id.size());
  constexpr size_t kLevelWidth = 6;  // "CONFIG", "SHOULD"

  out << "idemctl " << report::one_line(report.tool_version) << " verify";
  for (const std::string& t : report.targets) out << "  " << report::one_line(t);
  out << "  profile " << report::one_line(report.profile) << "\n\n";

  // One endpoint: the plain list. Several: a section per endpoint with its own tally, so a CI
  // log shows which endpoint broke which rule.
  const bool sections = report.endpoints.size() > 1;
  for (const std::string& endpoint : sections ? report.endpoints : std::vector<std::string>{""}) {
    const std::vector<const CheckResult*> checks =
        sections ? report.checks_of(endpoint) : std::vector<const CheckResult*>{};
    if (sections) {
      int failed = 0;
      for (const CheckResult* c : checks) {
        failed += c->verdict == Verdict::Fail || c->verdict == Verdict::Error ? 1 : 0;
      }
      out << "== " << report::one_line(endpoint) << "  ("
          << (failed == 0 ? std::string("passed") : plural(failed, "check", "checks") + " failed")
          << ")\n";
    }
    const auto line_of = [&](const CheckResult& c) {
      const std::string_view verdict = to_string(c.verdict);
      if (color) {
        out << color_of(c.verdict) << verdict << kReset;
      } else {
        out << verdict;
      }
      std::string line = "  " + padded(c.id, id_width) + "  " +
                         padded(to_string(c.level), kLevelWidth) + "  " +
                         report::one_line(c.title);
      if (!c.reason.empty()) line += ": " + report::one_line(c.reason);
      out << line << '\n';
      if (c.verdict == Verdict::Fail || c.verdict == Verdict::Error) {
        report::write_evidence(out, c, kEvidenceIndent);
      }
    };
    if (sections) {
      for (const CheckResult* c : checks) line_of(*c);
      if (endpoint != report.endpoints.back()) out << '\n';
    } else {
      for (const CheckResult& c : report.checks) line_of(c);
    }
  }

  if (!report.hints.empty()) out << '\n';
  for (const std::string& hint : report.hints) out << "hint: " << report::one_line(hint) << '\n';

  const int total = static_cast<int>(report.checks.size());
  out << '\n'
      << plural(total, "check", "checks") << ": " << report.count(Verdict::Pass) << " passed, "
      << report.count(Verdict::Fail) << " failed, "
      << (report.count(Verdict::Error) > 0
              ? plural(report.count(Verdict::Error), "error", "errors") + " (not judged), "
              : std::string())
      << plural(report.count(Verdict::Warn), "warning", "warnings") << ", "
      << report.count(Verdict::Skip) << " skipped in " << report::seconds(report.duration, 1)
      << "s\n";
}

}  // namespace idem
