#include "expectation_check.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "execution_counter.hpp"
#include "json_text.hpp"

namespace idem::verify {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string resolve_token(const std::string& token, const Profile& p) {
  if (token == "$in_flight") return p.in_flight == "wait" ? "2xx" : "409";
  if (token == "$mismatch") return p.mismatch == "none" ? "4xx" : p.mismatch;
  if (token == "$missing_key") return "400";
  if (token == "$malformed") return p.malformed;
  return token;
}

std::string describe_statuses(const std::vector<std::string>& tokens, const Profile& p) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(resolve_token(t, p));
  return join(out, " or ");
}

std::string got(const Exchange& e) {
  if (!e.response.ok()) {
    return "no answer (" + std::string(to_string(e.response.error)) +
           (e.response.error_message.empty() ? "" : ": " + e.response.error_message) + ")";
  }
  return std::to_string(e.response.response.status);
}

const Exchange* reference_of(RunContext& ctx, const std::string& step) {
  auto it = ctx.steps.find(step);
  if (it == ctx.steps.end()) return nullptr;
  for (const Exchange& e : it->second.exchanges) {
    if (e.response.ok()) return &e;
  }
  return nullptr;
}

// Why `r` is no RFC 9457 problem; empty when it is one. The body is parsed with a depth bound,
// so a hostile target cannot overflow verify's stack.
std::string problem_json_miss(const HttpResponse& r) {
  const auto type = find_header(r.headers, "Content-Type");
  if (!type || !type->starts_with("application/problem+json")) {
    return "not application/problem+json (Content-Type: " + std::string(type.value_or("none")) +
           ")";
  }
  const auto json = parse_bounded_json(r.body);
  if (json.is_discarded()) {
    return "unparseable application/problem+json body (not JSON, or nested deeper than " +
           std::to_string(kMaxJsonDepth) + ")";
  }
  if (!json.is_object() || !json.contains("type") || !json.contains("title") ||
      !json.contains("status")) {
    return "application/problem+json without type, title and status";
  }
  return "";
}

// Why `ex` is not a replay of `step`'s answer; empty when it is. A replay is recognised by the
// replay marker, by the bytes of the first answer, or (when executions are counted by URL or
// resource id) by a 2xx that did not add an execution.
std::string not_a_replay(RunContext& ctx, const Exchange& ex, const std::string& step) {
  const std::string label = ex.label + ": no replay to judge: ";
  const Exchange* x = reference_of(ctx, step);
  if (!x) return label + "'" + step + "' got no answer";
  if (!ex.response.ok()) return label + got(ex);
  const HttpResponse& r = ex.response.response;
  if (find_header(r.headers, "Idempotent-Replayed") == "true") return "";
  if (r.body == x->response.response.body) return "";
  std::string detail = "status " + std::to_string(r.status) + ", a body other than that of '" +
                       step + "', no Idempotent-Replayed: true";
  if (ctx.target().count != CountMode::BodyIdentity && r.status / 100 == 2) {
    auto n = count_executions(ctx, ex.key, ex.principal);
    if (n && *n == 1) return "";
    if (n) detail += ", the key was executed " + std::to_string(*n) + " time(s)";
  }
  return label + "the answer is not a replay of '" + step + "' (" + detail + ")";
}

