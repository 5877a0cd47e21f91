// `idemctl serve`: runs the reference idempotent server in the foreground until SIGINT/SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "flag_parsing.hpp"
#include "profile_flags.hpp"
#include "idem/duration.hpp"
#include "idem/server/reference_server.hpp"
#include "idem/store/store_factory.hpp"
#include "idem/verify/profile.hpp"

namespace idem::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string store = "memory";
  std::string ttl = "1h";
  std::string lock_ttl = "30s";
  std::string profile = "default";
  // Per-axis overrides of the profile; empty = the profile's.
  std::string key_header;
  std::string key_format;
  std::string in_flight;
  std::string mismatch_status;
  bool key_optional = false;
  std::string methods = "POST,PATCH";
  std::string fingerprint = "raw";
  std::string scope_header = "Authorization";
  bool cache_5xx = false;
  bool no_cache_4xx = false;
  std::vector<std::string> replay_headers;
  std::string max_body = "8MiB";
  std::string handler_delay = "0";
  std::string max_fault_delay = "1m";
  std::string shutdown_timeout = "10s";
  double fail_rate = 0.0;
  std::string fault_header = "on";
  std::string bug = "none";
  int threads = 128;
  std::string log_format = "text";
  bool quiet = false;
  StoreOptions store_options;
  std::string redis_timeout = "250ms";
  std::string wait_for_store = "0";
  size_t max_records = 0;        // 0: no record cap
  std::string max_store_memory;  // empty: default_max_store_bytes()
  TlsServerFiles tls;
};

// The profile's guard behaviour with the per-axis flags applied (verify's axes and mapping).
Result<GuardConfig> profile_guard(const ServeFlags& f) {
  auto profile = profile_with_flags(f.profile,
                                    {{"--key-header", "key_header", &f.key_header},
                                     {"--key-format", "key_format", &f.key_format},
                                     {"--in-flight", "in_flight", &f.in_flight},
                                     {"--mismatch-status", "mismatch", &f.mismatch_status}},
                                    f.key_optional);
  if (!profile) return profile.error();
  if (f.cache_5xx) profile->server_error = "cached";
  return verify::guard_config_for(*profile);
}

// Turns the flags into a ServerConfig; the first bad value is the error.
Result<ServerConfig> build_config(const ServeFlags& f) {
  ServerConfig c;
  auto guard = profile_guard(f);
  if (!guard) return guard.error();
  c.guard = *guard;
  auto addr = parse_listen_address(f.listen);
  if (!addr) return flag_error("--listen", addr.error());
  c.host = addr->host;
  c.port = addr->port;
  auto ttl = duration_flag("--ttl", f.ttl, Millis{1000});
  if (!ttl) return ttl.error();
  c.guard.ttl = *ttl;
  auto lock_ttl = duration_flag("--lock-ttl", f.lock_ttl, Millis{1});
  if (!lock_ttl) return lock_ttl.error();
  c.guard.lock_ttl = *lock_ttl;
  auto methods = parse_method_list(f.methods);
  if (!methods) return flag_error("--methods", methods.error());
  c.guard.methods = {methods->begin(), methods->end()};
  auto fp = parse_fingerprint_mode(f.fingerprint);
  if (!fp) return flag_error("--fingerprint", fp.error());
  c.guard.fingerprint = *fp;
  c.guard.scope_header = f.scope_header;
  c.guard.cache_4xx = !f.no_cache_4xx;
  c.guard.replay_headers = f.replay_headers;
  auto bug = parse_bug_mode(f.bug);
  if (!bug) return flag_error("--bug", bug.error());
  c.guard.bug = *bug;
  auto max_body = size_flag("--max-body", f.max_body);
  if (!max_body) return max_body.error();
  c.max_body = *max_body;
  auto delay = duration_flag("--handler-delay", f.handler_delay);
  if (!delay) return delay.error();
  c.handler_delay = *delay;
  auto max_fault_delay = duration_flag("--max-fault-delay", f.max_fault_delay);
  if (!max_fault_delay) return max_fault_delay.error();
  c.max_fault_delay = *max_fault_delay;
  c.fail_rate = f.fail_rate;
  c.fault_header = f.fault_header == "on";
  c.threads = f.threads;
  c.log_format = f.quiet ? LogFormat::None
                         : (f.log_format == "json" ? LogFormat::Json : LogFormat::Text);
  if (f.tls.cert_file.empty() != f.tls.key_file.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      f.tls.cert_file.empty() ? "--tls-key: give the certificate with --tls-cert"
                                              : "--tls-cert: give its private key with --tls-key");
  }
  if (!f.tls.client_ca_file.empty() && f.tls.cert_file.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      "--tls-client-ca: needs HTTPS (--tls-cert and --tls-key)");
  }
  if (auto ok = readable_file("--tls-cert", f.tls.cert_file); !ok) return ok.error();
  if (auto ok = readable_file("--tls-key", f.tls.key_file); !ok) return ok.error();
  if (auto ok = readable_file("--tls-client-ca", f.tls.client_ca_file); !ok) return ok.error();
  c.tls = f.tls;
  return c;
}

