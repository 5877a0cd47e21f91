// `idemctl stress`: load shaped like retry traffic against a target (or the embedded reference
// server), with the invariants of SEMANTICS §5 checked per key while it runs.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "idem/chaos/fault_rule.hpp"
#include "idem/client/http_client.hpp"
#include "idem/duration.hpp"
#include "idem/stress/engine.hpp"
#include "idem/stress/stress_logs.hpp"
#include "idem/stress/stress_html.hpp"
#include "idem/stress/stress_writers.hpp"
#include "idem/stress/threshold.hpp"
#include "target_flags.hpp"

namespace idem::cli {
namespace {

// The embedded server's lock TTL under load: long enough that no healthy request outlives it.
constexpr Millis kEmbeddedLockTtl{10'000};
// Without a TTY, one progress line this often.
constexpr double kPlainProgressSeconds = 5.0;
constexpr int kBarWidth = 30;

struct StressFlags {
  VerifyFlags target;
  int threads = 2;
  int connections = 16;
  double rate = 0;
  std::vector<std::string> stages;
  std::string duration;
  long long requests = 0;
  long long keys = 0;
  int dups = 1;
  std::string pattern = "burst";
  std::string mix;
  std::vector<std::string> chaos;
  uint64_t chaos_seed = 1;
  std::vector<std::string> reports;
  std::vector<std::string> thresholds;
  long long ndjson_limit = kDefaultRequestLogLimit;
  std::string segment;
  int segments = -1;  ///< -1: not given
  bool quiet = false;
};

/// One --report KIND=FILE, its file opened (and truncated) before the run so that a path that
/// cannot be written fails at once, not after the load.
struct ReportFile {
  std::string kind;  ///< json | html | ndjson | hdr
  std::string path;
  std::unique_ptr<std::ofstream> out;
};

Result<std::vector<ReportFile>> open_report_files(const std::vector<std::string>& specs) {
  std::vector<ReportFile> files;
  for (const auto& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string kind = spec.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == spec.size() ||
        (kind != "json" && kind != "html" && kind != "ndjson" && kind != "hdr")) {
      return make_error(ErrorCode::InvalidArgument,
                        "--report: invalid '" + spec +
                            "': expected json=FILE, html=FILE, ndjson=FILE or hdr=FILE");
    }
    ReportFile f{kind, spec.substr(eq + 1), nullptr};
    f.out = std::make_unique<std::ofstream>(f.path, std::ios::binary | std::ios::trunc);
    if (!*f.out) {
      return make_error(ErrorCode::InvalidArgument,
                        "--report: cannot write " + f.path + " (" + kind + " report)");
    }
    files.push_back(std::move(f));
  }
  return files;
}

/// --segment I/N, or --segments N with I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).
Result<std::pair<int, int>> resolve_segment(const StressFlags& f) {
  if (!f.segment.empty() && f.segments != -1) {
    return make_error(ErrorCode::InvalidArgument, "--segment, --segments: give one of them");
  }
  if (!f.segment.empty()) return parse_segment(f.segment, "--segment");
  if (f.segments == -1) return std::pair{0, 1};
  if (f.segments < 1 || f.segments > kMaxSegments) {
    return make_error(ErrorCode::InvalidArgument,
                      "--segments: expected 1 to " + std::to_string(kMaxSegments));
  }
  const char* env = std::getenv("JOB_COMPLETION_INDEX");
  if (env == nullptr) {
    return make_error(ErrorCode::InvalidArgument,
                      "--segments: JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job sets "
                      "it; elsewhere give --segment I/N)");
  }
  auto parsed = parse_segment(std::string(env) + "/" + std::to_string(f.segments),
                              "JOB_COMPLETION_INDEX");
  if (!parsed) {
    return make_error(ErrorCode::InvalidArgument,
                      "JOB_COMPLETION_INDEX: invalid '" + std::string(env) + "': expected 0 to " +
                          std::to_string(f.segments - 1) + " (--segments " +
                          std::to_string(f.segments) + ")");
  }
  return parsed;
}

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) { g_interrupted.store(true); }

int fail_usage(const std::string& message) {
  std::cerr << "idemctl stress: " << message << "\n";
  return kExitUsage;
}

Result<StressOptions> build_stress_options(const StressFlags& f) {
  StressOptions o;
  auto profile = build_profile(f.target);
  if (!profile) return profile.error();
  o.profile = *profile;
  o.threads = f.threads;
  o.connections = f.connections;
  o.rate = f.rate;
  for (const auto& s : f.stages) {
    auto stage = parse_stage(s);
    if (!stage) return stage.error();
    o.stages.push_back(*stage);
  }
  if (!f.duration.empty()) {
    auto d = duration_flag("--duration", f.duration, Millis{1});
    if (!d) return d.error();
    o.duration = *d;
  } else if (!o.stages.empty()) {
    for (const auto& s : o.stages) o.duration += s.duration;
  }
  o.requests = f.requests;
  o.keys = f.keys;
  o.dups = f.dups;
  if (auto p = parse_pattern(f.pattern, o); !p) return p.error();
  if (!f.mix.empty()) {
    auto m = parse_mix(f.mix);
    if (!m) return m.error();
    o.mix = *m;
  }
  auto chaos_rules = chaos::parse_fault_rules(f.chaos);
  if (!chaos_rules) return flag_error("--chaos", chaos_rules.error());
  o.chaos = std::move(*chaos_rules);
  o.chaos_seed = f.chaos_seed;
  auto timeout = duration_flag("--timeout", f.target.timeout, Millis{1});
  if (!timeout) return timeout.error();
  auto connect = duration_flag("--connect-timeout", f.target.connect_timeout, Millis{1});
  if (!connect) return connect.error();
  o.timeout = *timeout;
  o.connect_timeout = *connect;
  if (f.ndjson_limit < 1 || f.ndjson_limit > kMaxRequestLogLimit) {
    return make_error(ErrorCode::InvalidArgument,
                      "--ndjson-limit: expected 1 to " + std::to_string(kMaxRequestLogLimit));
  }
  const bool ndjson = std::any_of(f.reports.begin(), f.reports.end(),
                                  [](const std::string& r) { return r.starts_with("ndjson="); });
  if (ndjson) o.request_log_limit = f.ndjson_limit;
  auto segment = resolve_segment(f);
  if (!segment) return segment.error();
  if (auto ok = apply_segment(o, segment->first, segment->second); !ok) return ok.error();
  if (auto ok = validate_options(o); !ok) return ok.error();
  return o;
}

class Progress {
 public:
  Progress(const StressOptions& o, bool quiet) : options_(o), quiet_(quiet), tty_(isatty(STDOUT_FILENO) == 1) {}

