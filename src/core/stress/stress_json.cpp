#include <nlohmann/json.hpp>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_writers.hpp"
#include "idem/version.hpp"

namespace idem {
namespace {

using nlohmann::json;

json latency(const Histogram& h) {
  if (h.total() == 0) return nullptr;
  return {{"count", h.total()},        {"min", h.min()},
          {"mean", h.mean()},          {"p50", h.value_at_percentile(50)},
          {"p90", h.value_at_percentile(90)}, {"p99", h.value_at_percentile(99)},
          {"p99_9", h.value_at_percentile(99.9)}, {"max", h.max()}};
}

json sparse(const SparseCounts& counts) {
  json out = json::array();
  for (const auto& [index, count] : counts) out.push_back(json::array({index, count}));
  return out;
}

/// What an exact merge needs: the counts (index in HdrHistogram's layout, count) and the exact
/// figures the buckets lose.
json histogram(const Histogram& h) {
  if (h.total() == 0) return nullptr;
  return {{"total", h.total()},
          {"min", h.min()},
          {"max", h.max()},
          {"sum", static_cast<double>(h.sum())},
          {"clamped", h.clamped()},
          {"counts", sparse(h.nonzero_counts())}};
}

}  // namespace

void write_stress_json(const StressReport& r, std::ostream& out) {
  json doc;
  doc["schema"] = "idemctl-stress";
  doc["schema_version"] = kStressReportSchema;
  doc["idemctl"] = IDEM_VERSION;
  doc["idemctl_revision"] = version_info().git_revision;
  doc["config"] = {{"targets", r.targets},  {"model", r.model},
                   {"threads", r.threads},  {"connections", r.connections},
                   {"rate", r.rate},        {"stages", r.stages},
                   {"pattern", r.pattern},
                   {"dups", r.dups},        {"keys", r.keys},
                   {"profile", r.profile},  {"count_mode", r.count_mode}};
  doc["passed"] = r.passed();
  doc["interrupted"] = r.interrupted;
  doc["valid"] = r.valid;
  doc["warnings"] = r.warnings;
  doc["elapsed_s"] = r.elapsed_seconds;
  doc["sent"] = r.sent;
  doc["answered"] = r.answered;
  doc["unfinished"] = r.unfinished;
  doc["keys_started"] = r.keys_started;
  doc["keys_prepared"] = r.keys_prepared;
  doc["keys_prepared_idle"] = r.keys_prepared_idle;
  doc["keys_prepared_in_run"] = r.keys_prepared_in_run;
  doc["rps"] = r.rps();
  json statuses = json::object();
  for (const auto& [status, n] : r.statuses) statuses[std::to_string(status)] = n;
  doc["statuses"] = statuses;
  const auto& o = r.outcomes;
  doc["outcomes"] = {{"executed", o.executed},         {"replayed", o.replayed},
                     {"conflict", o.conflict},         {"mismatch", o.mismatch},
                     {"rejected", o.rejected},         {"server_error", o.server_error},
                     {"failed_injected", o.failed_injected}, {"lost_injected", o.lost_injected}};
  if (r.chaos.enabled) {
    const ChaosStory& c = r.chaos;
    doc["chaos"] = {{"rules", c.rules},
                    {"seed", c.seed},
                    {"requests", c.requests},
                    {"faulted", c.faulted},
                    {"lost", c.lost},
                    {"injected_answers", c.injected_answers},
                    {"keys_lost", c.keys_lost},
                    {"keys_recovered", c.keys_recovered},
                    {"keys_executed_twice", c.keys_executed_twice},
                    {"complete", c.complete}};
  }
  json errors = json::object();
  for (size_t i = 1; i < r.transport_errors.size(); ++i) {
    errors[std::string(to_string(static_cast<TransportError>(i)))] = r.transport_errors[i];
  }
  doc["transport_errors"] = errors;
  json by_kind = json::object();
  for (size_t k = 0; k < r.latency_by_kind.size(); ++k) {
    if (r.latency_by_kind[k].total() > 0) {
      by_kind[std::string(to_string(static_cast<RequestKind>(k)))] = latency(r.latency_by_kind[k]);
    }
  }
  doc["latency_us"] = {{"measured", latency(r.latency)},
                       {"corrected", latency(r.corrected_latency)},
                       {"by_kind", by_kind}};
  doc["generator"] = {{"lag_p99_us", r.generator_lag.value_at_percentile(99)},
                      {"lag_max_us", r.generator_lag.max()}};
  json invariants = json::array();
  json violations = json::array();
  for (int i = 0; i < kInvariants; ++i) {
    const auto name = std::string(to_string(static_cast<Invariant>(i)));
    const auto& s = r.invariants[static_cast<size_t>(i)];
    const auto& v = r.violations[static_cast<size_t>(i)];
    invariants.push_back({{"name", name},
                          {"checked", s.checked},
                          {"reason", s.reason},
                          {"observations", s.observations},
                          {"violations", v.count}});
    if (v.count == 0) continue;
    json examples = json::array();
    for (const auto& e : v.examples) {
      examples.push_back({{"key", e.key},
                          {"kind", e.kind},
                          {"detail", e.detail},
                          {"at_s", e.at_seconds},
                          {"request", e.request},
                          {"response", e.response},
                          {"curl", e.curl}});
    }
    violations.push_back({{"name", name}, {"count", v.count}, {"examples", examples}});
  }
  doc["invariants"] = invariants;
  const ExecutionSampling& es = r.executions_sampled;
  doc["executions_sampled"] =
      es.sampled ? json{{"samples", es.samples},
                        {"unreadable", es.unreadable},
                        {"keys_over_once", es.keys_over_once},
                        {"first_over_once_s", es.first_over_once_s < 0
                                                  ? json(nullptr)
                                                  : json(es.first_over_once_s)}}
                 : json(nullptr);
  doc["violations"] = violations;
  json thresholds = json::array();
  for (const auto& t : r.thresholds) {
    thresholds.push_back({{"expression", t.expression}, {"passed", t.passed}, {"actual", t.actual}});
  }
  doc["thresholds"] = thresholds;
  json seconds = json::array();
  for (size_t s = 0; s < r.seconds.size(); ++s) {
    const auto& x = r.seconds[s];
    json classes = json::object();
    for (size_t c = 0; c < x.status_classes.size(); ++c) {
      classes[std::string(to_string(static_cast<StatusClass>(c)))] = x.status_classes[c];
    }
    seconds.push_back({{"t", s},
                       {"sent", x.sent},
                       {"answered", x.answered},
                       {"errors", x.errors},
                       {"violations", x.violations},
                       {"status_classes", classes},
                       {"latency_p50_us", x.latency_p50_us},
                       {"latency_p90_us", x.latency_p90_us},
                       {"latency_p99_us", x.latency_p99_us},
                       {"latency_max_us", x.latency_max_us},
                       {"latency_mean_us", x.answered > 0 ? x.latency_sum_us /
                                                                static_cast<double>(x.answered)
                                                          : 0.0}});
  }
  doc["seconds"] = seconds;
  doc["started_at_unix_us"] = r.start_unix_us;
  doc["segment"] = {{"index", r.segment.index}, {"count", r.segment.count}};
  if (!r.merged_from.empty()) doc["merged_from"] = r.merged_from;
  json by_kind_counts = json::object();
  for (size_t k = 0; k < r.latency_by_kind.size(); ++k) {
    if (r.latency_by_kind[k].total() > 0) {
      by_kind_counts[std::string(to_string(static_cast<RequestKind>(k)))] =
          histogram(r.latency_by_kind[k]);
    }
  }
  doc["histograms"] = {{"measured", histogram(r.latency)},
                       {"corrected", histogram(r.corrected_latency)},
                       {"generator_lag", histogram(r.generator_lag)},
                       {"by_kind", by_kind_counts}};
  json second_counts = json::array();
  for (const SecondCounts& s : r.second_counts) {
    json kinds = json::object();
    for (size_t k = 0; k < s.by_kind.size(); ++k) {
      if (!s.by_kind[k].empty()) {
        kinds[std::string(to_string(static_cast<RequestKind>(k)))] = sparse(s.by_kind[k]);
      }
    }
    second_counts.push_back(kinds);
  }
  doc["second_counts"] = second_counts;
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace idem
