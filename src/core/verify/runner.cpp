#include "idem/verify/runner.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "expectation_check.hpp"
#include "header_name_check.hpp"
#include "idem/duration.hpp"
#include "idem/version.hpp"
#include "scenario_run.hpp"

namespace idem::verify {
namespace {

constexpr Millis kMaxTtlWait = std::chrono::minutes(5);

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool body_has_placeholder(const TargetSpec& t) {
  return t.body.find("{{n}}") != std::string::npos || t.body.find("{{uuid}}") != std::string::npos;
}

// Why the target cannot run a check that requires `what`; empty when it can.
std::string missing_prerequisite(const std::string& what, const TargetSpec& t) {
  if (what == "failure-trigger" && !t.failure) return "no failure trigger configured";
  if (what == "slow-trigger" && !t.slow) return "no slow trigger configured";
  if (what == "crash-trigger" && !t.crash) return "no crash trigger configured";
  if (what == "lock-ttl" && !t.lock_ttl) return "no lock TTL declared";
  if (what == "record-ttl" && !t.record_ttl) return "no record TTL declared";
  // A run must end in bounded time: waiting out a long TTL is not what verify is for.
  for (const auto& [name, ttl] :
       {std::pair{"lock", t.lock_ttl}, std::pair{"record", t.record_ttl}}) {
    if (what == std::string(name) + "-ttl" && ttl && *ttl > kMaxTtlWait) {
      return std::string("the declared ") + name + " TTL is longer than verify waits (" +
             format_duration(kMaxTtlWait) + ")";
    }
  }
  if (what == "two-targets" && t.base_urls.size() < 2)
    return "needs two or more --target instances";
  if (what == "large-path" && t.large_path.empty()) return "no large-response path configured";
  if (what == "alternate-path" && t.alternate_path.empty())
    return "no alternate endpoint configured";
  if (what == "alternate-body" && !body_has_placeholder(t)) {
    return "the body template has no {{n}} or {{uuid}} to vary";
  }
  if (what == "two-principals" && t.principals.size() < 2)
    return "fewer than two principals configured";
  if (what == "executions-url" && t.count != CountMode::ExecutionsUrl) {
    return "no executions URL configured";
  }
  return "";
}

std::string skip_reason(const Scenario& s, const TargetSpec& t, const VerifyOptions& o) {
  if (s.opt_in && !contains(o.only, s.id) && !(s.id == "key-expiry" && o.key_expiry)) {
    return "opt-in: run with --only " + s.id;
  }
  for (const auto& r : s.prerequisites) {
    if (auto why = missing_prerequisite(r, t); !why.empty()) return why;
  }
  for (const SkipRule& rule : s.skip_when) {
    if (conditions_hold(rule.when, o.profile)) return rule.reason;
  }
  return "";
}

struct UrlHostPort {
  std::string host;
  std::string port;
};

Result<UrlHostPort> host_port_of(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    return make_error(ErrorCode::InvalidArgument,
                      "target '" + url + "': expected http://HOST[:PORT]");
  }
  const bool tls = url.compare(0, scheme, "https") == 0;
  std::string authority = url.substr(scheme + 3);
  authority = authority.substr(0, authority.find('/'));
  if (const size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  UrlHostPort out{authority, tls ? "443" : "80"};
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      out.port = authority.substr(close + 2);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      "target '" + url + "': expected http://HOST[:PORT]");
  }
  return out;
}

// One non-blocking connect, bounded by `timeout`.
bool can_connect(const addrinfo& ai, Millis timeout) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return false;
  bool ok = ::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      ok = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

Result<void> validate_selection(const std::vector<Scenario>& catalogue,
                                const VerifyOptions& options) {
  for (const auto* list : {&options.only, &options.skip}) {
    for (const auto& id : *list) {
      const bool known = std::any_of(catalogue.begin(), catalogue.end(),
                                     [&](const Scenario& s) { return s.id == id; });
      if (!known) {
        return make_error(ErrorCode::InvalidArgument,
                          "unknown check '" + id + "' (see idemctl verify --list)");
      }
    }
  }
  return {};
}

Result<void> probe_targets(const TargetSpec& target, Millis connect_timeout) {
  if (target.base_urls.empty()) return make_error(ErrorCode::InvalidArgument, "no target URL");
  for (const auto& url : target.base_urls) {
    auto hp = host_port_of(url);
    if (!hp) return hp.error();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(hp->host.c_str(), hp->port.c_str(), &hints, &found) != 0 || !found) {
      return make_error(ErrorCode::Unavailable, url + ": cannot resolve " + hp->host);
    }
    bool ok = false;
    for (const addrinfo* ai = found; ai && !ok; ai = ai->ai_next)
      ok = can_connect(*ai, connect_timeout);
    ::freeaddrinfo(found);
    if (!ok) {
      return make_error(
          ErrorCode::Unavailable,
          url + ": no connection within " + std::to_string(connect_timeout.count()) + " ms");
    }
  }
  return {};
}

Report run_verify(const std::vector<Scenario>& catalogue, const TargetSpec& target,
                  const VerifyOptions& options) {
  Report report;
  const VersionInfo version = version_info();
  report.tool_version = version.version;
  report.tool_revision = version.git_revision;
  report.targets = target.base_urls;
  report.profile = options.profile.name;
  const auto started = std::chrono::steady_clock::now();
  RunShared shared(target, options);
  for (const Scenario& s : catalogue) {
    if (contains(options.skip, s.id)) continue;
    if (!options.only.empty() && !contains(options.only, s.id)) continue;
    const auto check_started = std::chrono::steady_clock::now();
    shared.begin_check();
    CheckResult result;
    result.id = s.id;
    result.title = s.title;
    result.level = s.level;
    if (const std::string why = skip_reason(s, target, options); !why.empty()) {
      result.verdict = Verdict::Skip;
      result.reason = why;
    } else if (const std::string stop = shared.run_stop_reason(); !stop.empty()) {
      result.verdict = Verdict::Fail;
      result.reason = "not run: " + stop;
    } else if (s.builtin == "header-name") {
      if (auto hint = run_header_name_check(shared, result); !hint.empty()) {
        report.hints.push_back(std::move(hint));
      }
      const bool unanswered =
          std::any_of(result.exchanges.begin(), result.exchanges.end(),
                      [](const ExchangeRecord& e) { return !e.transport_error.empty(); });
      if (const std::string cut = shared.check_stop_reason(); unanswered && !cut.empty()) {
        result.verdict = Verdict::Fail;
        result.reason = "stopped: " + cut;
      }
    } else {
      result = run_scenario(shared, s);
    }
    // INFO checks never fail a run (SEMANTICS §3: a hint).
    if (s.level == CheckLevel::Info && result.verdict == Verdict::Fail)
      result.verdict = Verdict::Warn;
    result.duration =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - check_started);
    if (options.on_check) options.on_check(result);
    report.checks.push_back(std::move(result));
  }
  if (shared.proxy) shared.proxy->stop();
  report.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace idem::verify