// Judges one exchange; returns the first miss, empty when it meets the expectation.
std::string judge_exchange(RunContext& ctx, const Exchange& ex, const Expectation& e) {
  const Profile& p = ctx.profile();
  const ClientResponse& res = ex.response;
  if (e.answered && !*e.answered) {
    return res.ok() ? "an answer (" + std::to_string(res.response.status) +
                          ") came back although the exchange should have been lost"
                    : "";
  }
  if (!res.ok()) return ex.label + ": " + got(ex);
  const HttpResponse& r = res.response;
  const std::string label = ex.label + ": ";
  if (!e.status.empty()) {
    bool ok = false;
    for (const auto& t : e.status) ok = ok || status_matches(r.status, t, p);
    if (!ok) return label + "status " + std::to_string(r.status);
  }
  for (const auto& t : e.not_status) {
    if (status_matches(r.status, t, p)) return label + "status " + std::to_string(r.status);
  }
  const auto refer = [&](const std::string& step) -> const Exchange* {
    return step.empty() ? nullptr : reference_of(ctx, step);
  };
  if (!e.status_equals.empty()) {
    const Exchange* x = refer(e.status_equals);
    if (!x) return label + "step '" + e.status_equals + "' got no answer to compare with";
    if (x->response.response.status != r.status) {
      return label + "status " + std::to_string(r.status) + ", '" + e.status_equals + "' had " +
             std::to_string(x->response.response.status);
    }
  }
  if (!e.body_equals.empty()) {
    const Exchange* x = refer(e.body_equals);
    if (!x) return label + "step '" + e.body_equals + "' got no answer to compare with";
    if (x->response.response.body != r.body) {
      return label + "body differs from the body of '" + e.body_equals + "'";
    }
  }
  if (!e.identical_to.empty()) {
    const Exchange* x = refer(e.identical_to);
    if (!x) return label + "step '" + e.identical_to + "' got no answer to compare with";
    if (x->response.response.status != r.status || x->response.response.body != r.body) {
      return label + "status " + std::to_string(r.status) + " and body are not those of '" +
             e.identical_to + "' (" + std::to_string(x->response.response.status) + ")";
    }
  }
  if (!e.identical_to_any_2xx_of.empty()) {
    bool found = false;
    for (const Exchange& x : ctx.steps[e.identical_to_any_2xx_of].exchanges) {
      const auto& xr = x.response.response;
      found = found || (x.response.ok() && xr.status / 100 == 2 && xr.status == r.status &&
                        xr.body == r.body);
    }
    if (!found) {
      return label + "status " + std::to_string(r.status) + " and body match no 2xx answer of '" +
             e.identical_to_any_2xx_of + "'";
    }
  }
  if (!e.not_replay_of.empty()) {
    const Exchange* x = refer(e.not_replay_of);
    if (x && x->response.response.status == r.status && x->response.response.body == r.body) {
      return label + "got the very answer of '" + e.not_replay_of + "'";
    }
    if (find_header(r.headers, "Idempotent-Replayed") == "true") {
      return label + "got a replay (Idempotent-Replayed: true)";
    }
  }
  if (!e.body_differs.empty()) {
    const Exchange* x = refer(e.body_differs);
    if (x && x->response.response.body == r.body) {
      return label + "body is the body of '" + e.body_differs + "'";
    }
  }
  for (const auto& h : e.headers_present) {
    if (!find_header(r.headers, h)) return label + "no " + h + " header";
  }
  for (const auto& h : e.headers_absent) {
    if (auto v = find_header(r.headers, h)) return label + h + ": " + *v + " is present";
  }
  for (const auto& [name, value] : e.header_values) {
    const auto v = find_header(r.headers, name);
    if (v != value) return label + name + (v ? ": " + *v : " is absent");
  }
  if (!e.headers_equal_step.empty()) {
    const Exchange* x = refer(e.headers_equal_step);
    for (const auto& name : e.headers_equal_names) {
      const auto want = x ? find_header(x->response.response.headers, name) : std::nullopt;
      if (!want) continue;
      const auto have = find_header(r.headers, name);
      if (have != want) {
        return label + name + (have ? ": " + *have : " is absent") + " (first answer had " + *want +
               ")";
      }
    }
  }
  if (e.problem_json) {
    if (const std::string miss = problem_json_miss(r); !miss.empty()) return label + miss;
  }
  return "";
}

std::string describe(const Expectation& e, const Profile& p) {
  std::vector<std::string> parts;
  if (!e.replay_of.empty()) parts.push_back("a replay of '" + e.replay_of + "'");
  if (e.answered) parts.push_back(*e.answered ? "an answer" : "no answer (the exchange is lost)");
  if (!e.status.empty()) parts.push_back("status " + describe_statuses(e.status, p));
  if (!e.not_status.empty()) parts.push_back("status not " + describe_statuses(e.not_status, p));
  if (!e.status_equals.empty()) parts.push_back("the status of '" + e.status_equals + "'");
  if (!e.body_equals.empty()) parts.push_back("the body of '" + e.body_equals + "' byte for byte");
  if (!e.identical_to.empty()) parts.push_back("the status and body of '" + e.identical_to + "'");
  if (!e.identical_to_any_2xx_of.empty()) {
    parts.push_back("a replay of a 2xx answer of '" + e.identical_to_any_2xx_of + "'");
  }
  if (!e.not_replay_of.empty()) parts.push_back("not a replay of '" + e.not_replay_of + "'");
  if (!e.body_differs.empty())
    parts.push_back("a body other than that of '" + e.body_differs + "'");
  if (e.executions) parts.push_back(std::to_string(*e.executions) + " execution(s) of the key");
  if (!e.headers_present.empty()) parts.push_back("headers " + join(e.headers_present));
  if (!e.headers_absent.empty()) parts.push_back("no " + join(e.headers_absent, " or "));
  for (const auto& [n, v] : e.header_values) parts.push_back(n + ": " + v);
  if (!e.headers_equal_step.empty()) {
    parts.push_back(join(e.headers_equal_names) + " as in '" + e.headers_equal_step + "'");
  }
  if (e.problem_json) parts.push_back("application/problem+json");
  if (e.max_elapsed_slow_factor) {
    std::ostringstream s;
    s << "wall time at most " << *e.max_elapsed_slow_factor << " x the slow handler's delay";
    parts.push_back(s.str());
  }
  std::string out = join(parts, "; ");
  if (!e.where_status.empty()) out = "answers " + describe_statuses(e.where_status, p) + ": " + out;
  return out;
}