std::string format_gib(size_t bytes) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(bytes >= (size_t{1} << 30) ? 1 : 0);
  if (bytes >= (size_t{1} << 30)) {
    out << static_cast<double>(bytes) / static_cast<double>(1ULL << 30) << "GiB";
  } else {
    out << static_cast<double>(bytes) / static_cast<double>(1ULL << 20) << "MiB";
  }
  return out.str();
}

// The memory store's bound, so an operator sees at start where new keys will be refused.
std::string describe_bound(const MemoryStoreLimits& limits) {
  std::string out = "refuses new keys (503 store-full) beyond ";
  out += limits.max_bytes == kUnlimitedRecords ? "unbounded memory"
                                               : format_gib(limits.max_bytes) + " of records";
  if (limits.max_records != kUnlimitedRecords) {
    out += " or " + std::to_string(limits.max_records) + " records";
  }
  return out + " (--max-store-memory, --max-records)";
}

void print_banner(ReferenceServer& server, const ServerConfig& c, const std::string& profile,
                  const StoreOptions& store, bool quiet) {
  // With --log-format json stdout carries only the NDJSON request log; the banner goes to stderr.
  std::ostream& out = c.log_format == LogFormat::Json ? std::cerr : std::cout;
  out << "idemctl serve listening on " << server.base_url() << std::endl;
  if (quiet) return;
  const bool color = use_color();
  out << "  store " << server.store().describe();
  if (server.store().describe() == "memory") {
    out << ", " << describe_bound(store.memory_limits);
  }
  out << "\n";
  out << "  profile " << profile << ": key " << c.guard.key_header << " ("
      << to_string(c.guard.key_format) << (c.guard.key_optional ? ", optional" : "")
      << "), in flight "
      << (c.guard.in_flight == InFlightPolicy::Wait ? "wait" : "409") << ", reused key "
      << c.guard.mismatch_status << ", 5xx " << (c.guard.cache_5xx ? "cached" : "not cached")
      << "\n";
  out << "  ttl " << format_duration(c.guard.ttl) << ", lock ttl "
      << format_duration(c.guard.lock_ttl) << ", fingerprint "
      << to_string(c.guard.fingerprint) << ", threads " << c.threads << "\n";
  out << "  faults: handler delay " << format_duration(c.handler_delay) << ", fail rate "
      << c.fail_rate << ", " << "Idemctl-Fault header "
      << (c.fault_header ? "on (delays up to " + format_duration(c.max_fault_delay) + ")"
                         : std::string("off"))
      << "\n";
  if (c.guard.bug != BugMode::None) {
    out << (color ? "\033[1;31m" : "") << "  BUG MODE " << to_string(c.guard.bug)
        << ": this server is deliberately broken" << (color ? "\033[0m" : "") << "\n";
  }
  if (c.tls.enabled()) {
    out << "  tls: certificate " << c.tls.cert_file
        << (c.tls.client_ca_file.empty()
                ? ""
                : ", client certificates required (CA " + c.tls.client_ca_file + ")")
        << "\n";
  }
  // Double quotes, so a shell runs the $(...) that makes a fresh key; the header is the one the
  // server reads. --cacert with the server's own certificate works for a self-signed one and for
  // a leaf (curl accepts a partial chain).
  const std::string trust = c.tls.enabled() ? " --cacert '" + c.tls.cert_file + "'" : "";
  out << "  try: curl -i" << trust << " -X POST " << server.base_url() << "/payments -H \""
      << c.guard.key_header << ": $(cat /proc/sys/kernel/random/uuid)\""
      << " -H 'Content-Type: application/json' -d '{\"amount\":1000,\"currency\":\"EUR\"}'"
      << std::endl;
}

