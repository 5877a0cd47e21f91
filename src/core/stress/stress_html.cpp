// The HTML page of a stress run: verdict first, then the charts, then what a reader needs to act
// on (thresholds, invariants, violation examples) and the figures behind them. Everything that
// did not come from this file goes through svg::escape.
#include <cstdio>
#include <string>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_html.hpp"
#include "idem/version.hpp"

namespace idem {
namespace {

using svg::escape;

// Inline, so the page needs nothing else. Print: A4, no chart or table row split over pages.
constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f6f7f9;margin:0}
main{max-width:1240px;margin:0 auto;padding:16px 20px 32px}
h1{font-size:21px;margin:0 0 10px}
h2{font-size:17px;margin:22px 0 8px}
.verdict{padding:12px 16px;border-radius:6px;color:#fff;font-size:19px;font-weight:700}
.verdict span{display:block;font-size:14px;font-weight:400}
.pass{background:#15803d}.fail{background:#b91c1c}.interrupted{background:#b45309}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px;margin:10px 0}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 10px;color:#4b5563}
.card b{display:block;font-size:19px;color:#111827}
figure{margin:10px 0;background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:6px}
svg.chart{display:block;width:100%;height:auto}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}
table.narrow{width:auto;min-width:45%;margin-bottom:8px}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f4f6;border:1px solid #e5e7eb;padding:8px;border-radius:4px;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;margin:4px 0}
.example{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;margin:8px 0}
.ok{color:#15803d;font-weight:600}.bad{color:#b91c1c;font-weight:600}.skip{color:#6b7280;font-weight:600}
.muted{color:#6b7280}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:11px}
main{max-width:none;padding:0}
figure,tr,.card,.verdict,.example{break-inside:avoid;page-break-inside:avoid}
h2{break-after:avoid;page-break-after:avoid}
}
)";

std::string num(uint64_t v) { return std::to_string(v); }

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string us(int64_t v) { return svg::format_value(static_cast<double>(v), svg::Unit::Microseconds); }

std::string plural(uint64_t n, const std::string& word) {
  return num(n) + " " + word + (n == 1 ? "" : "s");
}

void card(std::ostream& out, const std::string& label, const std::string& value) {
  out << "<div class=\"card\">" << escape(label) << "<b>" << escape(value) << "</b></div>\n";
}

void headline(const StressReport& r, std::ostream& out) {
  size_t breached = 0;
  for (const auto& t : r.thresholds) breached += t.passed ? 0 : 1;
  const uint64_t violations = r.violation_total();
  std::string why = violations == 0 ? "no invariant violated"
                                    : plural(violations, "invariant violation");
  if (!r.thresholds.empty()) {
    why += breached == 0 ? ", every threshold held"
                         : ", " + plural(breached, "threshold") + " breached";
  }
  const char* cls = r.interrupted ? "interrupted" : r.passed() ? "pass" : "fail";
  std::string verdict = r.passed() ? "PASS" : "FAIL";
  if (r.interrupted) verdict = "INTERRUPTED (" + verdict + " so far; the figures are partial)";
  out << "<div class=\"verdict " << cls << "\">" << escape(verdict) << "<span>" << escape(why);
  if (!r.valid) out << "; the generator fell behind: the figures measure idemctl, see warnings";
  out << "</span></div>\n";

  out << "<div class=\"cards\">\n";
  card(out, "sent", num(r.sent));
  card(out, "answered", num(r.answered));
  card(out, "throughput", fixed(r.rps(), 1) + " req/s");
  card(out, "p50", r.latency.total() ? us(r.latency.value_at_percentile(50)) : "-");
  card(out, "p99", r.latency.total() ? us(r.latency.value_at_percentile(99)) : "-");
  card(out, "max", r.latency.total() ? us(r.latency.max()) : "-");
  card(out, "transport errors", num(r.transport_error_total()));
  card(out, "violations", num(violations));
  card(out, "elapsed", fixed(r.elapsed_seconds, 2) + " s");
  out << "</div>\n";
}

void charts(const StressReport& r, std::ostream& out) {
  out << "<figure id=\"latency-chart\">\n";
  svg::write_area_chart(stress_latency_chart(r), out);
  out << "</figure>\n<figure id=\"throughput-chart\">\n";
  svg::write_area_chart(stress_throughput_chart(r), out);
  out << "</figure>\n";
}

void thresholds(const StressReport& r, std::ostream& out) {
  out << "<h2>Thresholds</h2>\n";
  if (r.thresholds.empty()) {
    out << "<p class=\"muted\">None given (--threshold).</p>\n";
    return;
  }
  out << "<table><tr><th>verdict</th><th>threshold</th><th>measured</th></tr>\n";
  for (const auto& t : r.thresholds) {
    out << "<tr><td class=\"" << (t.passed ? "ok\">PASS" : "bad\">FAIL") << "</td><td>"
        << escape(t.expression) << "</td><td>" << escape(t.actual) << "</td></tr>\n";
  }
  out << "</table>\n";
}

void invariants(const StressReport& r, std::ostream& out) {
  out << "<h2>Invariants (SEMANTICS §5)</h2>\n<table><tr><th>verdict</th><th>invariant</th>"
         "<th>answers judged</th><th>violations</th><th>note</th></tr>\n";
  for (int i = 0; i < kInvariants; ++i) {
    const auto& s = r.invariants[static_cast<size_t>(i)];
    const auto& v = r.violations[static_cast<size_t>(i)];
    const char* verdict = v.count > 0 ? "bad\">FAIL" : s.checked ? "ok\">HOLD" : "skip\">NOT CHECKED";
    out << "<tr><td class=\"" << verdict << "</td><td>"
        << escape(to_string(static_cast<Invariant>(i))) << "</td><td class=\"n\">"
        << s.observations << "</td><td class=\"n\">" << v.count << "</td><td>"
        << escape(s.reason) << "</td></tr>\n";
  }
  out << "</table>\n";
  const ExecutionSampling& es = r.executions_sampled;
  if (es.sampled) {
    out << "<p>During the load: " << es.samples << " counter reads (" << es.unreadable
        << " unreadable), " << es.keys_over_once << " keys already executed more than once";
    if (es.first_over_once_s >= 0) out << ", the first at " << fixed(es.first_over_once_s, 2) << " s";
    out << ".</p>\n";
  }
}

void violations(const StressReport& r, std::ostream& out) {
  if (r.violation_total() == 0) return;
  out << "<h2>Violations</h2>\n";
  for (int i = 0; i < kInvariants; ++i) {
    const auto& v = r.violations[static_cast<size_t>(i)];
    if (v.count == 0) continue;
    out << "<h3>" << escape(to_string(static_cast<Invariant>(i))) << ": "
        << plural(v.count, "violation") << " (" << v.examples.size() << " shown)</h3>\n";
    for (const auto& e : v.examples) {
      out << "<div class=\"example\"><p><b>" << escape(e.detail) << "</b><br>"
          << escape(e.kind) << " request, key <code>" << escape(e.key.empty() ? "(none)" : e.key)
          << "</code>, at " << fixed(e.at_seconds, 3) << " s</p>\n"
          << "<div class=\"muted\">request</div><pre>" << escape(e.request) << "</pre>\n"
          << "<div class=\"muted\">response</div><pre>" << escape(e.response) << "</pre>\n"
          << "<div class=\"muted\">reproduce</div><pre>" << escape(e.curl) << "</pre></div>\n";
    }
  }
}

void latency_row(std::ostream& out, std::string_view label, const Histogram& h) {
  if (h.total() == 0) return;
  out << "<tr><td>" << escape(label) << "</td><td class=\"n\">" << h.total() << "</td>";
  for (const double p : {50.0, 90.0, 99.0, 99.9}) {
    out << "<td class=\"n\">" << us(h.value_at_percentile(p)) << "</td>";
  }
  out << "<td class=\"n\">" << us(h.max()) << "</td></tr>\n";
}

void latency_table(const StressReport& r, std::ostream& out) {
  out << "<h2>Latency per request kind</h2>\n";
  if (r.latency.total() == 0) {
    out << "<p class=\"muted\">No answer: no latency to show.</p>\n";
    return;
  }
  out << "<table><tr><th>kind</th><th>answers</th><th>p50</th><th>p90</th><th>p99</th>"
         "<th>p99.9</th><th>max</th></tr>\n";
  latency_row(out, "all (from the actual send)", r.latency);
  latency_row(out, "all, corrected (from the intended send)", r.corrected_latency);
  for (size_t k = 0; k < r.latency_by_kind.size(); ++k) {
    latency_row(out, to_string(static_cast<RequestKind>(k)), r.latency_by_kind[k]);
  }
  out << "</table>\n";
}

void row(std::ostream& out, const std::string& label, uint64_t n) {
  out << "<tr><td>" << escape(label) << "</td><td class=\"n\">" << n << "</td></tr>\n";
}

void breakdown(const StressReport& r, std::ostream& out) {
  out << "<h2>Outcomes and statuses</h2>\n<table class=\"narrow\"><tr><th>outcome</th><th>answers</th></tr>\n";
  const auto& o = r.outcomes;
  row(out, "executed (2xx)", o.executed);
  row(out, "replayed (2xx, Idempotent-Replayed)", o.replayed);
  row(out, "conflict (409)", o.conflict);
  row(out, "mismatch refused", o.mismatch);
  row(out, "rejected (other 4xx)", o.rejected);
  row(out, "unexpected 5xx", o.server_error);
  row(out, "injected failures (5xx)", o.failed_injected);
  row(out, "lost responses (injected)", o.lost_injected);
  out << "</table>\n<table class=\"narrow\"><tr><th>status</th><th>answers</th></tr>\n";
  for (const auto& [status, n] : r.statuses) row(out, std::to_string(status), n);
  if (r.statuses.empty()) out << "<tr><td colspan=\"2\" class=\"muted\">no answer</td></tr>\n";
  out << "</table>\n<table class=\"narrow\"><tr><th>transport error</th><th>requests</th></tr>\n";
  for (size_t i = 1; i < r.transport_errors.size(); ++i) {
    row(out, std::string(to_string(static_cast<TransportError>(i))), r.transport_errors[i]);
  }
  row(out, "unfinished (in flight at the end)", r.unfinished);
  out << "</table>\n";
}

void warnings(const StressReport& r, std::ostream& out) {
  if (r.warnings.empty()) return;
  out << "<h2>Warnings</h2>\n<ul>\n";
  for (const auto& w : r.warnings) out << "<li>" << escape(w) << "</li>\n";
  out << "</ul>\n";
}

void parameters(const StressReport& r, std::ostream& out) {
  out << "<h2>Run parameters</h2>\n<table>\n";
  const auto param = [&out](const std::string& name, const std::string& value) {
    out << "<tr><th>" << escape(name) << "</th><td>" << escape(value) << "</td></tr>\n";
  };
  std::string targets;
  for (const auto& t : r.targets) targets += (targets.empty() ? "" : ", ") + t;
  std::string stages;
  for (const auto& s : r.stages) stages += (stages.empty() ? "" : ", ") + s;
  param("targets", targets);
  if (!r.merged_from.empty()) {
    std::string files;
    for (const auto& f : r.merged_from) files += (files.empty() ? "" : ", ") + f;
    param("merged from", files + " (report merge)");
  }
  if (r.segment.count > 1) {
    param("segment", std::to_string(r.segment.index) + "/" + std::to_string(r.segment.count));
  }
  param("profile", r.profile);
  param("model", r.model);
  param("threads", std::to_string(r.threads));
  param("connections", std::to_string(r.connections));
  if (r.model == "open") param("rate", fixed(r.rate, 1) + " req/s");
  if (!stages.empty()) param("stages", stages);
  param("pattern", r.pattern);
  param("sends per key", std::to_string(r.dups));
  param("keys", r.keys == 0 ? "fresh until the end" : std::to_string(r.keys));
  param("keys started", num(r.keys_started));
  param("executions counted by", r.count_mode);
  param("elapsed", fixed(r.elapsed_seconds, 3) + " s");
  const VersionInfo v = version_info();
  param("idemctl", v.version + " (" + v.git_revision + ")");
  out << "</table>\n";
}

}  // namespace

void write_stress_html(const StressReport& r, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>idemctl stress: "
      << (r.interrupted ? "INTERRUPTED" : r.passed() ? "PASS" : "FAIL") << "</title>\n<style>"
      << kStyle << "</style>\n</head>\n<body>\n<main>\n<h1>idemctl stress report</h1>\n";
  headline(r, out);
  charts(r, out);
  thresholds(r, out);
  invariants(r, out);
  violations(r, out);
  latency_table(r, out);
  breakdown(r, out);
  warnings(r, out);
  parameters(r, out);
  out << "</main>\n</body>\n</html>\n";
}

}  // namespace idem