  void operator()(const StressProgress& p) {
    if (quiet_) return;
    const double rps = p.elapsed_seconds > 0 ? static_cast<double>(p.answered) / p.elapsed_seconds : 0;
    char figures[160];
    std::snprintf(figures, sizeof figures, "%6.1fs  %8llu sent  %9.0f req/s  p99 %7.2fms  %llu errors  %llu violations",
                  p.elapsed_seconds, static_cast<unsigned long long>(p.sent), rps,
                  static_cast<double>(p.p99_us) / 1000.0, static_cast<unsigned long long>(p.errors),
                  static_cast<unsigned long long>(p.violations));
    if (!tty_) {
      if (p.elapsed_seconds - last_plain_ < kPlainProgressSeconds) return;
      last_plain_ = p.elapsed_seconds;
      std::cout << "progress " << figures << std::endl;
      return;
    }
    double done = 0;
    if (options_.duration.count() > 0) {
      done = p.elapsed_seconds * 1000.0 / static_cast<double>(options_.duration.count());
    } else if (options_.requests > 0) {
      done = static_cast<double>(p.sent) / static_cast<double>(options_.requests);
    }
    const int filled = static_cast<int>(std::min(1.0, done) * kBarWidth);
    std::cout << "\r[" << std::string(static_cast<size_t>(filled), '#')
              << std::string(static_cast<size_t>(kBarWidth - filled), ' ') << "] " << figures
              << std::flush;
    drew_ = true;
  }
  void end() {
    if (drew_) std::cout << "\r" << std::string(120, ' ') << "\r" << std::flush;
  }

