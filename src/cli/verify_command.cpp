// `idemctl verify`: runs the conformance catalogue (scenarios/*.json) against a target, or
// against the embedded reference server when no --target is given, and reports per check.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "idem/client/http_client.hpp"
#include "idem/server/reference_server.hpp"
#include "idem/store/memory_store.hpp"
#include "idem/version.hpp"
#include "interrupt_watch.hpp"
#include "idem/verify/endpoint_runner.hpp"
#include "idem/verify/scenario_loader.hpp"
#include "target_flags.hpp"
#include "verify_endpoints.hpp"
#include "verify_flags.hpp"

namespace idem::cli {
namespace {

// The embedded reference server's lock TTL: short, so crash-releases-key takes about a second.
constexpr Millis kEmbeddedLockTtl{1000};
constexpr Millis kEmbeddedSlowDelay{200};
constexpr Millis kEmbeddedRecordTtl{2000};  // with --key-expiry only

struct ReportFile {
  std::string format;
  std::string path;
};

int fail_usage(const std::string& message) {
  std::cerr << "idemctl verify: " << message << "\n";
  return kExitUsage;
}

Result<std::vector<verify::Scenario>> load_catalogue(const VerifyFlags& f) {
  std::string dir = f.scenario_dir;
  if (dir.empty()) {
    auto found = verify::find_scenario_dir();
    if (!found) return found.error();
    dir = *found;
  }
  auto catalogue = verify::load_scenario_dir(dir);
  if (!catalogue) return catalogue.error();
  for (const auto& file : f.scenarios) {
    auto more = verify::load_scenario_file(file);
    if (!more) return more.error();
    for (auto& s : *more) {
      // --only/--skip and the reports name checks by id: two checks with one id are ambiguous.
      const bool taken = std::any_of(catalogue->begin(), catalogue->end(),
                                     [&](const verify::Scenario& c) { return c.id == s.id; });
      if (taken) {
        return make_error(ErrorCode::InvalidArgument,
                          file + ": check id '" + s.id + "' is defined twice (see --list)");
      }
      catalogue->push_back(std::move(s));
    }
  }
  return catalogue;
}

Result<std::vector<ReportFile>> parse_reports(const std::vector<std::string>& specs) {
  std::vector<ReportFile> out;
  for (const auto& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string format = spec.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == spec.size() ||
        (format != "json" && format != "junit")) {
      return make_error(ErrorCode::InvalidArgument,
                        "--report: invalid '" + spec + "': expected json=FILE or junit=FILE");
    }
    out.push_back({format, spec.substr(eq + 1)});
  }
  return out;
}

// Checked before the run, so a long run does not end on a path it cannot write. The probe
// leaves no file behind that was not there before.
Result<void> check_writable(const std::vector<ReportFile>& files) {
  for (const auto& r : files) {
    std::error_code ec;
    const bool existed = std::filesystem::exists(r.path, ec);
    std::ofstream probe(r.path, std::ios::binary | std::ios::app);
    if (!probe) {
      return make_error(ErrorCode::InvalidArgument,
                        "--report: cannot write " + r.path + ": " + std::strerror(errno));
    }
    probe.close();
    if (!existed) std::filesystem::remove(r.path, ec);
  }
  return {};
}

// False (and a line naming the path) when a file cannot be written.
bool write_reports(const Report& report, const std::vector<ReportFile>& files) {
  bool ok = true;
  for (const auto& r : files) {
    std::ofstream out(r.path, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::cerr << "idemctl verify: --report: cannot write " << r.path << "\n";
      ok = false;
      continue;
    }
    if (r.format == "json") {
      write_json_report(report, out);
    } else {
      write_junit_report(report, out);
    }
  }
  return ok;
}

// The checks run so far, for the summary and the reports written when a signal ends the run.
class PartialReport {
 public:
  explicit PartialReport(std::vector<ReportFile> files) : files_(std::move(files)) {
    const VersionInfo version = version_info();
    report_.tool_version = version.version;
    report_.tool_revision = version.git_revision;
  }
  void start(const std::vector<std::string>& targets, const std::string& profile,
             const std::vector<std::string>& endpoints, const std::vector<std::string>& hints) {
    const std::lock_guard lock(mu_);
    report_.targets = targets;
    report_.profile = profile;
    report_.endpoints = endpoints;
    report_.hints = hints;
    started_ = std::chrono::steady_clock::now();
  }
  void add(const CheckResult& c) {
    const std::lock_guard lock(mu_);
    report_.checks.push_back(c);
  }
  /// The run is over: prints `report` and writes its files in full, under the lock, so a signal
  /// now neither interleaves with nor overwrites them. False when a file cannot be written.
  bool finish(const Report& report) {
    const std::lock_guard lock(mu_);
    finished_ = true;
    write_text_report(report, std::cout, use_color());
    std::cout.flush();  // the signal thread ends the process with _Exit, which flushes nothing
    return write_reports(report, files_);
  }
  /// Prints the summary and writes the report files of what ran; called on the signal thread.
  /// After finish() the full reports stand and nothing is written.
  void write(int signal) {
    const std::lock_guard lock(mu_);
    if (finished_) return;
    report_.duration =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started_);
    write_text_report(report_, std::cout, use_color());
    std::cout.flush();
    write_reports(report_, files_);
    std::cerr << "idemctl verify: interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << " after " << report_.checks.size() << " checks; the reports hold those\n";
    std::cerr.flush();
  }

