R='/work/wt-verify/'
def edit(p, old, new, count=1):
    s=open(R+p).read()
    assert old in s, (p, old[:70])
    s=s.replace(old,new,count)
    open(R+p,'w').write(s)
p='src/core/verify/scenario_run.cpp'
edit(p,'''    case StepKind::Wait:
      std::this_thread::sleep_for(wait_length(ctx.target(), step));
      break;''','''    case StepKind::Wait: {
      // Bounded by the run's deadline too; the check then stops, naming it.
      const auto left = ctx.shared.deadline - SteadyTime::now();
      std::this_thread::sleep_for(std::min<SteadyTime::duration>(
          wait_length(ctx.target(), step), std::max<SteadyTime::duration>(left, {})));
      break;
    }''')
edit(p,'''      ex->response = ctx.shared.client.send(ex->request);
      out.exchanges.push_back(std::move(ex).value());
      break;''','''      ex->response = ctx.shared.send(ex->request);
      out.exchanges.push_back(std::move(ex).value());
      break;''')
edit(p,'''      std::vector<ClientResponse> responses = send_burst(requests);''','''      std::vector<ClientResponse> responses = ctx.shared.send_burst(requests);''')
edit(p,'''        ex->response = ctx.shared.client.send(ex->request);
        last = std::move(ex).value();
        ++out.polls;
        if (!poll_again(last.response, step, ctx.profile()) || SteadyTime::now() >= deadline) break;''','''        ex->response = ctx.shared.send(ex->request);
        last = std::move(ex).value();
        ++out.polls;
        if (!poll_again(last.response, step, ctx.profile()) || SteadyTime::now() >= deadline) break;
        if (!ctx.shared.check_stop_reason().empty()) break;''')
edit(p,'''      auto& stored = ctx.steps[step.id] = std::move(executed).value();
      for (const Exchange& e : stored.exchanges) ctx.evidence.push_back(e);''','''      auto& stored = ctx.steps[step.id] = std::move(executed).value();
      for (const Exchange& e : stored.exchanges) ctx.evidence.push_back(e);
      const std::string stop = shared.check_stop_reason();''')
edit(p,'''        if (j.verdict == Verdict::Fail) return result;
      }''','''        if (j.verdict == Verdict::Fail) return result;
      }
      if (!stop.empty()) {
        // Bounded: a target that does not answer ends the check, saying why.
        result.verdict = Verdict::Fail;
        result.reason = step.id + ": stopped: " + stop + where;
        result.exchanges = to_records(ctx.evidence);
        return result;
      }''')
p='src/core/verify/header_name_check.cpp'
edit(p,'''    ex->response = shared.client.send(ex->request);''','''    ex->response = shared.send(ex->request);''')

p='src/core/verify/runner.cpp'
edit(p,'''    const auto check_started = std::chrono::steady_clock::now();
    CheckResult result;
    if (const std::string why = skip_reason(s, target, options); !why.empty()) {''','''    const auto check_started = std::chrono::steady_clock::now();
    CheckResult result;
    std::string not_run = shared.stop_reason();
    if (not_run.empty() && !shared.answered_any && shared.timeouts_in_a_row >= kTimeoutsToStop) {
      not_run = "the target answered none of the first " +
                std::to_string(shared.timeouts_in_a_row) + " requests within --timeout " +
                format_duration(options.timeout);
    }
    if (not_run == "interrupted") break;  // the partial report holds what ran
    if (!not_run.empty()) {
      result.id = s.id;
      result.title = s.title;
      result.level = s.level;
      result.verdict = Verdict::Fail;
      result.reason = "not run: " + not_run;
    } else if (const std::string why = skip_reason(s, target, options); !why.empty()) {''')
edit(p,'''    result.duration =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - check_started);
    report.checks.push_back(std::move(result));''','''    result.duration =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - check_started);
    if (options.on_check) options.on_check(result);
    report.checks.push_back(std::move(result));''')
print("ok2")
