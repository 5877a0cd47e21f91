// The human summary of a stress run: figures first, then one line per invariant (held, FAIL
// with examples, or not checked with the reason), warnings, thresholds and the result line.
#include <cstdio>
#include <sstream>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_writers.hpp"

namespace idem {
namespace {

// Examples printed per violated invariant (the JSON report keeps all that were kept).
constexpr size_t kSummaryExamples = 3;
constexpr std::string_view kIndent = "      ";

std::string us(int64_t v) {
  char buf[32];
  if (v >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(v) / 1e6);
  } else if (v >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2fms", static_cast<double>(v) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lldus", static_cast<long long>(v));
  }
  return buf;
}

std::string padded(std::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

void latency_line(std::ostream& out, std::string_view label, const Histogram& h) {
  if (h.total() == 0) return;
  out << "  " << padded(label, 14) << "p50 " << padded(us(h.value_at_percentile(50)), 9)
      << "p90 " << padded(us(h.value_at_percentile(90)), 9) << "p99 "
      << padded(us(h.value_at_percentile(99)), 9) << "p99.9 "
      << padded(us(h.value_at_percentile(99.9)), 9) << "max " << padded(us(h.max()), 9) << "("
      << h.total() << ")\n";
}

void indented(std::ostream& out, std::string_view prefix, const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out << kIndent << prefix << line << "\n";
  }
}

std::string_view paint(bool color, std::string_view code) { return color ? code : ""; }

}  // namespace

void write_stress_summary(const StressReport& r, std::ostream& out, bool color) {
  const std::string_view reset = paint(color, "\x1b[0m");
  out << "idemctl " << IDEM_VERSION << " stress ";
  for (const auto& t : r.targets) out << " " << t;
  out << "  profile " << r.profile << "\n";
  out << "  " << r.model << " model, " << r.threads << " threads, " << r.connections
      << " connections";
  if (r.model == "open") out << ", " << r.rate << " req/s scheduled";
  for (const auto& stage : r.stages) out << ", stage " << stage;
  out << ", pattern " << r.pattern << ", " << r.dups << " sends per key, executions by "
      << r.count_mode << "\n";
  if (r.segment.count > 1) {
    out << "  segment " << r.segment.index << "/" << r.segment.count
        << ": its own keys and its share of the load (merge with idemctl report merge)\n";
  }
  if (!r.merged_from.empty()) out << "  merged from " << r.merged_from.size() << " reports\n";
  out << "\n";

  char line[160];
  std::snprintf(line, sizeof line, "%.2f s", r.elapsed_seconds);
  out << "  sent " << r.sent << "  answered " << r.answered << "  transport errors "
      << r.transport_error_total() << "  unfinished " << r.unfinished << "  keys "
      << r.keys_started << "  in " << line;
  std::snprintf(line, sizeof line, "%.1f", r.rps());
  out << "  ->  " << line << " req/s\n";
  out << "  statuses     ";
  for (const auto& [status, n] : r.statuses) out << " " << status << ": " << n;
  const auto& o = r.outcomes;
  out << "\n  outcomes      executed " << o.executed << "  replayed " << o.replayed << "  conflict "
      << o.conflict << "  mismatch " << o.mismatch << "  rejected " << o.rejected
      << "  5xx " << o.server_error << "  injected failures " << o.failed_injected
      << "  lost (injected) " << o.lost_injected << "\n";
  if (r.chaos.enabled) {
    const ChaosStory& c = r.chaos;
    out << "  chaos         " << c.faulted << " of " << c.requests << " requests faulted, "
        << c.lost << " answers lost, " << c.injected_answers << " injected; keys: " << c.keys_lost
        << " lost an answer, " << c.keys_recovered << " recovered it on retry, "
        << c.keys_executed_twice << " executed twice upstream (journal)\n";
  }
  out << "  errors       ";
  for (size_t i = 1; i < r.transport_errors.size(); ++i) {
    out << " " << to_string(static_cast<TransportError>(i)) << " " << r.transport_errors[i];
  }
  out << "\n";
  latency_line(out, "latency", r.latency);
  latency_line(out, "corrected", r.corrected_latency);
  for (size_t k = 0; k < r.latency_by_kind.size(); ++k) {
    latency_line(out, "  " + std::string(to_string(static_cast<RequestKind>(k))),
                 r.latency_by_kind[k]);
  }
  out << "\n";

  for (int i = 0; i < kInvariants; ++i) {
    const auto name = to_string(static_cast<Invariant>(i));
    const auto& s = r.invariants[static_cast<size_t>(i)];
    const auto& v = r.violations[static_cast<size_t>(i)];
    if (v.count > 0) {
      out << paint(color, "\x1b[1;31m") << "FAIL" << reset << "  " << padded(name, 25)
          << v.count << " violation" << (v.count == 1 ? "" : "s") << "\n";
      for (size_t e = 0; e < v.examples.size() && e < kSummaryExamples; ++e) {
        const auto& x = v.examples[e];
        out << kIndent << x.detail << " (" << x.kind << ", key " << x.key << ")\n";
        indented(out, "> ", x.request);
        indented(out, "< ", x.response);
        out << kIndent << "$ " << x.curl << "\n";
      }
    } else if (s.checked) {
      out << paint(color, "\x1b[32m") << "HOLD" << reset << "  " << padded(name, 25)
          << s.observations << " answers judged";
      if (!s.reason.empty()) out << " (" << s.reason << ")";
      out << "\n";
    } else {
      out << paint(color, "\x1b[2m") << "SKIP" << reset << "  " << padded(name, 25)
          << "not checked: " << s.reason << "\n";
    }
    const ExecutionSampling& es = r.executions_sampled;
    if (static_cast<Invariant>(i) == Invariant::ExactlyOnce && es.sampled) {
      out << kIndent << "during the load: " << es.samples << " counter reads, "
          << es.keys_over_once << " key(s) already executed more than once";
      if (es.first_over_once_s >= 0) {
        std::snprintf(line, sizeof line, "%.2f", es.first_over_once_s);
        out << " (the first at " << line << " s)";
      }
      out << "\n";
    }
  }
  for (const auto& w : r.warnings) {
    out << paint(color, "\x1b[33m") << "WARNING" << reset << ": " << w << "\n";
  }
  int breached = 0;
  for (const auto& t : r.thresholds) {
    out << (t.passed ? "PASS" : "FAIL") << "  threshold " << t.expression << " (" << t.actual
        << ")\n";
    if (!t.passed) ++breached;
  }
  out << "\n";
  if (r.interrupted) out << "INTERRUPTED: partial results\n";
  const uint64_t violations = r.violation_total();
  if (r.passed()) {
    out << "RESULT: PASS (0 violations";
  } else {
    out << "RESULT: FAIL (" << violations << " violation" << (violations == 1 ? "" : "s");
  }
  if (!r.thresholds.empty()) out << ", " << breached << " threshold(s) breached";
  out << (r.valid ? "" : ", figures INVALID: see warnings") << ")\n";
}

}  // namespace idem
