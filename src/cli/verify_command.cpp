// `idemctl verify`: runs the conformance catalogue (scenarios/*.json) against a target, or
// against the embedded reference server when no --target is given, and reports per check.
#include <fstream>
#include <optional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "idem/client/http_client.hpp"
#include "idem/server/reference_server.hpp"
#include "idem/store/memory_store.hpp"
#include "idem/verify/scenario_loader.hpp"
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
    catalogue->insert(catalogue->end(), more->begin(), more->end());
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

// An idemctl reference server answers /__idem/stats with executions_total (and, since 0.1, its
// lock TTL). Returns that answer, or nothing for any other service.
std::optional<nlohmann::json> reference_stats(const std::string& base,
                                              const verify::VerifyOptions& o) {
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = base + "/__idem/stats";
  r.timeout = o.timeout;
  r.connect_timeout = o.connect_timeout;
  const ClientResponse res = client.send(r);
  if (!res.ok() || res.response.status != 200) return std::nullopt;
  auto json = nlohmann::json::parse(res.response.body, nullptr, false);
  if (!json.is_object() || !json.contains("executions_total")) return std::nullopt;
  return json;
}

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

  verify::TargetSpec base;
  base.headers = {{"Content-Type", "application/json"}};
  if (!f.config.empty()) {
    auto loaded = verify::load_target_config(f.config, base);
    if (!loaded) return fail_usage(loaded.error().message);
    base = *loaded;
  }
  std::unique_ptr<ReferenceServer> embedded;
  const bool no_target = f.targets.empty() && base.base_urls.empty();
  if (no_target && !f.config.empty()) {
    return fail_usage(f.config + ": $.targets: expected base URLs (or give --target)");
  }
  if (no_target) {
    ServerConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.log_format = LogFormat::None;
    c.guard.lock_ttl = kEmbeddedLockTtl;
    if (f.key_expiry) c.guard.ttl = kEmbeddedRecordTtl;
    // The embedded server is configured as the profile declares where it can be.
    c.guard.key_header = options->profile.key_header;
    c.guard.cache_5xx = options->profile.server_error == "cached";
    c.guard.key_format = options->profile.key_format == "any" ? KeyFormat::Any : KeyFormat::Uuid4;
    embedded = std::make_unique<ReferenceServer>(c, std::make_unique<MemoryStore>());
    auto port = embedded->start();
    if (!port) {
      std::cerr << "idemctl verify: embedded server: " << port.error().message << "\n";
      return kExitUnreachable;
    }
    base = verify::reference_target({embedded->base_url()}, kEmbeddedLockTtl, kEmbeddedSlowDelay);
    if (f.key_expiry) base.record_ttl = kEmbeddedRecordTtl;
  }
  auto target = apply_target_flags(f, base);
  if (!target) return fail_usage(target.error().message);
  if (auto reachable = verify::probe_targets(*target, options->connect_timeout); !reachable) {
    std::cerr << "idemctl verify: target unreachable: " << reachable.error().message << "\n";
    return reachable.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }
  const auto stats = !no_target && f.config.empty() && f.kind != "generic"
                         ? reference_stats(target->base_urls.front(), *options)
                         : std::nullopt;
  if (!no_target && f.config.empty() && (f.kind == "reference" || stats)) {
    // A running `idemctl serve`: its counter and fault header are known, and it reports its lock
    // TTL (an older one does not: declare it with --lock-ttl to run crash-releases-key).
    verify::TargetSpec ref = verify::reference_target(target->base_urls, Millis{0});
    ref.lock_ttl.reset();
    if (stats && stats->contains("lock_ttl_ms") && stats->at("lock_ttl_ms").is_number_integer()) {
      ref.lock_ttl = Millis{stats->at("lock_ttl_ms").get<long long>()};
    }
    auto with_flags = apply_target_flags(f, ref);
    if (!with_flags) return fail_usage(with_flags.error().message);
    target = std::move(with_flags);
  }

  if (embedded) {
    std::cout << "verifying the embedded reference server at " << embedded->base_url() << "\n";
  }
  const Report report = verify::run_verify(*catalogue, *target, *options);
  write_text_report(report, std::cout, use_color());
  for (const auto& r : *reports) {
    std::ofstream out(r.path, std::ios::binary | std::ios::trunc);
    if (!out) return fail_usage("--report: cannot write " + r.path);
    if (r.format == "json") {
      write_json_report(report, out);
    } else {
      write_junit_report(report, out);
    }
  }
  return report.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void register_verify(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<VerifyFlags>();
  auto* cmd = app.add_subcommand(
      "verify", "Run the idempotency conformance checks against a target (or the embedded server)");
  cmd->add_option("--target", f->targets,
                  "Base URL of the service; repeat for several instances of one service. "
                  "None: verify the embedded reference server");
  cmd->add_option("--config", f->config, "Target description file (JSON; see docs/verify.md)");
  cmd->add_option("--target-kind", f->kind, "auto (detect idemctl serve), reference, or generic")
      ->check(CLI::IsMember({"auto", "reference", "generic"}))
      ->capture_default_str();
  cmd->add_option("--profile", f->profile, "default, ietf, stripe or fiber")->capture_default_str();
  cmd->add_option("--key-header", f->key_header, "Override: the header carrying the key");
  cmd->add_option("--in-flight", f->in_flight, "Override: 409 or wait");
  cmd->add_option("--server-error", f->server_error, "Override: cached, not-cached or any");
  cmd->add_option("--mismatch-status", f->mismatch_status,
                  "Override: 4xx status of a reused key, or none");
  cmd->add_option("--key-format", f->key_format, "Override: uuid4 or any");
  cmd->add_option("--replay-marker", f->replay_marker, "Override: required or any");
  cmd->add_flag("--key-optional", f->key_optional, "Override: a missing key is not an error");
  cmd->add_option("--method", f->method, "Method of the guarded endpoint (default POST)");
  cmd->add_option("--path", f->path, "Path of the guarded endpoint (default /payments)");
  cmd->add_option("--body", f->body, "Body template; {{uuid}} and {{n}} expand");
  cmd->add_option("--alternate-path", f->alternate_path, "Another guarded endpoint");
  cmd->add_option("--large-path", f->large_path, "A path whose answer is several MiB");
  cmd->add_option("--header", f->headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--principal", f->principals,
                  "Value of the scope header (Authorization) for a caller; give two");
  cmd->add_option("--failure-header", f->failure_header,
                  "Header 'Name: value' making the handler answer 5xx");
  cmd->add_option("--slow-header", f->slow_header, "Header 'Name: value' making the handler slow");
  cmd->add_option("--slow-delay", f->slow_delay, "How long the slow handler takes");
  cmd->add_option("--crash-header", f->crash_header,
                  "Header 'Name: value' making the holder crash");
  cmd->add_option("--lock-ttl", f->lock_ttl, "The target's declared lock TTL");
  cmd->add_option("--record-ttl", f->record_ttl, "The target's declared record TTL");
  cmd->add_option("--executions-url", f->executions_url,
                  "URL template answering a count per {{key}}");
  cmd->add_option("--executions-pointer", f->executions_pointer,
                  "JSON pointer to the count (default /executions)");
  cmd->add_option("--resource-id", f->resource_id, "JSON pointer to a resource id in 2xx bodies");
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
  cmd->add_option("--report", f->reports, "Also write json=FILE or junit=FILE (repeatable)");
  cmd->callback([&run, f] { run = [f] { return run_verify_command(*f); }; });
}

}  // namespace idem::cli