// What an operator must see even under -q, on stderr: a server that is broken on purpose, or
// one reachable from other machines.
void print_warnings(const ServerConfig& c) {
  if (c.guard.bug != BugMode::None) {
    std::cerr << "idemctl serve: WARNING: --bug " << to_string(c.guard.bug)
              << ": this server is deliberately broken\n";
  }
  const bool loopback = c.host == "localhost" || c.host == "::1" || c.host.starts_with("127.");
  if (!loopback) {
    std::cerr << "idemctl serve: WARNING: listening on " << c.host
              << ", not loopback: every machine that reaches it can run payments and faults\n";
  }
}

// Stops the server within `timeout`; false (and a line naming what was cut) if requests were
// still running then. The stop goes on in a detached thread that the process exit ends.
bool stop_within(ReferenceServer& server, Millis timeout) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  std::thread([&server, done] {
    server.stop();
    done->set_value();
  }).detach();
  if (finished.wait_for(timeout) == std::future_status::ready) return true;
  std::cerr << "idemctl serve: --shutdown-timeout " << format_duration(timeout) << " passed with "
            << server.metrics().in_flight() << " request(s) still running; exiting without them\n";
  return false;
}

int run_serve(const ServeFlags& flags) {
  auto config = build_config(flags);
  if (!config) {
    std::cerr << "idemctl serve: " << config.error().message << "\n";
    return kExitUsage;
  }
  auto shutdown_timeout = duration_flag("--shutdown-timeout", flags.shutdown_timeout);
  if (!shutdown_timeout) {
    std::cerr << "idemctl serve: " << shutdown_timeout.error().message << "\n";
    return kExitUsage;
  }
  StoreOptions store_options = flags.store_options;
  // 0 would mean no timeout at all to hiredis: one stuck Redis would hang every request.
  auto redis_timeout = duration_flag("--redis-timeout", flags.redis_timeout, Millis{1});
  auto wait_for_store = duration_flag("--wait-for-store", flags.wait_for_store);
  if (!redis_timeout || !wait_for_store) {
    std::cerr << "idemctl serve: "
              << (!redis_timeout ? redis_timeout.error().message : wait_for_store.error().message)
              << "\n";
    return kExitUsage;
  }
  const bool memory = flags.store == "memory" || flags.store == "memory://";
  if (!memory && (flags.max_records > 0 || !flags.max_store_memory.empty())) {
    std::cerr << "idemctl serve: --max-records/--max-store-memory bound the memory store; bound "
                 "Redis with maxmemory and noeviction (docs/redis.md)\n";
    return kExitUsage;
  }
  if (flags.max_records > 0) store_options.memory_limits.max_records = flags.max_records;
  store_options.memory_limits.max_bytes = default_max_store_bytes();
  if (!flags.max_store_memory.empty()) {
    auto bytes = size_flag("--max-store-memory", flags.max_store_memory, 1);
    if (!bytes) {
      std::cerr << "idemctl serve: " << bytes.error().message << "\n";
      return kExitUsage;
    }
    store_options.memory_limits.max_bytes = *bytes;
  }
  store_options.redis_timeout = *redis_timeout;
  store_options.wait_for_store = *wait_for_store;
  // A worker thread holds at most one Redis connection at a time; with fewer connections than
  // workers, requests queue for a connection (measured: 0.38x vs 0.58x of memory throughput).
  store_options.redis_pool_size = static_cast<size_t>(config->threads);
  auto store = open_store(flags.store, store_options);
  if (!store) {
    std::cerr << "idemctl serve: --store: " << store.error().message << "\n";
    return store.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }

  // Block the stop signals in every thread the server starts, then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ReferenceServer server(*config, std::move(store).value(), &std::cout);
  auto port = server.start();
  if (!port) {
    std::cerr << "idemctl serve: " << port.error().message << "\n";
    // A certificate or key that cannot be used is a usage error; a busy address is not.
    return port.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitUnreachable;
  }
  print_banner(server, *config, flags.profile, store_options, flags.quiet);
  print_warnings(*config);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "idemctl serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ", finishing in-flight requests\n";
  if (!stop_within(server, *shutdown_timeout)) {
    std::cout.flush();
    std::cerr.flush();
    // Threads still serve the cut requests: skip destructors they could race with.
    std::_Exit(kExitChecksFailed);
  }
  return kExitOk;
}

}  // namespace

