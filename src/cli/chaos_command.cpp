// `idemctl chaos`: the HTTP-aware fault proxy in the foreground until SIGINT/SIGTERM, with its
// admin API when --admin is given. The rules' grammar is in include/idem/chaos/fault_rule.hpp.
#include <pthread.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "idem/chaos/chaos_admin.hpp"
#include "idem/chaos/chaos_proxy.hpp"
#include "idem/duration.hpp"
#include "idem/random.hpp"
#include "idem/target/base_url.hpp"

namespace idem::cli {
namespace {

struct ChaosFlags {
  std::string listen = "127.0.0.1:9090";
  std::string upstream;
  std::vector<std::string> faults;
  double probability = 1.0;
  uint64_t every = 0;
  bool first_attempt_per_key = false;
  std::string match_method;
  std::string match_path;
  std::string match_header;
  std::string seed;  // empty: a random one, printed
  std::string journal;
  std::string admin;  // empty: no admin API
  std::string key_header = "Idempotency-Key";
  size_t workers = chaos::kDefaultWorkers;
  std::string upstream_timeout = "30s";
  std::string max_body = "64MiB";
  std::string hang_limit = "60s";
  std::string cacert;
  bool insecure = false;
  std::string cert;
  std::string key;
  bool quiet = false;
};

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// The selection flags as the defaults of every --fault, in SPEC form, so the one parser reads
// them (and names a bad one by its flag).
Result<chaos::RuleDefaults> rule_defaults(const ChaosFlags& f) {
  std::string spec = "duplicate-forward";
  std::string flag;
  const auto add = [&spec](std::string_view option) { spec += "," + std::string(option); };
  if (f.probability != 1.0) add("p=" + std::to_string(f.probability));
  if (f.every > 0) add("every=" + std::to_string(f.every));
  if (f.first_attempt_per_key) add("first-attempt-per-key");
  if (!f.match_method.empty()) add("method=" + f.match_method);
  if (!f.match_path.empty()) add("path=" + f.match_path);
  if (!f.match_header.empty()) add("header=" + f.match_header);
  auto parsed = chaos::parse_fault_rule(spec);
  if (!parsed) {
    return make_error(ErrorCode::InvalidArgument,
                      "--match-method/--match-path/--match-header: " + parsed.error().message);
  }
  parsed->probability = f.probability;  // exact, not through to_string's six digits
  return *parsed;
}

Result<chaos::ChaosOptions> build_options(const ChaosFlags& f) {
  chaos::ChaosOptions o;
  auto addr = parse_listen_address(f.listen);
  if (!addr) return flag_error("--listen", addr.error());
  o.host = addr->host;
  o.port = addr->port;
  if (f.upstream.empty()) {
    return make_error(ErrorCode::InvalidArgument, "--upstream: required, like http://127.0.0.1:8080");
  }
  auto up = parse_base_url(f.upstream);
  if (!up) return flag_error("--upstream", up.error());
  o.upstream = f.upstream;
  if (f.faults.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      "--fault: at least one, like --fault drop-response (idemctl help chaos)");
  }
  auto defaults = rule_defaults(f);
  if (!defaults) return defaults.error();
  auto rules = chaos::parse_fault_rules(f.faults, *defaults);
  if (!rules) return flag_error("--fault", rules.error());
  o.rules = std::move(*rules);
  if (f.seed.empty()) {
    const std::string hex = random_hex(6);
    o.seed = std::stoull(hex, nullptr, 16);
  } else {
    try {
      size_t used = 0;
      o.seed = std::stoull(f.seed, &used);
      if (used != f.seed.size() || f.seed.front() == '-') throw std::invalid_argument("seed");
    } catch (const std::exception&) {
      return make_error(ErrorCode::InvalidArgument,
                        "--seed: invalid '" + f.seed + "': expected a whole number");
    }
  }
  o.journal_path = f.journal;
  o.key_header = f.key_header;
  o.workers = f.workers;
  auto timeout = duration_flag("--upstream-timeout", f.upstream_timeout, Millis{1});
  if (!timeout) return timeout.error();
  o.upstream_timeout = *timeout;
  auto max_body = size_flag("--max-body", f.max_body, 1);
  if (!max_body) return max_body.error();
  o.max_body = *max_body;
  auto hang = duration_flag("--hang-limit", f.hang_limit, Millis{1});
  if (!hang) return hang.error();
  o.hang_limit = *hang;
  if (auto ok = readable_file("--cacert", f.cacert); !ok) return ok.error();
  if (auto ok = readable_file("--cert", f.cert); !ok) return ok.error();
  if (auto ok = readable_file("--key", f.key); !ok) return ok.error();
  o.tls = TlsClientOptions{f.cacert, f.insecure, f.cert, f.key};
  return o;
}

// What an operator must know before the first request, even under -q (stderr).
void print_warnings(const chaos::ChaosOptions& o, const std::string& admin_host) {
  const auto warn = [](const std::string& line) {
    std::cerr << "idemctl chaos: WARNING: " << line << "\n";
  };
  if (!loopback(o.host)) {
    warn("listening on " + o.host + ", not loopback: every machine that reaches it can send "
         "requests to the upstream");
  }
  if (!admin_host.empty() && !loopback(admin_host)) {
    warn("admin API on " + admin_host + ", not loopback: anyone who reaches it can change the "
         "rules");
  }
  for (const chaos::FaultRule& r : o.rules) {
    const std::string name = chaos::fault_name(r);
    if (r.kind == chaos::FaultKind::DuplicateForward) {
      warn(name + " sends requests to the upstream twice: without idempotency they execute "
           "twice");
    }
    if (r.kind == chaos::FaultKind::DropResponse && r.loss == chaos::LossMode::Hang) {
      warn(name + " holds a worker per hung request for up to --hang-limit " +
           format_duration(o.hang_limit) + "; at most --workers " + std::to_string(o.workers) +
           " requests are served at once");
    }
    if (r.first_attempt_per_key) {
      warn(name + ": first-attempt-per-key faults only requests carrying " + o.key_header);
    }
  }
}

void print_banner(const chaos::ChaosProxy& proxy, const chaos::ChaosOptions& o,
                  const chaos::ChaosAdmin* admin, bool quiet) {
  std::cout << "idemctl chaos listening on " << proxy.base_url() << " -> " << o.upstream
            << std::endl;
  if (quiet) return;
  for (const chaos::FaultRule& r : o.rules) std::cout << "  fault " << chaos::to_spec(r) << "\n";
  std::cout << "  seed " << o.seed << " (--seed " << o.seed << " repeats these choices)\n";
  std::cout << "  every faulted answer carries " << chaos::kChaosHeader << "\n";
  if (!o.journal_path.empty()) std::cout << "  journal " << o.journal_path << " (NDJSON)\n";
  if (admin != nullptr) {
    std::cout << "  admin " << admin->base_url() << " (GET/PUT /rules, /counters, POST /reset, "
              << "/metrics)\n";
  }
  std::cout.flush();
}

int run_chaos(const ChaosFlags& flags) {
  auto options = build_options(flags);
  if (!options) {
    std::cerr << "idemctl chaos: " << options.error().message << "\n";
    return kExitUsage;
  }
  HostPort admin_addr;
  if (!flags.admin.empty()) {
    auto addr = parse_listen_address(flags.admin);
    if (!addr) {
      std::cerr << "idemctl chaos: " << flag_error("--admin", addr.error()).message << "\n";
      return kExitUsage;
    }
    admin_addr = *addr;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  chaos::ChaosProxy proxy(*options);
  auto port = proxy.start();
  if (!port) {
    std::cerr << "idemctl chaos: " << port.error().message << "\n";
    return port.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }
  std::unique_ptr<chaos::ChaosAdmin> admin;
  if (!flags.admin.empty()) {
    admin = std::make_unique<chaos::ChaosAdmin>(proxy, admin_addr.host, admin_addr.port);
    auto admin_port = admin->start();
    if (!admin_port) {
      std::cerr << "idemctl chaos: --admin: " << admin_port.error().message << "\n";
      return kExitUnreachable;
    }
  }
  print_banner(proxy, *options, admin.get(), flags.quiet);
  print_warnings(*options, flags.admin.empty() ? "" : admin_addr.host);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  if (admin) admin->stop();
  proxy.stop();
  const chaos::ChaosCounters c = proxy.counters();
  std::cerr << "idemctl chaos: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << "; "
            << c.requests << " requests, " << c.faulted << " faulted, " << c.lost
            << " answers lost, " << c.forwarded << " upstream exchanges, " << c.upstream_errors
            << " upstream errors\n";
  return kExitOk;
}

}  // namespace

void register_chaos(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<ChaosFlags>();
  auto* cmd = app.add_subcommand(
      "chaos", "Run the HTTP-aware fault proxy: lose, replace, delay or duplicate answers");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--upstream", flags->upstream, "Base URL of the server behind the proxy");
  cmd->add_option("--fault", flags->faults,
                  "Fault rule (repeatable): drop-response[=close|reset|hang|truncate], "
                  "replace-status=502|503|504, abort[=STATUS], delay-request=DUR, "
                  "delay-response=DUR, duplicate-forward; options ,p= ,every= "
                  ",first-attempt-per-key ,method= ,path= ,header= ,jitter=");
  cmd->add_option("--probability", flags->probability,
                  "Default share of candidate requests each rule faults, 0 to 1")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--every", flags->every, "Default: fault only every Nth candidate request")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--first-attempt-per-key", flags->first_attempt_per_key,
                "Default: fault only the first request of each key, so every retry gets through");
  cmd->add_option("--match-method", flags->match_method, "Default: fault only this method");
  cmd->add_option("--match-path", flags->match_path, "Default: fault only paths with this prefix");
  cmd->add_option("--match-header", flags->match_header,
                  "Default: fault only requests with this header (NAME or NAME:VALUE)");
  cmd->add_option("--seed", flags->seed, "Seed of every probability and jitter [default: random, printed]");
  cmd->add_option("--journal", flags->journal, "Write one NDJSON line per request to FILE");
  cmd->add_option("--admin", flags->admin, "HOST:PORT of the admin API [default: none]");
  cmd->add_option("--key-header", flags->key_header, "Header carrying the idempotency key")
      ->check(check_header_name, "HEADER")
      ->capture_default_str();
  cmd->add_option("--workers", flags->workers, "Requests served at once")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--upstream-timeout", flags->upstream_timeout,
                  "Longest upstream exchange; past it the client gets 504")
      ->capture_default_str();
  cmd->add_option("--max-body", flags->max_body, "Largest body either way: a larger request gets 413, a larger upstream answer 502")
      ->capture_default_str();
  cmd->add_option("--hang-limit", flags->hang_limit,
                  "drop-response=hang: close a hung connection after this long")
      ->capture_default_str();
  cmd->add_option("--cacert", flags->cacert, "https upstream: PEM file of the CA certificates to trust");
  cmd->add_flag("--insecure", flags->insecure, "https upstream: accept any certificate (tests only)");
  cmd->add_option("--cert", flags->cert, "https upstream: PEM client certificate to present");
  cmd->add_option("--key", flags->key, "https upstream: PEM private key of --cert");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the listening line");
  cmd->callback([&run, flags] { run = [flags] { return run_chaos(*flags); }; });
}

}  // namespace idem::cli