 private:
  std::mutex mu_;  // guards report_, started_ and finished_, and the output they are written to
  Report report_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const std::vector<ReportFile> files_;
};

void print_list(const std::vector<verify::Scenario>& catalogue) {
  for (const auto& s : catalogue) {
    std::cout << s.id << std::string(s.id.size() < 26 ? 26 - s.id.size() : 1, ' ')
              << to_string(s.level) << std::string(8 - to_string(s.level).size(), ' ') << s.title
              << (s.opt_in ? " (opt-in)" : "") << "\n";
  }
}

int run_verify_command(const VerifyFlags& f) {
  CurlGlobal curl;
  auto profile = build_profile(f);
  if (!profile) return fail_usage(profile.error().message);
  auto options = build_options(f, *profile);
  if (!options) return fail_usage(options.error().message);
  auto catalogue = load_catalogue(f);
  if (!catalogue) return fail_usage(catalogue.error().message);
  if (auto ok = verify::validate_selection(*catalogue, *options); !ok) {
    return fail_usage(ok.error().message);
  }
  if (f.list) {
    print_list(*catalogue);
    return kExitOk;
  }
  auto reports = parse_reports(f.reports);
  if (!reports) return fail_usage(reports.error().message);
  if (auto ok = check_writable(*reports); !ok) return fail_usage(ok.error().message);
  PartialReport partial(*reports);
  // Before the embedded server and curl start threads, so that all of them leave the signals to
  // the watcher.
  const InterruptWatch interrupt([&partial](int signal) { partial.write(signal); });

  auto source = load_endpoint_source(f, options->profile.key_header);
  if (!source) return fail_usage(source.error().message);
  // An absolute `servers` URL of the document is the target when none is given.
  VerifyFlags flags = f;
  if (!source->server_url.empty() && flags.targets.empty() && flags.config.empty()) {
    flags.targets = {source->server_url};
  }
  if (!f.openapi.empty() && flags.targets.empty() && flags.config.empty()) {
    return fail_usage(f.openapi + ": $.servers: no absolute server URL; give --target URL");
  }

  EmbeddedSetup setup{kEmbeddedLockTtl, kEmbeddedSlowDelay, std::nullopt};
  if (f.key_expiry) setup.record_ttl = kEmbeddedRecordTtl;
  auto resolved =
      resolve_target(flags, options->profile, options->timeout, options->connect_timeout, setup);
  if (!resolved) {
    std::cerr << "idemctl verify: " << resolved.error().message << "\n";
    return resolved.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }
  const std::unique_ptr<ReferenceServer>& embedded = resolved->embedded;
  const auto target = &resolved->target;
  auto endpoints = plan_endpoints(flags, *target, *source);
  if (!endpoints) return fail_usage(endpoints.error().message);
  if (embedded) {
    // Flushed: a script (or a test) waits for this line before it signals the run.
    std::cout << "verifying the embedded reference server at " << embedded->base_url()
              << std::endl;
  }
  const std::vector<std::string> labels = verify::endpoint_labels(*endpoints);
  const int jobs = f.jobs > 0 ? f.jobs
                              : std::min(static_cast<int>(endpoints->size()),
                                         verify::kDefaultEndpointJobs);
  if (endpoints->size() > 1) {
    std::cout << "verifying " << endpoints->size() << " endpoints, " << jobs
              << " at a time:";
    for (const std::string& l : labels) std::cout << "  " << l;
    std::cout << std::endl;
  }
  const std::vector<std::string> skipped = skipped_lines(*source);
  for (const std::string& line : skipped) std::cout << line << "\n";
  partial.start(target->base_urls, options->profile.name, labels, skipped);
  options->on_check = [&partial](const CheckResult& c) { partial.add(c); };
  Report report = verify::run_verify_endpoints(*catalogue, *endpoints, *options, jobs);
  // What the document could not give is part of the report, not only of this terminal.
  report.hints.insert(report.hints.begin(), skipped.begin(), skipped.end());
  if (!partial.finish(report)) return kExitUsage;
  return report.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void register_verify(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<VerifyFlags>();
  auto* cmd = app.add_subcommand(
      "verify", "Run the idempotency conformance checks against a target (or the embedded server)");
  add_target_flags(cmd, *f);
  cmd->add_option("--scenario", f->scenarios, "Another scenario file to run (repeatable)");
  cmd->add_option("--scenario-dir", f->scenario_dir,
                  "Use this catalogue instead of the built-in one");
  cmd->add_option("--only", f->only, "Run only these checks (repeatable; opt-in checks too)")
      ->delimiter(',');
  cmd->add_option("--skip", f->skip, "Do not run these checks (repeatable)")->delimiter(',');
  cmd->add_flag("--list", f->list, "List the checks and exit");
  cmd->add_flag("--key-expiry", f->key_expiry, "Also run the opt-in key-expiry check");
  cmd->add_option("--rounds", f->rounds, "Rounds of each burst check")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--burst", f->burst, "Simultaneous duplicates per round")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  cmd->add_option("--timeout", f->timeout, "Per request")->capture_default_str();
  cmd->add_option("--connect-timeout", f->connect_timeout, "Per connection attempt")
      ->capture_default_str();
  cmd->add_option("--deadline", f->deadline,
                  "The whole run; checks not finished by then fail as not run")
      ->capture_default_str();
  cmd->add_option("--report", f->reports, "Also write json=FILE or junit=FILE (repeatable)");
  cmd->add_option("--openapi", f->openapi,
                  "Verify every operation of this OpenAPI 3 document (JSON or YAML) that declares "
                  "the key header (or x-idempotent: true)");
  cmd->add_flag("--openapi-all", f->openapi_all, "With --openapi: every POST and PATCH");
  cmd->add_option("--param", f->params,
                  "With --openapi: value of a path, query or header parameter, NAME=VALUE "
                  "(repeatable)");
  cmd->add_option("--jobs", f->jobs, "Endpoints verified at once (default: up to 4)")
      ->check(CLI::Range(1, verify::kMaxEndpointJobs));
  cmd->callback([&run, f] { run = [f] { return run_verify_command(*f); }; });
}

}  // namespace idem::cli
