// `idemctl report merge`: one report out of the JSON reports of a run split over segments
// (docs/distributed.md). Histograms add up bucket by bucket and thresholds are judged again on
// the merged run, so its percentiles are those of all requests, never an average.
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "idem/stress/stress_html.hpp"
#include "idem/stress/stress_merge.hpp"
#include "idem/stress/stress_writers.hpp"
#include "idem/stress/threshold.hpp"

namespace idem::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> inputs;
  std::vector<std::string> reports;
  bool quiet = false;
};

int fail_usage(const std::string& message) {
  std::cerr << "idemctl report merge: " << message << "\n";
  return kExitUsage;
}

int run_merge(const MergeFlags& f) {
  // Output files are opened first: a path that cannot be written fails before any reading.
  struct Output {
    std::string kind;  // json | html
    std::string path;
    std::unique_ptr<std::ofstream> out;
  };
  std::vector<Output> outputs;
  for (const auto& spec : f.reports) {
    const size_t eq = spec.find('=');
    const std::string kind = spec.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == spec.size() || (kind != "json" && kind != "html")) {
      return fail_usage("--report: invalid '" + spec + "': expected json=FILE or html=FILE");
    }
    const std::string path = spec.substr(eq + 1);
    auto out = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    if (!*out) return fail_usage("--report: cannot write " + path);
    outputs.push_back({kind, path, std::move(out)});
  }
  std::vector<StressReport> reports;
  for (const auto& path : f.inputs) {
    auto r = read_stress_json_file(path);
    if (!r) return fail_usage(r.error().message);
    reports.push_back(std::move(*r));
  }
  auto merged = merge_stress_reports(reports, f.inputs);
  if (!merged) return fail_usage(merged.error().message);
  // The thresholds the runs were given, judged on the merged figures.
  std::vector<ThresholdResult> judged;
  for (const auto& t : merged->thresholds) {
    auto parsed = parse_threshold(t.expression);
    if (!parsed) return fail_usage("threshold '" + t.expression + "': " + parsed.error().message);
    judged.push_back(evaluate_threshold(*parsed, *merged));
  }
  merged->thresholds = judged;
  if (!f.quiet) {
    std::cout << "merged " << reports.size() << " reports";
    for (const auto& path : f.inputs) std::cout << " " << path;
    std::cout << "\n";
  }
  write_stress_summary(*merged, std::cout, use_color());
  for (auto& [kind, path, out] : outputs) {
    if (kind == "json") write_stress_json(*merged, *out);
    if (kind == "html") write_stress_html(*merged, *out);
    out->close();
    if (!*out) return fail_usage("--report: could not write " + path);
  }
  return merged->passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void register_report(CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("report", "Work with stress reports (merge the segments of a run)");
  cmd->require_subcommand(1);
  // No flag names here: the help's flags are what the completion and man page tests expect.
  cmd->footer(
      "idemctl report merge REPORT.json...: merges the JSON reports of a run split over "
      "generators by stress's segment options (histograms bucket by bucket, counters and "
      "violations exactly, per-second series aligned by start time, thresholds judged again). "
      "Exit 0 when the merged run passes, 1 when it fails, 2 for a report that cannot be read or "
      "is of another schema version, target or split. See docs/distributed.md.");
  auto f = std::make_shared<MergeFlags>();
  auto* merge = cmd->add_subcommand(
      "merge",
      "Merge the JSON reports of one run split over segments into one (exact histograms; "
      "thresholds judged again): exit 1 if the merged run fails");
  merge->add_option("reports", f->inputs, "JSON reports written by stress --report json=FILE")
      ->required();
  merge->add_option("--report", f->reports, "Also write the merged report: json=FILE or html=FILE (repeatable)");
  merge->add_flag("-q,--quiet", f->quiet, "Only the summary");
  merge->callback([&run, f] { run = [f] { return run_merge(*f); }; });
}

}  // namespace idem::cli
