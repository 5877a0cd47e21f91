#include <algorithm>
#include <cmath>
#include <cstdio>

#include "idem/stress/stress_merge.hpp"
#include "idem/stress/stress_options.hpp"

namespace idem {
namespace {

/// The segments' stages as one run's: each stage's rate summed over the reports ("10s:500" of
/// every segment of 3 is "10s:1500"); a stage that does not read back is kept as the first's.
std::vector<std::string> summed_stages(const std::vector<StressReport>& reports) {
  std::vector<std::string> out = reports.front().stages;
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t colon = out[i].find(':');
    if (colon == std::string::npos) continue;
    double rate = 0;
    bool readable = true;
    for (const auto& r : reports) {
      const auto stage = i < r.stages.size() ? parse_stage(r.stages[i]) : Result<RateStage>(Error{});
      readable = readable && stage.ok();
      if (stage) rate += stage->rate;
    }
    if (!readable) continue;
    char text[32];
    std::snprintf(text, sizeof text, "%g", rate);
    out[i] = out[i].substr(0, colon + 1) + text;
  }
  return out;
}

Error refuse(const std::string& message) { return Error{ErrorCode::InvalidArgument, message}; }

std::string segment_name(const SegmentInfo& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}

/// Refuses inputs that are not parts of one run: another target or model, a segment twice, or
/// segments of different splits.
Result<void> check_compatible(const std::vector<StressReport>& reports,
                              const std::vector<std::string>& names) {
  const StressReport& first = reports.front();
  std::vector<bool> seen(static_cast<size_t>(first.segment.count), false);
  for (size_t i = 0; i < reports.size(); ++i) {
    const StressReport& r = reports[i];
    if (r.targets != first.targets) {
      return refuse(names[i] + ": config.targets differ from " + names[0] + "'s: not parts of one run");
    }
    if (r.model != first.model) {
      return refuse(names[i] + ": config.model '" + r.model + "' differs from " + names[0] +
                    "'s '" + first.model + "'");
    }
    if (r.segment.count != first.segment.count) {
      return refuse(names[i] + ": segment " + segment_name(r.segment) + " is of another split than " +
                    names[0] + "'s " + segment_name(first.segment));
    }
    if (r.segment.count > 1) {
      if (seen[static_cast<size_t>(r.segment.index)]) {
        return refuse(names[i] + ": segment " + segment_name(r.segment) + " is given twice");
      }
      seen[static_cast<size_t>(r.segment.index)] = true;
    }
  }
  return {};
}

}  // namespace

