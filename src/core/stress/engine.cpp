#include "idem/stress/engine.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "idem/duration.hpp"
#include "idem/chaos/chaos_proxy.hpp"
#include "request_plan.hpp"
#include "worker.hpp"

namespace idem {
namespace {

using stress::Worker;
using stress::WorkerResult;

/// Time allowed for counting executions by the executions URL after the load.
constexpr Millis kCountingBudget{30'000};
/// The same after Ctrl-C: the user wants the partial report soon.
constexpr Millis kInterruptedCountingBudget{3'000};
/// Open model: the schedule counts as kept while 99% of arrivals are handled this late at most.
constexpr int64_t kMaxGeneratorLagUs = 10'000;
/// A generator thread busier than this measures itself more than the target.
constexpr double kSaturatedBusyRatio = 0.95;

std::vector<stress::WorkerShare> split(const StressOptions& o) {
  std::vector<stress::WorkerShare> out(static_cast<size_t>(o.threads));
  const long long keys = o.keys > 0 ? o.keys : kDefaultStressKeys;
  // Segments number their keys' bodies ({{n}}) in disjoint ranges too.
  long long first = static_cast<long long>(o.segment_index) * kMaxStressKeys;
  for (int i = 0; i < o.threads; ++i) {
    auto& s = out[static_cast<size_t>(i)];
    const auto share = [&](long long total) {
      return total / o.threads + (i < total % o.threads ? 1 : 0);
    };
    s.connections = static_cast<int>(share(o.connections));
    s.requests = o.requests > 0 ? std::max(1LL, share(o.requests)) : 0;
    s.keys = share(keys);
    s.first_key = first;
    first += s.keys;
    s.index = i;
    s.threads = o.threads;
  }
  return out;
}

/// The per-second percentiles from every thread's per-second latency counts.
void merge_second_percentiles(StressReport& r, const std::vector<std::unique_ptr<Worker>>& workers) {
  Histogram h;
  for (size_t s = 0; s < r.seconds.size(); ++s) {
    h.reset();
    for (const auto& w : workers) {
      const auto& series = w->result().second_latency;
      if (s >= series.size()) continue;
      for (const auto& [index, count] : series[s]) h.add_counts(index, count);
    }
    auto& x = r.seconds[s];
    if (h.total() == 0) continue;
    // The bucket's highest value, but never above the exact maximum of the second.
    x.latency_p50_us = std::min(x.latency_max_us, h.value_at_percentile(50));
    x.latency_p90_us = std::min(x.latency_max_us, h.value_at_percentile(90));
    x.latency_p99_us = std::min(x.latency_max_us, h.value_at_percentile(99));
  }
}

/// Per second and kind, the counts of every thread added up (sparse: a long run's seconds are
/// many, their non-zero buckets few).
void merge_second_counts(StressReport& r, const std::vector<std::unique_ptr<Worker>>& workers) {
  r.second_counts.assign(r.seconds.size(), SecondCounts{});
  for (size_t s = 0; s < r.seconds.size(); ++s) {
    for (size_t k = 0; k < kRequestKinds; ++k) {
      SparseCounts& into = r.second_counts[s].by_kind[k];
      for (const auto& w : workers) {
        const auto& series = w->result().second_kind_latency;
        if (s < series.size()) into.insert(into.end(), series[s][k].begin(), series[s][k].end());
      }
      add_up_sparse(into);
    }
  }
}

/// The threads' request logs as one, keys numbered over the run, in send order.
void merge_request_logs(StressReport& r, std::vector<std::unique_ptr<Worker>>& workers,
                        long long limit) {
  RequestLog& log = r.request_log;
  log.enabled = limit > 0;
  log.limit = limit;
  if (!log.enabled) return;
  size_t total = 0;
  for (const auto& w : workers) total += w->result().requests.size();
  log.records.reserve(total);
  for (auto& w : workers) {
    const auto offset = static_cast<uint32_t>(log.keys.size());
    auto keys = w->take_started_keys();
    for (auto& k : keys) log.keys.push_back(std::move(k));
    for (RequestRecord rec : w->result().requests) {
      rec.key += offset;
      log.records.push_back(rec);
    }
    log.dropped += w->result().requests_dropped;
    w->result().requests = {};
  }
  std::stable_sort(log.records.begin(), log.records.end(),
                   [](const RequestRecord& a, const RequestRecord& b) { return a.sent_us < b.sent_us; });
  if (log.dropped > 0) {
    r.warnings.push_back("the request log (--report ndjson) stopped at " + std::to_string(limit) +
                         " lines (--ndjson-limit): " + std::to_string(log.dropped) +
                         " requests are not in it");
  }
}

void merge(StressReport& r, WorkerResult& w) {
  r.sent += w.sent;
  r.answered += w.answered;
  r.unfinished += w.unfinished;
  r.keys_started += w.keys_started;
  r.keys_prepared += w.keys_prepared;
  r.keys_prepared_idle += w.keys_prepared_idle;
  r.keys_prepared_in_run += w.keys_prepared_in_run;
  for (size_t s = 0; s < w.statuses.size(); ++s) {
    if (w.statuses[s] > 0) r.statuses[static_cast<int>(s)] += w.statuses[s];
  }
  r.outcomes.add(w.outcomes);
  for (size_t i = 0; i < r.transport_errors.size(); ++i) r.transport_errors[i] += w.transport_errors[i];
  r.latency.merge(w.latency);
  r.corrected_latency.merge(w.corrected);
  r.generator_lag.merge(w.lag);
  for (size_t k = 0; k < r.latency_by_kind.size(); ++k) r.latency_by_kind[k].merge(w.by_kind[k]);
  for (size_t i = 0; i < r.violations.size(); ++i) {
    auto& into = r.violations[i];
    into.count += w.violations[i].count;
    for (auto& e : w.violations[i].examples) {
      if (into.examples.size() < kMaxViolationExamples) into.examples.push_back(std::move(e));
    }
  }
  if (r.seconds.size() < w.seconds.size()) r.seconds.resize(w.seconds.size());
  for (size_t s = 0; s < w.seconds.size(); ++s) r.seconds[s].add(w.seconds[s]);
}

std::string_view count_mode_name(CountMode m) {
  switch (m) {
    case CountMode::ExecutionsUrl:
      return "executions-url";
    case CountMode::ResourceId:
      return "resource-id";
    case CountMode::BodyIdentity:
      return "body-identity";
  }
  return "body-identity";
}

std::string_view pattern_name(StressPattern p) {
  switch (p) {
    case StressPattern::Burst:
      return "burst";
    case StressPattern::Stagger:
      return "stagger";
    case StressPattern::Retry:
      return "retry";
  }
  return "burst";
}

void judge_checkability(StressReport& r, const std::array<uint64_t, kInvariants>& observed,
                        const TargetSpec& t, const StressOptions& o, uint64_t counted,
                        uint64_t uncounted, bool identical_bodies) {
  const auto set = [&](Invariant i, const std::string& missing) {
    auto& s = r.invariants[static_cast<size_t>(i)];
    s.observations = observed[static_cast<size_t>(i)];
    s.checked = s.observations > 0;
    if (!s.checked) s.reason = missing;
  };
  std::string once_missing = "no key got a 2xx answer";
  if (t.count == CountMode::ExecutionsUrl && counted == 0 && uncounted > 0) {
    once_missing = "the executions counter could not be read";
  }
  set(Invariant::ExactlyOnce, once_missing);
  auto& once = r.invariants[static_cast<size_t>(Invariant::ExactlyOnce)];
  if (t.count == CountMode::BodyIdentity && identical_bodies) {
    once.checked = false;
    once.reason =
        "different keys got identical 2xx bodies, so bodies do not identify executions; give "
        "--executions-url or --resource-id";
  } else if (once.checked && uncounted > 0) {
    once.reason = "counted " + std::to_string(counted) + " of " +
                  std::to_string(counted + uncounted) + " keys within the counting time";
  }
  set(Invariant::ReplayIdentical, o.dups < 2 ? "one send per key: no replay (give --dups 2 or more)"
                                             : "no replay was observed");
  set(Invariant::ConflictOnlyInFlight, "no request was sent after its key's complete answer");
  std::string key_missing = "no missing-key or invalid-key sends (--mix)";
  if (o.profile.missing_key != "reject" && o.mix.invalid_key == 0) {
    key_missing = "the profile does not require a key, and no invalid-key sends (--mix)";
  }
  set(Invariant::KeyRequired, key_missing);
  set(Invariant::MismatchRefused, o.profile.mismatch == "none"
                                      ? "the profile does not judge a reused key"
                                      : "no mismatch sends (--mix mismatch=...)");
  set(Invariant::NoUnexpected5xx, "no answer arrived");
}

// The lost-response mix and --chaos share one proxy per target: the lost-response rule first,
// then the --chaos rules. With --chaos every send goes through them; without, only the
// lost-response sends do (through the first target's).
Result<std::vector<std::unique_ptr<chaos::ChaosProxy>>> start_proxies(
    const TargetSpec& target, const StressOptions& options, stress::RequestPlan& plan) {
  std::vector<std::unique_ptr<chaos::ChaosProxy>> proxies;
  const bool chaos_on = !options.chaos.empty();
  if (!chaos_on && options.mix.lost_response <= 0) return proxies;
  const size_t n = chaos_on ? target.base_urls.size() : 1;
  for (size_t i = 0; i < n; ++i) {
    chaos::ChaosOptions o = chaos::lost_response_proxy(target.base_urls[i], target.tls);
    o.rules.insert(o.rules.end(), options.chaos.begin(), options.chaos.end());
    o.seed = options.chaos_seed + i;
    o.key_header = options.profile.key_header;
    o.upstream_timeout = options.timeout;
    // One worker per connection that can be waiting on it, or the proxy would queue sends.
    o.workers = std::max<size_t>(chaos::kDefaultWorkers,
                                 static_cast<size_t>(options.connections) * 2 + 8);
    proxies.push_back(std::make_unique<chaos::ChaosProxy>(std::move(o)));
    auto port = proxies.back()->start();
    if (!port) return make_error(ErrorCode::Unavailable, "chaos proxy: " + port.error().message);
    if (chaos_on) {
      plan.direct_urls.push_back(plan.urls[i]);
      plan.urls[i] = proxies.back()->base_url() + target.path;
    }
  }
  plan.proxy_url = proxies.front()->base_url() + target.path;
  return proxies;
}

// The journal's account of every key, added to the report: keys whose answer was lost and
// recovered, and keys the upstream executed twice (two different 2xx bodies), which break
// exactly-once whatever the client saw.
void read_chaos_story(StressReport& r,
                      const std::vector<std::unique_ptr<chaos::ChaosProxy>>& proxies,
                      const StressOptions& options,
                      const std::unordered_set<std::string>& already_reported,
                      bool identical_bodies) {
  ChaosStory& story = r.chaos;
  story.enabled = true;
  story.seed = options.chaos_seed;
  for (const chaos::FaultRule& rule : options.chaos) story.rules.push_back(chaos::to_spec(rule));
  std::unordered_map<std::string, chaos::KeyStory> keys;
  for (const auto& proxy : proxies) {
    const chaos::ChaosCounters c = proxy->counters();
    story.requests += c.requests;
    // rules() returns a copy: keep it alive while its rules are read.
    const std::vector<chaos::FaultRule> rules = proxy->rules();
    // Rule 0 is the lost-response mix's; its sends are counted as lost_injected already.
    for (size_t i = 1; i < c.rules.size() && i < rules.size(); ++i) {
      const chaos::FaultRule& rule = rules[i];
      if (rule.kind == chaos::FaultKind::ReplaceStatus || rule.kind == chaos::FaultKind::Abort) {
        story.injected_answers += c.rules[i].applied;
      }
      // Dropped by design, like the lost-response mix's: not the target's errors.
      if (rule.kind == chaos::FaultKind::DropResponse) {
        r.outcomes.lost_injected += c.rules[i].applied;
      }
    }
    story.complete = story.complete && proxy->journal().key_stories_complete();
    for (auto& [key, s] : proxy->journal().key_stories()) {
      // A key's sends can pass two proxies (a lost-response send goes through the first).
      chaos::KeyStory& k = keys[key];
      if (k.distinct_2xx_bodies == 0) {
        k.distinct_2xx_bodies = s.distinct_2xx_bodies;
        k.first_2xx_sha256 = s.first_2xx_sha256;
      } else if (s.distinct_2xx_bodies > 0) {
        k.distinct_2xx_bodies = static_cast<uint8_t>(std::min(
            255, k.distinct_2xx_bodies + s.distinct_2xx_bodies -
                     (s.first_2xx_sha256 == k.first_2xx_sha256 ? 1 : 0)));
      }
      k.requests += s.requests;
      k.lost += s.lost;
      k.answered_after_loss = k.answered_after_loss || s.answered_after_loss;
    }
  }
  auto& once = r.violations[static_cast<size_t>(Invariant::ExactlyOnce)];
  auto& once_status = r.invariants[static_cast<size_t>(Invariant::ExactlyOnce)];
  for (const auto& [key, k] : keys) {
    if (k.lost > 0) ++story.keys_lost;
    if (k.lost > 0 && k.answered_after_loss) ++story.keys_recovered;
    // Identical bodies across keys say nothing about executions: the journal cannot judge.
    if (k.distinct_2xx_bodies > 0 && !identical_bodies) {
      ++once_status.observations;
      once_status.checked = true;
      once_status.reason.clear();
    }
    if (k.distinct_2xx_bodies < 2) continue;
    ++story.keys_executed_twice;
    if (already_reported.count(key) > 0) continue;  // one violation per key, whoever saw it
    ++once.count;
    if (once.examples.size() >= kMaxViolationExamples) continue;
    ViolationExample e;
    e.key = key;
    e.kind = "chaos-journal";
    e.detail = "the upstream answered " + std::to_string(k.distinct_2xx_bodies) +
               " different 2xx bodies to this key over " + std::to_string(k.requests) +
               " requests (" + std::to_string(k.lost) +
               " answers lost by the chaos proxy): it executed more than once";
    once.examples.push_back(std::move(e));
  }
  for (const auto& proxy : proxies) {
    const chaos::ChaosCounters c = proxy->counters();
    story.faulted += c.faulted;
    story.lost += c.lost;
  }
  if (!story.complete) {
    r.warnings.push_back("the chaos journal followed the first " +
                         std::to_string(chaos::kMaxStoryKeys) +
                         " keys of a proxy; later keys were not checked against it");
  }
}

}  // namespace

Result<StressReport> run_stress(const TargetSpec& target, const StressOptions& options,
                                const std::atomic<bool>& stop,
                                const std::function<void(const StressProgress&)>& on_progress) {
  stress::RequestPlan plan = stress::make_plan(target, options);
  auto proxies = start_proxies(target, options, plan);
  if (!proxies) return proxies.error();
  const auto shares = split(options);
  std::vector<stress::LiveCounters> live(shares.size());
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < shares.size(); ++i) {
    workers.push_back(std::make_unique<Worker>(plan, options, target, shares[i], stop, live[i]));
    if (!workers.back()->result().setup_error.empty()) {
      return make_error(ErrorCode::Unavailable, workers.back()->result().setup_error);
    }
  }

  // Keys are rendered before the clock starts, every worker on its own thread.
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->prepare(); });
  for (auto& t : threads) t.join();
  threads.clear();