 private:
  const StressOptions& options_;
  bool quiet_;
  bool tty_;
  bool drew_ = false;
  double last_plain_ = 0;
};

int run_stress_command(const StressFlags& f) {
  CurlGlobal curl;
  auto options = build_stress_options(f);
  if (!options) return fail_usage(options.error().message);
  std::vector<Threshold> thresholds;
  for (const auto& t : f.thresholds) {
    auto parsed = parse_threshold(t);
    if (!parsed) return fail_usage(parsed.error().message);
    thresholds.push_back(*parsed);
  }
  auto report_files = open_report_files(f.reports);
  if (!report_files) return fail_usage(report_files.error().message);
  EmbeddedSetup setup{kEmbeddedLockTtl, Millis{200}, std::nullopt};
  auto resolved = resolve_target(f.target, options->profile, options->timeout,
                                 options->connect_timeout, setup);
  if (!resolved) {
    std::cerr << "idemctl stress: " << resolved.error().message << "\n";
    return resolved.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }
  if (!resolved->target.endpoints.empty()) {
    // One load run measures one endpoint; verify is the command that takes several.
    return fail_usage(f.target.config + ": $.endpoints: stress drives one endpoint; give its "
                      "method, path and body at the top level (verify runs every endpoint)");
  }
  g_interrupted.store(false);
  std::signal(SIGINT, on_sigint);
  if (resolved->embedded && !f.quiet) {
    std::cout << "stressing the embedded reference server at " << resolved->embedded->base_url()
              << std::endl;
  }
  Progress progress(*options, f.quiet);
  auto report = run_stress(resolved->target, *options, g_interrupted,
                           [&progress](const StressProgress& p) { progress(p); });
  std::signal(SIGINT, SIG_DFL);
  progress.end();
  if (!report) {
    std::cerr << "idemctl stress: " << report.error().message << "\n";
    return kExitUnreachable;
  }
  for (const auto& t : thresholds) report->thresholds.push_back(evaluate_threshold(t, *report));
  write_stress_summary(*report, std::cout, use_color());
  for (auto& file : *report_files) {
    std::ofstream& out = *file.out;
    if (file.kind == "json") write_stress_json(*report, out);
    if (file.kind == "ndjson") write_stress_ndjson(*report, out);
    if (file.kind == "hdr") write_stress_hdr_log(*report, out);
    if (file.kind == "html") write_stress_html(*report, out);
    out.close();
    if (!out) {
      std::cerr << "idemctl stress: --report: could not write " << file.path << "\n";
      return kExitUsage;
    }
  }
  if (report->interrupted) return kExitInterrupted;
  return report->passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void register_stress(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<StressFlags>();
  auto* cmd = app.add_subcommand(
      "stress",
      "Load a target with retry-shaped traffic and check exactly-once per key under load");
  add_target_flags(cmd, f->target);
  cmd->add_option("-t,--threads", f->threads, "Generator threads (one curl loop each)")
      ->capture_default_str();
  cmd->add_option("-c,--connections", f->connections, "Connections, spread over the threads")
      ->capture_default_str();
  cmd->add_option("-R,--rate", f->rate,
                  "Open model: requests per second over all threads (latency corrected for "
                  "coordinated omission)");
  cmd->add_option("--stage", f->stages, "Open model ramp DURATION:RATE, like 10s:500 (repeatable)");
  cmd->add_option("-d,--duration", f->duration, "Stop after this long (10s, 1m)");
  cmd->add_option("-n,--requests", f->requests, "Stop after this many requests");
  cmd->add_option("--keys", f->keys, "Logical operations (keys); the run ends when each had its sends");
  cmd->add_option("--dups", f->dups, "Sends per key")->capture_default_str();
  cmd->add_option("--pattern", f->pattern, "burst, stagger=DURATION or retry")
      ->capture_default_str();
  cmd->add_option("--mix", f->mix,
                  "Shares of keys sent otherwise: missing-key=1%,invalid-key=1%,mismatch=2%,"
                  "failure=5%,lost-response=2%");
  cmd->add_option("--chaos", f->chaos,
                  "Send everything through an in-process chaos proxy with this fault rule "
                  "(repeatable; the grammar of idemctl chaos, docs/chaos.md); lost and injected answers are "
                  "retried with --pattern retry, and its journal checks every key");
  cmd->add_option("--chaos-seed", f->chaos_seed, "Seed of the --chaos rules' choices")
      ->capture_default_str();
  cmd->add_option("--timeout", f->target.timeout, "Per request")->capture_default_str();
  cmd->add_option("--connect-timeout", f->target.connect_timeout, "Per connection attempt")
      ->capture_default_str();
  cmd->add_option("--report", f->reports,
                  "Also write json=FILE, html=FILE (a self-contained page with charts), ndjson=FILE "
                  "(one line per request) or hdr=FILE (HdrHistogram interval log); repeatable "
                  "(docs/stress-report.md)");
  cmd->add_option("--ndjson-limit", f->ndjson_limit,
                  "Lines of the ndjson report at most; later requests are counted in a warning")
      ->capture_default_str();
  cmd->add_option("--segment", f->segment,
                  "I/N: run as generator I of N (1/N of the rate or connections, of -n and --keys; "
                  "its own keys) for `idemctl report merge` (docs/distributed.md)");
  cmd->add_option("--segments", f->segments,
                  "N: as --segment, with I from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)");
  cmd->add_option("--threshold", f->thresholds,
                  "Fail (exit 1) unless it holds: 'p99<50ms', 'errors<0.1%', 'rps>1000' "
                  "(repeatable)");
  cmd->add_flag("-q,--quiet", f->quiet, "No live progress");
  cmd->callback([&run, f] { run = [f] { return run_stress_command(*f); }; });
}

}  // namespace idem::cli