// "201 x1, 409 x7" for a burst's answers, so a failure shows the whole picture at once.
std::string tally(const std::vector<Exchange>& exchanges) {
  std::map<std::string, int> counts;
  for (const Exchange& ex : exchanges) {
    ++counts[ex.response.ok() ? std::to_string(ex.response.response.status)
                              : std::string(to_string(ex.response.error))];
  }
  std::string out;
  for (const auto& [what, n] : counts) {
    out += (out.empty() ? "" : ", ") + what + " x" + std::to_string(n);
  }
  return out;
}

}  // namespace

bool conditions_hold(const std::vector<Condition>& when, const Profile& profile) {
  for (const Condition& c : when) {
    const std::string v = profile.axis(c.axis);
    if (std::find(c.values.begin(), c.values.end(), v) == c.values.end()) return false;
  }
  return true;
}

bool status_matches(int status, const std::string& token, const Profile& profile) {
  const std::string t = resolve_token(token, profile);
  if (t.size() == 3 && t.substr(1) == "xx") return status / 100 == t[0] - '0';
  return std::to_string(status) == t;
}

Judgement judge(RunContext& ctx, const Step& step, const StepResult& result, const Expectation& e) {
  Judgement j = judge_exchanges(ctx, step, result, e);
  if (j.verdict == Verdict::Fail && !e.premise.empty()) {
    j.reason = "premise not met (" + e.premise + "): " + j.reason;
  }
  if (j.verdict != Verdict::Pass && result.exchanges.size() > 1) {
    j.reason += " [answers: " + tally(result.exchanges) + "]";
  }
  return j;
}

Judgement judge_exchanges(RunContext& ctx, const Step& step, const StepResult& result,
                          const Expectation& e) {
  Judgement j;
  const Profile& p = ctx.profile();
  j.expected = step.id + ": " + describe(e, p);
  const Verdict miss = e.warn ? Verdict::Warn : Verdict::Fail;
  std::vector<const Exchange*> scope;
  for (const Exchange& ex : result.exchanges) {
    if (e.where_status.empty()) {
      scope.push_back(&ex);
      continue;
    }
    bool in = false;
    for (const auto& t : e.where_status)
      in = in || (ex.response.ok() && status_matches(ex.response.response.status, t, p));
    if (in) scope.push_back(&ex);
  }
  if (scope.empty() && !result.exchanges.empty()) {
    j.verdict = e.skip_if_none ? Verdict::Skip : miss;
    j.reason =
        step.id + ": no answer with status " + describe_statuses(e.where_status, p) + " to judge";
    return j;
  }
  // SEMANTICS §4: no verdict without its premise.
  for (const Exchange* ex : e.replay_of.empty() ? std::vector<const Exchange*>{} : scope) {
    if (std::string why = not_a_replay(ctx, *ex, e.replay_of); !why.empty()) {
      j.verdict = Verdict::Skip;
      j.stop = true;
      j.reason = std::move(why);
      return j;
    }
  }
  for (const Exchange* ex : scope) {
    std::string why = judge_exchange(ctx, *ex, e);
    if (!why.empty()) {
      j.verdict = miss;
      j.reason = std::move(why);
      return j;
    }
  }
  if (e.executions && !result.exchanges.empty()) {
    const Exchange& first = result.exchanges.front();
    auto n = count_executions(ctx, first.key, first.principal);
    if (!n) {
      j.verdict = miss;
      j.reason = step.id + ": " + n.error().message;
      return j;
    }
    if (*n != *e.executions) {
      j.verdict = miss;
      j.reason = step.id + ": the key was executed " + std::to_string(*n) + " time(s)";
      return j;
    }
  }
  if (e.max_elapsed_slow_factor) {
    const auto limit = std::chrono::duration<double, std::milli>(ctx.target().slow_delay) *
                       *e.max_elapsed_slow_factor;
    if (std::chrono::duration<double, std::milli>(result.elapsed) > limit) {
      j.verdict = miss;
      j.reason = step.id + ": took " + std::to_string(result.elapsed.count()) + " ms for " +
                 std::to_string(result.exchanges.size()) + " requests with a " +
                 std::to_string(ctx.target().slow_delay.count()) + " ms handler";
      return j;
    }
  }
  return j;
}

}  // namespace idem::verify
