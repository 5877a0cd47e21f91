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
#include "idem/target/base_url.hpp"
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

// One non-blocking connect, bounded by `timeout`: 0 when connected, else the errno (ETIMEDOUT
// when nothing answered in time).
int try_connect(const addrinfo& ai, Millis timeout) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return errno;
  int err = ::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    err = ETIMEDOUT;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      socklen_t len = sizeof(err);
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
  }
  ::close(fd);
  return err;
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
    auto parsed = parse_base_url(url);
    if (!parsed) return parsed.error();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(parsed->port);
    if (::getaddrinfo(parsed->host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
      return make_error(ErrorCode::Unavailable, url + ": cannot resolve " + parsed->host);
    }
    int err = ETIMEDOUT;
    for (const addrinfo* ai = found; ai && err != 0; ai = ai->ai_next) {
      err = try_connect(*ai, connect_timeout);
    }
    ::freeaddrinfo(found);
    if (err == ECONNREFUSED) {
      return make_error(ErrorCode::Unavailable,
                        url + ": connection refused (nothing listens on port " + port + ")");
    }
    if (err == ETIMEDOUT) {
      return make_error(ErrorCode::Unavailable,
                        url + ": no connection within --connect-timeout " +
                            format_duration(connect_timeout));
    }
    if (err != 0) return make_error(ErrorCode::Unavailable, url + ": " + std::strerror(err));
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
      result.verdict = Verdict::Error;
      result.reason = "not run: " + stop;
    } else if (s.builtin == "header-name") {
      if (auto hint = run_header_name_check(shared, result); !hint.empty()) {
        report.hints.push_back(std::move(hint));
      }
      const bool unanswered =
          std::any_of(result.exchanges.begin(), result.exchanges.end(),
                      [](const ExchangeRecord& e) { return !e.transport_error.empty(); });
      if (const std::string cut = shared.check_stop_reason(); unanswered && !cut.empty()) {
        result.verdict = Verdict::Error;
        result.reason = "stopped: " + cut;
      }
    } else {
      result = run_scenario(shared, s);
    }
    // INFO checks never fail a run (SEMANTICS §3: a hint).
    if (s.level == CheckLevel::Info &&
        (result.verdict == Verdict::Fail || result.verdict == Verdict::Error))
      result.verdict = Verdict::Warn;
    result.duration =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - check_started);
    if (options.on_check) options.on_check(result);
    report.checks.push_back(std::move(result));
  }
  if (!shared.redirect_hint.empty()) report.hints.push_back(shared.redirect_hint);
  if (shared.proxy) shared.proxy->stop();
  report.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace idem::verify
