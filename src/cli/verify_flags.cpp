#include "verify_flags.hpp"

#include "flag_parsing.hpp"
#include "profile_flags.hpp"
#include "idem/duration.hpp"
#include "idem/target/base_url.hpp"

namespace idem::cli {
namespace {

Result<verify::Trigger> header_trigger(std::string_view flag, const std::string& text) {
  auto h = parse_header_flag(flag, text);
  if (!h) return h.error();
  return verify::Trigger{{*h}, std::nullopt};
}

}  // namespace

Result<TlsClientOptions> tls_options(const VerifyFlags& f) {
  TlsClientOptions tls;
  if (auto ok = readable_file("--cacert", f.cacert); !ok) return ok.error();
  if (auto ok = readable_file("--cert", f.cert); !ok) return ok.error();
  if (auto ok = readable_file("--key", f.key); !ok) return ok.error();
  if (!f.key.empty() && f.cert.empty()) {
    return make_error(ErrorCode::InvalidArgument, "--key: give the client certificate with --cert");
  }
  tls.ca_file = f.cacert;
  tls.insecure = f.insecure;
  tls.cert_file = f.cert;
  tls.key_file = f.key;
  return tls;
}

Result<std::pair<std::string, std::string>> parse_header_flag(std::string_view flag,
                                                              const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return make_error(ErrorCode::InvalidArgument, std::string(flag) + ": invalid header '" + text +
                                                      "': expected 'Name: value'");
  }
  std::string value = text.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  return std::pair{text.substr(0, colon), value};
}

Result<verify::Profile> build_profile(const VerifyFlags& f) {
  return profile_with_flags(f.profile,
                            {{"--key-header", "key_header", &f.key_header},
                             {"--in-flight", "in_flight", &f.in_flight},
                             {"--server-error", "server_error", &f.server_error},
                             {"--mismatch-status", "mismatch", &f.mismatch_status},
                             {"--key-format", "key_format", &f.key_format},
                             {"--replay-marker", "replay_marker", &f.replay_marker}},
                            f.key_optional);
}

Result<verify::VerifyOptions> build_options(const VerifyFlags& f, verify::Profile profile) {
  verify::VerifyOptions o;
  o.profile = std::move(profile);
  o.rounds = f.rounds;
  o.burst = f.burst;
  auto timeout = duration_flag("--timeout", f.timeout, Millis{1});
  if (!timeout) return timeout.error();
  auto connect = duration_flag("--connect-timeout", f.connect_timeout, Millis{1});
  if (!connect) return connect.error();
  o.timeout = *timeout;
  o.connect_timeout = *connect;
  auto deadline = duration_flag("--deadline", f.deadline, Millis{1});
  if (!deadline) return deadline.error();
  o.deadline = *deadline;
  o.only = f.only;
  o.skip = f.skip;
  o.key_expiry = f.key_expiry;
  return o;
}

Result<verify::TargetSpec> apply_target_flags(const VerifyFlags& f, verify::TargetSpec t) {
  if (!f.targets.empty()) t.base_urls = f.targets;
  for (size_t i = 0; i < t.base_urls.size(); ++i) {
    std::string& url = t.base_urls[i];
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    if (auto parsed = parse_base_url(url); !parsed) {
      // A URL from --config is named as its field there, not as a flag nobody gave.
      const std::string where = f.targets.empty() && !f.config.empty()
                                    ? f.config + ": $.targets[" + std::to_string(i) + "]"
                                    : "--target";
      return flag_error(where, parsed.error());
    }
  }
  auto tls = tls_options(f);
  if (!tls) return tls.error();
  // The flags override --config's "tls" field by field; --cert replaces its key too.
  if (!tls->ca_file.empty()) t.tls.ca_file = tls->ca_file;
  if (tls->insecure) t.tls.insecure = true;
  if (!tls->cert_file.empty()) {
    t.tls.cert_file = tls->cert_file;
    t.tls.key_file = tls->key_file;
  }
  if (!f.method.empty()) t.method = f.method;
  if (!f.path.empty()) t.path = f.path;
  if (!f.body.empty()) t.body = f.body;
  if (!f.alternate_path.empty()) t.alternate_path = f.alternate_path;
  if (!f.large_path.empty()) t.large_path = f.large_path;
  for (const auto& h : f.headers) {
    auto parsed = parse_header_flag("--header", h);
    if (!parsed) return parsed.error();
    std::erase_if(t.headers, [&](const auto& x) { return iequals(x.first, parsed->first); });
    t.headers.push_back(*parsed);
  }
  if (!f.principals.empty()) {
    if (f.principals.size() < 2) {
      return make_error(ErrorCode::InvalidArgument, "--principal: give it twice (two callers)");
    }
    t.principals = f.principals;
  }
  if (!f.failure_header.empty()) {
    auto trig = header_trigger("--failure-header", f.failure_header);
    if (!trig) return trig.error();
    t.failure = *trig;
  }
  if (!f.slow_header.empty()) {
    auto trig = header_trigger("--slow-header", f.slow_header);
    if (!trig) return trig.error();
    t.slow = *trig;
    if (f.slow_delay.empty()) {
      return make_error(ErrorCode::InvalidArgument, "--slow-header needs --slow-delay");
    }
  }
  if (!f.slow_delay.empty()) {
    auto d = duration_flag("--slow-delay", f.slow_delay);
    if (!d) return d.error();
    t.slow_delay = *d;
  }
  if (!f.crash_header.empty()) {
    auto trig = header_trigger("--crash-header", f.crash_header);
    if (!trig) return trig.error();
    t.crash = *trig;
  }
  if (!f.lock_ttl.empty()) {
    auto d = duration_flag("--lock-ttl", f.lock_ttl);
    if (!d) return d.error();
    t.lock_ttl = *d;
  }
  if (!f.record_ttl.empty()) {
    auto d = duration_flag("--record-ttl", f.record_ttl);
    if (!d) return d.error();
    t.record_ttl = *d;
  }
  if (!f.executions_url.empty()) {
    if (f.executions_url.find("{{key}}") == std::string::npos) {
      return make_error(ErrorCode::InvalidArgument, "--executions-url: expected {{key}} in it");
    }
    t.count = verify::CountMode::ExecutionsUrl;
    t.executions_url = f.executions_url;
  }
  if (!f.executions_pointer.empty()) t.executions_pointer = f.executions_pointer;
  if (!f.resource_id.empty() && f.executions_url.empty()) {
    t.count = verify::CountMode::ResourceId;
    t.resource_id_pointer = f.resource_id;
  }
  return t;
}

}  // namespace idem::cli