Result<StressReport> merge_stress_reports(const std::vector<StressReport>& reports,
                                          const std::vector<std::string>& names) {
  if (reports.empty()) return refuse("report merge: no reports given");
  if (auto ok = check_compatible(reports, names); !ok) return ok.error();
  const StressReport& first = reports.front();
  int64_t start = INT64_MAX;
  for (const auto& r : reports) start = std::min(start, r.start_unix_us);

  StressReport m;
  m.targets = first.targets;
  m.model = first.model;
  m.stages = summed_stages(reports);
  m.pattern = first.pattern;
  m.dups = first.dups;
  m.profile = first.profile;
  m.count_mode = first.count_mode;
  m.start_unix_us = start;
  m.merged_from = names;
  m.segment = {0, 1};
  std::vector<bool> present(static_cast<size_t>(first.segment.count), false);
  for (size_t i = 0; i < reports.size(); ++i) {
    const StressReport& r = reports[i];
    // Whole seconds after the earliest start: the series are binned per second of each run.
    const double shift_s = static_cast<double>(r.start_unix_us - start) / 1e6;
    const auto offset = static_cast<size_t>(std::llround(shift_s));
    present[static_cast<size_t>(r.segment.index)] = true;
    m.threads += r.threads;
    m.connections += r.connections;
    m.rate += r.rate;
    m.keys += r.keys;
    m.interrupted = m.interrupted || r.interrupted;
    m.valid = m.valid && r.valid;
    const std::string who = r.segment.count > 1 ? "segment " + segment_name(r.segment) : names[i];
    for (const auto& w : r.warnings) m.warnings.push_back(who + ": " + w);
    m.elapsed_seconds = std::max(m.elapsed_seconds, shift_s + r.elapsed_seconds);
    m.sent += r.sent;
    m.answered += r.answered;
    m.unfinished += r.unfinished;
    m.keys_started += r.keys_started;
    m.keys_prepared += r.keys_prepared;
    m.keys_prepared_idle += r.keys_prepared_idle;
    m.keys_prepared_in_run += r.keys_prepared_in_run;
    for (const auto& [status, n] : r.statuses) m.statuses[status] += n;
    m.outcomes.add(r.outcomes);
    for (size_t e = 0; e < m.transport_errors.size(); ++e) m.transport_errors[e] += r.transport_errors[e];
    m.latency.merge(r.latency);
    m.corrected_latency.merge(r.corrected_latency);
    m.generator_lag.merge(r.generator_lag);
    for (size_t k = 0; k < kRequestKinds; ++k) m.latency_by_kind[k].merge(r.latency_by_kind[k]);
    for (size_t v = 0; v < kInvariants; ++v) {
      auto& into = m.violations[v];
      into.count += r.violations[v].count;
      for (ViolationExample e : r.violations[v].examples) {
        if (into.examples.size() >= kMaxViolationExamples) break;
        e.at_seconds += shift_s;
        into.examples.push_back(std::move(e));
      }
      auto& s = m.invariants[v];
      const auto& rs = r.invariants[v];
      s.observations += rs.observations;
      s.checked = s.checked || rs.checked;
    }
    const ExecutionSampling& es = r.executions_sampled;
    if (es.sampled) {
      auto& into = m.executions_sampled;
      into.sampled = true;
      into.samples += es.samples;
      into.unreadable += es.unreadable;
      into.keys_over_once += es.keys_over_once;
      if (es.first_over_once_s >= 0) {
        const double at = es.first_over_once_s + shift_s;
        into.first_over_once_s =
            into.first_over_once_s < 0 ? at : std::min(into.first_over_once_s, at);
      }
    }
    for (const auto& t : r.thresholds) {
      const bool known = std::any_of(m.thresholds.begin(), m.thresholds.end(),
                                     [&](const ThresholdResult& x) { return x.expression == t.expression; });
      if (!known) m.thresholds.push_back({t.expression, true, ""});
    }
    if (m.seconds.size() < offset + r.seconds.size()) {
      m.seconds.resize(offset + r.seconds.size());
      m.second_counts.resize(offset + r.seconds.size());
    }
    for (size_t s = 0; s < r.seconds.size(); ++s) {
      m.seconds[offset + s].add(r.seconds[s]);
      for (size_t k = 0; k < kRequestKinds; ++k) {
        auto& into = m.second_counts[offset + s].by_kind[k];
        const auto& from = r.second_counts[s].by_kind[k];
        into.insert(into.end(), from.begin(), from.end());
      }
    }
  }
  // An invariant's reason: why it was not judged, or what limits a judged one, from the first
  // report in the same state.
  for (size_t v = 0; v < kInvariants; ++v) {
    for (const auto& r : reports) {
      if (r.invariants[v].checked == m.invariants[v].checked && !r.invariants[v].reason.empty()) {
        m.invariants[v].reason = r.invariants[v].reason;
        break;
      }
    }
  }
  Histogram h;
  for (size_t s = 0; s < m.seconds.size(); ++s) {
    h.reset();
    for (auto& counts : m.second_counts[s].by_kind) {
      add_up_sparse(counts);
      for (const auto& [index, count] : counts) h.add_counts(index, count);
    }
    SecondSample& x = m.seconds[s];
    if (h.total() == 0) continue;
    x.latency_p50_us = std::min(x.latency_max_us, h.value_at_percentile(50));
    x.latency_p90_us = std::min(x.latency_max_us, h.value_at_percentile(90));
    x.latency_p99_us = std::min(x.latency_max_us, h.value_at_percentile(99));
  }
  if (first.segment.count > 1) {
    std::string missing;
    for (size_t i = 0; i < present.size(); ++i) {
      if (!present[i]) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
    }
    if (!missing.empty()) {
      m.warnings.push_back("segments " + missing + " of " + std::to_string(first.segment.count) +
                           " are missing: the merged figures cover part of the run");
    }
  }
  return m;
}

}  // namespace idem
