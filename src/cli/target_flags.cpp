#include "target_flags.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "flag_parsing.hpp"
#include "idem/client/http_client.hpp"
#include "idem/store/memory_store.hpp"
#include "idem/verify/profile.hpp"

namespace idem::cli {
namespace {

// Telling an idemctl serve is one small GET: a target that hangs must not cost --timeout here.
constexpr Millis kStatsProbeTimeout{2000};

// An idemctl reference server answers /__idem/stats with executions_total (and, since 0.1, its
// lock TTL). Returns that answer, or nothing for any other service.
std::optional<nlohmann::json> reference_stats(const std::string& base, const TlsClientOptions& tls,
                                              Millis timeout, Millis connect_timeout) {
  HttpClient client;
  ClientRequest r;
  r.method = "GET";
  r.url = base + "/__idem/stats";
  r.timeout = std::min(timeout, kStatsProbeTimeout);
  r.connect_timeout = connect_timeout;
  r.tls = tls;
  const ClientResponse res = client.send(r);
  if (!res.ok() || res.response.status != 200) return std::nullopt;
  auto json = nlohmann::json::parse(res.response.body, nullptr, false);
  if (!json.is_object() || !json.contains("executions_total")) return std::nullopt;
  return json;
}

}  // namespace

void add_target_flags(CLI::App* cmd, VerifyFlags& f) {
  cmd->add_option("--target", f.targets,
                  "Base URL of the service; repeat for several instances of one service. "
                  "None: the embedded reference server");
  cmd->add_option("--config", f.config, "Target description file (JSON; see docs/verify.md)");
  cmd->add_option("--target-kind", f.kind, "auto (detect idemctl serve), reference, or generic")
      ->check(CLI::IsMember({"auto", "reference", "generic"}))
      ->capture_default_str();
  cmd->add_option("--profile", f.profile, "default, ietf, stripe or fiber")->capture_default_str();
  cmd->add_option("--key-header", f.key_header, "Override: the header carrying the key")
      ->check(check_header_name, "HEADER");
  cmd->add_option("--in-flight", f.in_flight, "Override: 409 or wait");
  cmd->add_option("--server-error", f.server_error, "Override: cached, not-cached or any");
  cmd->add_option("--mismatch-status", f.mismatch_status,
                  "Override: 4xx status of a reused key, or none");
  cmd->add_option("--key-format", f.key_format, "Override: uuid4 or any");
  cmd->add_option("--replay-marker", f.replay_marker, "Override: required or any");
  cmd->add_flag("--key-optional", f.key_optional, "Override: a missing key is not an error");
  cmd->add_option("--method", f.method, "Method of the guarded endpoint (default POST)");
  cmd->add_option("--path", f.path, "Path of the guarded endpoint (default /payments)");
  cmd->add_option("--body", f.body, "Body template; {{uuid}} and {{n}} expand");
  cmd->add_option("--alternate-path", f.alternate_path, "Another guarded endpoint");
  cmd->add_option("--large-path", f.large_path, "A path whose answer is several MiB");
  cmd->add_option("--header", f.headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--principal", f.principals,
                  "Value of the scope header (Authorization) for a caller; give two");
  cmd->add_option("--failure-header", f.failure_header,
                  "Header 'Name: value' making the handler answer 5xx");
  cmd->add_option("--slow-header", f.slow_header, "Header 'Name: value' making the handler slow");
  cmd->add_option("--slow-delay", f.slow_delay, "How long the slow handler takes");
  cmd->add_option("--crash-header", f.crash_header,
                  "Header 'Name: value' making the holder crash");
  cmd->add_option("--lock-ttl", f.lock_ttl, "The target's declared lock TTL");
  cmd->add_option("--record-ttl", f.record_ttl, "The target's declared record TTL");
  cmd->add_option("--executions-url", f.executions_url,
                  "URL template answering a count per {{key}}");
  cmd->add_option("--executions-pointer", f.executions_pointer,
                  "JSON pointer to the count (default /executions)");
  cmd->add_option("--resource-id", f.resource_id, "JSON pointer to a resource id in 2xx bodies");
  cmd->add_option("--cacert", f.cacert, "https: PEM file of the CA certificates to trust");
  cmd->add_flag("--insecure", f.insecure, "https: accept any server certificate (tests only)");
  cmd->add_option("--cert", f.cert, "https: PEM client certificate to present");
  cmd->add_option("--key", f.key, "https: PEM private key of --cert (default: in --cert)");
}

namespace {

// A TLS file that came from --config (no flag replaced it) is named by its field in errors, as
// every other config error is; one given by a flag, by the flag.
TlsFileNames tls_file_names(const VerifyFlags& f) {
  TlsFileNames names;
  if (f.config.empty()) return names;
  const std::string field = f.config + ": $.tls.";
  if (f.cacert.empty()) names.cacert = field + "cacert";
  if (f.cert.empty()) {  // --cert replaces the config's cert and key together
    names.cert = field + "cert";
    if (f.key.empty()) names.key = field + "key";
  }
  return names;
}

}  // namespace

Result<ResolvedTarget> resolve_target(const VerifyFlags& f, const verify::Profile& profile,
                                      Millis timeout, Millis connect_timeout,
                                      const EmbeddedSetup& setup) {
  verify::TargetSpec base;
  base.headers = {{"Content-Type", "application/json"}};
  if (!f.config.empty()) {
    auto loaded = verify::load_target_config(f.config, base);
    if (!loaded) return make_error(ErrorCode::InvalidArgument, loaded.error().message);
    base = *loaded;
  }
  std::unique_ptr<ReferenceServer> embedded;
  const bool no_target = f.targets.empty() && base.base_urls.empty();
  if (no_target && !f.config.empty()) {
    return make_error(ErrorCode::InvalidArgument, f.config + ": $.targets: expected base URLs (or give --target)");
  }
  if (no_target) {
    ServerConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.log_format = LogFormat::None;
    c.guard.lock_ttl = setup.lock_ttl;
    if (setup.record_ttl) c.guard.ttl = *setup.record_ttl;
    // The embedded server behaves as the profile (and its overrides) declare.
    c.guard = verify::guard_config_for(profile, c.guard);
    embedded = std::make_unique<ReferenceServer>(c, std::make_unique<MemoryStore>());
    auto port = embedded->start();
    if (!port) {
      return make_error(ErrorCode::Unavailable, "embedded server: " + port.error().message);
    }
    base = verify::reference_target({embedded->base_url()}, setup.lock_ttl, setup.slow_delay);
    base.record_ttl = setup.record_ttl;
  }
  auto target = apply_target_flags(f, base);
  if (!target) return make_error(ErrorCode::InvalidArgument, target.error().message);
  if (auto reachable = verify::probe_targets(*target, connect_timeout); !reachable) {
    return Error{reachable.error().code, "target unreachable: " + reachable.error().message};
  }
  for (const auto& url : target->base_urls) {
    // An untrusted certificate is one line here, not a failure of every check.
    if (!url.starts_with("https://")) continue;
    if (auto shook = check_tls(url, target->tls, connect_timeout, tls_file_names(f)); !shook) {
      return shook.error();
    }
  }
  const auto stats = !no_target && f.config.empty() && f.kind != "generic"
                         ? reference_stats(target->base_urls.front(), target->tls, timeout, connect_timeout)
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
    if (!with_flags) return make_error(ErrorCode::InvalidArgument, with_flags.error().message);
    target = std::move(with_flags);
  }

  return ResolvedTarget{std::move(*target), std::move(embedded)};
}

}  // namespace idem::cli
