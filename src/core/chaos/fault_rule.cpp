// parse_fault_rule and its printers. The grammar is in fault_rule.hpp. Every error names the
// part of the SPEC it is about and what was expected there, so one line tells a user what to fix.
#include "idem/chaos/fault_rule.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "idem/duration.hpp"
#include "idem/http.hpp"

namespace idem::chaos {
namespace {

Error bad(std::string_view part, std::string_view expected) {
  return make_error(ErrorCode::InvalidArgument,
                    "'" + std::string(part) + "': expected " + std::string(expected));
}

std::pair<std::string_view, std::string_view> split_once(std::string_view text, char sep,
                                                         bool& found) {
  const size_t at = text.find(sep);
  found = at != std::string_view::npos;
  if (!found) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

Result<Millis> parse_delay(std::string_view part, std::string_view text) {
  auto d = parse_duration(text);
  if (!d) return bad(part, "a duration like 250ms or 2s");
  if (*d > kMaxFaultDelay) return bad(part, "at most " + format_duration(kMaxFaultDelay));
  return *d;
}

Result<void> set_kind(FaultRule& r, std::string_view part, std::string_view name,
                      std::string_view arg, bool has_arg) {
  if (name == "drop-response") {
    r.kind = FaultKind::DropResponse;
    if (!has_arg || arg == "close") {
      r.loss = LossMode::Close;
    } else if (arg == "reset") {
      r.loss = LossMode::Reset;
    } else if (arg == "hang") {
      r.loss = LossMode::Hang;
    } else if (arg == "truncate") {
      r.loss = LossMode::Truncate;
    } else {
      return bad(part, "drop-response, or drop-response=close|reset|hang|truncate");
    }
    return {};
  }
  if (name == "replace-status") {
    r.kind = FaultKind::ReplaceStatus;
    if (arg == "502" || arg == "503" || arg == "504") {
      r.status = (arg[2] - '0') + 500;
      return {};
    }
    return bad(part, "replace-status=502, 503 or 504");
  }
  if (name == "abort") {
    r.kind = FaultKind::Abort;
    r.status = 503;
    if (!has_arg) return {};
    int status = 0;
    const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), status);
    if (ec != std::errc{} || end != arg.data() + arg.size() || status < 400 || status > 599) {
      return bad(part, "abort=STATUS with a status from 400 to 599");
    }
    r.status = status;
    return {};
  }
  if (name == "delay-request" || name == "delay-response") {
    r.kind = name == "delay-request" ? FaultKind::DelayRequest : FaultKind::DelayResponse;
    if (!has_arg) return bad(part, std::string(name) + "=DURATION, like " +
                                       std::string(name) + "=200ms");
    auto d = parse_delay(part, arg);
    if (!d) return d.error();
    r.delay = *d;
    return {};
  }
  if (name == "duplicate-forward") {
    if (has_arg) return bad(part, "duplicate-forward without a value");
    r.kind = FaultKind::DuplicateForward;
    return {};
  }
  return bad(part,
             "a fault: drop-response, replace-status, abort, delay-request, delay-response or "
             "duplicate-forward");
}

Result<void> set_option(FaultRule& r, std::string_view part, std::string_view name,
                        std::string_view value, bool has_value) {
  if (name == "first-attempt-per-key") {
    if (has_value) return bad(part, "first-attempt-per-key without a value");
    r.first_attempt_per_key = true;
    return {};
  }
  if (!has_value || value.empty()) return bad(part, std::string(name) + "=VALUE");
  if (name == "p") {
    double p = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
    if (ec != std::errc{} || end != value.data() + value.size() || !(p >= 0 && p <= 1)) {
      return bad(part, "p=PROBABILITY from 0 to 1, like p=0.25");
    }
    r.probability = p;
    return {};
  }
  if (name == "every") {
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n == 0) {
      return bad(part, "every=N with N a whole number from 1");
    }
    r.every = n;
    return {};
  }
  if (name == "method") {
    if (!is_header_name(value)) return bad(part, "method=NAME, like method=POST");
    r.method = std::string(value);
    return {};
  }
  if (name == "path") {
    if (value.front() != '/') return bad(part, "path=PREFIX starting with '/'");
    r.path_prefix = std::string(value);
    return {};
  }
  if (name == "header") {
    bool has_colon = false;
    const auto [header, header_value] = split_once(value, ':', has_colon);
    if (!is_header_name(header)) return bad(part, "header=NAME or header=NAME:VALUE");
    r.header_name = std::string(header);
    r.header_value = std::string(header_value);
    return {};
  }
  if (name == "jitter") {
    auto d = parse_delay(part, value);
    if (!d) return d.error();
    r.jitter = *d;
    return {};
  }
  return bad(part,
             "an option: p=, every=, first-attempt-per-key, method=, path=, header= or jitter=");
}

