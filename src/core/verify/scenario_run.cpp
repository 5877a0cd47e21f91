#include "scenario_run.hpp"

#include <algorithm>
#include <thread>

#include "expectation_check.hpp"
#include "request_builder.hpp"

namespace idem::verify {
namespace {

using SteadyTime = std::chrono::steady_clock;
constexpr Millis kPollInterval{100};

Millis since(SteadyTime::time_point start) {
  return std::chrono::duration_cast<Millis>(SteadyTime::now() - start);
}

ExchangeRecord to_record(const Exchange& e) {
  ExchangeRecord r;
  r.label = e.label;
  r.method = e.request.method;
  r.url = e.request.url;
  r.request_headers = e.request.headers;
  r.request_body = e.request.body;
  if (e.response.ok()) {
    r.status = e.response.response.status;
    r.response_headers = e.response.response.headers;
    r.response_body = e.response.response.body;
  } else {
    r.transport_error = std::string(to_string(e.response.error)) +
                        (e.response.error_message.empty() ? "" : ": " + e.response.error_message);
  }
  r.curl = to_curl_command(e.request);
  return r;
}

bool poll_again(const ClientResponse& res, const Step& step, const Profile& profile) {
  if (!res.ok()) return true;  // a crashed or restarting target: keep asking until the deadline
  for (const auto& t : step.poll_while_status) {
    if (status_matches(res.response.status, t, profile)) return true;
  }
  return false;
}

// Sends the step's requests; an error means the step could not even be built.
Result<StepResult> execute(RunContext& ctx, const Step& step) {
  StepResult out;
  const auto started = SteadyTime::now();
  const RequestSpec& spec = step.request;
  switch (step.kind) {
    case StepKind::Wait:
      // Bounded by the run's deadline too; the next request then says why it was not sent.
      std::this_thread::sleep_for(std::min(wait_length(ctx.target(), step), ctx.shared.time_left()));
      break;
    case StepKind::Send: {
      auto ex = build_exchange(ctx, spec, std::nullopt, spec.target);
      if (!ex) return ex.error();
      ex->label = step.id;
      ex->response = ctx.shared.send(ex->request);
      out.exchanges.push_back(std::move(ex).value());
      break;
    }
    case StepKind::Burst: {
      const int n = step.burst_size > 0 ? step.burst_size : ctx.shared.options.burst;
      std::vector<ClientRequest> requests;
      for (int i = 0; i < n; ++i) {
        std::optional<std::string> key;
        if (step.distinct_keys && spec.key) key = *spec.key + "-" + std::to_string(i);
        auto ex = build_exchange(ctx, spec, key, step.spread ? i : spec.target);
        if (!ex) return ex.error();
        ex->label = step.id + " " + std::to_string(i + 1) + "/" + std::to_string(n);
        requests.push_back(ex->request);
        out.exchanges.push_back(std::move(ex).value());
      }
      const auto burst_started = SteadyTime::now();
      std::vector<ClientResponse> responses = ctx.shared.send_burst(requests);
      out.elapsed = since(burst_started);
      for (size_t i = 0; i < out.exchanges.size() && i < responses.size(); ++i) {
        out.exchanges[i].response = std::move(responses[i]);
      }
      break;
    }
    case StepKind::Poll: {
      const auto deadline = started + wait_length(ctx.target(), step);
      // Bounded twice: by the deadline and by the number of intervals it allows.
      const long long max_polls = wait_length(ctx.target(), step) / kPollInterval + 2;
      Exchange last;
      for (long long i = 0; i < max_polls; ++i) {
        auto ex = build_exchange(ctx, spec, std::nullopt, spec.target);
        if (!ex) return ex.error();
        ex->response = ctx.shared.send(ex->request);
        last = std::move(ex).value();
        ++out.polls;
        if (!poll_again(last.response, step, ctx.profile()) || SteadyTime::now() >= deadline) break;
        if (!ctx.shared.check_stop_reason().empty()) break;
        std::this_thread::sleep_for(kPollInterval);
      }
      last.label = step.id + (out.polls > 1 ? " (try " + std::to_string(out.polls) + ")" : "");
      out.exchanges.push_back(std::move(last));
      break;
    }
  }
  if (step.kind != StepKind::Burst) out.elapsed = since(started);
  return out;
}

}  // namespace

std::string stop_reason(const RunShared& shared, const StepResult& step) {
  const bool unanswered = std::any_of(step.exchanges.begin(), step.exchanges.end(),
                                      [](const Exchange& e) { return !e.response.ok(); });
  return unanswered ? shared.check_stop_reason() : "";
}

Millis wait_length(const TargetSpec& target, const Step& step) {
  Millis base = step.wait_duration;
  if (step.wait == "lock_ttl") base = target.lock_ttl.value_or(Millis{0});
  if (step.wait == "record_ttl") base = target.record_ttl.value_or(Millis{0});
  if (step.wait_duration.count() > 0 && step.wait != "lock_ttl" && step.wait != "record_ttl") {
    return base;
  }
  // A TTL is honoured to the second (SEMANTICS §2): allow half of it again, at least 1 s.
  return base + std::max(Millis{1000}, base / 2);
}

std::vector<ExchangeRecord> to_records(const std::vector<Exchange>& exchanges, size_t limit) {
  std::vector<ExchangeRecord> out;
  const size_t head = limit / 4;
  for (size_t i = 0; i < exchanges.size(); ++i) {
    if (exchanges.size() > limit && i >= head && i < exchanges.size() - (limit - head)) continue;
    out.push_back(to_record(exchanges[i]));
  }
  return out;
}

CheckResult run_scenario(RunShared& shared, const Scenario& scenario) {
  CheckResult result;
  result.id = scenario.id;
  result.title = scenario.title;
  result.level = scenario.level;
  const Profile& profile = shared.options.profile;
  const int rounds =
      scenario.rounds_from_option ? std::max(1, shared.options.rounds) : scenario.rounds;
  std::string skip_reason;
  for (int round = 0; round < rounds; ++round) {
    RunContext ctx(shared, ++shared.run_counter);
    const std::string where =
        rounds > 1 ? " (round " + std::to_string(round + 1) + "/" + std::to_string(rounds) + ")"
                   : "";
    for (const Step& step : scenario.steps) {
      if (!conditions_hold(step.when, profile)) continue;
      auto executed = execute(ctx, step);
      if (!executed && !ctx.unanswerable.empty()) {
        result.verdict = Verdict::Skip;
        result.reason = step.id + ": " + ctx.unanswerable;
        result.exchanges = to_records(ctx.evidence);
        return result;
      }
      if (!executed) {
        result.verdict = Verdict::Fail;
        result.reason = step.id + ": " + executed.error().message + where;
        result.exchanges = to_records(ctx.evidence);
        return result;
      }
      auto& stored = ctx.steps[step.id] = std::move(executed).value();
      for (const Exchange& e : stored.exchanges) ctx.evidence.push_back(e);
      if (const std::string stop = stop_reason(shared, stored); !stop.empty()) {
        // Bounded: the step's answers are missing because the check or the run must stop;
        // judging them would blame the target for verify's own cut.
        result.verdict = Verdict::Error;
        result.reason = step.id + ": stopped: " + stop + where;
        result.exchanges = to_records(ctx.evidence);
        return result;
      }
      for (const Expectation& e : step.expect) {
        if (!conditions_hold(e.when, profile)) continue;
        const Judgement j = judge(ctx, step, stored, e);
        if (j.verdict == Verdict::Pass) continue;
        if (j.stop) {
          result.verdict = Verdict::Skip;
          result.reason = j.reason + where;
          result.expected = j.expected;
          result.exchanges = to_records(ctx.evidence);
          return result;
        }
        if (j.verdict == Verdict::Skip) {
          if (skip_reason.empty()) skip_reason = j.reason;
          continue;
        }
        if (j.verdict == Verdict::Warn && result.verdict == Verdict::Warn) continue;
        result.verdict = j.verdict;
        result.reason = j.reason + where;
        result.expected = j.expected;
        result.exchanges = to_records(ctx.evidence);
        if (j.verdict == Verdict::Fail) return result;
      }
    }
  }
  if (result.verdict == Verdict::Pass && !skip_reason.empty()) {
    result.verdict = Verdict::Skip;
    result.reason = skip_reason;
  }
  return result;
}

}  // namespace idem::verify