void register_serve(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the reference idempotent server (demo POST /payments and /refunds, GET /openapi.json)");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--store", flags->store, "Record store: memory, or redis://[user:pass@]host[:port][/db]")
      ->capture_default_str();
  cmd->add_option("--ttl", flags->ttl, "How long a completed response is replayed")->capture_default_str();
  cmd->add_option("--lock-ttl", flags->lock_ttl, "How long an in-flight lock lives if its holder dies")
      ->capture_default_str();
  cmd->add_option("--profile", flags->profile,
                  "Behave as this profile: default, ietf, stripe or fiber (docs/verify.md)")
      ->check(CLI::IsMember({"default", "ietf", "stripe", "fiber"}))
      ->capture_default_str();
  cmd->add_option("--key-header", flags->key_header,
                  "Header carrying the key (default: the profile's, Idempotency-Key)")
      ->check(check_header_name, "HEADER");
  cmd->add_option("--key-format", flags->key_format,
                  "uuid4, or any (1-255 printable ASCII); default: the profile's")
      ->check(CLI::IsMember({"uuid4", "any"}));
  cmd->add_option("--in-flight", flags->in_flight,
                  "A duplicate in flight: 409, or wait (up to the lock TTL) for the replay");
  cmd->add_option("--mismatch-status", flags->mismatch_status,
                  "Status for a key reused with another request (default 422; stripe 400)");
  cmd->add_flag("--key-optional", flags->key_optional,
                "A guarded request without a key runs unguarded");
  cmd->add_option("--methods", flags->methods, "Guarded methods, comma-separated")->capture_default_str();
  cmd->add_option("--fingerprint", flags->fingerprint, "raw, or json (canonical JSON bodies)")
      ->check(CLI::IsMember({"raw", "json"}))
      ->capture_default_str();
  cmd->add_option("--scope-header", flags->scope_header, "Header that scopes keys to a caller")
      ->capture_default_str();
  cmd->add_flag("--cache-5xx", flags->cache_5xx, "Store and replay handler failures (Stripe v1 style)");
  cmd->add_flag("--no-cache-4xx", flags->no_cache_4xx, "Do not store 4xx answers; a retry runs again");
  cmd->add_option("--replay-header", flags->replay_headers,
                  "Also replay this response header (repeatable)");
  cmd->add_option("--max-body", flags->max_body, "Largest request body; larger gets 413")
      ->capture_default_str();
  cmd->add_option("--handler-delay", flags->handler_delay, "Delay every handler run, like 200ms")
      ->capture_default_str();
  cmd->add_option("--max-fault-delay", flags->max_fault_delay,
                  "Longest Idemctl-Fault delay honoured; longer is answered 400")
      ->capture_default_str();
  cmd->add_option("--shutdown-timeout", flags->shutdown_timeout,
                  "On SIGINT/SIGTERM, how long in-flight requests may finish (then exit 1)")
      ->capture_default_str();
  cmd->add_option("--fail-rate", flags->fail_rate, "Share of handler runs answered 500, 0 to 1")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--fault-header", flags->fault_header, "Honour the Idemctl-Fault request header")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  cmd->add_option("--bug", flags->bug,
                  "Deliberately broken mode: no-lock, cache-5xx, no-replay, fingerprint-ignored, "
                  "replay-as-200, key-optional, lock-never-expires, unscoped-keys, "
                  "replay-drops-headers")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Worker threads = concurrent connections served")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--redis-prefix", flags->store_options.redis_prefix, "Prefix of Redis keys")
      ->capture_default_str();
  cmd->add_option("--redis-timeout", flags->redis_timeout, "Redis connect and command timeout")
      ->capture_default_str();
  cmd->add_option("--wait-for-store", flags->wait_for_store,
                  "At start, wait this long for the store instead of exiting 3")
      ->capture_default_str();
  cmd->add_option("--max-records", flags->max_records,
                  "Memory store: refuse new keys (503 store-full) beyond this many live records "
                  "(0: no cap)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-store-memory", flags->max_store_memory,
                  "Memory store: refuse new keys (503 store-full) beyond this much record memory "
                  "[default: a quarter of physical memory]");
  cmd->add_option("--log-format", flags->log_format, "Request log: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--tls-cert", flags->tls.cert_file,
                  "Serve HTTPS with this PEM certificate chain (the server's first)");
  cmd->add_option("--tls-key", flags->tls.key_file, "The unencrypted PEM private key of --tls-cert");
  cmd->add_option("--tls-client-ca", flags->tls.client_ca_file,
                  "Require client certificates signed by this PEM CA");
  cmd->add_flag("-q,--quiet", flags->quiet, "No request log; print only the listening line");
  cmd->callback([&run, flags] { run = [flags] { return run_serve(*flags); }; });
}

}  // namespace idem::cli