  std::unique_ptr<stress::ExecutionSampler> sampler;
  if (target.count == CountMode::ExecutionsUrl) {
    std::vector<stress::SampleSource> sources;
    for (auto& w : workers) sources.push_back(w->sample_source());
    sampler = std::make_unique<stress::ExecutionSampler>(target, options, std::move(sources));
  }
  std::atomic<bool> load_done{false};

  const auto start = std::chrono::steady_clock::now();
  const auto wall_start = std::chrono::system_clock::now();
  for (auto& w : workers) threads.emplace_back([&w, start] { w->run(start); });
  std::thread sampling;
  if (sampler) sampling = std::thread([&] { sampler->run(load_done, start); });
  while (true) {
    const bool all_done = std::all_of(live.begin(), live.end(),
                                      [](const auto& l) { return l.done.load(); });
    if (all_done) {
      load_done.store(true, std::memory_order_release);
      break;
    }
    // A progress tick, not synchronisation: join() below is what waits for the workers.
    std::this_thread::sleep_for(kProgressTick);
    if (!on_progress) continue;
    StressProgress p;
    p.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& l : live) {
      p.sent += l.sent.load(std::memory_order_relaxed);
      p.answered += l.answered.load(std::memory_order_relaxed);
      p.errors += l.errors.load(std::memory_order_relaxed);
      p.violations += l.violations.load(std::memory_order_relaxed);
      p.p99_us = std::max(p.p99_us, l.p99_us.load(std::memory_order_relaxed));
    }
    if (sampler) p.violations += sampler->live_over_once();
    on_progress(p);
  }
  for (auto& t : threads) t.join();
  if (sampling.joinable()) sampling.join();

  // Executions by URL: each worker counts its own keys, in parallel.
  std::vector<std::pair<uint64_t, uint64_t>> counts(workers.size());
  const Millis budget = stop.load() ? kInterruptedCountingBudget : kCountingBudget;
  threads.clear();
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.emplace_back([&, i] { counts[i] = workers[i]->count_executions(budget); });
  }
  for (auto& t : threads) t.join();

  StressReport r;
  r.targets = target.base_urls;
  r.model = options.open_model() ? "open" : "closed";
  r.threads = options.threads;
  r.connections = options.connections;
  r.rate = options.rate;
  for (const RateStage& st : options.stages) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", st.rate);
    r.stages.push_back(format_duration(st.duration) + ":" + rate);
  }
  r.pattern = std::string(pattern_name(options.pattern));
  r.dups = options.dups;
  r.keys = options.keys;
  r.profile = options.profile.name;
  r.count_mode = std::string(count_mode_name(target.count));
  r.interrupted = stop.load();
  r.start_unix_us =
      std::chrono::duration_cast<std::chrono::microseconds>(wall_start.time_since_epoch()).count();
  r.segment = {options.segment_index, options.segment_count};
  if (sampler) {
    r.executions_sampled = sampler->result();
    r.executions_sampled.sampled = true;
  }
  std::array<uint64_t, kInvariants> observed{};
  uint64_t counted = 0, uncounted = 0;
  int64_t load_us = 0;
  double busiest = 0;
  uint64_t waited = 0;
  std::vector<uint64_t> identities;
  for (size_t i = 0; i < workers.size(); ++i) {
    WorkerResult& w = workers[i]->result();
    merge(r, w);
    for (size_t k = 0; k < observed.size(); ++k) observed[k] += w.observed[k];
    counted += counts[i].first;
    uncounted += counts[i].second;
    load_us = std::max(load_us, w.load_us);
    busiest = std::max(busiest, w.busy_ratio);
    waited += w.waited_for_connection;
    if (target.count == CountMode::BodyIdentity) {
      auto ids = workers[i]->first_identities();
      identities.insert(identities.end(), ids.begin(), ids.end());
    }
  }
  merge_second_percentiles(r, workers);
  merge_second_counts(r, workers);
  merge_request_logs(r, workers, options.request_log_limit);
  std::sort(identities.begin(), identities.end());
  const bool identical_bodies =
      std::adjacent_find(identities.begin(), identities.end()) != identities.end();
  r.elapsed_seconds = static_cast<double>(load_us) / 1e6;
  judge_checkability(r, observed, target, options, counted, uncounted, identical_bodies);
  if (!options.chaos.empty()) {
    std::unordered_set<std::string> reported;
    for (const auto& w : workers) {
      for (std::string& key : w->keys_counted_twice()) reported.insert(std::move(key));
    }
    read_chaos_story(r, *proxies, options, reported, identical_bodies);
  }

  if (options.open_model()) {
    const int64_t lag = r.generator_lag.value_at_percentile(99);
    if (lag > kMaxGeneratorLagUs) {
      r.valid = false;
      r.warnings.push_back("the generator fell behind its schedule (p99 lag " +
                           std::to_string(lag / 1000) + " ms): the latencies measure idemctl, "
                           "not the target; use more threads or a lower rate");
    }
    if (waited > 0) {
      r.warnings.push_back(std::to_string(waited) +
                           " scheduled sends found every connection busy; their corrected "
                           "latency includes that wait (more -c keeps the schedule open)");
    }
  }
  if (busiest > kSaturatedBusyRatio) {
    r.valid = false;
    r.warnings.push_back("a generator thread was busy " + std::to_string(static_cast<int>(busiest * 100)) +
                         "% of the time: the figures measure idemctl more than the target; use "
                         "more threads (-t) or a lower rate");
  }
  return r;
}

}  // namespace idem