// The shortest text that reads back as the same double ("0.05", not "0.050000000000000003").
std::string format_probability(double p) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, p);
  return ec == std::errc{} ? std::string(text, end) : std::string("1");
}

}  // namespace

Result<FaultRule> parse_fault_rule(std::string_view spec, const RuleDefaults& defaults) {
  if (spec.size() > kMaxSpecLength) {
    return make_error(ErrorCode::InvalidArgument,
                      "fault spec: expected at most " + std::to_string(kMaxSpecLength) +
                          " characters, got " + std::to_string(spec.size()));
  }
  FaultRule r = defaults;
  r.loss = LossMode::Close;
  r.status = 0;
  r.delay = Millis{0};
  r.jitter = Millis{0};
  bool first = true;
  std::string_view rest = spec;
  do {
    bool more = false;
    const auto [part, tail] = split_once(rest, ',', more);
    rest = tail;
    bool has_value = false;
    const auto [name, value] = split_once(part, '=', has_value);
    auto set = first ? set_kind(r, part, name, value, has_value)
                     : set_option(r, part, name, value, has_value);
    if (!set) return set.error();
    first = false;
    if (!more) break;
  } while (true);
  const bool delayed = r.kind == FaultKind::DelayRequest || r.kind == FaultKind::DelayResponse;
  if (r.jitter.count() > 0 && !delayed) return bad(spec, "jitter= only on a delay fault");
  if (r.delay + r.jitter > kMaxFaultDelay) {
    return bad(spec, "a delay plus jitter of at most " + format_duration(kMaxFaultDelay));
  }
  return r;
}

Result<std::vector<FaultRule>> parse_fault_rules(const std::vector<std::string>& specs,
                                                 const RuleDefaults& defaults) {
  if (specs.size() > kMaxRules) {
    return make_error(ErrorCode::InvalidArgument, "expected at most " +
                                                      std::to_string(kMaxRules) +
                                                      " fault rules, got " +
                                                      std::to_string(specs.size()));
  }
  std::vector<FaultRule> rules;
  for (const std::string& spec : specs) {
    auto r = parse_fault_rule(spec, defaults);
    if (!r) return r.error();
    rules.push_back(std::move(*r));
  }
  return rules;
}

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::DropResponse: return "drop-response";
    case FaultKind::ReplaceStatus: return "replace-status";
    case FaultKind::Abort: return "abort";
    case FaultKind::DelayRequest: return "delay-request";
    case FaultKind::DelayResponse: return "delay-response";
    case FaultKind::DuplicateForward: return "duplicate-forward";
  }
  return "unknown";
}

std::string_view to_string(LossMode mode) {
  switch (mode) {
    case LossMode::Close: return "close";
    case LossMode::Reset: return "reset";
    case LossMode::Hang: return "hang";
    case LossMode::Truncate: return "truncate";
  }
  return "unknown";
}

std::string fault_name(const FaultRule& r) {
  std::string name(to_string(r.kind));
  switch (r.kind) {
    case FaultKind::DropResponse:
      return name + "=" + std::string(to_string(r.loss));
    case FaultKind::ReplaceStatus:
    case FaultKind::Abort:
      return name + "=" + std::to_string(r.status);
    case FaultKind::DelayRequest:
    case FaultKind::DelayResponse:
      return name + "=" + format_duration(r.delay);
    case FaultKind::DuplicateForward:
      return name;
  }
  return name;
}

std::string to_spec(const FaultRule& r) {
  std::string spec = fault_name(r);
  if (r.jitter.count() > 0) spec += ",jitter=" + format_duration(r.jitter);
  if (r.probability != 1.0) spec += ",p=" + format_probability(r.probability);
  if (r.every > 0) spec += ",every=" + std::to_string(r.every);
  if (r.first_attempt_per_key) spec += ",first-attempt-per-key";
  if (!r.method.empty()) spec += ",method=" + r.method;
  if (!r.path_prefix.empty()) spec += ",path=" + r.path_prefix;
  if (!r.header_name.empty()) {
    spec += ",header=" + r.header_name;
    if (!r.header_value.empty()) spec += ":" + r.header_value;
  }
  return spec;
}

}  // namespace idem::chaos
